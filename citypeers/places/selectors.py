"""Reads of places and reference data."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from citypeers.core.errors import NotFound
from citypeers.core.text import fold

from .models import AdminArea, City, ClassificationRelease, Country, Region, Sdg


def country_get(*, iso3: str) -> Country:
    try:
        return (
            Country.objects.with_regions().select_related("income_release").get(iso3=iso3.upper())
        )
    except Country.DoesNotExist as exc:
        raise NotFound(_("No country with ISO code %(code)r.") % {"code": iso3.upper()}) from exc


def country_list(
    *, region: str | None = None, global_south: bool | None = None
) -> QuerySet[Country]:
    qs = Country.objects.with_regions()
    if region:
        qs = qs.filter(
            Q(region__m49=region) | Q(subregion__m49=region) | Q(intermediate_region__m49=region)
        )
    if global_south is not None:
        qs = qs.filter(global_south=global_south)
    return qs


def city_get(*, geonameid: int) -> City:
    try:
        return (
            City.objects.with_places()
            .select_related("country__region", "country__subregion")
            .get(geonameid=geonameid)
        )
    except City.DoesNotExist as exc:
        raise NotFound(_("No city with GeoNames id %(id)d.") % {"id": geonameid}) from exc


def city_find_by_name(*, country: Country, name: str) -> City | None:
    """The city of ``country`` whose folded name is exactly ``name`` folded; the largest wins."""
    key = fold(name)
    if not key:
        return None
    return (
        City.objects.with_places()
        .filter(country=country, search_key=key)
        .order_by("-population", "pk")
        .first()
    )


def admin_area_find(*, country: Country, value: str) -> AdminArea | None:
    """A first-level region of ``country`` by GeoNames admin1 code, else by folded name."""
    value = value.strip()
    if not value:
        return None
    areas = list(AdminArea.objects.filter(country=country))
    for area in areas:
        if area.code == value:
            return area
    key = fold(value)
    return next((a for a in areas if fold(a.name) == key), None)


def city_list_largest(*, limit: int = 12) -> list[City]:
    return list(City.objects.with_places().order_by("-population")[:limit])


def country_cities(*, country: Country, limit: int = 100) -> QuerySet[City]:
    return (
        City.objects.filter(country=country)
        .select_related("admin_area")
        .order_by("-population")[:limit]
    )


@dataclass(frozen=True)
class PlaceHit:
    kind: str  # "city" or "country"
    id: str
    name: str
    detail: str
    population: int | None
    url: str


def place_search(*, q: str, limit: int = 10, country: str | None = None) -> list[PlaceHit]:
    """Autocomplete over countries and cities: name prefixes first, then other names.

    Cities match on the start of their folded name (an indexed prefix), then on the start of any
    other name GeoNames records ("Londres" finds London); bigger places come first.
    """
    key = fold(q)
    if not key:
        return []
    hits: list[PlaceHit] = []
    if not country:
        matching = Country.objects.filter(
            Q(search_key__startswith=key) | Q(search_key__contains="|" + key)
        )

        def rank(c: Country) -> tuple[bool, bool, str]:
            # The reader's own name for the country first, then English, then other languages.
            shown = fold(c.name)
            return (not shown.startswith(key), not fold(c.name_en).startswith(key), shown)

        countries = sorted(matching, key=rank)[:3]
        hits += [
            PlaceHit("country", c.iso3, c.name, c.iso3, None, c.get_absolute_url())
            for c in countries
        ]
    cities = City.objects.select_related("country", "admin_area")
    if country:
        cities = cities.filter(country__iso3=country.upper())
    found = list(cities.filter(search_key__startswith=key).order_by("-population")[:limit])
    if len(found) < limit:
        seen = [c.pk for c in found]
        found += list(
            cities.filter(alias_keys__contains="|" + key)
            .exclude(pk__in=seen)
            .order_by("-population")[: limit - len(found)]
        )
    for c in found:
        detail = ", ".join(
            p for p in (c.admin_area.name if c.admin_area else "", c.country.name) if p
        )
        hits.append(
            PlaceHit("city", str(c.geonameid), c.name, detail, c.population, c.get_absolute_url())
        )
    return hits[:limit]


@dataclass(frozen=True)
class ReferenceCounts:
    countries: int
    regions: int
    cities: int
    south: int
    sdgs: int


def reference_counts() -> ReferenceCounts:
    return ReferenceCounts(
        countries=Country.objects.count(),
        regions=Region.objects.count(),
        cities=City.objects.count(),
        south=Country.objects.filter(global_south=True).count(),
        sdgs=Sdg.objects.count(),
    )


def classification_release_list() -> list[ClassificationRelease]:
    return list(ClassificationRelease.objects.all()[:20])


def sdg_list() -> QuerySet[Sdg]:
    return Sdg.objects.prefetch_related("targets")
