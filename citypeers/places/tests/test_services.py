"""Writes of reference data: the reference load, classification imports, the SDG texts."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import ApplicationError, PermissionDenied
from citypeers.places.models import (
    AdminArea,
    City,
    ClassificationRelease,
    Country,
    Region,
    Sdg,
    SdgTarget,
)
from citypeers.places.services import (
    classification_import,
    classification_recompute,
    reference_load,
    sdg_texts_import,
)

pytestmark = pytest.mark.django_db


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Region, Country, AdminArea, City, Sdg, ClassificationRelease)
    }


def classification_state() -> dict[str, tuple[str, str, bool | None, str, int | None]]:
    return {
        iso3: (income, wesp, south, basis, release)
        for iso3, income, wesp, south, basis, release in Country.objects.values_list(
            "iso3",
            "income_group",
            "wesp_status",
            "global_south",
            "south_basis",
            "income_release_id",
        )
    }


def get(iso3: str) -> Country:
    return Country.objects.select_related("income_release").get(iso3=iso3)


# --- the reference load ------------------------------------------------------------------------


def test_reference_load_repairs_drift_and_a_second_run_changes_nothing():
    # Given the session's load, then a drifted name and a lost goal
    loaded = table_counts()
    assert loaded["Country"] == 249 and loaded["Region"] == 30 and loaded["Sdg"] == 17
    assert loaded["City"] > 30_000
    Country.objects.filter(iso3="DEU").update(name_fr="Prusse")
    Sdg.objects.filter(number=17).delete()

    # When it runs again, it repairs exactly that
    first = reference_load()
    assert (first.counts["countries"].created, first.counts["countries"].updated) == (0, 1)
    assert (first.counts["sdgs"].created, first.counts["sdgs"].updated) == (1, 0)
    assert Country.objects.get(iso3="DEU").name_fr == "Allemagne"

    # And a run after that writes nothing and leaves identical counts
    second = reference_load()
    for name, count in second.counts.items():
        assert (name, count.created, count.updated) == (name, 0, 0)
    assert second.counts["cities"].unchanged == loaded["City"]
    assert table_counts() == loaded


def test_reference_load_refuses_a_non_staff_actor():
    with pytest.raises(PermissionDenied):
        reference_load(actor=UserFactory.build(is_staff=False))


def test_countries_have_french_and_spanish_names():
    germany = Country.objects.get(iso3="DEU")

    assert (germany.name_en, germany.name_fr, germany.name_es) == (
        "Germany",
        "Allemagne",
        "Alemania",
    )


def test_france_is_in_europe_and_western_europe():
    france = Country.objects.with_regions().get(iso3="FRA")

    assert (france.region.m49, france.subregion.m49) == ("150", "155")
    assert france.subregion.parent == france.region
    assert france.subregion.name_fr == "Europe de l’Ouest"


def test_a_country_outside_m49_takes_its_regions_from_the_hdx_taxonomy():
    taiwan = Country.objects.with_regions().get(iso3="TWN")

    assert (taiwan.region_code, taiwan.subregion_code) == ("142", "030")


def test_paris_is_in_ile_de_france():
    paris = City.objects.with_places().get(geonameid=2988507)

    assert paris.name == "Paris"
    assert paris.country.iso3 == "FRA"
    assert paris.admin_area.name == "Île-de-France"
    assert paris.admin_area.country == paris.country


def test_city_count_matches_the_cities_loaded():
    france = Country.objects.get(iso3="FRA")

    assert france.city_count == City.objects.filter(country=france).count() > 500


# --- classification imports --------------------------------------------------------------------


def test_world_bank_import_sets_income_groups_and_the_south(wb_csv):
    # Given the built-in (HDX) classification, which still calls Ethiopia low income
    assert get("ETH").income_group == "L"

    report = classification_import(path=wb_csv)

    release = report.release
    assert release.source == ClassificationRelease.Source.WORLD_BANK
    assert release.as_of == dt.date(2025, 7, 1)
    assert release.file_name == "CLASS_FY2026_economies.csv"
    assert release.country_count == 214  # 216 ISO economies, Ethiopia and Venezuela unclassified
    assert any("CHI" in line for line in report.skipped)
    assert any("XKX" in line for line in report.skipped)
    france, brazil, ethiopia = get("FRA"), get("BRA"), get("ETH")
    assert (france.income_group, france.global_south, france.south_basis) == (
        "H",
        False,
        "world_bank",
    )
    assert (brazil.income_group, brazil.global_south, brazil.south_basis) == (
        "UM",
        True,
        "world_bank",
    )
    assert france.income_release == release
    # Ethiopia: unclassified by the World Bank, so the next source (here M49) decides
    assert (ethiopia.income_group, ethiopia.global_south, ethiopia.south_basis) == ("", True, "m49")
    assert ethiopia.income_release == release


def test_a_reference_load_keeps_an_imported_classification(wb_csv):
    classification_import(path=wb_csv)
    imported = classification_state()

    reference_load()

    assert classification_state() == imported
    assert get("ETH").income_group == ""  # not the built-in "L"


def test_the_xlsx_workbook_gives_the_same_classification_as_the_csv(shared_data, wb_csv):
    classification_import(path=shared_data / "classification" / "CLASS_FY2026.xlsx")
    from_xlsx = classification_state()

    classification_import(path=wb_csv)

    assert {k: v[:4] for k, v in classification_state().items()} == {
        k: v[:4] for k, v in from_xlsx.items()
    }
    assert ClassificationRelease.objects.filter(as_of=dt.date(2025, 7, 1)).count() == 2


def test_a_bad_file_changes_nothing(write_csv):
    before = classification_state()
    releases = ClassificationRelease.objects.count()
    path = write_csv(
        "CLASS_FY2026.csv",
        [
            ["France", "FRA", "Europe & Central Asia", "Low income", ""],
            ["Brazil", "BRA", "Latin America & Caribbean", "High income", ""],
            ["Nowhere", "NOW", "Europe & Central Asia", "High income", ""],
        ],
    )

    with pytest.raises(ApplicationError, match="row 4: unknown country code 'NOW'"):
        classification_import(path=path)

    assert classification_state() == before
    assert ClassificationRelease.objects.count() == releases


def test_wesp_import_decides_countries_the_world_bank_leaves_unclassified(wb_csv, wesp_csv):
    classification_import(path=wb_csv)

    report = classification_import(path=wesp_csv)

    assert report.release.source == ClassificationRelease.Source.WESP
    assert report.release.as_of == dt.date(2020, 1, 1)
    assert report.release.country_count == 177
    ethiopia, venezuela, kazakhstan = get("ETH"), get("VEN"), get("KAZ")
    assert (ethiopia.wesp_status, ethiopia.global_south, ethiopia.south_basis) == (
        "developing",
        True,
        "wesp",
    )
    assert (venezuela.global_south, venezuela.south_basis) == (True, "wesp")
    # in transition for WESP, but upper-middle income for the World Bank, which comes first
    assert kazakhstan.wesp_status == "transition"
    assert (kazakhstan.global_south, kazakhstan.south_basis) == (True, "world_bank")
    assert get("AFG").least_developed is True
    assert get("ALB").least_developed is False
    # WESP leaves the income groups alone
    assert get("FRA").income_group == "H"


def test_a_custom_rule_order_is_applied_to_every_country(settings, wb_csv, wesp_csv):
    classification_import(path=wb_csv)
    classification_import(path=wesp_csv)
    assert (get("KAZ").global_south, get("TWN").global_south) == (True, False)

    settings.CITYPEERS_GLOBAL_SOUTH_RULE = ["wesp", "world_bank", "m49"]
    changed = classification_recompute()

    kazakhstan, taiwan = get("KAZ"), get("TWN")
    assert (kazakhstan.global_south, kazakhstan.south_basis) == (False, "wesp")  # in transition
    assert (taiwan.global_south, taiwan.south_basis) == (True, "wesp")  # developing
    # every country WESP classifies now goes by WESP; Ethiopia and Venezuela already did
    assert changed == Country.objects.filter(south_basis="wesp").count() - 2 == 175
    assert classification_recompute() == 0


def test_recompute_refuses_an_unknown_source_in_the_settings(settings):
    settings.CITYPEERS_GLOBAL_SOUTH_RULE = ["world_bank", "gdp"]

    with pytest.raises(ApplicationError, match="gdp"):
        classification_recompute()


def test_classification_import_is_for_staff_only(wb_csv):
    with pytest.raises(PermissionDenied):
        classification_import(path=wb_csv, actor=UserFactory(is_staff=False))

    report = classification_import(path=wb_csv, actor=UserFactory(is_staff=True))
    assert report.release.pk is not None


# --- SDG texts ---------------------------------------------------------------------------------


def test_sdg_texts_import_loads_goals_and_targets_in_three_languages(shared_data):
    counts = sdg_texts_import(directory=shared_data / "sdg")

    assert counts == {"goals_updated": 17, "targets": 169, "languages": 3}
    assert SdgTarget.objects.count() == 169
    cities = Sdg.objects.get(number=11)
    assert cities.title_en.startswith("Make cities and human settlements inclusive")
    assert cities.title_fr and cities.title_es and cities.title_fr != cities.title_en
    target = SdgTarget.objects.get(code="11.1")
    assert target.goal == cities
    assert all((target.text_en, target.text_fr, target.text_es))
    assert len({target.text_en, target.text_fr, target.text_es}) == 3
    # lettered targets come after numbered ones
    codes = list(SdgTarget.objects.filter(goal__number=6).values_list("code", flat=True))
    assert codes == ["6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.a", "6.b"]
    # the short titles are ours and stay
    assert cities.short_en == "Sustainable cities"

    again = sdg_texts_import(directory=shared_data / "sdg")
    assert again == {"goals_updated": 0, "targets": 169, "languages": 3}


def test_sdg_texts_import_refuses_a_directory_without_english(shared_data, tmp_path):
    for lang in ("fr", "es"):
        shutil.copytree(shared_data / "sdg" / lang, tmp_path / lang)

    with pytest.raises(ApplicationError) as caught:
        sdg_texts_import(directory=tmp_path)

    assert "'en'" in caught.value.message
    assert SdgTarget.objects.count() == 0
    assert not Sdg.objects.exclude(title_fr="").exists()


def test_sdg_texts_import_refuses_incomplete_goals(shared_data, tmp_path):
    (tmp_path / "en").mkdir()
    goals = (shared_data / "sdg" / "en" / "global_goals.yml").read_text(encoding="utf-8")
    kept = [line for line in goals.splitlines() if not line.startswith("17-")]
    (tmp_path / "en" / "global_goals.yml").write_text("\n".join(kept), encoding="utf-8")
    shutil.copy(shared_data / "sdg" / "en" / "global_targets.yml", tmp_path / "en")

    with pytest.raises(ApplicationError, match="16 of 17 goals"):
        sdg_texts_import(directory=tmp_path)

    assert SdgTarget.objects.count() == 0


def test_sdg_texts_import_refuses_a_file_that_is_not_yaml(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "global_goals.yml").write_text("1-title: [unclosed", encoding="utf-8")

    with pytest.raises(ApplicationError, match="cannot be read as YAML"):
        sdg_texts_import(directory=tmp_path)
