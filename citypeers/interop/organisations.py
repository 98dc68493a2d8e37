"""Organisations and memberships as CSV, JSON and Popolo JSON, streamed a chunk at a time.

The same generators serve ``GET /api/v1/organisations/export.*`` and
``citypeers export-organisations``; each reads the database with ``iterator()`` so a large
directory is never held in memory at once. The CSV columns are the import columns first (see
``docs/import-export.md``), so an exported file can be edited and imported again.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.urls import reverse

from citypeers.directory import selectors
from citypeers.directory.models import Membership, Organisation

CHUNK = 500

#: Columns ``citypeers import-organisations`` reads.
IMPORT_COLUMNS = [
    "external_id",
    "name",
    "actor_type",
    "country",
    "admin_area",
    "city_geonameid",
    "city",
    "population_served",
    "languages",
    "website",
    "acronym",
    "original_language",
    "description",
    "themes",
    "sdgs",
]
#: Columns an export adds for readers; an import ignores them.
EXPORT_ONLY_COLUMNS = ["id", "slug", "global_south", "url", "is_demo", "updated_at"]
CSV_COLUMNS = IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS
LIST_SEPARATOR = ";"


def export_queryset(
    filters: selectors.OrganisationFilters | None = None,
) -> QuerySet[Organisation]:
    """The organisations to export, with everything a record shows joined or prefetched."""
    return selectors.organisation_list(filters).prefetch_related("sdgs")


def organisation_record(organisation: Organisation) -> dict[str, Any]:
    """One organisation as the API and the JSON export show it (``OrganisationOut``)."""
    o = organisation
    return {
        "id": o.pk,
        "slug": o.slug,
        "name": o.name,
        "acronym": o.acronym,
        "actor_type": o.actor_type,
        "country": o.country.iso3 if o.country else None,
        "admin_area": o.admin_area.name if o.admin_area else None,
        "city": {"geonameid": o.city.geonameid, "name": o.city.name} if o.city else None,
        "population_served": o.population_served,
        "languages": list(o.languages or []),
        "website": o.website,
        "original_language": o.original_language,
        "descriptions": dict(o.descriptions or {}),
        "themes": [t.slug for t in o.themes.all()],
        "sdgs": [s.number for s in o.sdgs.all()],
        "global_south": o.country.global_south if o.country else None,
        "external_id": o.external_id,
        "url": o.get_absolute_url(),
        "logo": reverse("directory:logo-file", args=[o.slug]) if o.logo else None,
        "is_demo": o.is_demo,
        "updated_at": o.updated_at,
    }


def _csv_row(o: Organisation) -> list[Any]:
    record = organisation_record(o)
    join = LIST_SEPARATOR.join
    return [
        o.external_id,
        o.name,
        o.actor_type,
        record["country"] or "",
        o.admin_area.code if o.admin_area else "",
        o.city.geonameid if o.city else "",
        o.city.name if o.city else "",
        "" if o.population_served is None else o.population_served,
        join(record["languages"]),
        o.website,
        o.acronym,
        o.original_language,
        record["descriptions"].get(o.original_language, ""),
        join(record["themes"]),
        join(str(n) for n in record["sdgs"]),
        o.pk,
        o.slug,
        "" if record["global_south"] is None else str(record["global_south"]).lower(),
        record["url"],
        str(o.is_demo).lower(),
        o.updated_at.isoformat(),
    ]


class _Line:
    """A file-like object whose ``write`` returns the line, for a streaming ``csv.writer``."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(queryset: QuerySet[Organisation]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    for organisation in queryset.iterator(chunk_size=CHUNK):
        yield writer.writerow(_csv_row(organisation))


def _dumps(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def _json_array(records: Iterable[Any]) -> Iterator[str]:
    yield "["
    for n, record in enumerate(records):
        yield ("," if n else "") + "\n" + _dumps(record)
    yield "\n]"


def json_chunks(queryset: QuerySet[Organisation]) -> Iterator[str]:
    yield from _json_array(organisation_record(o) for o in queryset.iterator(chunk_size=CHUNK))
    yield "\n"


def _area(o: Organisation) -> dict[str, Any] | None:
    if o.city is not None:
        return {"id": f"geonames:{o.city.geonameid}", "name": o.city.name, "classification": "city"}
    if o.admin_area is not None:
        area_id = (
            f"geonames:{o.admin_area.geonameid}"
            if o.admin_area.geonameid
            else f"geonames-admin1:{o.country.iso2 if o.country else ''}.{o.admin_area.code}"
        )
        return {"id": area_id, "name": o.admin_area.name, "classification": "region"}
    if o.country is not None:
        return {
            "id": f"iso3166-1:{o.country.iso3}",
            "name": o.country.name_en,
            "classification": "country",
        }
    return None


def popolo_organization(o: Organisation) -> dict[str, Any]:
    """An organisation in Popolo's ``Organization`` vocabulary (popoloproject.com)."""
    record = organisation_record(o)
    identifiers = [{"scheme": "citypeers", "identifier": str(o.pk)}]
    if o.external_id:
        identifiers.append({"scheme": "external", "identifier": o.external_id})
    if o.city is not None:
        identifiers.append({"scheme": "geonames", "identifier": str(o.city.geonameid)})
    links = [{"url": record["url"], "note": "CityPeers profile"}]
    if o.website:
        links.insert(0, {"url": o.website, "note": "website"})
    out: dict[str, Any] = {
        "id": str(o.pk),
        "name": o.name,
        "classification": o.actor_type,
        "identifiers": identifiers,
        "other_names": [{"name": o.acronym, "note": "acronym"}] if o.acronym else [],
        "links": links,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
    }
    description = record["descriptions"].get(o.original_language)
    if description:
        out["description"] = description
    area = _area(o)
    if area is not None:
        out["area_id"] = area["id"]
        out["area"] = area
    return out


def popolo_membership(m: Membership) -> dict[str, Any]:
    """An organisation's membership of another: ``organization_id`` is the parent, ``member``
    the member organisation, as Popolo writes memberships whose member is not a person."""
    out: dict[str, Any] = {
        "id": f"membership-{m.pk}",
        "organization_id": str(m.parent_id),
        "member": {"@type": "Organization", "id": str(m.member_id)},
        "role": m.role,
    }
    if m.start_date:
        out["start_date"] = m.start_date.isoformat()
    if m.end_date:
        out["end_date"] = m.end_date.isoformat()
    return out


def popolo_chunks(queryset: QuerySet[Organisation]) -> Iterator[str]:
    """``{"organizations": [...], "memberships": [...]}``; a membership is included when both of
    its organisations are."""
    exported = queryset.order_by().values("pk")
    memberships = (
        selectors.membership_list().filter(member__in=exported, parent__in=exported).order_by("pk")
    )
    yield '{"organizations": '
    yield from _json_array(popolo_organization(o) for o in queryset.iterator(chunk_size=CHUNK))
    yield ',\n"memberships": '
    yield from _json_array(popolo_membership(m) for m in memberships.iterator(chunk_size=CHUNK))
    yield "}\n"


FORMATS = {
    "csv": ("text/csv; charset=utf-8", "organisations.csv", csv_chunks),
    "json": ("application/json", "organisations.json", json_chunks),
    "popolo": ("application/json", "organisations-popolo.json", popolo_chunks),
}
