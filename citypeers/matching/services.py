"""Writes of match requests: post, edit and close a request; invite organisations; accept,
decline or withdraw an invitation.

Each takes the acting user, checks permission (``permissions.py``), validates, runs in one
transaction, writes the audit log and notifies the people who act for the other side. An
acceptance creates a *proposed* partnership through ``partnerships.services.partnership_create``:
the invited organisation (whose editor accepts) is accepted at once, the requester (the lead) is
invited there and confirms it from the partnership's page, which makes it active.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citypeers.accounts.audit import audit
from citypeers.core.errors import ApplicationError, Conflict, PermissionDenied
from citypeers.directory import permissions as directory_permissions
from citypeers.directory.models import ASSOCIATION_TYPES, Organisation, Theme
from citypeers.directory.services import LANGUAGE_CODES
from citypeers.knowledge.language import detect_language
from citypeers.notifications.services import notify
from citypeers.partnerships import services as partnership_services
from citypeers.partnerships.models import Modality, PartnershipMember
from citypeers.places.models import Country, Region

from . import permissions, selectors
from .models import (
    InvitationStatus,
    MatchInvitation,
    MatchRequest,
    RequestStatus,
    SuggestionMode,
)

TITLE_MAX = 200
TEXT_MAX = 5000
NOTE_MAX = 2000


# --- checks ----------------------------------------------------------------------------------


def _require_signed_in(actor: Any, message: str) -> None:
    if not directory_permissions.is_signed_in(actor):
        raise PermissionDenied(message)


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ApplicationError(_("Give the request a title."), field="title")
    if len(title) > TITLE_MAX:
        raise ApplicationError(
            _("A title is at most %(n)d characters.") % {"n": TITLE_MAX}, field="title"
        )
    return title


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(_("Say what you are looking for."), field="text")
    if len(text) > TEXT_MAX:
        raise ApplicationError(
            _("The text is at most %(n)d characters.") % {"n": TEXT_MAX}, field="text"
        )
    return text


def _clean_language(language: str, text: str, actor: Any) -> str:
    """The language the text is written in: as given, else detected, else the author's."""
    code = (language or "").strip().lower()
    if not code:
        code = detect_language(text) or ""
        if code not in LANGUAGE_CODES:
            preferred = getattr(actor, "preferred_language", "") or ""
            code = preferred if preferred in LANGUAGE_CODES else "en"
    if code not in LANGUAGE_CODES:
        raise ApplicationError(
            _("%(code)r is not a language the platform knows.") % {"code": code}, field="language"
        )
    return code


def _clean_languages(languages: Iterable[str]) -> list[str]:
    out: list[str] = []
    for raw in languages:
        code = str(raw).strip().lower()
        if code not in LANGUAGE_CODES:
            raise ApplicationError(
                _("%(code)r is not a language the platform knows.") % {"code": code},
                field="languages",
            )
        if code not in out:
            out.append(code)
    return out


def _clean_modality(modality: str) -> str:
    if modality not in Modality.values:
        raise ApplicationError(_("Unknown modality."), field="modality")
    return modality


def _clean_mode(mode: str, organisation: Organisation) -> str:
    """A mode the engine accepts for this requester (the rules of ``engine._check_requester``)."""
    if mode not in SuggestionMode.values:
        raise ApplicationError(_("Unknown kind of peers."), field="mode")
    if mode == SuggestionMode.SOUTH_SOUTH and not (
        organisation.country is not None and organisation.country.global_south is True
    ):
        raise ApplicationError(
            _(
                "%(org)s is not classified in the Global South: Southern peers only are for "
                "Southern organisations."
            )
            % {"org": organisation},
            field="mode",
        )
    if mode == SuggestionMode.ASSOCIATION and organisation.actor_type not in ASSOCIATION_TYPES:
        raise ApplicationError(
            _(
                "%(org)s is not an association of local governments or a network: association "
                "peers are for them."
            )
            % {"org": organisation},
            field="mode",
        )
    return mode


