"""The Global South rule and the parsers of World Bank and UN WESP classification files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from citypeers.core.errors import ApplicationError
from citypeers.places.classification import classify, parse_classification_file, validate_rule
from citypeers.places.models import Country

DEFAULT_RULE = ["world_bank", "wesp", "m49"]
KNOWN = {"FRA", "BRA", "ETH", "VEN", "DEU", "AFG", "ALB", "RUS", "JPN"}


def country(iso3: str, *, income: str = "", wesp: str = "") -> Country:
    """A real country from the reference data (with its real M49 regions), its inputs set here."""
    found = Country.objects.with_regions().get(iso3=iso3)
    found.income_group = income
    found.wesp_status = wesp
    return found


# --- classify() --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestClassify:
    @pytest.mark.parametrize(
        ("iso3", "income", "expected"),
        [("FRA", "H", False), ("BRA", "UM", True), ("ETH", "L", True), ("DZA", "LM", True)],
    )
    def test_world_bank_income_group_decides(self, iso3, income, expected):
        assert classify(country(iso3, income=income), DEFAULT_RULE) == (expected, "world_bank")

    def test_world_bank_wins_over_wesp_when_both_classify(self):
        # Taiwan: high income for the World Bank, "developing" for UN WESP.
        taiwan = country("TWN", income="H", wesp="developing")

        assert classify(taiwan, DEFAULT_RULE) == (False, "world_bank")

    @pytest.mark.parametrize(
        ("iso3", "wesp", "expected"),
        [("ETH", "developing", True), ("RUS", "transition", False), ("FRA", "developed", False)],
    )
    def test_unclassified_by_world_bank_falls_to_wesp(self, iso3, wesp, expected):
        assert classify(country(iso3, wesp=wesp), DEFAULT_RULE) == (expected, "wesp")

    @pytest.mark.parametrize(
        ("iso3", "expected"),
        [
            ("JPN", False),  # in Asia, but Japan is a developed region by name
            ("AUS", False),  # Australia and New Zealand sub-region
            ("NZL", False),
            ("DEU", False),  # Europe
            ("RUS", False),  # Eastern Europe is Europe
            ("GGY", False),  # a Crown dependency, Northern Europe
            ("CHN", True),  # Asia other than Japan
            ("KOR", True),
            ("BRA", True),
            ("ETH", True),
            ("PNG", True),  # Oceania outside Australia and New Zealand
        ],
    )
    def test_neither_source_falls_to_m49(self, iso3, expected):
        assert classify(country(iso3), DEFAULT_RULE) == (expected, "m49")

    @pytest.mark.parametrize("iso3", ["USA", "CAN"])
    def test_m49_counts_northern_america_as_north(self, iso3):
        assert classify(country(iso3), ["m49"]) == (False, "m49")

    def test_nothing_classifies_antarctica(self):
        antarctica = country("ATA")
        assert antarctica.region_code is None  # given: no M49 region, no income, no WESP

        assert classify(antarctica, DEFAULT_RULE) == (None, "")

    def test_a_rule_without_m49_leaves_an_unclassified_country_undecided(self):
        assert classify(country("VEN"), ["world_bank", "wesp"]) == (None, "")

    def test_custom_order_lets_wesp_decide_first(self):
        taiwan = country("TWN", income="H", wesp="developing")

        assert classify(taiwan, ["wesp", "world_bank", "m49"]) == (True, "wesp")

    def test_custom_order_m49_first_ignores_the_income_group(self):
        assert classify(country("BRA", income="H"), ["m49", "world_bank"]) == (True, "m49")
        assert classify(country("RUS", income="UM"), ["m49", "world_bank"]) == (False, "m49")


class TestValidateRule:
    def test_accepts_known_sources_in_any_order(self):
        assert validate_rule(("m49", "world_bank")) == ["m49", "world_bank"]

    @pytest.mark.parametrize("rule", [["world_bank", "imf"], ["World_Bank"], []])
    def test_refuses_unknown_sources_and_an_empty_rule(self, rule):
        with pytest.raises(ApplicationError) as caught:
            validate_rule(rule)

        assert caught.value.field == "CITYPEERS_GLOBAL_SOUTH_RULE"
        assert "world_bank, wesp, m49" in caught.value.message
        for source in rule:
            assert source in caught.value.message


# --- World Bank files --------------------------------------------------------------------------


def test_parses_a_world_bank_csv(write_csv):
    path = write_csv(
        "CLASS_FY2026_economies.csv",
        [
            ["France", "FRA", "Europe & Central Asia", "High income", ""],
            ["Brazil", "bra", "Latin America & Caribbean", "Upper middle income", "IBRD"],
            ["Afghanistan", "AFG", "South Asia", "Low income", "IDA"],
            ["Albania", "ALB", "Europe & Central Asia", "Lower-middle income", "IBRD"],
            ["Ethiopia", "ETH", "Sub-Saharan Africa", "", "IDA"],
        ],
    )

    parsed = parse_classification_file(path, KNOWN)

    assert parsed.source == "world_bank"
    assert parsed.values == {"FRA": "H", "BRA": "UM", "AFG": "L", "ALB": "LM", "ETH": ""}
    assert parsed.as_of == dt.date(2025, 7, 1)
    assert parsed.skipped == []
    assert "CLASS_FY2026_economies.csv" in parsed.label


def test_skips_aggregates_and_blank_lines(write_csv):
    path = write_csv(
        "CLASS_FY2026.csv",
        [
            ["France", "FRA", "Europe & Central Asia", "High income", ""],
            ["", "", "", "", ""],
            ["World", "WLD", "", "", ""],
            ["Arab World", "ARB", "", "", ""],
            ["Sub-Saharan Africa", "SSF", "", "", ""],
        ],
    )

    parsed = parse_classification_file(path, KNOWN)

    assert parsed.values == {"FRA": "H"}


def test_skips_and_reports_economies_without_an_iso_code(write_csv):
    path = write_csv(
        "CLASS_FY2026.csv",
        [
            ["France", "FRA", "Europe & Central Asia", "High income", ""],
            ["Channel Islands", "CHI", "Europe & Central Asia", "High income", ""],
            ["Kosovo", "XKX", "Europe & Central Asia", "Upper middle income", "IDA"],
        ],
    )

    parsed = parse_classification_file(path, KNOWN)

    assert parsed.values == {"FRA": "H"}
    assert len(parsed.skipped) == 2
    assert "row 3" in parsed.skipped[0] and "CHI" in parsed.skipped[0]
    assert "row 4" in parsed.skipped[1] and "XKX" in parsed.skipped[1]


def test_refuses_a_file_without_a_required_column(write_csv):
    path = write_csv(
        "CLASS_FY2026.csv",
        [["France", "FRA", "Europe & Central Asia", ""]],
        header=["Economy", "Code", "Region", "Lending category"],
    )

    with pytest.raises(ApplicationError) as caught:
        parse_classification_file(path, KNOWN)

    assert "'Income group'" in caught.value.message
    assert "CLASS_FY2026.csv" in caught.value.message


def test_refuses_an_unknown_country_code_naming_row_and_code(write_csv):
    path = write_csv(
        "CLASS_FY2026.csv",
        [
            ["France", "FRA", "Europe & Central Asia", "High income", ""],
            ["Nowhere", "ZZZ", "Europe & Central Asia", "High income", ""],
        ],
    )

    with pytest.raises(ApplicationError) as caught:
        parse_classification_file(path, KNOWN)

    assert "row 3" in caught.value.message
    assert "'ZZZ'" in caught.value.message
    assert caught.value.extra == {"row": 3}


def test_refuses_a_two_letter_code(write_csv):
    path = write_csv("CLASS_FY2026.csv", [["France", "FR", "Europe", "High income", ""]])

    with pytest.raises(ApplicationError, match="unknown country code 'FR'"):
        parse_classification_file(path, KNOWN | {"FR"})


def test_refuses_an_unknown_income_group(write_csv):
    path = write_csv(
        "CLASS_FY2026.csv", [["France", "FRA", "Europe & Central Asia", "Very rich", ""]]
    )

    with pytest.raises(ApplicationError) as caught:
        parse_classification_file(path, KNOWN)

    assert "row 2" in caught.value.message
    assert "'Very rich'" in caught.value.message
    assert caught.value.field == "Income group"


def test_refuses_a_file_that_classifies_no_country(write_csv):
    path = write_csv("CLASS_FY2026.csv", [["World", "WLD", "", "", ""]])

    with pytest.raises(ApplicationError, match="classifies no country"):
        parse_classification_file(path, KNOWN)


def test_reads_the_date_from_the_fiscal_year_in_the_file_name(write_csv):
    path = write_csv("class_fy2024.csv", [["France", "FRA", "Europe", "High income", ""]])

    assert parse_classification_file(path, KNOWN).as_of == dt.date(2023, 7, 1)


def test_an_explicit_date_wins_over_the_file_name(write_csv):
    path = write_csv("CLASS_FY2026.csv", [["France", "FRA", "Europe", "High income", ""]])

    parsed = parse_classification_file(path, KNOWN, as_of=dt.date(2025, 12, 16))

    assert parsed.as_of == dt.date(2025, 12, 16)


def test_refuses_a_world_bank_file_whose_date_cannot_be_told(write_csv):
    path = write_csv("economies.csv", [["France", "FRA", "Europe", "High income", ""]])

    with pytest.raises(ApplicationError) as caught:
        parse_classification_file(path, KNOWN)

    assert caught.value.field == "as_of"
    assert "economies.csv" in caught.value.message
    assert "--as-of" in caught.value.message


def _write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    notes = workbook.worksheets[0]
    notes.title = "Notes"
    notes.append(["This sheet is not the list of economies"])
    sheet = workbook.create_sheet("List of economies")
    sheet.append(["Economy", "Code", "Region", "Income group", "Lending category"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_parses_the_list_of_economies_sheet_of_an_xlsx_workbook(tmp_path):
    path = _write_xlsx(
        tmp_path / "CLASS_FY2026.xlsx",
        [
            ["France", "FRA", "Europe & Central Asia", "High income", None],
            ["Ethiopia", "ETH", "Sub-Saharan Africa", None, "IDA"],
            ["Kosovo", "XKX", "Europe & Central Asia", "Upper middle income", "IDA"],
            ["World", "WLD", None, None, None],
        ],
    )

    parsed = parse_classification_file(path, KNOWN)

    assert parsed.values == {"FRA": "H", "ETH": ""}
    assert parsed.as_of == dt.date(2025, 7, 1)
    assert len(parsed.skipped) == 1 and "XKX" in parsed.skipped[0]


def test_refuses_an_unknown_code_in_an_xlsx_workbook(tmp_path):
    path = _write_xlsx(
        tmp_path / "CLASS_FY2026.xlsx",
        [
            ["France", "FRA", "Europe", "High income", None],
            ["Atlantis", "ATL", "Sea", "Low income", None],
        ],
    )

    with pytest.raises(ApplicationError, match=r"row 3: unknown country code 'ATL'"):
        parse_classification_file(path, KNOWN)


def test_refuses_a_corrupt_workbook(tmp_path):
    path = tmp_path / "CLASS_FY2026.xlsx"
    path.write_bytes(b"not a zip file")

    with pytest.raises(ApplicationError, match="not a readable .xlsx workbook"):
        parse_classification_file(path, KNOWN)


# --- UN WESP files and other inputs ------------------------------------------------------------


def test_parses_a_wesp_csv(write_csv):
    path = write_csv(
        "wesp2020_country_groups.csv",
        [
            ["AFG", "developing", "low_income", "1"],
            ["ALB", "economy_in_transition", "upper_middle_income", "0"],
            ["DEU", "developed", "high_income", ""],
            ["", "", "", ""],
        ],
        header=["iso3", "wesp_status", "wesp_income_group", "least_developed"],
    )

    parsed = parse_classification_file(path, KNOWN)

    assert parsed.source == "wesp"
    assert parsed.values == {"AFG": "developing", "ALB": "transition", "DEU": "developed"}
    assert parsed.least_developed == {"AFG": True, "ALB": False}
    assert parsed.as_of == dt.date(2020, 1, 1)


@pytest.mark.parametrize(
    ("row", "expected"),
    [(["ZZZ", "developing"], "unknown country code 'ZZZ'"), (["AFG", "emerging"], "'emerging'")],
)
def test_refuses_a_bad_wesp_row(write_csv, row, expected):
    path = write_csv("wesp.csv", [["ALB", "developing"], row], header=["iso3", "wesp_status"])

    with pytest.raises(ApplicationError) as caught:
        parse_classification_file(path, KNOWN)

    assert "row 3" in caught.value.message
    assert expected in caught.value.message


def test_refuses_a_wesp_file_without_the_status_column(write_csv):
    path = write_csv("wesp.csv", [["AFG", "low_income"]], header=["iso3", "wesp_income_group"])

    with pytest.raises(ApplicationError, match="'wesp_status'"):
        parse_classification_file(path, KNOWN)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("groups.txt", b"Code,Income group\n", "expected a .xlsx or .csv file"),
        ("CLASS_FY2026.csv", b"", "has no rows"),
        ("CLASS_FY2026.csv", "Code,Région\nFRA,Europe\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_refuses_files_it_cannot_read(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(ApplicationError, match=expected):
        parse_classification_file(path, KNOWN)


def test_refuses_a_missing_file(tmp_path):
    with pytest.raises(ApplicationError, match="No such file"):
        parse_classification_file(tmp_path / "CLASS_FY2026.csv", KNOWN)
