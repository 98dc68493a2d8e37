"""Reads of match requests, each choosing its own joins so list pages stay at a fixed query count,
and the suggestions of peers for a request (from the matching engine, at read time)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from citypeers.accounts.models import OrganisationRole
from citypeers.core.errors import NotFound
from citypeers.core.text import fold
from citypeers.core.translation import active_language
from citypeers.directory import permissions as directory_permissions
from citypeers.directory.models import Organisation

from .models import InvitationStatus, MatchInvitation, MatchRequest, RequestStatus

#: How many peers a request's page suggests, and the most the API gives.
SUGGESTIONS_DEFAULT = 10
SUGGESTIONS_MAX = 50
#: The most the engine reads of a stated challenge.
CHALLENGE_MAX = 5000


@dataclass(frozen=True)
class RequestFilters:
    q: str = ""
    status: str = RequestStatus.OPEN  # "" for every status the reader may see
    theme: str = ""  # slug
    region: str = ""  # M49 code of the requester's region, any level
    country: str = ""  # ISO alpha-3 of the requester's country
    language: str = ""  # a language wished
    organisation: int | None = None  # the requester


def edit_organisation_ids(user: Any) -> list[int]:
    """Ids of the organisations the user edits for (editor or admin role)."""
    if not directory_permissions.is_signed_in(user):
        return []
    return list(
        OrganisationRole.objects.filter(
            user=user, role__in=directory_permissions.EDIT_ROLES
        ).values_list("organisation_id", flat=True)
    )


def editors_of(*, organisation_id: int) -> list[Any]:
    """The active people with the editor or admin role in the organisation."""
    roles = OrganisationRole.objects.filter(
        organisation_id=organisation_id,
        role__in=directory_permissions.EDIT_ROLES,
        user__is_active=True,
    ).select_related("user")
    return [r.user for r in roles.order_by("user_id")]


def _visible(qs: QuerySet[MatchRequest], user: Any) -> QuerySet[MatchRequest]:
    """Open requests, and closed ones the user's organisations posted or were invited to."""
    if directory_permissions.is_platform_moderator(user):
        return qs
    own = edit_organisation_ids(user)
    if not own:
        return qs.filter(status=RequestStatus.OPEN)
    invited = MatchInvitation.objects.filter(organisation_id__in=own).values("request_id")
    return qs.filter(Q(status=RequestStatus.OPEN) | Q(organisation_id__in=own) | Q(pk__in=invited))


def _list_queryset() -> QuerySet[MatchRequest]:
    return MatchRequest.objects.select_related(
        "organisation__country__region", "organisation__city"
    ).prefetch_related("themes", "regions", "countries")


def request_list(
    filters: RequestFilters | None = None, *, user: Any = None
) -> QuerySet[MatchRequest]:
    """Requests the user may see that match the filters, newest first; every word of ``q`` must
    appear in the title, the text or the requester's name (accents and case ignored)."""
    f = filters or RequestFilters()
    qs = _visible(_list_queryset(), user)
    if f.status:
        qs = qs.filter(status=f.status)
    for word in f.q.split()[:8]:
        # the word as typed or accent-folded in the request; folded in the requester's name
        match = Q(organisation__search_text__contains=fold(word))
        for variant in {word.lower(), fold(word)} - {""}:
            match |= Q(title__icontains=variant) | Q(text__icontains=variant)
        qs = qs.filter(match)
    if f.theme:
        qs = qs.filter(pk__in=MatchRequest.objects.filter(themes__slug=f.theme).values("pk"))
    if f.region:
        qs = qs.filter(
            Q(organisation__country__region__m49=f.region)
            | Q(organisation__country__subregion__m49=f.region)
            | Q(organisation__country__intermediate_region__m49=f.region)
        )
    if f.country:
        qs = qs.filter(organisation__country__iso3=f.country.upper())
    if f.language:
        # The stored list as text holds each code in quotes, on SQLite and PostgreSQL alike.
        qs = qs.filter(languages__icontains=f'"{f.language.lower()[:8]}"')
    if f.organisation is not None:
        qs = qs.filter(organisation_id=f.organisation)
    return qs.order_by("-created_at", "-pk")


def _invitations_prefetch() -> Prefetch:
    return Prefetch(
        "invitations",
        queryset=MatchInvitation.objects.select_related(
            "organisation__country", "partnership", "invited_by", "answered_by"
        ).order_by("-created_at", "-pk"),
    )


def request_get(*, pk: int) -> MatchRequest:
    """One request with everything its page shows (visibility is the caller's business)."""
    try:
        return (
            _list_queryset()
            .select_related("created_by", "closed_by")
            .prefetch_related(_invitations_prefetch())
            .get(pk=pk)
        )
    except MatchRequest.DoesNotExist:
        raise NotFound(_("No match request with id %(id)d.") % {"id": pk}) from None


def requests_by_external_id(*, external_ids: Sequence[str]) -> dict[str, MatchRequest]:
    ids = [i for i in external_ids if i]
    return {r.external_id: r for r in MatchRequest.objects.filter(external_id__in=ids)}


def invitation_queryset() -> QuerySet[MatchInvitation]:
    return MatchInvitation.objects.select_related(
        "request__organisation__country",
        "organisation__country",
        "partnership",
        "invited_by",
        "answered_by",
    )


