"""Partnerships as CSV and JSON, streamed a chunk at a time; the entry point of every format.

The same generators serve ``GET /api/v1/partnerships/export.*`` and
``citypeers export-partnerships``. :data:`FORMATS` also names the GeoJSON (``geojson.py``) and
IATI activity XML (``iati.py``) writers, so the API and the command offer exactly the same
formats. Each reads the database with ``iterator(chunk_size=…)`` (prefetches run per chunk), so
tens of thousands of imported twinnings are never held in memory at once.

One row (CSV) or one record (JSON) per partnership, its members inline. The JSON record is what
``PartnershipOut`` shows in the API (:func:`partnership_record`).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Prefetch, QuerySet, Value, When

from citypeers.partnerships import selectors
from citypeers.partnerships.models import Partnership, PartnershipMember, Result

from .geojson import geojson_chunks
from .iati import iati_chunks
from .organisations import CHUNK, LIST_SEPARATOR, _json_array, _Line

#: Columns of the CSV export. Member columns are parallel lists (``;``-separated, same order).
CSV_COLUMNS = [
    "id",
    "slug",
    "title",
    "modality",
    "geography",
    "single_country",
    "status",
    "started_on",
    "ended_on",
    "end_reason",
    "original_language",
    "description",
    "themes",
    "sdgs",
    "member_ids",
    "member_names",
    "member_roles",
    "member_countries",
    "source",
    "external_id",
    "url",
    "is_demo",
    "updated_at",
]


#: Members are listed leads first, then partners, facilitators and funders, by name.
ROLE_ORDER = [
    PartnershipMember.Role.LEAD,
    PartnershipMember.Role.PARTNER,
    PartnershipMember.Role.FACILITATOR,
    PartnershipMember.Role.FUNDER,
]


def _members() -> Prefetch:
    rank = Case(
        *(When(role=role, then=Value(n)) for n, role in enumerate(ROLE_ORDER)),
        default=Value(len(ROLE_ORDER)),
    )
    return Prefetch(
        "members",
        queryset=PartnershipMember.objects.select_related(
            "organisation__country", "organisation__city"
        ).order_by(rank, "organisation__name"),
    )


def export_queryset(
    filters: selectors.PartnershipFilters | None = None,
    *,
    detail: bool = False,
    include_declined: bool = False,
) -> QuerySet[Partnership]:
    """The partnerships to export, with everything a record shows prefetched.

    ``detail`` adds what only the IATI export shows: activities, results with indicators and
    agreements. Declined proposals are left out unless ``include_declined`` (the API shows one
    to its members). The list's own prefetch of members is replaced by one that also joins each
    member's city (the GeoJSON points).
    """
    qs = (
        selectors.partnership_list(filters, include_declined=include_declined)
        .prefetch_related(None)
        .prefetch_related(_members(), "themes", "sdgs", "objectives")
    )
    if detail:
        qs = qs.prefetch_related(
            "activities",
            "agreements",
            Prefetch("results", queryset=Result.objects.prefetch_related("indicators")),
        )
    return qs


def organisation_ref(member: PartnershipMember) -> dict[str, Any]:
    o = member.organisation
    return {
        "id": o.pk,
        "slug": o.slug,
        "name": o.name,
        "actor_type": o.actor_type,
        "country": o.country.iso3 if o.country else None,
    }


def partnership_record(p: Partnership) -> dict[str, Any]:
    """One partnership as the API and the JSON export show it (``PartnershipOut``)."""
    return {
        "id": p.pk,
        "slug": p.slug,
        "title": p.title,
        "modality": p.modality,
        "geography": p.geography,
        "single_country": p.single_country,
        "status": p.status,
        "started_on": p.started_on,
        "ended_on": p.ended_on,
        "end_reason": p.end_reason,
        "original_language": p.original_language,
        "descriptions": dict(p.descriptions or {}),
        "themes": [t.slug for t in p.themes.all()],
        "sdgs": sorted(s.number for s in p.sdgs.all()),
        "objectives": [{"id": o.pk, "text": o.text} for o in p.objectives.all()],
        "members": [
            {
                "organisation": organisation_ref(m),
                "role": m.role,
                "accepted": m.accepted,
                "joined_on": m.joined_on,
            }
            for m in p.members.all()
        ],
        "source": p.source,
        "external_id": p.external_id,
        "url": p.get_absolute_url(),
        "is_demo": p.is_demo,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def _csv_row(p: Partnership) -> list[Any]:
    record = partnership_record(p)
    members = record["members"]
    join = LIST_SEPARATOR.join
    return [
        p.pk,
        p.slug,
        p.title,
        p.modality,
        p.geography,
        str(p.single_country).lower(),
        p.status,
        p.started_on.isoformat() if p.started_on else "",
        p.ended_on.isoformat() if p.ended_on else "",
        p.end_reason,
        p.original_language,
        record["descriptions"].get(p.original_language, ""),
        join(record["themes"]),
        join(str(n) for n in record["sdgs"]),
        join(str(m["organisation"]["id"]) for m in members),
        join(m["organisation"]["name"] for m in members),
        join(m["role"] for m in members),
        join(m["organisation"]["country"] or "" for m in members),
        p.source,
        p.external_id,
        record["url"],
        str(p.is_demo).lower(),
        p.updated_at.isoformat(),
    ]


def csv_chunks(queryset: QuerySet[Partnership]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    for partnership in queryset.iterator(chunk_size=CHUNK):
        yield writer.writerow(_csv_row(partnership))


def json_chunks(queryset: QuerySet[Partnership]) -> Iterator[str]:
    yield from _json_array(partnership_record(p) for p in queryset.iterator(chunk_size=CHUNK))
    yield "\n"


@dataclass(frozen=True)
class ExportFormat:
    content_type: str
    filename: str
    #: (queryset, base URL of the site or "") → chunks of text
    write: Callable[[QuerySet[Partnership], str], Iterator[str]]
    #: whether the writer reads activities, results and agreements (``export_queryset``)
    detail: bool = False


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat(
        "text/csv; charset=utf-8", "partnerships.csv", lambda qs, _base: csv_chunks(qs)
    ),
    "json": ExportFormat(
        "application/json", "partnerships.json", lambda qs, _base: json_chunks(qs)
    ),
    "geojson": ExportFormat(
        "application/geo+json", "partnerships.geojson", lambda qs, _base: geojson_chunks(qs)
    ),
    "iati": ExportFormat(
        "application/xml",
        "partnerships-iati.xml",
        lambda qs, base: iati_chunks(qs, base_url=base),
        detail=True,
    ),
}


def export_chunks(
    fmt: str, filters: selectors.PartnershipFilters | None = None, *, base_url: str = ""
) -> Iterator[str]:
    """The export of the partnerships matching ``filters`` in format ``fmt``, chunk by chunk.

    ``base_url`` (``https://host``, no trailing slash) lets the IATI export give absolute links.
    """
    export_format = FORMATS[fmt]
    return export_format.write(export_queryset(filters, detail=export_format.detail), base_url)
