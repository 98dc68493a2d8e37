"""What the refresh reads from the rest of the platform: plain rows, read-only, in a few queries.

This is the one module of the insights app that reads other apps' tables; it reads them in bulk
(``values_list``) because the refresh aggregates the whole platform at once, and it writes nothing.
What counts:

- **organisations**: every directory organisation;
- **partnerships**: visible ones (not declined), with their **accepted** members (an invited
  organisation that has not answered is not yet a partner);
- **memberships**: current ones (no end date, or an end date today or later);
- **practices**: published ones, placed in their own country or city, else their owner's;
- **events**: those of ``citypeers.learning`` when that app has an ``Event`` model — its fields are
  looked up by what they point to (an organisation, a city, a country, themes, a start date), so
  the insights do not depend on how the learning app names them; cancelled or unpublished events
  are left out when the model has such a status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.db.models import Count, Q, Sum

from citypeers.directory.models import (
    LOCAL_GOVERNMENT_TYPES,
    Membership,
    Organisation,
    ProfileItem,
    Theme,
)
from citypeers.knowledge.models import Practice
from citypeers.partnerships.models import Activity, Partnership, PartnershipMember, Result
from citypeers.places.models import City, Country, Region


@dataclass
class Org:
    id: int
    name: str
    slug: str
    actor_type: str
    country_id: int | None
    city_id: int | None
    themes: set[int] = field(default_factory=set)

    @property
    def is_local_government(self) -> bool:
        return self.actor_type in LOCAL_GOVERNMENT_TYPES


@dataclass
class PartnershipRow:
    id: int
    modality: str
    geography: str
    year: int | None
    members: list[int] = field(default_factory=list)
    themes: set[int] = field(default_factory=set)


@dataclass
class Placed:
    """A practice or an event: where it is, who is behind it, its themes and year."""

    id: int
    country_id: int | None
    city_id: int | None
    year: int | None
    themes: set[int] = field(default_factory=set)
    organisations: list[int] = field(default_factory=list)


@dataclass
class CountryRow:
    id: int
    iso3: str
    numeric: str
    name_en: str
    name_fr: str
    name_es: str
    region: str  # M49 code of the region ("" when unknown)
    global_south: bool | None
    places: int = 0
    population: int = 0
    anchor: tuple[float, float] | None = None  # (lat, lng) of its most populous city


@dataclass
class CityRow:
    id: int
    name: str
    country_id: int
    latitude: float
    longitude: float


@dataclass
class Snapshot:
    """Everything the refresh computes from, read at one moment."""

    organisations: dict[int, Org]
    partnerships: list[PartnershipRow]
    memberships: list[tuple[int, int]]  # (member, parent)
    practices: list[Placed]
    events: list[Placed]
    events_available: bool
    profile_items: list[tuple[int, str, int]]  # (organisation, kind, theme)
    activities: list[tuple[int, int]]  # (partnership, year)
    results: list[tuple[int, int]]  # (partnership, year)
    countries: dict[int, CountryRow]
    cities: dict[int, CityRow]
    regions: list[tuple[str, str, str, str]]  # (m49, en, fr, es) of level-1 regions
    themes: list[tuple[int, str, str, str, str, int]]  # (id, slug, en, fr, es, position)


def _year(value: dt.date | dt.datetime | None) -> int | None:
    return value.year if value is not None else None


def _organisations() -> dict[int, Org]:
    orgs = {
        pk: Org(pk, name, slug, actor_type, country_id, city_id)
        for pk, name, slug, actor_type, country_id, city_id in Organisation.objects.order_by(
            "pk"
        ).values_list("pk", "name", "slug", "actor_type", "country_id", "city_id")
    }
    for org_id, theme_id in Organisation.themes.through.objects.values_list(
        "organisation_id", "theme_id"
    ):
        orgs[org_id].themes.add(theme_id)
    return orgs


def _partnerships() -> list[PartnershipRow]:
    rows = {
        pk: PartnershipRow(pk, modality, geography, _year(started_on))
        for pk, modality, geography, started_on in Partnership.objects.visible()
        .order_by("pk")
        .values_list("pk", "modality", "geography", "started_on")
    }
    for partnership_id, organisation_id in (
        PartnershipMember.objects.filter(accepted=True, partnership_id__in=rows.keys())
        .order_by("partnership_id", "organisation_id")
        .values_list("partnership_id", "organisation_id")
    ):
        rows[partnership_id].members.append(organisation_id)
    for partnership_id, theme_id in Partnership.themes.through.objects.filter(
        partnership_id__in=rows.keys()
    ).values_list("partnership_id", "theme_id"):
        rows[partnership_id].themes.add(theme_id)
    return list(rows.values())


def _memberships() -> list[tuple[int, int]]:
    today = dt.date.today()
    return list(
        Membership.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("pk")
        .values_list("member_id", "parent_id")
    )


def _practices(orgs: dict[int, Org]) -> list[Placed]:
    rows: dict[int, Placed] = {}
    for pk, country_id, city_id, owner_id, published_at, city_country in (
        Practice.objects.published()
        .order_by("pk")
        .values_list("pk", "country_id", "city_id", "owner_id", "published_at", "city__country_id")
    ):
        owner = orgs.get(owner_id) if owner_id else None
        country = country_id or city_country or (owner.country_id if owner else None)
        city = city_id or (owner.city_id if owner and not country_id else None)
        rows[pk] = Placed(
            pk, country, city, _year(published_at), organisations=[owner_id] if owner else []
        )
    for practice_id, theme_id in Practice.themes.through.objects.filter(
        practice_id__in=rows.keys()
    ).values_list("practice_id", "theme_id"):
        rows[practice_id].themes.add(theme_id)
    return list(rows.values())


def event_model() -> type[models.Model] | None:
    """The learning app's ``Event`` model, if that app is installed and has one."""
    if not apps.is_installed("citypeers.learning"):
        return None
    try:
        model = apps.get_model("learning", "Event")
    except LookupError:
        return None
    # A model whose table is not migrated yet holds no events.
    if model._meta.db_table not in connection.introspection.table_names():
        return None
    return model


