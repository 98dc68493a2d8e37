"""The "Global South" rule and the parsers of classification files.

The rule (``CITYPEERS_GLOBAL_SOUTH_RULE``, default ``world_bank,wesp,m49``) is an ordered list of
sources; the first source that classifies a country decides:

``world_bank``
    South when the World Bank income group is low, lower-middle or upper-middle; North when high.
    Silent for economies the World Bank leaves unclassified (Ethiopia and Venezuela in FY2026).
``wesp``
    South when UN WESP calls the economy *developing*; North when *developed* or *in transition*.
``m49``
    The UN's historical convention of developed regions: Europe, Northern America, Japan,
    Australia and New Zealand are North; every other area with an M49 region is South.

A country no source classifies (Antarctica, say) has ``global_south = None``: neither side.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.utils.translation import gettext as _

from citypeers.core.errors import ApplicationError

RULE_SOURCES = ("world_bank", "wesp", "m49")
M49_NORTH_REGIONS = {"150"}  # Europe
M49_NORTH_SUBREGIONS = {"021", "053"}  # Northern America; Australia and New Zealand
M49_NORTH_COUNTRIES = {"JPN"}

# World Bank economies that have no ISO 3166-1 code: reported as skipped, never guessed.
WORLD_BANK_NON_ISO = {"CHI": "Channel Islands", "XKX": "Kosovo"}

_WB_INCOME = {
    "low income": "L",
    "lower middle income": "LM",
    "lower-middle income": "LM",
    "upper middle income": "UM",
    "upper-middle income": "UM",
    "high income": "H",
}
_WESP_STATUS = {
    "developed": "developed",
    "developing": "developing",
    "economy_in_transition": "transition",
    "in transition": "transition",
    "transition": "transition",
}


class Classifiable(Protocol):
    iso3: str
    income_group: str
    wesp_status: str

    @property
    def region_code(self) -> str | None: ...

    @property
    def subregion_code(self) -> str | None: ...


def classify(country: Classifiable, rule: Sequence[str]) -> tuple[bool | None, str]:
    """Apply ``rule`` to one country: (global_south, the source that decided or "")."""
    for source in rule:
        if source == "world_bank" and country.income_group:
            return country.income_group != "H", source
        if source == "wesp" and country.wesp_status:
            return country.wesp_status == "developing", source
        if source == "m49" and country.region_code:
            north = (
                country.region_code in M49_NORTH_REGIONS
                or country.subregion_code in M49_NORTH_SUBREGIONS
                or country.iso3 in M49_NORTH_COUNTRIES
            )
            return not north, source
    return None, ""


def validate_rule(rule: Sequence[str]) -> list[str]:
    unknown = [s for s in rule if s not in RULE_SOURCES]
    if unknown or not rule:
        raise ApplicationError(
            _("CITYPEERS_GLOBAL_SOUTH_RULE must list sources among %(known)s; got %(got)s.")
            % {"known": ", ".join(RULE_SOURCES), "got": ", ".join(rule) or "nothing"},
            field="CITYPEERS_GLOBAL_SOUTH_RULE",
        )
    return list(rule)


@dataclass
class ParsedClassification:
    """What a classification file says, checked row by row, before anything is written."""

    source: str
    as_of: dt.date | None
    label: str
    values: dict[str, str] = field(default_factory=dict)  # iso3 → income code or WESP status
    least_developed: dict[str, bool] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def _fiscal_year_date(path: Path) -> dt.date | None:
    """``CLASS_FY2026`` → 1 July 2025, the day the FY2026 classification took effect."""
    match = re.search(r"FY(\d{4})", path.name, re.IGNORECASE)
    return dt.date(int(match.group(1)) - 1, 7, 1) if match else None


def _rows_from_xlsx(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ApplicationError(
            _("%(file)s is not a readable .xlsx workbook (%(error)s).")
            % {"file": path.name, "error": exc},
            field="path",
        ) from exc
    sheet_name = next(
        (name for name in workbook.sheetnames if name.lower().startswith("list of economies")),
        workbook.sheetnames[0],
    )
    rows = workbook[sheet_name].iter_rows(values_only=True)
    header = [str(cell or "").strip() for cell in next(rows, ())]
    for number, row in enumerate(rows, start=2):
        yield (
            number,
            {
                header[i]: "" if cell is None else str(cell).strip()
                for i, cell in enumerate(row)
                if i < len(header)
            },
        )


def _rows_from_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            for number, row in enumerate(reader, start=2):
                yield number, {k.strip(): (v or "").strip() for k, v in row.items() if k}
    except UnicodeDecodeError as exc:
        raise ApplicationError(
            _("%(file)s is not UTF-8 text.") % {"file": path.name}, field="path"
        ) from exc


def _require_columns(path: Path, first: dict[str, str], columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in first]
    if missing:
        raise ApplicationError(
            _("%(file)s lacks the column(s) %(columns)s.")
            % {"file": path.name, "columns": ", ".join(repr(c) for c in missing)},
            field="path",
        )


def parse_classification_file(
    path: Path, known_iso3: set[str], as_of: dt.date | None = None
) -> ParsedClassification:
    """Read a World Bank CLASS file (.xlsx or economies .csv) or a UN WESP groups .csv.

    Every row is checked before anything is written: a missing column or a country code that is
    neither ISO 3166-1 nor a known World Bank-only code refuses the whole file, naming the row.
    """
    if not path.exists():
        raise ApplicationError(_("No such file: %(file)s") % {"file": path}, field="path")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        rows = list(_rows_from_xlsx(path))
    elif suffix == ".csv":
        rows = list(_rows_from_csv(path))
    else:
        raise ApplicationError(
            _("%(file)s: expected a .xlsx or .csv file.") % {"file": path.name}, field="path"
        )
    if not rows:
        raise ApplicationError(_("%(file)s has no rows.") % {"file": path.name}, field="path")
    first = rows[0][1]
    if "wesp_status" in first or "iso3" in first:
        return _parse_wesp(path, rows, known_iso3, as_of)
    return _parse_world_bank(path, rows, known_iso3, as_of)


def _unknown_code(path: Path, number: int, code: str) -> ApplicationError:
    return ApplicationError(
        _("%(file)s, row %(row)d: unknown country code %(code)r.")
        % {"file": path.name, "row": number, "code": code},
        field="Code",
        extra={"row": number},
    )


def _parse_world_bank(
    path: Path,
    rows: list[tuple[int, dict[str, str]]],
    known_iso3: set[str],
    as_of: dt.date | None,
) -> ParsedClassification:
    _require_columns(path, rows[0][1], ["Code", "Income group", "Region"])
    as_of = as_of or _fiscal_year_date(path)
    if as_of is None:
        raise ApplicationError(
            _("Cannot tell the date of %(file)s from its name: give it with --as-of YYYY-MM-DD.")
            % {"file": path.name},
            field="as_of",
        )
    parsed = ParsedClassification(
        source="world_bank",
        as_of=as_of,
        label=_("World Bank income classification, %(file)s") % {"file": path.name},
    )
    for number, row in rows:
        code = row.get("Code", "").upper()
        income = row.get("Income group", "")
        if not code or (not row.get("Region") and not income):
            continue  # blank line or an aggregate (World, Arab World, …)
        if code in WORLD_BANK_NON_ISO:
            parsed.skipped.append(
                _("row %(row)d: %(code)s (%(name)s) has no ISO 3166-1 code; skipped")
                % {"row": number, "code": code, "name": WORLD_BANK_NON_ISO[code]}
            )
            continue
        if len(code) != 3 or code not in known_iso3:
            raise _unknown_code(path, number, code)
        if income and income.lower() not in _WB_INCOME:
            raise ApplicationError(
                _("%(file)s, row %(row)d: unknown income group %(value)r.")
                % {"file": path.name, "row": number, "value": income},
                field="Income group",
                extra={"row": number},
            )
        parsed.values[code] = _WB_INCOME.get(income.lower(), "")
    if not parsed.values:
        raise ApplicationError(
            _("%(file)s classifies no country.") % {"file": path.name}, field="path"
        )
    return parsed


def _parse_wesp(
    path: Path,
    rows: list[tuple[int, dict[str, str]]],
    known_iso3: set[str],
    as_of: dt.date | None,
) -> ParsedClassification:
    _require_columns(path, rows[0][1], ["iso3", "wesp_status"])
    year = re.search(r"(\d{4})", path.name)
    parsed = ParsedClassification(
        source="wesp",
        as_of=as_of or (dt.date(int(year.group(1)), 1, 1) if year else None),
        label=_("UN World Economic Situation and Prospects groups, %(file)s") % {"file": path.name},
    )
    for number, row in rows:
        code = row.get("iso3", "").upper()
        if not code:
            continue
        if code not in known_iso3:
            raise _unknown_code(path, number, code)
        status = _WESP_STATUS.get(row.get("wesp_status", "").lower())
        if status is None:
            raise ApplicationError(
                _("%(file)s, row %(row)d: unknown WESP status %(value)r.")
                % {"file": path.name, "row": number, "value": row.get("wesp_status", "")},
                field="wesp_status",
                extra={"row": number},
            )
        parsed.values[code] = status
        if row.get("least_developed", "") in {"0", "1"}:
            parsed.least_developed[code] = row["least_developed"] == "1"
    return parsed
