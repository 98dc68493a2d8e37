"""Partnerships as a GeoJSON FeatureCollection (RFC 7946) for maps, streamed.

Two kinds of feature, told apart by ``properties.feature_type``:

- **partnership** — a line between its members' places: a ``LineString`` when two distinct
  places are known, a ``MultiLineString`` of one segment from the first member (leads first) to
  each other member when more are, and ``null`` geometry (allowed by RFC 7946 §3.2, so the count
  of partnerships stays whole) when fewer than two are. Properties: ``id``, ``slug``, ``title``,
  ``modality``, ``geography``, ``status``, ``started_on``, ``ended_on``, ``member_ids``,
  ``member_names``, ``url``.
- **organisation** — one ``Point`` per member organisation (once, however many partnerships it is
  in), after the partnerships. Properties: ``id``, ``slug``, ``name``, ``actor_type``,
  ``country``, ``city``, ``partnership_ids``.

A member is placed at its **city's coordinates**. A member without a city (an association
registered at country level, an international organisation) is **left out** of the points and of
the lines: CityPeers stores no country centroids, and a point invented in the middle of a
country would read as a place that does not exist. Coordinates are ``[longitude, latitude]``
as RFC 7946 requires, in WGS 84.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet

from citypeers.partnerships.models import Partnership, PartnershipMember

from .organisations import CHUNK

Position = tuple[float, float]


def _position(member: PartnershipMember) -> Position | None:
    city = member.organisation.city
    if city is None:
        return None
    return (round(city.longitude, 6), round(city.latitude, 6))


def _line(positions: list[Position]) -> dict[str, Any] | None:
    distinct = list(dict.fromkeys(positions))
    if len(distinct) < 2:
        return None
    if len(distinct) == 2:
        return {"type": "LineString", "coordinates": [list(p) for p in distinct]}
    first, *others = distinct
    return {
        "type": "MultiLineString",
        "coordinates": [[list(first), list(other)] for other in others],
    }


def partnership_feature(p: Partnership) -> dict[str, Any]:
    members = list(p.members.all())
    positions = [pos for pos in (_position(m) for m in members) if pos is not None]
    return {
        "type": "Feature",
        "id": f"partnership-{p.pk}",
        "geometry": _line(positions),
        "properties": {
            "feature_type": "partnership",
            "id": p.pk,
            "slug": p.slug,
            "title": p.title,
            "modality": p.modality,
            "geography": p.geography,
            "status": p.status,
            "started_on": p.started_on,
            "ended_on": p.ended_on,
            "member_ids": [m.organisation_id for m in members],
            "member_names": [m.organisation.name for m in members],
            "url": p.get_absolute_url(),
        },
    }


def organisation_feature(member: PartnershipMember, position: Position) -> dict[str, Any]:
    """The member's point; ``partnership_ids`` starts empty and is filled by the caller."""
    o = member.organisation
    return {
        "type": "Feature",
        "id": f"organisation-{o.pk}",
        "geometry": {"type": "Point", "coordinates": list(position)},
        "properties": {
            "feature_type": "organisation",
            "id": o.pk,
            "slug": o.slug,
            "name": o.name,
            "actor_type": o.actor_type,
            "country": o.country.iso3 if o.country else None,
            "city": o.city.name if o.city else None,
            "partnership_ids": [],
        },
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def geojson_chunks(queryset: QuerySet[Partnership]) -> Iterator[str]:
    """The FeatureCollection: partnerships first, then the located organisations.

    The organisations' features are collected while the partnerships stream (one small dict
    each), so each point can list its partnerships; the partnerships are never all in memory.
    """
    points: dict[int, dict[str, Any]] = {}
    yield '{"type": "FeatureCollection", "features": ['
    n = 0
    for partnership in queryset.iterator(chunk_size=CHUNK):
        yield ("," if n else "") + "\n" + _dumps(partnership_feature(partnership))
        n += 1
        for member in partnership.members.all():
            position = _position(member)
            if position is None:
                continue
            if member.organisation_id not in points:
                points[member.organisation_id] = organisation_feature(member, position)
            points[member.organisation_id]["properties"]["partnership_ids"].append(partnership.pk)
    for feature in points.values():
        yield ("," if n else "") + "\n" + _dumps(feature)
        n += 1
    yield "\n]}\n"