def invitation_get(*, pk: int) -> MatchInvitation:
    try:
        return invitation_queryset().get(pk=pk)
    except MatchInvitation.DoesNotExist:
        raise NotFound(_("No invitation with id %(id)d.") % {"id": pk}) from None


def invitations_visible(match_request: MatchRequest, user: Any) -> list[MatchInvitation]:
    """The request's invitations the user may see: all for the requester's editors and
    moderators, their own organisations' for the invited, none for anyone else."""
    invitations = list(match_request.invitations.all())
    if directory_permissions.is_platform_moderator(user):
        return invitations
    own = set(edit_organisation_ids(user))
    if match_request.organisation_id in own:
        return invitations
    return [i for i in invitations if i.organisation_id in own]


def invitations_received(*, user: Any, status: str = "") -> QuerySet[MatchInvitation]:
    """Invitations addressed to an organisation the user edits for, newest first."""
    qs = invitation_queryset().filter(organisation_id__in=edit_organisation_ids(user))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def invitations_sent(*, user: Any, status: str = "") -> QuerySet[MatchInvitation]:
    """Invitations of requests posted by an organisation the user edits for, newest first."""
    qs = invitation_queryset().filter(request__organisation_id__in=edit_organisation_ids(user))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def requests_of_user(*, user: Any) -> QuerySet[MatchRequest]:
    """Requests posted by the organisations the user edits for, open and closed, newest first."""
    return (
        _list_queryset()
        .filter(organisation_id__in=edit_organisation_ids(user))
        .prefetch_related(_invitations_prefetch())
        .order_by("status", "-created_at", "-pk")
    )


# --- suggestions -----------------------------------------------------------------------------


@dataclass
class SuggestedPeer:
    """One organisation the engine suggests for a request, with the reasons it gives."""

    organisation: Organisation
    rank: int  # 1 = first
    score: float
    reasons: list[Any] = field(default_factory=list)  # engine.Reason
    #: The organisation's current (not withdrawn) invitation to this request, if any.
    invitation: MatchInvitation | None = None


@dataclass
class SuggestedPractice:
    """A published practice that addresses the request's need."""

    practice: Any  # knowledge.Practice
    title: str  # in the reader's language when translated, else the original
    score: float
    reasons: list[Any] = field(default_factory=list)  # engine.Reason


@dataclass
class RequestMatches:
    peers: list[SuggestedPeer]
    practices: list[SuggestedPractice]


def request_matches(match_request: MatchRequest, *, k: int | None = None) -> RequestMatches:
    """The peers the engine suggests for the request, best first (``k`` of them, by default
    :data:`SUGGESTIONS_DEFAULT`), and the published practices that address its need.

    The request's title, themes and text are the challenge; its mode, preferred regions,
    countries and languages are the engine's filters; the requester is the one the engine rules
    out (itself and its partners). Organisations already invited stay in the list, marked with
    their invitation.
    """
    from citypeers.knowledge import selectors as knowledge_selectors

    from . import engine

    k = min(max(1, k or SUGGESTIONS_DEFAULT), SUGGESTIONS_MAX)
    result = engine.suggest_for_challenge(
        challenge_text(match_request),
        mode=match_request.mode,
        k=k,
        filters=engine.MatchFilters(
            regions=tuple(r.m49 for r in match_request.regions.all()),
            countries=tuple(c.iso3 for c in match_request.countries.all()),
            languages=tuple(match_request.languages),
        ),
        requester_id=match_request.organisation_id,
    )
    found = list(result.peers)[:k]
    organisations = Organisation.objects.with_place().in_bulk([p.organisation_id for p in found])
    invited = {
        i.organisation_id: i
        for i in MatchInvitation.objects.filter(request=match_request).exclude(
            status=InvitationStatus.WITHDRAWN
        )
    }
    peers: list[SuggestedPeer] = []
    for peer in found:
        organisation = organisations.get(peer.organisation_id)
        if organisation is None:  # removed since the engine's snapshot was built
            continue
        peers.append(
            SuggestedPeer(
                organisation=organisation,
                rank=len(peers) + 1,
                score=float(peer.score),
                reasons=list(peer.reasons),
                invitation=invited.get(organisation.pk),
            )
        )
    wanted = [m.practice_id for m in result.practices]
    published = knowledge_selectors.practice_list().in_bulk(wanted)
    language = active_language()
    practices: list[SuggestedPractice] = []
    for match in result.practices:
        practice = published.get(match.practice_id)
        if practice is None:  # unpublished or removed since the snapshot was built
            continue
        text = practice.text_in(language)
        practices.append(
            SuggestedPractice(
                practice=practice,
                title=text.title if text is not None else practice.slug,
                score=float(match.score),
                reasons=list(match.reasons),
            )
        )
    return RequestMatches(peers=peers, practices=practices)


def request_suggestions(
    match_request: MatchRequest, *, k: int | None = None
) -> list[SuggestedPeer]:
    """The peers of :func:`request_matches` alone."""
    return request_matches(match_request, k=k).peers


def challenge_text(match_request: MatchRequest) -> str:
    """What the engine reads: the title, the themes' names and the text (within its limit)."""
    themes = ", ".join(t.label for t in match_request.themes.all())
    text = "\n".join(part for part in (match_request.title, themes, match_request.text) if part)
    return text[:CHALLENGE_MAX]