def _clean_themes(themes: Iterable[Theme]) -> list[Theme]:
    themes = list(themes)
    if not themes:
        raise ApplicationError(_("Choose at least one theme."), field="themes")
    return themes


def _clean_note(note: str, field: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ApplicationError(
            _("This text is at most %(n)d characters.") % {"n": NOTE_MAX}, field=field
        )
    return note


def _require_open(match_request: MatchRequest) -> None:
    if match_request.status != RequestStatus.OPEN:
        raise Conflict(_("This request is closed."), field="status")


# --- notifications ---------------------------------------------------------------------------


def _language_of(user: Any) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    preferred = getattr(user, "preferred_language", "") or ""
    return preferred if preferred in codes else settings.LANGUAGE_CODE.split("-")[0]


def _notify(
    organisation: Organisation,
    *,
    kind: str,
    message: Callable[[], str],
    url_name: str,
    url_kwargs: dict[str, Any],
    actor: Any,
    target: tuple[str, Any],
) -> None:
    """Notify the editors and admins of ``organisation``, each in their language, with a link
    to the page in that language."""
    by_language: dict[str, list[Any]] = defaultdict(list)
    for user in selectors.editors_of(organisation_id=organisation.pk):
        by_language[_language_of(user)].append(user)
    for language, users in by_language.items():
        with translation.override(language):
            url = reverse(url_name, kwargs=url_kwargs)
        notify(users, kind=kind, message=message, url=url, actor=actor, target=target)


def _request_target(match_request: MatchRequest) -> tuple[str, Any]:
    return ("match_request", match_request.pk)


def _invitation_target(invitation: MatchInvitation) -> tuple[str, Any]:
    return ("match_invitation", invitation.pk)


# --- requests --------------------------------------------------------------------------------


def match_request_create(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    text: str,
    themes: Iterable[Theme],
    language: str = "",
    regions: Iterable[Region] = (),
    countries: Iterable[Country] = (),
    languages: Iterable[str] = (),
    modality: str = Modality.C2C,
    mode: str = SuggestionMode.PARTNERS,
    is_demo: bool = False,
    external_id: str = "",
) -> MatchRequest:
    """Post a request for ``organisation`` (its editors and admins only). ``language`` is the
    language of the text; left empty it is detected, else taken from the author's preference."""
    _require_signed_in(actor, _("Sign in to post a request."))
    if not permissions.can_post_for(actor, organisation):
        raise PermissionDenied(
            _("Only editors of %(org)s can post a request for it.") % {"org": organisation}
        )
    title = _clean_title(title)
    text = _clean_text(text)
    values = {
        "language": _clean_language(language, text, actor),
        "languages": _clean_languages(languages),
        "modality": _clean_modality(modality),
        "mode": _clean_mode(mode, organisation),
    }
    themes = _clean_themes(themes)
    external_id = (external_id or "")[:120]
    if external_id and MatchRequest.objects.filter(external_id=external_id).exists():
        raise Conflict(
            _("A request with this external id is already recorded."), field="external_id"
        )
    with transaction.atomic():
        match_request = MatchRequest.objects.create(
            organisation=organisation,
            title=title,
            text=text,
            is_demo=is_demo,
            external_id=external_id,
            created_by=actor,
            **values,
        )
        match_request.themes.set(themes)
        match_request.regions.set(list(regions))
        match_request.countries.set(list(countries))
        audit(actor=actor, verb="match_request.create", target=match_request)
    return match_request


def match_request_update(
    *,
    actor: Any,
    match_request: MatchRequest,
    title: str | None = None,
    text: str | None = None,
    language: str | None = None,
    themes: Iterable[Theme] | None = None,
    regions: Iterable[Region] | None = None,
    countries: Iterable[Country] | None = None,
    languages: Iterable[str] | None = None,
    modality: str | None = None,
    mode: str | None = None,
) -> MatchRequest:
    """Change an open request; only the arguments given (not None) change."""
    _require_signed_in(actor, _("Sign in to change a request."))
    if not permissions.can_manage(actor, match_request):
        raise PermissionDenied(
            _("Only editors of %(org)s can change its request.")
            % {"org": match_request.organisation}
        )
    _require_open(match_request)
    changed: list[str] = []
    if title is not None:
        match_request.title = _clean_title(title)
        changed.append("title")
    if text is not None:
        match_request.text = _clean_text(text)
        changed.append("text")
    if language is not None or text is not None:
        match_request.language = _clean_language(
            match_request.language if language is None else language, match_request.text, actor
        )
        changed.append("language")
    if languages is not None:
        match_request.languages = _clean_languages(languages)
        changed.append("languages")
    if modality is not None:
        match_request.modality = _clean_modality(modality)
        changed.append("modality")
    if mode is not None:
        match_request.mode = _clean_mode(mode, match_request.organisation)
        changed.append("mode")
    theme_list = _clean_themes(themes) if themes is not None else None
    with transaction.atomic():
        match_request.save()
        if theme_list is not None:
            match_request.themes.set(theme_list)
            changed.append("themes")
        if regions is not None:
            match_request.regions.set(list(regions))
            changed.append("regions")
        if countries is not None:
            match_request.countries.set(list(countries))
            changed.append("countries")
        audit(
            actor=actor,
            verb="match_request.update",
            target=match_request,
            data={"fields": changed},
        )
    return match_request


def match_request_close(
    *, actor: Any, match_request: MatchRequest, reason: str = ""
) -> MatchRequest:
    """Close a request (its editors, or a moderator). Invitations still waiting for an answer
    are withdrawn, and their organisations told; a moderator's closing is told to the requester."""
    _require_signed_in(actor, _("Sign in to close a request."))
    if not permissions.can_close(actor, match_request):
        raise PermissionDenied(
            _("Only editors of %(org)s or a moderator can close this request.")
            % {"org": match_request.organisation}
        )
    reason = _clean_note(reason, "reason")
    with transaction.atomic():
        match_request = (
            MatchRequest.objects.select_for_update()
            .select_related("organisation")
            .get(pk=match_request.pk)
        )
        _require_open(match_request)
        now = timezone.now()
        match_request.status = RequestStatus.CLOSED
        match_request.closed_at = now
        match_request.closed_by = actor
        match_request.close_reason = reason
        match_request.save(
            update_fields=["status", "closed_at", "closed_by", "close_reason", "updated_at"]
        )
        pending = list(
            match_request.invitations.filter(status=InvitationStatus.PENDING).select_related(
                "organisation"
            )
        )
        for invitation in pending:
            invitation.status = InvitationStatus.WITHDRAWN
            invitation.withdrawn_at = now
            invitation.save(update_fields=["status", "withdrawn_at"])
            audit(
                actor=actor,
                verb="match_invitation.withdraw",
                target=invitation,
                data={"because": "request closed"},
            )
            _notify_withdrawn(invitation, match_request, actor)
        audit(
            actor=actor,
            verb="match_request.close",
            target=match_request,
            data={"withdrawn": [i.pk for i in pending]},
        )
        if not permissions.can_manage(actor, match_request):
            title, org = match_request.title, match_request.organisation.name
            _notify(
                match_request.organisation,
                kind="matching.closed",
                message=lambda: (
                    _("A moderator closed the request “%(title)s” of %(org)s.")
                    % {"title": title, "org": org}
                ),
                url_name="matching:request-detail",
                url_kwargs={"pk": match_request.pk},
                actor=actor,
                target=_request_target(match_request),
            )
    return match_request


# --- invitations -----------------------------------------------------------------------------


def match_invitation_create(
    *,
    actor: Any,
    match_request: MatchRequest,
    organisations: Sequence[Organisation],
    message: str,
) -> list[MatchInvitation]:
    """Invite organisations to answer an open request, all or none; each one's editors are told.

    An organisation is invited once per request (again only after a withdrawal). When it is among
    the engine's suggestions for the request, its rank and score are kept with the invitation.
    """
    _require_signed_in(actor, _("Sign in to invite organisations."))
    if not permissions.can_manage(actor, match_request):
        raise PermissionDenied(
            _("Only editors of %(org)s can invite organisations to its request.")
            % {"org": match_request.organisation}
        )
    _require_open(match_request)
    if not organisations:
        raise ApplicationError(_("Choose at least one organisation."), field="organisation")
    ids = [o.pk for o in organisations]
    if len(set(ids)) != len(ids):
        raise ApplicationError(
            _("An organisation appears twice among those invited."), field="organisation"
        )
    if match_request.organisation_id in ids:
        raise ApplicationError(
            _("An organisation cannot answer its own request."), field="organisation"
        )
    message = _clean_note(message, "message")
    if not message:
        raise ApplicationError(_("Write a message to the invited organisation."), field="message")
    ranked = {
        s.organisation.pk: s
        for s in selectors.request_suggestions(match_request, k=selectors.SUGGESTIONS_MAX)
    }
    themes = list(match_request.themes.all())
    with transaction.atomic():
        # Lock the request so two invitations of one organisation cannot race past the check.
        MatchRequest.objects.select_for_update().filter(pk=match_request.pk).first()
        taken = set(
            MatchInvitation.objects.filter(request=match_request, organisation_id__in=ids)
            .exclude(status=InvitationStatus.WITHDRAWN)
            .values_list("organisation__name", flat=True)
        )
        if taken:
            raise Conflict(
                _("Already invited: %(orgs)s.") % {"orgs": ", ".join(sorted(taken))},
                field="organisation",
            )
        made = []
        for organisation in organisations:
            suggestion = ranked.get(organisation.pk)
            invitation = MatchInvitation.objects.create(
                request=match_request,
                organisation=organisation,
                message=message,
                invited_by=actor,
                suggested_rank=suggestion.rank if suggestion else None,
                suggested_score=suggestion.score if suggestion else None,
            )
            audit(
                actor=actor,
                verb="match_invitation.create",
                target=invitation,
                data={"request": match_request.pk, "organisation": organisation.pk},
            )
            _notify(
                organisation,
                kind="matching.invited",
                message=lambda o=organisation: (
                    _(  # type: ignore[misc]
                        "%(requester)s invites %(invited)s to answer its request “%(title)s” "
                        "(%(themes)s)."
                    )
                    % {
                        "requester": match_request.organisation.name,
                        "invited": o.name,
                        "title": match_request.title,
                        # theme labels in the recipient's language
                        "themes": ", ".join(t.label for t in themes),
                    }
                ),
                url_name="matching:invitation-detail",
                url_kwargs={"pk": invitation.pk},
                actor=actor,
                target=_invitation_target(invitation),
            )
            made.append(invitation)
    return made


def _locked_invitation(invitation: MatchInvitation) -> MatchInvitation:
    return (
        MatchInvitation.objects.select_for_update()
        .select_related("request__organisation", "organisation")
        .get(pk=invitation.pk)
    )


def match_invitation_answer(
    *, actor: Any, invitation: MatchInvitation, accept: bool, note: str = ""
) -> MatchInvitation:
    """The invited organisation's editor accepts (creating a proposed partnership between the
    requester, as lead, and the invited organisation) or declines, saying why."""
    _require_signed_in(actor, _("Sign in to answer an invitation."))
    if not permissions.can_answer(actor, invitation):
        raise PermissionDenied(
            _("Only editors of %(org)s can answer for it.") % {"org": invitation.organisation}
        )
    note = _clean_note(note, "note")
    if not accept and not note:
        raise ApplicationError(_("Say why you decline."), field="note")
    with transaction.atomic():
        invitation = _locked_invitation(invitation)
        match_request = invitation.request
        if invitation.status != InvitationStatus.PENDING:
            raise Conflict(
                _("This invitation was already answered or withdrawn (%(status)s).")
                % {"status": invitation.get_status_display()},
                field="status",
            )
        _require_open(match_request)
        invitation.answered_by = actor
        invitation.answered_at = timezone.now()
        invitation.answer_note = note
        requester, invited = match_request.organisation, invitation.organisation
        title = match_request.title
        if accept:
            partnership = partnership_services.partnership_create(
                actor=actor,
                title=title,
                modality=match_request.modality,
                members=[
                    (requester, PartnershipMember.Role.LEAD.value),
                    (invited, PartnershipMember.Role.PARTNER.value),
                ],
                original_language=match_request.language,
                descriptions={match_request.language: match_request.text},
                themes=list(match_request.themes.all()),
            )
            invitation.status = InvitationStatus.ACCEPTED
            invitation.partnership = partnership
            invitation.save()
            audit(
                actor=actor,
                verb="match_invitation.accept",
                target=invitation,
                data={"partnership": partnership.pk},
            )
            _notify(
                requester,
                kind="matching.accepted",
                message=lambda: (
                    _(
                        "%(invited)s accepted your request “%(title)s”: a partnership "
                        "(%(modality)s) is proposed; confirm it on its page."
                    )
                    % {
                        "invited": invited.name,
                        "title": title,
                        # the modality's label in the recipient's language
                        "modality": partnership.get_modality_display(),
                    }
                ),
                url_name="partnerships:detail",
                url_kwargs={"slug": partnership.slug},
                actor=actor,
                target=_invitation_target(invitation),
            )
        else:
            invitation.status = InvitationStatus.DECLINED
            invitation.save()
            audit(actor=actor, verb="match_invitation.decline", target=invitation)
            _notify(
                requester,
                kind="matching.declined",
                message=lambda: (
                    _("%(invited)s declined your request “%(title)s”: %(reason)s")
                    % {"invited": invited.name, "title": title, "reason": note}
                ),
                url_name="matching:request-detail",
                url_kwargs={"pk": match_request.pk},
                actor=actor,
                target=_invitation_target(invitation),
            )
    return invitation


def _notify_withdrawn(invitation: MatchInvitation, match_request: MatchRequest, actor: Any) -> None:
    requester, title = match_request.organisation.name, match_request.title
    invited = invitation.organisation.name
    _notify(
        invitation.organisation,
        kind="matching.withdrawn",
        message=lambda: (
            _("%(requester)s withdrew its invitation to %(invited)s (“%(title)s”).")
            % {"requester": requester, "invited": invited, "title": title}
        ),
        url_name="matching:invitation-detail",
        url_kwargs={"pk": invitation.pk},
        actor=actor,
        target=_invitation_target(invitation),
    )


def match_invitation_withdraw(*, actor: Any, invitation: MatchInvitation) -> MatchInvitation:
    """The requester takes back an invitation that has not been answered yet."""
    _require_signed_in(actor, _("Sign in to withdraw an invitation."))
    if not permissions.can_manage(actor, invitation.request):
        raise PermissionDenied(
            _("Only editors of %(org)s can withdraw its invitations.")
            % {"org": invitation.request.organisation}
        )
    with transaction.atomic():
        invitation = _locked_invitation(invitation)
        if invitation.status != InvitationStatus.PENDING:
            raise Conflict(
                _("Only an invitation waiting for an answer can be withdrawn (this one: %(s)s).")
                % {"s": invitation.get_status_display()},
                field="status",
            )
        invitation.status = InvitationStatus.WITHDRAWN
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["status", "withdrawn_at"])
        audit(actor=actor, verb="match_invitation.withdraw", target=invitation)
        _notify_withdrawn(invitation, invitation.request, actor)
    return invitation
