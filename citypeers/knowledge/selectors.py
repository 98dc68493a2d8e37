"""Reads of the knowledge base; each chooses its joins so lists keep a fixed query count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from citypeers.core.errors import NotFound
from citypeers.core.text import fold

from . import permissions
from .models import (
    AdoptionReport,
    Practice,
    PracticeOrganisation,
    PracticeText,
    Revision,
    SdgSuggestion,
    Status,
)


@dataclass(frozen=True)
class PracticeFilters:
    q: str = ""
    theme: str = ""  # slug
    sdg: int | None = None
    country: str = ""  # ISO alpha-3
    region: str = ""  # M49 at any level
    south: bool | None = None
    language: str = ""  # a language the practice is available in
    organisation: int | None = None
    status: str = Status.PUBLISHED  # "" for every status the reader may see


def _texts() -> Prefetch:
    return Prefetch("texts", queryset=PracticeText.objects.order_by("-is_original", "language"))


def practice_list(
    filters: PracticeFilters | None = None, *, user: Any = None
) -> QuerySet[Practice]:
    """Practices matching the filters, visible to ``user`` (published ones to everyone)."""
    f = filters or PracticeFilters()
    qs = Practice.objects.select_related("country", "city", "owner")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.status != Status.PUBLISHED:
        from citypeers.directory import permissions as dp

        if not dp.is_platform_moderator(user):
            visible = Q(status=Status.PUBLISHED)
            if dp.is_signed_in(user):
                visible |= Q(created_by=user) | Q(
                    owner__people__user=user, owner__people__role__in=["editor", "admin"]
                )
            qs = qs.filter(visible)
    if f.q:
        # Each word as typed or accent-folded: "orçamento" finds "Orçamento", which the folded
        # word alone missed. Ranking and cross-lingual search are citypeers.search's work.
        for word in f.q.split()[:8]:
            match = Q()
            for variant in {word.lower(), fold(word)} - {""}:
                match |= (
                    Q(texts__title__icontains=variant)
                    | Q(texts__summary__icontains=variant)
                    | Q(texts__lessons__icontains=variant)
                )
            qs = qs.filter(match)
    if f.theme:
        qs = qs.filter(themes__slug=f.theme)
    if f.sdg:
        qs = qs.filter(sdgs__number=f.sdg)
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
    if f.language:
        qs = qs.filter(texts__language=f.language)
    if f.organisation is not None:
        # The practices it owns or has a role in, as one small id set: an OR across a join
        # made the database join every practice with every role first (70 ms at 100,000).
        owned = Practice.objects.filter(owner_id=f.organisation).order_by().values("pk")
        roles = PracticeOrganisation.objects.filter(organisation_id=f.organisation).order_by()
        qs = qs.filter(pk__in=owned.union(roles.values("practice_id")))
    return qs.distinct().prefetch_related(_texts(), "themes", "sdgs")


def practice_facets(
    filters: PracticeFilters | None = None, *, user: Any = None
) -> dict[str, list[tuple[Any, int]]]:
    """Counts per theme, SDG, country and language for the practices the filters select."""
    base = Practice.objects.filter(pk__in=practice_list(filters, user=user).order_by().values("pk"))

    def facet(field: str) -> list[tuple[Any, int]]:
        rows = (
            base.exclude(**{f"{field}__isnull": True})
            .values_list(field)
            .annotate(n=Count("pk", distinct=True))
            .order_by("-n")
        )
        return [(value, n) for value, n in rows]

    return {
        "theme": facet("themes__slug"),
        "sdg": facet("sdgs__number"),
        "country": facet("country__iso3"),
        "language": facet("texts__language"),
    }


def practice_get(*, slug: str, user: Any = None) -> Practice:
    qs = Practice.objects.select_related(
        "country", "city__admin_area", "owner", "partnership", "adapted_from", "created_by"
    ).prefetch_related(
        _texts(),
        "themes",
        "sdgs",
        "resources",
        Prefetch(
            "organisation_roles",
            queryset=PracticeOrganisation.objects.select_related("organisation"),
        ),
        Prefetch(
            "adaptations",
            queryset=Practice.objects.filter(status=Status.PUBLISHED).prefetch_related(_texts()),
        ),
        Prefetch("adoptions", queryset=AdoptionReport.objects.select_related("organisation")),
        Prefetch(
            "sdg_suggestions",
            queryset=SdgSuggestion.objects.select_related("sdg").filter(state="pending"),
        ),
    )
    practice = qs.filter(slug=slug).first()
    if practice is None or not permissions.can_view(user, practice):
        raise NotFound(_("No practice at %(slug)r.") % {"slug": slug})
    return practice


def practice_get_by_id(*, pk: int, user: Any = None) -> Practice:
    practice = Practice.objects.prefetch_related(_texts(), "themes", "sdgs").filter(pk=pk).first()
    if practice is None or not permissions.can_view(user, practice):
        raise NotFound(_("No practice with id %(id)d.") % {"id": pk})
    return practice


def revision_list(*, practice: Practice, language: str | None = None) -> QuerySet[Revision]:
    qs = Revision.objects.filter(practice=practice).select_related("author")
    if language:
        qs = qs.filter(language=language)
    return qs.order_by("language", "-number")


def review_queue(*, user: Any) -> QuerySet[Practice]:
    """Submitted practices the user may publish."""
    from citypeers.directory import permissions as dp

    qs = Practice.objects.filter(status=Status.SUBMITTED).prefetch_related(_texts())
    if dp.is_platform_moderator(user):
        return qs
    publishers = getattr(settings, "CITYPEERS_PRACTICE_PUBLISHERS", "editors")
    if not dp.is_signed_in(user) or publishers != "editors":
        return qs.none()
    return qs.filter(
        owner__people__user=user, owner__people__role__in=["editor", "admin"]
    ).distinct()


def practices_by_external_id(*, external_ids: list[str]) -> dict[str, Practice]:
    """Practices keyed by the identifier an import or the demo loader gave them."""
    ids = [i for i in external_ids if i]
    return {p.external_id: p for p in Practice.objects.filter(external_id__in=ids)}
