"""Reads of the directory, each choosing its own joins so list pages stay at a fixed query count."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from citypeers.accounts.models import OrganisationRole
from citypeers.core.errors import NotFound
from citypeers.core.text import fold

from . import permissions
from .models import ClaimStatus, ManagementClaim, Membership, Organisation, ProfileItem, Theme

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


# --- management claims -----------------------------------------------------------------------


def _admins(organisation: Any) -> QuerySet[OrganisationRole]:
    return OrganisationRole.objects.filter(
        organisation=organisation, role=OrganisationRole.Role.ADMIN
    )


def organisation_has_admin(*, organisation_id: int | None = None, slug: str = "") -> bool:
    """Whether anybody is organisation admin of it (else anyone may ask to manage it), by id
    or by slug."""
    if organisation_id is not None:
        return _admins(organisation_id).exists()
    return OrganisationRole.objects.filter(
        organisation__slug=slug, role=OrganisationRole.Role.ADMIN
    ).exists()


def claim_list(*, status: str = "", requester_id: int | None = None) -> QuerySet[ManagementClaim]:
    """Claims with what the queue shows, in one query whatever their number: the organisation
    and its place, the requester, the deciding moderator, and ``organisation_has_admin``.
    Waiting claims oldest first (the queue's order), the others newest first."""
    qs = ManagementClaim.objects.select_related(
        "organisation__country", "organisation__city", "requester", "decided_by"
    ).annotate(organisation_has_admin=Exists(_admins(OuterRef("organisation_id"))))
    if status:
        qs = qs.filter(status=status)
    if requester_id is not None:
        qs = qs.filter(requester_id=requester_id)
    if status == ClaimStatus.PENDING:
        return qs.order_by("created_at", "pk")
    return qs.order_by("-created_at", "-pk")


def claims_visible_to(user: Any) -> QuerySet[ManagementClaim]:
    """Every claim for a platform moderator; one's own claims for anyone else signed in."""
    if permissions.is_platform_moderator(user):
        return claim_list()
    if not permissions.is_signed_in(user):
        return claim_list().none()
    return claim_list(requester_id=user.pk)


def claim_get(*, pk: int, user: Any) -> ManagementClaim:
    """One claim the user may see (404 for the claims of others, which they cannot know of)."""
    claim = claims_visible_to(user).filter(pk=pk).first()
    if claim is None:
        raise NotFound(f"No claim with id {pk}.")
    return claim


def claim_pending(*, organisation_id: int, requester_id: int | None) -> ManagementClaim | None:
    """The claim this person has waiting on this organisation, if any."""
    if requester_id is None:
        return None
    return (
        ManagementClaim.objects.filter(
            organisation_id=organisation_id,
            requester_id=requester_id,
            status=ClaimStatus.PENDING,
        )
        .order_by("pk")
        .first()
    )
