"""The management commands of places: thin interfaces over the services."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from citypeers.places.models import ClassificationRelease, Country, SdgTarget

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_load_reference_reports_each_step_and_changes_nothing_on_loaded_data():
    output = run("load-reference")

    assert "countries: 0 created, 0 updated, 249 unchanged" in output
    assert "sdgs: 0 created, 0 updated, 17 unchanged" in output
    assert "Reference data loaded in" in output


def test_load_reference_refuses_an_unsupported_population_threshold():
    with pytest.raises(CommandError, match="invalid choice"):
        run("load-reference", "--min-population", "2000")


def test_import_classification_reports_release_and_skipped_rows(wb_csv):
    output = run("import-classification", str(wb_csv))

    assert "CHI (Channel Islands)" in output
    assert "XKX (Kosovo)" in output
    assert "214 countries classified (as of 2025-07-01)" in output
    assert Country.objects.get(iso3="ETH").income_group == ""


def test_import_classification_takes_the_date_from_as_of(write_csv):
    path = write_csv(
        "economies.csv", [["France", "FRA", "Europe & Central Asia", "High income", ""]]
    )

    output = run("import-classification", str(path), "--as-of", "2025-12-16")

    assert "(as of 2025-12-16)" in output
    assert ClassificationRelease.objects.latest().as_of == dt.date(2025, 12, 16)


def test_import_classification_without_a_date_names_the_option(write_csv):
    path = write_csv(
        "economies.csv", [["France", "FRA", "Europe & Central Asia", "High income", ""]]
    )

    with pytest.raises(CommandError, match="--as-of YYYY-MM-DD"):
        run("import-classification", str(path))


def test_import_classification_refuses_a_bad_file_naming_the_problem(write_csv):
    releases = ClassificationRelease.objects.count()
    path = write_csv(
        "CLASS_FY2026.csv",
        [
            ["France", "FRA", "Europe & Central Asia", "Low income", ""],
            ["Neverland", "NVL", "Europe & Central Asia", "High income", ""],
        ],
    )

    with pytest.raises(CommandError) as caught:
        run("import-classification", str(path))

    assert str(caught.value) == "CLASS_FY2026.csv, row 3: unknown country code 'NVL'."
    assert ClassificationRelease.objects.count() == releases
    assert Country.objects.get(iso3="FRA").income_group == "H"


def test_import_classification_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("import-classification", str(tmp_path / "CLASS_FY2026.xlsx"))


def test_import_wesp_groups(wesp_csv):
    output = run("import-classification", str(wesp_csv))

    assert "177 countries classified (as of 2020-01-01)" in output
    assert Country.objects.get(iso3="RUS").wesp_status == "transition"


def test_import_sdg_texts(shared_data):
    output = run("import-sdg-texts", str(shared_data / "sdg"))

    assert "169 targets in 3 languages; 17 goals updated." in output
    assert SdgTarget.objects.exclude(text_es="").count() == 169


def test_import_sdg_texts_refuses_a_directory_without_english(tmp_path):
    with pytest.raises(CommandError, match="has no 'en' folder"):
        run("import-sdg-texts", str(tmp_path))
