"""Exports (API and command) in CSV, JSON and Popolo, and the CSV import: whole-file refusal,
``--skip-invalid`` with rejects, re-import by external id, dry run."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from citypeers.accounts.models import AuditEvent
from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.models import ActorType, Organisation
from citypeers.directory.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    country,
    theme,
)
from citypeers.interop.organisations import CSV_COLUMNS, IMPORT_COLUMNS
from citypeers.places.models import Sdg

pytestmark = pytest.mark.django_db

LYON = 2996944


def stream(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def directory() -> dict[str, Any]:
    lyon = OrganisationFactory(
        name="Lyon Water Solidarity",
        acronym="LWS",
        country=country("FRA"),
        website="https://lws.example.org",
        languages=["fr", "en"],
        themes=[theme("water-sanitation")],
        sdgs=[Sdg.objects.get(number=6)],
        external_id="src-1",
    )
    dakar = OrganisationFactory(name="Dakar Learning Lab", country=country("SEN"))
    network = OrganisationFactory(
        name="Water Cities Network", actor_type=ActorType.NETWORK, country=None
    )
    MembershipFactory(member=lyon, parent=network, role="founding_member")
    MembershipFactory(member=dakar, parent=network)
    return {"lyon": lyon, "dakar": dakar, "network": network}


# --- exports ---------------------------------------------------------------------------------


class TestExport:
    def test_csv_has_the_documented_header_and_a_row_per_organisation(self, client, directory):
        response = client.get("/api/v1/organisations/export.csv")

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(stream(response))))
        assert list(rows[0]) == CSV_COLUMNS
        assert [r["name"] for r in rows] == [
            "Dakar Learning Lab",
            "Lyon Water Solidarity",
            "Water Cities Network",
        ]
        lyon = rows[1]
        assert lyon["external_id"] == "src-1"
        assert (lyon["country"], lyon["acronym"], lyon["languages"]) == ("FRA", "LWS", "fr;en")
        assert (lyon["themes"], lyon["sdgs"], lyon["global_south"]) == (
            "water-sanitation",
            "6",
            "false",
        )
        assert lyon["id"] == str(directory["lyon"].pk)

    def test_json_is_the_api_rendering_of_every_match(self, client, directory):
        response = client.get("/api/v1/organisations/export.json?country=FRA")

        records = json.loads(stream(response))
        assert records == [client.get(f"/api/v1/organisations/{directory['lyon'].pk}").json()]

    def test_popolo_organizations_and_memberships(self, client, directory):
        body = json.loads(stream(client.get("/api/v1/organisations/popolo.json")))

        assert set(body) == {"organizations", "memberships"}
        by_id = {o["id"]: o for o in body["organizations"]}
        lyon = by_id[str(directory["lyon"].pk)]
        assert lyon["name"] == "Lyon Water Solidarity"
        assert lyon["classification"] == "ngo"
        assert {"scheme": "external", "identifier": "src-1"} in lyon["identifiers"]
        assert lyon["other_names"] == [{"name": "LWS", "note": "acronym"}]
        assert lyon["area_id"] == "iso3166-1:FRA"
        assert {"url": "https://lws.example.org", "note": "website"} in lyon["links"]
        network = str(directory["network"].pk)
        assert "area_id" not in by_id[network]
        founding = next(m for m in body["memberships"] if m["role"] == "founding_member")
        assert founding["organization_id"] == network
        assert founding["member"] == {"@type": "Organization", "id": str(directory["lyon"].pk)}
        assert len(body["memberships"]) == 2

    def test_popolo_keeps_only_memberships_between_exported_organisations(self, client, directory):
        body = json.loads(stream(client.get("/api/v1/organisations/popolo.json?country=FRA")))

        assert [o["name"] for o in body["organizations"]] == ["Lyon Water Solidarity"]
        assert body["memberships"] == []

    def test_an_empty_export_is_still_valid(self, client):
        assert json.loads(stream(client.get("/api/v1/organisations/export.json"))) == []
        body = json.loads(stream(client.get("/api/v1/organisations/popolo.json")))
        assert body == {"organizations": [], "memberships": []}
        rows = list(csv.reader(io.StringIO(stream(client.get("/api/v1/organisations/export.csv")))))
        assert rows == [CSV_COLUMNS]

    @pytest.mark.parametrize("fmt", ["csv", "json", "popolo"])
    def test_the_command_writes_the_same_as_the_api(self, client, directory, tmp_path, fmt):
        output = tmp_path / f"out.{fmt}"

        call_command("export-organisations", "--format", fmt, "--output", str(output))

        url = {
            "csv": "/api/v1/organisations/export.csv",
            "json": "/api/v1/organisations/export.json",
            "popolo": "/api/v1/organisations/popolo.json",
        }[fmt]
        assert output.read_bytes().decode() == stream(client.get(url))

    def test_the_command_filters_and_prints(self, directory, capsys):
        out = io.StringIO()
        call_command("export-organisations", "--format", "json", "--country", "SEN", stdout=out)
        assert [o["name"] for o in json.loads(out.getvalue())] == ["Dakar Learning Lab"]


# --- import ----------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None) -> Path:
    columns = columns or IMPORT_COLUMNS
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return path


GOOD_ROWS = [
    {
        "external_id": "twin-1",
        "name": "Ville de Lyon",
        "actor_type": "municipality",
        "country": "FRA",
        "city": "lyon",
        "languages": "fr; en",
        "themes": "mobility;housing",
        "sdgs": "11; 13",
        "description": "La ville de Lyon.",
        "original_language": "fr",
    },
    {
        "name": "Réseau des villes d'eau",
        "actor_type": "network",
        "acronym": "RVE",
        "population_served": "1,200,000",
        "website": "https://rve.example.org",
    },
    {
        "name": "Région Dakar",
        "actor_type": "regional",
        "country": "SEN",
        "admin_area": "Dakar",
    },
    {
        "name": "Cités Unies Sénégal",
        "actor_type": "lga",
        "country": "sen",
        "city_geonameid": "2253354",
    },
]


@pytest.fixture
def staff() -> Any:
    return UserFactory(username="importer", is_staff=True)


def run_import(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import-organisations", str(path), "--as", "importer", *args, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


class TestImport:
    def test_a_good_file_imports_every_row(self, staff, tmp_path):
        path = write_csv(tmp_path / "orgs.csv", GOOD_ROWS)

        out, _err = run_import(path)

        assert "4 created" in out
        lyon = Organisation.objects.get(external_id="twin-1")
        assert (lyon.city.name, lyon.country.iso3) == ("Lyon", "FRA")
        assert lyon.languages == ["fr", "en"]
        assert [t.slug for t in lyon.themes.all()] == ["mobility", "housing"]
        assert sorted(s.number for s in lyon.sdgs.all()) == [11, 13]
        assert lyon.descriptions == {"fr": "La ville de Lyon."}
        assert not lyon.people.exists()  # an import names no organisation admin
        network = Organisation.objects.get(acronym="RVE")
        assert (network.country, network.population_served) == (None, 1_200_000)
        region = Organisation.objects.get(name="Région Dakar")
        assert region.admin_area.name == "Dakar"
        assert Organisation.objects.get(name="Cités Unies Sénégal").city.geonameid == 2253354
        assert AuditEvent.objects.filter(verb="organisation.create", actor=staff).count() == 4

    def test_one_bad_row_in_the_middle_leaves_the_database_unchanged(self, staff, tmp_path):
        bad = {"name": "Nowhere Council", "actor_type": "ngo", "country": "XXX"}
        path = write_csv(tmp_path / "orgs.csv", [GOOD_ROWS[0], GOOD_ROWS[1], bad, GOOD_ROWS[2]])
        before = Organisation.objects.count()
        events = AuditEvent.objects.count()

        with pytest.raises(CommandError) as refused:
            run_import(path)

        assert Organisation.objects.count() == before
        assert AuditEvent.objects.count() == events
        assert "Nothing imported" in str(refused.value)

    def test_the_report_names_every_bad_row_and_field(self, staff, tmp_path, capsys):
        rows = [
            GOOD_ROWS[0],
            {"name": "", "actor_type": "ngo", "country": "FRA"},
            {"name": "Bad Themes", "actor_type": "ngo", "country": "FRA", "themes": "astrology"},
            {"name": "Bad Type", "actor_type": "guild", "country": "FRA", "sdgs": "42"},
            {"name": "No City", "actor_type": "municipality", "country": "FRA", "city": "Atlantis"},
            {"name": "Homeless", "actor_type": "ngo"},
        ]
        path = write_csv(tmp_path / "orgs.csv", rows)
        err = io.StringIO()

        with pytest.raises(CommandError):
            call_command(
                "import-organisations",
                str(path),
                "--as",
                "importer",
                stderr=err,
                stdout=io.StringIO(),
            )

        report = err.getvalue()
        for expected in (
            "row 3, name:",
            "row 4, themes:",
            "row 5, actor_type:",
            "row 5, sdgs:",
            "row 6, city:",
            "row 7, country:",
        ):
            assert expected in report, report
        assert "row 2" not in report
        assert not Organisation.objects.filter(external_id="twin-1").exists()

    def test_a_duplicate_of_the_same_place_and_type_is_a_bad_row(self, staff, tmp_path, capsys):
        twice = [GOOD_ROWS[0], {**GOOD_ROWS[0], "external_id": "twin-2", "name": "Lyon again"}]
        path = write_csv(tmp_path / "orgs.csv", twice)
        err = io.StringIO()

        with pytest.raises(CommandError):
            call_command(
                "import-organisations",
                str(path),
                "--as",
                "importer",
                stderr=err,
                stdout=io.StringIO(),
            )

        assert "row 3, city:" in err.getvalue()
        assert not Organisation.objects.filter(external_id__startswith="twin").exists()

    def test_skip_invalid_imports_the_good_rows_and_writes_the_rejects(self, staff, tmp_path):
        bad = {"name": "Nowhere Council", "actor_type": "ngo", "country": "XXX"}
        path = write_csv(tmp_path / "orgs.csv", [GOOD_ROWS[0], bad, GOOD_ROWS[1]])
        rejects = tmp_path / "rejects.csv"

        out, err = run_import(path, "--skip-invalid", "--rejects", str(rejects))

        assert "2 created" in out and "1 rows invalid" in out
        assert "row 3, country:" in err
        assert Organisation.objects.filter(external_id="twin-1").exists()
        assert not Organisation.objects.filter(name="Nowhere Council").exists()
        rejected = list(csv.DictReader(rejects.open(encoding="utf-8")))
        assert len(rejected) == 1
        assert rejected[0]["name"] == "Nowhere Council"
        assert rejected[0]["error"].startswith("country:")
        assert list(rejected[0]) == [*IMPORT_COLUMNS, "error"]

    def test_a_reimport_by_external_id_updates_instead_of_duplicating(self, staff, tmp_path):
        run_import(write_csv(tmp_path / "first.csv", [GOOD_ROWS[0]]))
        first = Organisation.objects.get(external_id="twin-1")
        changed = {
            "external_id": "twin-1",
            "name": "Métropole de Lyon",
            "actor_type": "metropolitan",
            "city": "Lyon",
            "country": "FRA",
            "themes": "waste",
        }

        out, _err = run_import(write_csv(tmp_path / "second.csv", [changed], list(changed)))

        assert "0 created, 1 updated" in out
        again = Organisation.objects.get(external_id="twin-1")
        assert again.pk == first.pk
        assert (again.name, again.actor_type) == ("Métropole de Lyon", "metropolitan")
        assert [t.slug for t in again.themes.all()] == ["waste"]
        assert again.languages == ["fr", "en"]  # a column the file lacks is left alone
        assert again.descriptions == {"fr": "La ville de Lyon."}

    def test_a_dry_run_writes_nothing(self, staff, tmp_path):
        before = Organisation.objects.count()

        out, _err = run_import(write_csv(tmp_path / "orgs.csv", GOOD_ROWS), "--dry-run")

        assert "Dry run" in out and "4 created" in out
        assert Organisation.objects.count() == before

    def test_only_staff_and_moderators_import(self, tmp_path):
        UserFactory(username="importer")
        path = write_csv(tmp_path / "orgs.csv", GOOD_ROWS)

        with pytest.raises(CommandError, match="staff"):
            run_import(path)
        assert not Organisation.objects.filter(external_id="twin-1").exists()

    def test_an_unknown_column_refuses_the_file(self, staff, tmp_path):
        path = write_csv(
            tmp_path / "orgs.csv",
            [{"name": "A", "actor_type": "ngo", "contry": "FRA"}],
            ["name", "actor_type", "contry"],
        )

        with pytest.raises(CommandError, match="contry"):
            run_import(path)

    def test_an_export_imports_again_as_updates(self, client, staff, tmp_path, directory):
        exported = tmp_path / "export.csv"
        call_command("export-organisations", "--format", "csv", "--output", str(exported))
        rows = list(csv.DictReader(exported.open(encoding="utf-8")))
        for row in rows:
            row["external_id"] = row["external_id"] or f"cp-{row['id']}"
        path = write_csv(tmp_path / "again.csv", rows, CSV_COLUMNS)

        out, _err = run_import(path)

        assert "2 created, 1 updated" in out  # only Lyon had an external id
        assert Organisation.objects.filter(name="Lyon Water Solidarity").count() == 1
