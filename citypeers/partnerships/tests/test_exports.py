"""The partnership exports: IATI activity XML valid against the official 2.03 schema, GeoJSON
with members as points and partnerships as lines, CSV and JSON that carry every field, and the
same files from ``citypeers export-partnerships`` and the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from lxml import etree

from citypeers.directory.models import ActorType
from citypeers.directory.tests.factories import OrganisationFactory, city, country, theme
from citypeers.interop import partnerships_export
from citypeers.interop.iati import shares
from citypeers.partnerships.models import Geography, Modality, PartnershipMember, Status
from citypeers.partnerships.selectors import PartnershipFilters
from citypeers.partnerships.tests.factories import (
    ActivityFactory,
    AgreementFactory,
    IndicatorFactory,
    ObjectiveFactory,
    PartnershipFactory,
    ResultFactory,
)
from citypeers.places.models import Sdg

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
IATI_SCHEMA = SHARED / "data" / "iati" / "2.03" / "iati-activities-schema.xsd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LYON, DAKAR, PARIS, ACCRA = 2996944, 2253354, 2988507, 2306104


@pytest.fixture(scope="module")
def iati_schema() -> etree.XMLSchema:
    if not IATI_SCHEMA.is_file():
        pytest.skip(f"{IATI_SCHEMA} is not available")
    return etree.XMLSchema(file=str(IATI_SCHEMA))


def municipality(name: str, geonameid: int) -> Any:
    place = city(geonameid)
    return OrganisationFactory(
        name=name, actor_type=ActorType.MUNICIPALITY, country=place.country, city=place
    )


@pytest.fixture
def registry() -> dict[str, Any]:
    """Three partnerships that use every part of the export.

    - water: Lyon (lead) and Dakar with a network as facilitator, descriptions in English and
      French, two SDGs, a theme, objectives, an activity, results with and without indicators,
      an agreement; North–South.
    - twinning: Paris and Accra, ended with a date and a reason, no description.
    - proposal: Lyon invites Accra; no start date yet.
    """
    lyon = municipality("Ville de Lyon", LYON)
    dakar = municipality("Ville de Dakar", DAKAR)
    paris = municipality("Ville de Paris", PARIS)
    accra = municipality("Accra Metropolitan Assembly", ACCRA)
    network = OrganisationFactory(
        name="Cities Water Network", actor_type=ActorType.NETWORK, country=None
    )
    water = PartnershipFactory(
        title="Lyon–Dakar water partnership",
        modality=Modality.C2C,
        started_on=dt.date(2019, 5, 1),
        original_language="en",
        descriptions={
            "en": "Halving water losses in Dakar.",
            "fr": "Réduire de moitié les pertes.",
        },
        members=[
            (lyon, PartnershipMember.Role.LEAD),
            (dakar, PartnershipMember.Role.PARTNER),
            (network, PartnershipMember.Role.FACILITATOR),
        ],
        themes=[theme("water-sanitation")],
        sdgs=list(Sdg.objects.filter(number__in=[6, 11, 17])),
    )
    objective = ObjectiveFactory(partnership=water, text="Halve non-revenue water by 2023.")
    ActivityFactory(partnership=water, title="Study tour in Lyon")
    outcome = ResultFactory(partnership=water, objective=objective, title="Losses fell")
    IndicatorFactory(result=outcome)  # % → measure 2
    IndicatorFactory(
        result=outcome,
        name="Households connected",
        unit="households",
        baseline=Decimal("1000"),
        target=Decimal("5000"),
        actual=Decimal("4200.50"),
    )
    ResultFactory(partnership=water, title="A shared leak-detection manual")  # no indicators
    AgreementFactory(partnership=water)
    twinning = PartnershipFactory(
        title="Paris–Accra twinning",
        modality=Modality.TWINNING,
        status=Status.ENDED,
        started_on=dt.date(2001, 3, 1),
        ended_on=dt.date(2015, 12, 31),
        end_reason="Both councils ended it.",
        descriptions={},
        members=[paris, accra],
    )
    proposal: Any = PartnershipFactory(
        title="Lyon–Accra proposal",
        status=Status.PROPOSED,
        started_on=None,
        members=[lyon, accra],
    )
    PartnershipMember.objects.filter(partnership=proposal, organisation=accra).update(
        accepted=False
    )
    return {
        "water": water,
        "twinning": twinning,
        "proposal": proposal,
        "lyon": lyon,
        "dakar": dakar,
        "accra": accra,
        "network": network,
    }


def export(fmt: str, filters: PartnershipFilters | None = None) -> str:
    return "".join(partnerships_export.export_chunks(fmt, filters))


def iati_activity(document: etree._Element, partnership: Any) -> etree._Element:
    (activity,) = document.xpath(
        "iati-activity[iati-identifier=$id]", id=f"XM-CITYPEERS-{partnership.pk}"
    )
    return activity


# --- IATI ------------------------------------------------------------------------------------


class TestIati:
    def test_the_export_validates_against_the_iati_schema(self, registry, iati_schema):
        document = etree.fromstring(export("iati").encode())

        assert iati_schema.validate(document), iati_schema.error_log
        assert document.tag == "iati-activities"
        assert document.get("version") == "2.03"
        dt.datetime.fromisoformat(document.get("generated-datetime"))
        assert len(document.findall("iati-activity")) == 3

    def test_identifier_reporting_org_title_and_descriptions_per_language(self, registry):
        document = etree.fromstring(export("iati").encode())
        activity = iati_activity(document, registry["water"])

        assert activity.get(XML_LANG) == "en"
        reporting = activity.find("reporting-org")
        assert reporting.get("ref") == "XM-CITYPEERS"
        assert reporting.findtext("narrative") == "CityPeers"
        title = activity.find("title/narrative")
        assert (title.text, title.get(XML_LANG)) == ("Lyon–Dakar water partnership", "en")
        general = activity.find("description[@type='1']")
        assert {n.get(XML_LANG): n.text for n in general.findall("narrative")} == {
            "en": "Halving water losses in Dakar.",
            "fr": "Réduire de moitié les pertes.",
        }
        assert activity.findtext("description[@type='2']/narrative") == (
            "Halve non-revenue water by 2023."
        )

    @override_settings(CITYPEERS_IATI_ORG_ID="XM-DAC-99-1", CITYPEERS_IATI_ORG_TYPE="21")
    def test_the_publisher_identifier_comes_from_the_settings(self, registry, iati_schema):
        document = etree.fromstring(export("iati").encode())

        identifiers = document.xpath("iati-activity/iati-identifier/text()")
        assert sorted(identifiers) == sorted(
            f"XM-DAC-99-1-{registry[k].pk}" for k in ("water", "twinning", "proposal")
        )
        assert set(document.xpath("iati-activity/reporting-org/@type")) == {"21"}
        assert iati_schema.validate(document), iati_schema.error_log

    def test_participating_organisations_with_role_and_type_codes(self, registry):
        activity = iati_activity(etree.fromstring(export("iati").encode()), registry["water"])

        orgs = {
            o.findtext("narrative"): (o.get("role"), o.get("type"))
            for o in activity.findall("participating-org")
        }
        assert orgs == {
            "Ville de Lyon": ("2", "11"),  # lead → Accountable; municipality → Local Government
            "Ville de Dakar": ("4", "11"),  # partner → Implementing
            "Cities Water Network": ("3", "21"),  # facilitator → Extending; network → INGO
        }

    def test_status_and_dates(self, registry):
        document = etree.fromstring(export("iati").encode())
        water = iati_activity(document, registry["water"])
        twinning = iati_activity(document, registry["twinning"])
        proposal = iati_activity(document, registry["proposal"])

        assert water.find("activity-status").get("code") == "2"
        assert [(d.get("type"), d.get("iso-date")) for d in water.findall("activity-date")] == [
            ("2", "2019-05-01")
        ]
        assert twinning.find("activity-status").get("code") == "4"
        assert [(d.get("type"), d.get("iso-date")) for d in twinning.findall("activity-date")] == [
            ("2", "2001-03-01"),
            ("4", "2015-12-31"),
        ]
        assert proposal.find("activity-status").get("code") == "1"
        (planned,) = proposal.findall("activity-date")
        assert planned.get("type") == "1"
        # only the accepted member takes part until Accra answers
        assert [o.findtext("narrative") for o in proposal.findall("participating-org")] == [
            "Ville de Lyon"
        ]

    def test_a_partnership_without_description_gets_a_summary(self, registry):
        activity = iati_activity(etree.fromstring(export("iati").encode()), registry["twinning"])

        narrative = activity.find("description[@type='1']/narrative")
        assert narrative.get(XML_LANG) == "en"
        assert "Ville de Paris" in narrative.text and "Accra" in narrative.text

    def test_recipient_countries_sectors_and_tags(self, registry):
        document = etree.fromstring(export("iati").encode())
        water = iati_activity(document, registry["water"])
        twinning = iati_activity(document, registry["twinning"])

        assert [
            (c.get("code"), c.get("percentage")) for c in water.findall("recipient-country")
        ] == [("SN", "100")]
        assert [c.get("code") for c in twinning.findall("recipient-country")] == ["GH"]
        sectors = water.findall("sector")
        assert [(s.get("vocabulary"), s.get("code")) for s in sectors] == [
            ("7", "6"),
            ("7", "11"),
            ("7", "17"),
        ]
        assert sum(Decimal(s.get("percentage")) for s in sectors) == 100
        assert [(t.get("vocabulary"), t.get("code")) for t in water.findall("tag")] == [
            ("99", "water-sanitation")
        ]
        link = water.find("document-link")
        assert link.get("url") == "https://example.org/mou.pdf"
        assert link.get("format") == "application/pdf"

    def test_results_and_indicators(self, registry):
        activity = iati_activity(etree.fromstring(export("iati").encode()), registry["water"])

        outcome, output = activity.findall("result")
        assert outcome.get("type") == "2"  # recorded against an objective
        assert outcome.findtext("title/narrative") == "Losses fell"
        percent, households = outcome.findall("indicator")
        assert percent.get("measure") == "2"
        assert percent.get("ascending") == "false"
        baseline = percent.find("baseline")
        assert (baseline.get("year"), baseline.get("iso-date"), baseline.get("value")) == (
            "2020",
            "2020-01-01",
            "42",
        )
        period = percent.find("period")
        assert period.find("period-start").get("iso-date") == "2020-01-01"
        assert period.find("period-end").get("iso-date") == "2022-06-30"
        assert period.find("target").get("value") == "25"
        assert period.find("actual").get("value") == "31.5"
        assert households.get("measure") == "1"
        assert households.findtext("description/narrative") == "Unit: households"
        assert households.find("period/actual").get("value") == "4200.5"
        assert output.get("type") == "1"
        (qualitative,) = output.findall("indicator")
        assert qualitative.get("measure") == "5"
        assert qualitative.findtext("title/narrative") == "A shared leak-detection manual"

    def test_shares_sum_to_a_hundred(self):
        assert shares(3) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
        assert sum(shares(7)) == 100
        assert shares(0) == []


# --- GeoJSON ---------------------------------------------------------------------------------


class TestGeoJson:
    def test_members_are_points_and_partnerships_lines(self, registry):
        collection = json.loads(export("geojson"))

        assert collection["type"] == "FeatureCollection"
        lines = {
            f["properties"]["id"]: f
            for f in collection["features"]
            if f["properties"]["feature_type"] == "partnership"
        }
        points = {
            f["properties"]["id"]: f
            for f in collection["features"]
            if f["properties"]["feature_type"] == "organisation"
        }
        assert set(lines) == {registry[k].pk for k in ("water", "twinning", "proposal")}
        lyon, dakar = city(LYON), city(DAKAR)
        lyon_point = points[registry["lyon"].pk]
        assert lyon_point["type"] == "Feature"
        assert lyon_point["geometry"] == {
            "type": "Point",
            "coordinates": [round(lyon.longitude, 6), round(lyon.latitude, 6)],
        }
        assert sorted(lyon_point["properties"]["partnership_ids"]) == sorted(
            [registry["water"].pk, registry["proposal"].pk]
        )
        # the network has no city: no point, and no vertex of the water line
        assert registry["network"].pk not in points
        water = lines[registry["water"].pk]
        assert water["geometry"] == {
            "type": "LineString",
            "coordinates": [
                [round(lyon.longitude, 6), round(lyon.latitude, 6)],
                [round(dakar.longitude, 6), round(dakar.latitude, 6)],
            ],
        }
        assert water["properties"]["modality"] == "c2c"
        assert water["properties"]["geography"] == Geography.NORTH_SOUTH
        assert water["properties"]["status"] == "active"
        assert set(water["properties"]["member_ids"]) == {
            registry[k].pk for k in ("lyon", "dakar", "network")
        }
        for feature in points.values():
            lng, lat = feature["geometry"]["coordinates"]
            assert -180 <= lng <= 180 and -90 <= lat <= 90

    def test_three_located_members_make_a_multilinestring_and_one_no_line(self, registry):
        paris = OrganisationFactory(
            name="Paris NGO", country=country("FRA"), city=city(PARIS), actor_type=ActorType.NGO
        )
        wide = PartnershipFactory(members=[registry["lyon"], registry["dakar"], registry["accra"]])
        alone = PartnershipFactory(members=[registry["lyon"], registry["network"]])
        same_city = PartnershipFactory(
            members=[
                paris,
                OrganisationFactory(
                    name="Paris university",
                    country=country("FRA"),
                    city=city(PARIS),
                    actor_type=ActorType.ACADEMIA,
                ),
            ]
        )

        features = {f["id"]: f["geometry"] for f in json.loads(export("geojson"))["features"]}
        assert features[f"partnership-{wide.pk}"]["type"] == "MultiLineString"
        assert len(features[f"partnership-{wide.pk}"]["coordinates"]) == 2
        assert features[f"partnership-{alone.pk}"] is None
        assert features[f"partnership-{same_city.pk}"] is None


# --- CSV and JSON ----------------------------------------------------------------------------


class TestCsvAndJson:
    def test_csv_carries_every_field(self, registry):
        rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(export("csv")))}
        water = registry["water"]

        row = rows[water.pk]
        assert list(row) == partnerships_export.CSV_COLUMNS
        assert row["title"] == water.title
        assert row["modality"] == "c2c"
        assert row["geography"] == "north_south"
        assert row["status"] == "active"
        assert row["started_on"] == "2019-05-01"
        assert row["description"] == "Halving water losses in Dakar."
        assert row["themes"] == "water-sanitation"
        assert row["sdgs"] == "6;11;17"
        members = list(
            zip(
                row["member_ids"].split(";"),
                row["member_names"].split(";"),
                row["member_roles"].split(";"),
                row["member_countries"].split(";"),
                strict=True,
            )
        )
        assert sorted(members) == sorted(
            [
                (str(registry["lyon"].pk), "Ville de Lyon", "lead", "FRA"),
                (str(registry["dakar"].pk), "Ville de Dakar", "partner", "SEN"),
                (str(registry["network"].pk), "Cities Water Network", "facilitator", ""),
            ]
        )
        ended = rows[registry["twinning"].pk]
        assert (ended["status"], ended["ended_on"], ended["end_reason"]) == (
            "ended",
            "2015-12-31",
            "Both councils ended it.",
        )

    def test_json_records_are_the_api_records(self, registry, client):
        records = {r["id"]: r for r in json.loads(export("json"))}
        water = records[registry["water"].pk]

        assert water["descriptions"] == registry["water"].descriptions
        assert water["sdgs"] == [6, 11, 17]
        assert water["objectives"] == [
            {
                "id": registry["water"].objectives.get().pk,
                "text": "Halve non-revenue water by 2023.",
            }
        ]
        assert {m["organisation"]["name"]: m["role"] for m in water["members"]} == {
            "Ville de Lyon": "lead",
            "Ville de Dakar": "partner",
            "Cities Water Network": "facilitator",
        }
        assert client.get(f"/api/v1/partnerships/{water['id']}").json() == water

    def test_filters_apply_to_exports(self, registry):
        rows = list(csv.DictReader(io.StringIO(export("csv", PartnershipFilters(status="ended")))))

        assert [int(r["id"]) for r in rows] == [registry["twinning"].pk]


# --- the command and the API -----------------------------------------------------------------


class TestInterfaces:
    def test_command_writes_a_valid_iati_file(self, registry, iati_schema, tmp_path):
        path = tmp_path / "iati.xml"

        call_command("export-partnerships", "--format", "iati", "--output", str(path))

        document = etree.parse(str(path))
        assert iati_schema.validate(document), iati_schema.error_log
        assert len(document.getroot()) == 3

    def test_command_filters(self, registry):
        out = io.StringIO()

        call_command(
            "export-partnerships", "--format", "json", "--modality", "twinning", stdout=out
        )

        assert [r["id"] for r in json.loads(out.getvalue())] == [registry["twinning"].pk]

    @pytest.mark.parametrize(
        ("path", "content_type"),
        [
            ("export.csv", "text/csv; charset=utf-8"),
            ("export.json", "application/json"),
            ("export.geojson", "application/geo+json"),
            ("iati.xml", "application/xml"),
        ],
    )
    def test_api_serves_each_format(self, registry, client, path, content_type):
        response = client.get(f"/api/v1/partnerships/{path}", {"geography": "north_south"})

        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert "attachment" in response["Content-Disposition"]
        body = b"".join(response.streaming_content).decode()
        assert "Lyon–Dakar water partnership" in body

    def test_api_iati_validates_with_absolute_links(self, registry, client, iati_schema):
        response = client.get("/api/v1/partnerships/iati.xml")

        document = etree.fromstring(b"".join(response.streaming_content))
        assert iati_schema.validate(document), iati_schema.error_log
        activity = iati_activity(document, registry["water"])
        assert activity.get("linked-data-uri") == (
            "http://testserver" + registry["water"].get_absolute_url()
        )
