"""API of match requests: post, read, change and close requests; the peers suggested for one;
invite organisations; accept, decline or withdraw an invitation. Mounted on the matching app's
router (``api.py``).

Requests and invitations are addressed by numeric ``id``. Open requests and their suggestions are
public; a closed request is visible to its requester's editors, the organisations it invited and
moderators (others get 404; a read may send a token to be recognised). Invitations are read only
by the two organisations concerned (and moderators), so reading them needs authentication like
every write: a token or a signed-in session (``api/auth.py``). Writes go through ``services.py``,
which decides permission (403), the rules (400 naming the field) and conflicts (409: a closed
request, an invitation already answered).
Choices (modality, mode, languages, theme slugs, M49 and ISO codes) are checked by the services
too, so a wrong one is a 400 naming the field; a body of the wrong shape is a 422.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from citypeers.api.auth import WRITE_AUTH, acting_user, token_auth
from citypeers.api.pagination import LimitOffset
from citypeers.core.errors import ApplicationError, NotFound
from citypeers.directory import selectors as directory_selectors
from citypeers.directory.models import Organisation
from citypeers.interop.references import References
from citypeers.partnerships.models import Modality
from citypeers.places.models import Country, Region

from . import permissions, selectors, services
from .models import InvitationStatus, MatchInvitation, MatchRequest, RequestStatus, SuggestionMode

router = Router(tags=["match requests"])


def _enum(values: Sequence[str | None]) -> dict[str, Any]:
    return {"enum": list(values)}


# --- schemas ---------------------------------------------------------------------------------


class MatchOrganisationOut(Schema):
    id: int
    slug: str
    name: str
    country: str | None = Field(description="ISO 3166-1 alpha-3 code.")

    @staticmethod
    def resolve_country(obj: Organisation) -> str | None:
        return obj.country.iso3 if obj.country else None


class MatchRequestFilter(Schema):
    q: str = Field("", description="Words that must all appear in the request or requester.")
    status: str = Field(
        RequestStatus.OPEN.value,
        description='"open" (default), "closed", or "all" for every request the caller may see.',
        json_schema_extra=_enum([*RequestStatus.values, "all"]),
    )
    theme: str = Field("", description="Theme slug (see /themes).")
    region: str = Field("", description="UN M49 code of the requester's region, at any level.")
    country: str = Field("", description="ISO 3166-1 alpha-3 code of the requester's country.")
    language: str = Field("", description="A language the requester wishes to work in.")
    organisation: int | None = Field(None, description="Id of the requesting organisation.")

    def to_filters(self) -> selectors.RequestFilters:
        status = self.status if self.status in RequestStatus.values else ""
        if self.status not in (*RequestStatus.values, "all"):
            raise ApplicationError(_("Status is open, closed or all."), field="status")
        return selectors.RequestFilters(
            q=self.q,
            status=status,
            theme=self.theme,
            region=self.region,
            country=self.country,
            language=self.language,
            organisation=self.organisation,
        )


class MatchRequestOut(Schema):
    id: int
    organisation: MatchOrganisationOut = Field(description="The requesting organisation.")
    title: str
    text: str = Field(description="Plain text.")
    language: str = Field(description="Language the text is written in.")
    themes: list[str] = Field(description="Theme slugs.")
    regions: list[str] = Field(description="Preferred UN M49 regions.")
    countries: list[str] = Field(description="Preferred countries (ISO 3166-1 alpha-3).")
    languages: list[str] = Field(description="Languages the requester wishes to work in.")
    modality: str = Field(json_schema_extra=_enum(Modality.values))
    mode: str = Field(
        description="How peers are suggested.", json_schema_extra=_enum(SuggestionMode.values)
    )
    status: str = Field(json_schema_extra=_enum(RequestStatus.values))
    closed_at: dt.datetime | None
    close_reason: str
    url: str = Field(description="Path of the request's page.")
    is_demo: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_themes(obj: MatchRequest) -> list[str]:
        return [t.slug for t in obj.themes.all()]

    @staticmethod
    def resolve_regions(obj: MatchRequest) -> list[str]:
        return [r.m49 for r in obj.regions.all()]

    @staticmethod
    def resolve_countries(obj: MatchRequest) -> list[str]:
        return [c.iso3 for c in obj.countries.all()]

    @staticmethod
    def resolve_url(obj: MatchRequest) -> str:
        return obj.get_absolute_url()


class MatchRequestIn(Schema):
    organisation: int = Field(description="Id of the requesting organisation (you edit for it).")
    title: str = Field(description="At most 200 characters.")
    text: str = Field(description="What you are looking for; plain text, at most 5,000.")
    language: str = Field(
        "", description="Language of the text; left empty, it is detected.", max_length=8
    )
    themes: list[str] = Field(description="Theme slugs; at least one.")
    regions: list[str] = Field([], description="Preferred UN M49 regions.")
    countries: list[str] = Field([], description="Preferred countries (ISO alpha-3).")
    languages: list[str] = Field([], description="Languages to work in (ISO 639-1).")
    modality: str = Field(Modality.C2C.value, json_schema_extra=_enum(Modality.values))
    mode: str = Field(SuggestionMode.PARTNERS.value, json_schema_extra=_enum(SuggestionMode.values))


class MatchRequestPatch(Schema):
    """Only the fields sent are changed."""

    title: str | None = None
    text: str | None = None
    language: str | None = None
    themes: list[str] | None = None
    regions: list[str] | None = None
    countries: list[str] | None = None
    languages: list[str] | None = None
    modality: str | None = Field(None, json_schema_extra=_enum(Modality.values))
    mode: str | None = Field(None, json_schema_extra=_enum(SuggestionMode.values))


class MatchRequestCloseIn(Schema):
    reason: str = Field("", description="Why the request is closed (optional).")


class MatchReasonOut(Schema):
    signal: str = Field(description="The engine's signal: network, context, challenge, …")
    value: float = Field(description="The signal's raw value for this pair.")
    contribution: float = Field(description="What the signal adds to the score.")
    text: str = Field(description="The reason in words, in the reader's language.")


class MatchSuggestionOut(Schema):
    rank: int = Field(description="1 for the best.")
    score: float
    organisation: MatchOrganisationOut
    reasons: list[MatchReasonOut]
    invitation: int | None = Field(
        description="Id of the organisation's current invitation to this request, if any."
    )
    invitation_status: str | None = Field(
        description="Status of the invitation sent to this organisation; null if none was sent.",
        json_schema_extra=_enum([*InvitationStatus.values, None]),  # null is a value too
    )


class MatchPracticeOut(Schema):
    id: int
    slug: str
    title: str = Field(description="In the reader's language when translated, else the original.")
    url: str = Field(description="Path of the practice's page.")
    score: float
    reasons: list[MatchReasonOut]


class MatchSuggestionsOut(Schema):
    count: int = Field(description="Number of peers suggested.")
    items: list[MatchSuggestionOut] = Field(description="The peers, best first.")
    practices: list[MatchPracticeOut] = Field(
        description="Published practices that address the need, best first."
    )


class MatchInvitationIn(Schema):
    organisation: int = Field(description="Id of the organisation invited.")
    message: str = Field(description="Why you invite it; at most 2,000 characters.")


class MatchInvitationOut(Schema):
    id: int
    request: int = Field(alias="request_id")
    request_title: str
    requester: MatchOrganisationOut
    organisation: MatchOrganisationOut = Field(description="The organisation invited.")
    message: str
    status: str = Field(json_schema_extra=_enum(InvitationStatus.values))
    suggested_rank: int | None = Field(
        description="Its rank among the suggestions when invited; null if found by name."
    )
    suggested_score: float | None
    created_at: dt.datetime
    answered_at: dt.datetime | None
    answer_note: str = Field(description="The reason of a decline, or a note with an acceptance.")
    withdrawn_at: dt.datetime | None
    partnership: int | None = Field(
        alias="partnership_id", description="Id of the proposed partnership an acceptance made."
    )
    url: str = Field(description="Path of the invitation's page.")

    @staticmethod
    def resolve_request_title(obj: MatchInvitation) -> str:
        return obj.request.title

    @staticmethod
    def resolve_requester(obj: MatchInvitation) -> Organisation:
        return obj.request.organisation

    @staticmethod
    def resolve_url(obj: MatchInvitation) -> str:
        return obj.get_absolute_url()


class MatchInvitationFilter(Schema):
    direction: str = Field(
        "",
        description='"received" (to organisations you edit for), "sent" (by them), or both.',
        json_schema_extra=_enum(["", "received", "sent"]),
    )
    status: str = Field("", json_schema_extra=_enum(["", *InvitationStatus.values]))


class MatchInvitationAnswerIn(Schema):
    accept: bool
    note: str = Field("", description="Required to decline: why.")


# --- lookups ---------------------------------------------------------------------------------


def _user(request: HttpRequest) -> Any:
    """Who reads: the authenticated caller of a write, else a bearer token sent with a public
    read (so a token shows what is private to its owner, as a session does), else the session."""
    return acting_user(request) or token_auth(request) or getattr(request, "user", None)


def _request_any(pk: int) -> MatchRequest:
    """The request whatever the caller may see (writes: the service answers 403)."""
    return selectors.request_get(pk=pk)


def _request(request: HttpRequest, pk: int) -> MatchRequest:
    """The request the caller may see, or 404."""
    match_request = selectors.request_get(pk=pk)
    if not permissions.can_view(_user(request), match_request):
        raise NotFound(_("No match request with id %(id)d.") % {"id": pk})
    return match_request


def _invitation(request: HttpRequest, pk: int) -> MatchInvitation:
    invitation = selectors.invitation_get(pk=pk)
    if not permissions.can_view_invitation(_user(request), invitation):
        raise NotFound(_("No invitation with id %(id)d.") % {"id": pk})
    return invitation


def _organisation(pk: int, field: str) -> Organisation:
    try:
        return directory_selectors.organisation_get_by_id(pk=pk)
    except NotFound as exc:
        raise ApplicationError(exc.message, field=field) from None


def _regions(codes: list[str]) -> list[Region]:
    wanted = [c.strip() for c in codes if c.strip()]
    found = {r.m49: r for r in Region.objects.filter(m49__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise ApplicationError(
            _("Unknown UN M49 regions: %(codes)s.") % {"codes": ", ".join(unknown)},
            field="regions",
        )
    return [found[c] for c in dict.fromkeys(wanted)]


def _countries(codes: list[str]) -> list[Country]:
    wanted = [c.strip().upper() for c in codes if c.strip()]
    found = {c.iso3: c for c in Country.objects.filter(iso3__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise ApplicationError(
            _("Unknown ISO 3166-1 alpha-3 countries: %(codes)s.") % {"codes": ", ".join(unknown)},
            field="countries",
        )
    return [found[c] for c in dict.fromkeys(wanted)]


def _references(data: dict[str, Any]) -> dict[str, Any]:
    """Theme slugs, M49 codes and ISO codes of the input resolved to records (400 naming the
    field); keys absent or null in ``data`` are left out."""
    out: dict[str, Any] = {}
    if data.get("themes") is not None:
        out["themes"] = References().themes(data["themes"])
    if data.get("regions") is not None:
        out["regions"] = _regions(data["regions"])
    if data.get("countries") is not None:
        out["countries"] = _countries(data["countries"])
    return out


def _record(pk: int) -> MatchRequest:
    return selectors.request_get(pk=pk)


def _reasons_out(reasons: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "signal": str(r.signal),
            "value": float(r.value),
            "contribution": float(r.contribution),
            "text": str(r.text),
        }
        for r in reasons
    ]


def _suggestion_out(s: selectors.SuggestedPeer) -> dict[str, Any]:
    return {
        "rank": s.rank,
        "score": s.score,
        "organisation": s.organisation,
        "reasons": _reasons_out(s.reasons),
        "invitation": s.invitation.pk if s.invitation else None,
        "invitation_status": s.invitation.status if s.invitation else None,
    }


def _practice_out(p: selectors.SuggestedPractice) -> dict[str, Any]:
    return {
        "id": p.practice.pk,
        "slug": p.practice.slug,
        "title": p.title,
        "url": p.practice.get_absolute_url(),
        "score": p.score,
        "reasons": _reasons_out(p.reasons),
    }


# --- requests --------------------------------------------------------------------------------


@router.get(
    "/match-requests",
    response=list[MatchRequestOut],
    summary="List match requests (open ones by default)",
)
@paginate(LimitOffset)
def list_requests(request: HttpRequest, filters: Query[MatchRequestFilter]):
    return selectors.request_list(filters.to_filters(), user=_user(request))


@router.post(
    "/match-requests",
    response={201: MatchRequestOut},
    auth=WRITE_AUTH,
    summary="Post a match request for an organisation you edit for",
)
def create_request(request: HttpRequest, payload: MatchRequestIn) -> Status[MatchRequest]:
    data = payload.model_dump()
    refs = _references(data)
    match_request = services.match_request_create(
        actor=acting_user(request),
        organisation=_organisation(payload.organisation, "organisation"),
        title=payload.title,
        text=payload.text,
        language=payload.language,
        languages=payload.languages,
        modality=payload.modality,
        mode=payload.mode,
        **refs,
    )
    return Status(201, _record(match_request.pk))


@router.get("/match-requests/{id}", response=MatchRequestOut, summary="One match request by id")
def get_request(request: HttpRequest, id: int) -> MatchRequest:
    return _request(request, id)


@router.patch(
    "/match-requests/{id}",
    response=MatchRequestOut,
    auth=WRITE_AUTH,
    summary="Change an open match request (editors of the requester)",
)
def update_request(request: HttpRequest, id: int, payload: MatchRequestPatch) -> MatchRequest:
    data = payload.model_dump(exclude_unset=True)
    for key, value in data.items():
        if value is None:
            raise ApplicationError(_("%(field)s may not be null.") % {"field": key}, field=key)
    refs = _references(data)
    services.match_request_update(
        actor=acting_user(request),
        match_request=_request_any(id),
        **{k: v for k, v in data.items() if k not in refs},
        **refs,
    )
    return _record(id)


@router.post(
    "/match-requests/{id}/close",
    response=MatchRequestOut,
    auth=WRITE_AUTH,
    summary="Close a match request (editors of the requester, moderators)",
    description="Invitations still waiting for an answer are withdrawn.",
)
def close_request(request: HttpRequest, id: int, payload: MatchRequestCloseIn) -> MatchRequest:
    services.match_request_close(
        actor=acting_user(request), match_request=_request_any(id), reason=payload.reason
    )
    return _record(id)


@router.get(
    "/match-requests/{id}/suggestions",
    response=MatchSuggestionsOut,
    summary="Peers suggested for a request, best first, with the reasons for each",
    description="From the matching engine: the request's text is the challenge, its mode and "
    "preferred regions, countries and languages are the filters; the requester and its partners "
    "are left out. Organisations already invited stay in the list with their invitation. "
    "Published practices that address the need follow. A closed request has none.",
)
def request_suggestions(
    request: HttpRequest, id: int, k: int = Query(selectors.SUGGESTIONS_DEFAULT, ge=1, le=50)
) -> dict[str, Any]:
    match_request = _request(request, id)
    if not match_request.is_open:
        return {"count": 0, "items": [], "practices": []}
    matches = selectors.request_matches(match_request, k=k)
    items = [_suggestion_out(s) for s in matches.peers]
    practices = [_practice_out(p) for p in matches.practices]
    return {"count": len(items), "items": items, "practices": practices}


# --- invitations -----------------------------------------------------------------------------


@router.get(
    "/match-requests/{id}/invitations",
    response=list[MatchInvitationOut],
    auth=WRITE_AUTH,
    summary="Invitations of a request the caller may see",
    description="All of them for the requester's editors and moderators; those of their own "
    "organisations for the invited; none for anyone else.",
)
@paginate(LimitOffset)
def request_invitations(request: HttpRequest, id: int):
    match_request = _request(request, id)
    visible = {i.pk for i in selectors.invitations_visible(match_request, acting_user(request))}
    return selectors.invitation_queryset().filter(pk__in=visible).order_by("-created_at", "-pk")


@router.post(
    "/match-requests/{id}/invitations",
    response={201: MatchInvitationOut},
    auth=WRITE_AUTH,
    summary="Invite an organisation to answer a request (editors of the requester)",
)
def invite(request: HttpRequest, id: int, payload: MatchInvitationIn) -> Status[MatchInvitation]:
    (invitation,) = services.match_invitation_create(
        actor=acting_user(request),
        match_request=_request_any(id),
        organisations=[_organisation(payload.organisation, "organisation")],
        message=payload.message,
    )
    return Status(201, selectors.invitation_get(pk=invitation.pk))


@router.get(
    "/match-invitations",
    response=list[MatchInvitationOut],
    auth=WRITE_AUTH,
    summary="Invitations to or from the organisations the caller edits for",
)
@paginate(LimitOffset)
def list_invitations(request: HttpRequest, filters: Query[MatchInvitationFilter]):
    user = acting_user(request)
    if filters.direction not in ("", "received", "sent"):
        raise ApplicationError(_("Direction is received or sent."), field="direction")
    if filters.status and filters.status not in InvitationStatus.values:
        raise ApplicationError(_("Unknown invitation status."), field="status")
    received = selectors.invitations_received(user=user, status=filters.status)
    sent = selectors.invitations_sent(user=user, status=filters.status)
    if filters.direction == "received":
        return received
    if filters.direction == "sent":
        return sent
    return (received | sent).distinct().order_by("-created_at", "-pk")


@router.get(
    "/match-invitations/{id}",
    response=MatchInvitationOut,
    auth=WRITE_AUTH,
    summary="One invitation (the two organisations concerned, moderators)",
)
def get_invitation(request: HttpRequest, id: int) -> MatchInvitation:
    return _invitation(request, id)


@router.post(
    "/match-invitations/{id}/answer",
    response=MatchInvitationOut,
    auth=WRITE_AUTH,
    summary="Accept or decline an invitation (editors of the invited organisation)",
    description="Accepting creates a proposed partnership led by the requester, with the invited "
    "organisation as partner; the requester confirms it through the partnership API "
    "(POST /partnerships/{id}/answer). Declining needs a note saying why.",
)
def answer(request: HttpRequest, id: int, payload: MatchInvitationAnswerIn) -> MatchInvitation:
    invitation = services.match_invitation_answer(
        actor=acting_user(request),
        invitation=selectors.invitation_get(pk=id),
        accept=payload.accept,
        note=payload.note,
    )
    return selectors.invitation_get(pk=invitation.pk)


@router.post(
    "/match-invitations/{id}/withdraw",
    response=MatchInvitationOut,
    auth=WRITE_AUTH,
    summary="Withdraw an invitation not yet answered (editors of the requester)",
)
def withdraw(request: HttpRequest, id: int) -> MatchInvitation:
    services.match_invitation_withdraw(
        actor=acting_user(request), invitation=selectors.invitation_get(pk=id)
    )
    return selectors.invitation_get(pk=id)
