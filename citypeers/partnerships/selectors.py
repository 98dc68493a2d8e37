"""Reads of the partnership registry; each chooses its joins so lists keep a fixed query count."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from citypeers.core.errors import NotFound
from citypeers.core.text import fold

from .models import (
    Activity,
    CapacityAssessment,
    Partnership,
    PartnershipAssessment,
    PartnershipEvent,
    PartnershipMember,
    Result,
    Status,
)


@dataclass(frozen=True)
class PartnershipFilters:
    q: str = ""
    modality: str = ""
    geography: str = ""
    status: str = ""
    theme: str = ""  # slug
    region: str = ""  # M49 code at any level, of any member
    country: str = ""  # ISO alpha-3 of any member
    organisation: int | None = None  # id of a member
    international_only: bool = False  # leave out single-country partnerships


def _members() -> Prefetch:
    return Prefetch(
        "members",
        queryset=PartnershipMember.objects.select_related("organisation__country").order_by(
            "role", "organisation__name"
        ),
    )


def partnership_list(
    filters: PartnershipFilters | None = None, *, include_declined: bool = False
) -> QuerySet[Partnership]:
    f = filters or PartnershipFilters()
    qs = Partnership.objects.all() if include_declined else Partnership.objects.visible()
    if f.q:
        # Titles are stored as written, members' search text folded: "coopération" finds both.
        for word in f.q.split()[:8]:
            folded = fold(word)
            if not folded:
                continue
            qs = qs.filter(
                Q(title__icontains=word.lower())
                | Q(title__icontains=folded)
                | Q(members__organisation__search_text__contains=folded)
            )
    if f.modality:
        qs = qs.filter(modality=f.modality)
    if f.geography:
        qs = qs.filter(geography=f.geography)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.theme:
        qs = qs.filter(themes__slug=f.theme)
    if f.country:
        qs = qs.filter(members__organisation__country__iso3=f.country.upper())
    if f.region:
        qs = qs.filter(
            Q(members__organisation__country__region__m49=f.region)
            | Q(members__organisation__country__subregion__m49=f.region)
            | Q(members__organisation__country__intermediate_region__m49=f.region)
        )
    if f.organisation is not None:
        qs = qs.filter(members__organisation_id=f.organisation)
    if f.international_only:
        qs = qs.filter(single_country=False)
    if f.q or f.country or f.region or f.theme:
        qs = qs.distinct()
    return qs.prefetch_related(_members(), "themes").order_by("title", "pk")


def partnership_get(*, slug: str) -> Partnership:
    qs = Partnership.objects.prefetch_related(
        _members(),
        "themes",
        "sdgs",
        "objectives",
        "agreements",
        Prefetch(
            "activities",
            queryset=Activity.objects.select_related("city").prefetch_related("participants"),
        ),
        Prefetch(
            "results",
            queryset=Result.objects.select_related("objective").prefetch_related("indicators"),
        ),
        Prefetch("history", queryset=PartnershipEvent.objects.select_related("actor")),
        Prefetch(
            "assessment_links",
            queryset=PartnershipAssessment.objects.select_related(
                "assessment__organisation"
            ).prefetch_related("assessment__scores__dimension"),
        ),
    )
    try:
        return qs.get(slug=slug)
    except Partnership.DoesNotExist as exc:
        raise NotFound(_("No partnership at %(slug)r.") % {"slug": slug}) from exc


def partnership_get_by_id(*, pk: int) -> Partnership:
    try:
        return Partnership.objects.prefetch_related(_members()).get(pk=pk)
    except Partnership.DoesNotExist as exc:
        raise NotFound(_("No partnership with id %(id)d.") % {"id": pk}) from exc


def partnerships_by_external_id(*, source: str, external_ids: list[str]) -> dict[str, Partnership]:
    """Partnerships keyed by the identifier an import or the demo loader gave them."""
    return {
        p.external_id: p
        for p in Partnership.objects.filter(source=source, external_id__in=external_ids)
    }


def partnerships_of_organisation(*, organisation_id: int, limit: int = 50) -> QuerySet[Partnership]:
    return partnership_list(PartnershipFilters(organisation=organisation_id))[:limit]


def open_invitations_for(*, organisation_ids: list[int]) -> QuerySet[PartnershipMember]:
    """Invitations waiting for an answer from one of these organisations: to a proposal, or to
    a running partnership that invited them as a new member (``services.ANSWERABLE``)."""
    return PartnershipMember.objects.filter(
        organisation_id__in=organisation_ids,
        accepted=False,
        partnership__status__in=[Status.PROPOSED, Status.ACTIVE, Status.DORMANT],
    ).select_related("partnership", "organisation")


def capacity_assessments(*, organisation_id: int) -> QuerySet[CapacityAssessment]:
    return CapacityAssessment.objects.filter(organisation_id=organisation_id).prefetch_related(
        "scores__dimension"
    )


@dataclass
class CapacityChange:
    """Per organisation and dimension: the baseline level and the latest follow-up level."""

    organisation: str
    dimension: str
    baseline: int | None
    latest: int | None

    @property
    def change(self) -> int | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest - self.baseline


def capacity_changes(partnership: Partnership) -> list[CapacityChange]:
    """The change in capacity a partnership aimed at, from its linked assessments (prefetched)."""
    rows: dict[tuple[str, str], CapacityChange] = {}
    links = sorted(partnership.assessment_links.all(), key=lambda link: link.assessment.assessed_on)
    for link in links:
        org = str(link.assessment.organisation)
        for score in link.assessment.scores.all():
            key = (org, score.dimension.label)
            row = rows.setdefault(key, CapacityChange(org, score.dimension.label, None, None))
            if link.kind == "baseline":
                row.baseline = score.level
            else:
                row.latest = score.level
    return list(rows.values())


@dataclass
class PartnershipStats:
    total: int
    by_geography: dict[str, int] = field(default_factory=dict)
    by_modality: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_region: dict[str, int] = field(default_factory=dict)


STAT_DIMENSIONS = ("geography", "modality", "status", "region")


def partnership_stats(
    filters: PartnershipFilters | None = None, *, only: Sequence[str] = STAT_DIMENSIONS
) -> PartnershipStats:
    """Counts by geography class, modality, status and M49 region of members (a partnership counts
    once in each region where it has a member). ``only`` names the breakdowns to compute, so a
    page that shows one of them pays for one."""
    qs = partnership_list(filters).order_by()
    unfiltered = filters is None or filters == PartnershipFilters()
    base = (
        Partnership.objects.visible()
        if unfiltered
        else Partnership.objects.filter(pk__in=qs.values("pk"))
    )

    def counts(field_name: str) -> dict[str, int]:
        if field_name not in only:
            return {}
        return dict(
            base.order_by()
            .values_list(field_name)
            .annotate(n=Count("pk"))
            .values_list(field_name, "n")
        )

    by_geography = counts("geography")
    by_region: Counter[str] = Counter()
    if "region" in only:
        for region, n in (
            PartnershipMember.objects.filter(partnership__in=base)
            .values_list("organisation__country__region__m49")
            .annotate(n=Count("partnership", distinct=True))
            .values_list("organisation__country__region__m49", "n")
        ):
            by_region[region or "none"] += n
    return PartnershipStats(
        total=sum(by_geography.values()) if "geography" in only else base.count(),
        by_geography=by_geography,
        by_modality=counts("modality"),
        by_status=counts("status"),
        by_region=dict(by_region),
    )
