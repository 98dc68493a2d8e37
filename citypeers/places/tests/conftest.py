"""Fixtures of the places tests: the shared reference files, and small files written on the fly."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from django.utils import translation

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
WB_HEADER = ["Economy", "Code", "Region", "Income group", "Lending category"]


@pytest.fixture(autouse=True)
def english():
    """Start each test in English and leave no other language active after it: a request to
    /fr/ or /es/ activates that language for the rest of the thread."""
    with translation.override("en"):
        yield


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data``: the real World Bank, UN WESP and SDG files (read-only)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is not available")
    return SHARED_DATA


@pytest.fixture
def wb_csv(shared_data: Path) -> Path:
    return shared_data / "classification" / "CLASS_FY2026_economies.csv"


@pytest.fixture
def wesp_csv(shared_data: Path) -> Path:
    return shared_data / "classification" / "wesp2020_country_groups.csv"


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write ``rows`` under ``header`` to ``tmp_path/name`` and return the path."""

    def write(name: str, rows: Sequence[Sequence[str]], header: Sequence[str] = WB_HEADER) -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return write