def _field_to(model: type[models.Model], target: str) -> tuple[str, bool] | None:
    """``(name, many)`` of ``model``'s first relation to ``target`` (``app_label.Model``)."""
    for f in model._meta.get_fields():
        if not (f.is_relation and f.concrete and f.related_model is not None):
            continue
        if f.related_model._meta.label == target:
            return f.name, bool(f.many_to_many)
    return None


def _start_field(model: type[models.Model]) -> str | None:
    for f in model._meta.get_fields():
        usual = f.name in {"starts_at", "start", "start_at", "start_date", "starts_on", "date"}
        if usual and isinstance(f, models.DateField | models.DateTimeField):
            return f.name
    return None


def _visible_events(model: type[models.Model]) -> models.QuerySet[Any]:
    """Published events: status ``published`` when the model has such a status."""
    qs = model._default_manager.all()
    fields = {f.name: f for f in model._meta.get_fields()}
    status = fields.get("status")
    if status is not None and "published" in {c[0] for c in (status.choices or [])}:  # type: ignore[union-attr]
        qs = qs.filter(status="published")
    flag = fields.get("is_published")
    if isinstance(flag, models.BooleanField):
        qs = qs.filter(is_published=True)
    return qs


def _related_ids(
    model: type[models.Model], field_name: str, ids: Iterable[int]
) -> list[tuple[int, int]]:
    """(event id, related id) pairs of a many-to-many field."""
    f = model._meta.get_field(field_name)
    through = f.remote_field.through  # type: ignore[union-attr]
    source = f.m2m_field_name()  # type: ignore[union-attr]
    target = f.m2m_reverse_field_name()  # type: ignore[union-attr]
    return list(
        through.objects.filter(**{f"{source}_id__in": list(ids)}).values_list(
            f"{source}_id", f"{target}_id"
        )
    )


