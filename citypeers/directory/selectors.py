"""Reads of the directory, each choosing its own joins so list pages stay at a fixed query count."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from citypeers.accounts.models import OrganisationRole
from citypeers.core.errors import NotFound
from citypeers.core.text import fold

from .models import Membership, Organisation, ProfileItem, Theme

POPULATION_BANDS: dict[str, tuple[int | None, int | None]] = {
    # band: (at least, below)
    "under-50k": (None, 50_000),
    "50k-250k": (50_000, 250_000),
    "250k-1m": (250_000, 1_000_000),
    "1m-5m": (1_000_000, 5_000_000),
    "over-5m": (5_000_000, None),
}


@dataclass(frozen=True)
class OrganisationFilters:
    q: str = ""
    actor_type: str = ""
    country: str = ""  # ISO alpha-3
    region: str = ""  # any M49 level
    south: bool | None = None
    theme: str = ""  # slug
    population: str = ""  # a key of POPULATION_BANDS
    demo: bool | None = None


def organisation_list(filters: OrganisationFilters | None = None) -> QuerySet[Organisation]:
    """Organisations matching the filters; every word of ``q`` must appear (accents ignored)."""
    f = filters or OrganisationFilters()
    qs = Organisation.objects.with_place().prefetch_related("themes")
    if f.q:
        for word in fold(f.q).split()[:8]:
            qs = qs.filter(search_text__contains=word)
    if f.actor_type:
        qs = qs.filter(actor_type=f.actor_type)
    if f.country:
        qs = qs.filter(country__iso3=f.country.upper())
    if f.region:
        qs = qs.filter(
            Q(country__region__m49=f.region)
            | Q(country__subregion__m49=f.region)
            | Q(country__intermediate_region__m49=f.region)
        )
    if f.south is not None:
        qs = qs.filter(country__global_south=f.south)
    if f.theme:
        qs = qs.filter(themes__slug=f.theme)
    if f.population in POPULATION_BANDS:
        low, high = POPULATION_BANDS[f.population]
        if low is not None:
            qs = qs.filter(population_served__gte=low)
        if high is not None:
            qs = qs.filter(population_served__lt=high)
    if f.demo is not None:
        qs = qs.filter(is_demo=f.demo)
    return qs.order_by("name", "pk")


def organisation_get(*, slug: str) -> Organisation:
    """One organisation with everything its page shows, in a fixed number of queries."""
    qs = Organisation.objects.with_place().prefetch_related(
        "themes",
        "sdgs",
        Prefetch("profile_items", queryset=ProfileItem.objects.select_related("theme")),
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("parent__country").order_by("parent__name"),
        ),
        Prefetch(
            "members",
            queryset=Membership.objects.select_related("member__country").order_by("member__name"),
        ),
        Prefetch(
            "people",
            queryset=OrganisationRole.objects.select_related("user").order_by(
                "role", "user__username"
            ),
        ),
    )
    try:
        return qs.get(slug=slug)
    except Organisation.DoesNotExist as exc:
        raise NotFound(f"No organisation at {slug!r}.") from exc


def organisation_get_by_id(*, pk: int) -> Organisation:
    try:
        return Organisation.objects.with_place().get(pk=pk)
    except Organisation.DoesNotExist as exc:
        raise NotFound(f"No organisation with id {pk}.") from exc


def organisation_find_by_external_id(*, external_id: str) -> Organisation | None:
    """The organisation an import gave this external id, if any (re-imports update it)."""
    if not external_id:
        return None
    return Organisation.objects.with_place().filter(external_id=external_id).order_by("pk").first()


def organisations_by_external_id(*, external_ids: Iterable[str]) -> dict[str, Organisation]:
    """Organisations keyed by the identifier an import or the demo loader gave them."""
    ids = [i for i in external_ids if i]
    return {o.external_id: o for o in Organisation.objects.filter(external_id__in=ids)}


def organisations_of_city(*, city_id: int) -> QuerySet[Organisation]:
    return Organisation.objects.filter(city_id=city_id).order_by("actor_type", "name")


def organisations_of_user(*, user_id: int) -> QuerySet[OrganisationRole]:
    return OrganisationRole.objects.filter(user_id=user_id).select_related("organisation")


def membership_list(
    *, organisation: Organisation | None = None, current_only: bool = False
) -> QuerySet[Membership]:
    qs = Membership.objects.select_related("member__country", "parent__country")
    if organisation is not None:
        qs = qs.filter(Q(member=organisation) | Q(parent=organisation))
    if current_only:
        import datetime as dt

        qs = qs.filter(Q(end_date__isnull=True) | Q(end_date__gte=dt.date.today()))
    return qs.order_by("parent__name", "member__name", "pk")


def membership_get(*, pk: int) -> Membership:
    try:
        return Membership.objects.select_related("member", "parent").get(pk=pk)
    except Membership.DoesNotExist as exc:
        raise NotFound(f"No membership with id {pk}.") from exc


def theme_list() -> QuerySet[Theme]:
    return Theme.objects.all()