def _events(orgs: dict[int, Org]) -> tuple[list[Placed], bool]:
    model = event_model()
    if model is None:
        return [], False
    organisers = _field_to(model, "directory.Organisation")
    city = _field_to(model, "places.City")
    country = _field_to(model, "places.Country")
    themes = _field_to(model, "directory.Theme")
    start = _start_field(model)
    columns = ["pk"]
    if city and not city[1]:
        columns += [f"{city[0]}_id", f"{city[0]}__country_id"]
    if country and not country[1]:
        columns += [f"{country[0]}_id"]
    if organisers and not organisers[1]:
        columns += [f"{organisers[0]}_id"]
    if start:
        columns += [start]
    rows: dict[int, Placed] = {}
    for values in _visible_events(model).order_by("pk").values_list(*columns):
        v = dict(zip(columns, values, strict=True))
        placed = Placed(
            v["pk"],
            v.get(f"{country[0]}_id") if country else None,
            v.get(f"{city[0]}_id") if city else None,
            _year(v.get(start)) if start else None,
        )
        if placed.country_id is None and city:
            placed.country_id = v.get(f"{city[0]}__country_id")
        if organisers and not organisers[1] and v.get(f"{organisers[0]}_id"):
            placed.organisations.append(v[f"{organisers[0]}_id"])
        rows[placed.id] = placed
    if organisers and organisers[1]:
        for event_id, org_id in sorted(_related_ids(model, organisers[0], rows)):
            rows[event_id].organisations.append(org_id)
    if themes and themes[1]:
        for event_id, theme_id in _related_ids(model, themes[0], rows):
            rows[event_id].themes.add(theme_id)
    # An event without a city or country of its own is placed where its first organiser is.
    for placed in rows.values():
        first = orgs.get(placed.organisations[0]) if placed.organisations else None
        if placed.country_id is None and first is not None:
            placed.country_id = first.country_id
            placed.city_id = placed.city_id or first.city_id
    return list(rows.values()), True


def _countries() -> dict[int, CountryRow]:
    regions = dict(Region.objects.values_list("pk", "m49"))
    countries = {
        pk: CountryRow(
            pk, iso3, numeric, en, fr, es, regions.get(region_id, "") if region_id else "", south
        )
        for pk, iso3, numeric, en, fr, es, region_id, south in Country.objects.order_by(
            "pk"
        ).values_list(
            "pk",
            "iso3",
            "numeric",
            "name_en",
            "name_fr",
            "name_es",
            "region_id",
            "global_south",
        )
    }
    for country_id, n, population in (
        City.objects.order_by()
        .values_list("country_id")
        .annotate(n=Count("pk"), population=Sum("population"))
    ):
        countries[country_id].places = n
        countries[country_id].population = population or 0
    # The anchor of a country on the map: its most populous stored place.
    for country_id, lat, lng in (
        City.objects.order_by("country_id", "-population", "pk")
        .values_list("country_id", "latitude", "longitude")
        .iterator(chunk_size=5000)
    ):
        row = countries[country_id]
        if row.anchor is None:
            row.anchor = (lat, lng)
    return countries


def _cities(ids: set[int]) -> dict[int, CityRow]:
    out: dict[int, CityRow] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), 5000):
        for pk, name, country_id, lat, lng in City.objects.filter(
            pk__in=id_list[start : start + 5000]
        ).values_list("pk", "name", "country_id", "latitude", "longitude"):
            out[pk] = CityRow(pk, name, country_id, lat, lng)
    return out


def snapshot() -> Snapshot:
    """Read everything the refresh needs."""
    orgs = _organisations()
    partnerships = _partnerships()
    practices = _practices(orgs)
    events, events_available = _events(orgs)
    city_ids = {o.city_id for o in orgs.values() if o.city_id}
    city_ids |= {p.city_id for p in practices if p.city_id}
    city_ids |= {e.city_id for e in events if e.city_id}
    activities = [
        (pid, d.year)
        for pid, d in Activity.objects.order_by("pk").values_list("partnership_id", "start_date")
        if d is not None
    ]
    results = [
        (pid, d.year)
        for pid, d in Result.objects.order_by("pk").values_list("partnership_id", "achieved_on")
        if d is not None
    ]
    return Snapshot(
        organisations=orgs,
        partnerships=partnerships,
        memberships=_memberships(),
        practices=practices,
        events=events,
        events_available=events_available,
        profile_items=list(
            ProfileItem.objects.order_by("pk").values_list("organisation_id", "kind", "theme_id")
        ),
        activities=activities,
        results=results,
        countries=_countries(),
        cities=_cities(city_ids),
        regions=list(
            Region.objects.filter(level=Region.Level.REGION)
            .order_by("m49")
            .values_list("m49", "name_en", "name_fr", "name_es")
        ),
        themes=list(
            Theme.objects.order_by("position").values_list(
                "pk", "slug", "label_en", "label_fr", "label_es", "position"
            )
        ),
    )
