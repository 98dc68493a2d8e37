"""Match-request pages: the list of open requests, a request's page with its suggestions and
invitations, posting and editing a request, inviting, answering, withdrawing, closing, and the
signed-in person's own requests and invitations.

Each view parses input with a form, calls one service (or selectors) and renders. A rule broken
in a service comes back as an :class:`ApplicationError`: on a form it is shown next to the field
it names, with the error's status (400, 403 or 409); elsewhere the error middleware renders it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from citypeers.core.errors import ApplicationError, Conflict, NotFound
from citypeers.core.htmx import is_htmx
from citypeers.directory import permissions as directory_permissions
from citypeers.directory import selectors as directory_selectors
from citypeers.directory.forms import language_name
from citypeers.directory.models import Organisation

from . import permissions, selectors, services
from .forms import AnswerForm, CloseForm, InviteForm, RequestFilterForm, RequestForm
from .models import InvitationStatus, MatchInvitation, MatchRequest

PAGE_SIZE = 20


def _get(request: HttpRequest, pk: int) -> MatchRequest:
    """The request with everything its page shows; 404 when the reader may not see it."""
    try:
        match_request = selectors.request_get(pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not permissions.can_view(request.user, match_request):
        raise Http404(_("No match request with id %(id)d.") % {"id": pk})
    return match_request


def _invitation_any(pk: int) -> MatchInvitation:
    """The invitation, whoever asks (writes: permission is checked before anything is shown)."""
    try:
        return selectors.invitation_get(pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _invitation(request: HttpRequest, pk: int) -> MatchInvitation:
    """The invitation if the reader is on one of its two sides (or a moderator), else 404."""
    invitation = _invitation_any(pk)
    if not permissions.can_view_invitation(request.user, invitation):
        raise Http404(_("No invitation with id %(id)d.") % {"id": pk})
    return invitation


def _fragment_only(request: HttpRequest) -> bool:
    """An htmx request for the fragment; a history restore needs the whole page."""
    return is_htmx(request) and not request.htmx.history_restore_request  # type: ignore[attr-defined]


def _status(form: forms.Form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _form_error(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    form: forms.Form,
    error: ApplicationError,
    aliases: dict[str, str] | None = None,
) -> HttpResponse:
    """Re-render ``template`` with the service's error next to the field it names."""
    field = (aliases or {}).get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)
    return render(request, template, context, status=error.status)


def _own_organisations(request: HttpRequest) -> list[Organisation]:
    """The organisations the signed-in user may post requests for."""
    roles = directory_selectors.organisations_of_user(user_id=int(request.user.pk or 0))
    return [r.organisation for r in roles if r.role in directory_permissions.EDIT_ROLES]


# The list


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """Open requests with their filters; htmx asks for the results fragment alone."""
    form = RequestFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    page = Paginator(selectors.request_list(form.filters(), user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [v for v in values if v]
        if kept and key in form.fields:
            query.setlist(key, kept)
    context = {"page": page, "form": form, "query": query}
    if not _fragment_only(request):
        response = render(request, "matching/request_list.html", context)
    else:
        response = render(request, "matching/request_list_results.html", context)
        shown = query.copy()
        if page.number > 1:
            shown["page"] = str(page.number)
        push_url(response, f"{request.path}?{shown.urlencode()}" if shown else request.path)
    patch_vary_headers(response, ("HX-Request",))
    return response


# A request's page and its suggestions


@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    match_request = _get(request, pk)
    user = request.user
    invitations = selectors.invitations_visible(match_request, user)
    context = {
        "match_request": match_request,
        "invitations": invitations,
        "answerable": [
            i
            for i in invitations
            if i.is_pending and match_request.is_open and permissions.can_answer(user, i)
        ],
        "can_manage": match_request.is_open and permissions.can_manage(user, match_request),
        "can_close": match_request.is_open and permissions.can_close(user, match_request),
        "sees_all": permissions.sees_all_invitations(user, match_request),
        "text_language": language_name(match_request.language),
        "languages": [language_name(code) for code in match_request.languages],
    }
    return render(request, "matching/request_detail.html", context)


@require_GET
def request_suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    """The peers the engine suggests for a request, with their reasons, and the practices that
    address its need: a page, or (for htmx) the fragment the request's page loads into itself."""
    match_request = _get(request, pk)
    matches = selectors.request_matches(match_request)
    context = {
        "match_request": match_request,
        "suggestions": matches.peers,
        "practices": matches.practices,
        "can_manage": match_request.is_open and permissions.can_manage(request.user, match_request),
    }
    if _fragment_only(request):
        response = render(request, "matching/request_suggestions_results.html", context)
    else:
        response = render(request, "matching/request_suggestions.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# Posting, editing and closing a request


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    own = _own_organisations(request)
    data = request.POST if request.method == "POST" else None
    initial = {"language": getattr(request.user, "preferred_language", "") or ""}
    form = RequestForm(data, own=[(o.slug, o.name) for o in own], initial=initial)
    template = "matching/request_form.html"
    context = {"form": form, "match_request": None, "own": own}
    if data is not None and form.is_valid():
        d = form.cleaned_data
        try:
            match_request = services.match_request_create(
                actor=request.user,
                organisation=next(o for o in own if o.slug == d["organisation"]),
                title=d["title"],
                text=d["text"],
                language=d["language"],
                themes=d["themes"],
                regions=d["regions"],
                countries=d["countries"],
                languages=d["languages"],
                modality=d["modality"],
                mode=d["mode"],
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(
            request,
            _("Your request is posted. Invite some of the peers suggested below, or others."),
        )
        return redirect(match_request)
    return render(request, template, context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    match_request = _get(request, pk)
    directory_permissions.require(
        permissions.can_manage(request.user, match_request),
        _("Only editors of %(org)s can change its request.") % {"org": match_request.organisation},
    )
    data = request.POST if request.method == "POST" else None
    form = RequestForm(data, initial=RequestForm.initial_from(match_request))
    template = "matching/request_form.html"
    context = {"form": form, "match_request": match_request, "own": []}
    if data is not None and form.is_valid():
        d = form.cleaned_data
        try:
            services.match_request_update(
                actor=request.user,
                match_request=match_request,
                title=d["title"],
                text=d["text"],
                language=d["language"],
                themes=d["themes"],
                regions=d["regions"],
                countries=d["countries"],
                languages=d["languages"],
                modality=d["modality"],
                mode=d["mode"],
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("Your changes are saved."))
        return redirect(match_request)
    return render(request, template, context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def request_close(request: HttpRequest, pk: int) -> HttpResponse:
    match_request = _get(request, pk)
    directory_permissions.require(
        permissions.can_close(request.user, match_request),
        _("Only editors of %(org)s or a moderator can close this request.")
        % {"org": match_request.organisation},
    )
    data = request.POST if request.method == "POST" else None
    form = CloseForm(data)
    template = "matching/request_close.html"
    context = {"form": form, "match_request": match_request}
    if data is not None and form.is_valid():
        try:
            services.match_request_close(
                actor=request.user, match_request=match_request, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("The request is closed."))
        return redirect(match_request)
    return render(request, template, context, status=_status(form))


# Inviting


def _organisation_names(slugs: list[str]) -> dict[str, str]:
    slugs = [s for s in slugs if s]
    if not slugs:
        return {}
    return dict(Organisation.objects.filter(slug__in=slugs).values_list("slug", "name"))


def _suggestion_label(s: selectors.SuggestedPeer) -> str:
    place = s.organisation.country.name if s.organisation.country else _("International")
    return _("%(name)s (%(place)s) — suggested #%(rank)d") % {
        "name": s.organisation.name,
        "place": place,
        "rank": s.rank,
    }


@login_required
@require_http_methods(["GET", "POST"])
def request_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite organisations: tick some of the suggestions, or find one by name."""
    match_request = _get(request, pk)
    directory_permissions.require(
        permissions.can_manage(request.user, match_request),
        _("Only editors of %(org)s can invite organisations to its request.")
        % {"org": match_request.organisation},
    )
    if not match_request.is_open:
        raise Conflict(_("This request is closed."), field="status")
    suggestions = selectors.request_suggestions(match_request)
    open_ = [s for s in suggestions if s.invitation is None]
    data = request.POST if request.method == "POST" else None
    initial = {}
    if data is None and request.GET.get("organisation"):
        initial["suggested"] = [request.GET["organisation"][:220]]
    form = InviteForm(
        data,
        suggested=[(s.organisation.slug, _suggestion_label(s)) for s in open_],
        names=_organisation_names([data.get("organisation", "")] if data else []),
        initial=initial,
    )
    template = "matching/request_invite.html"
    context = {"form": form, "match_request": match_request, "suggestions": suggestions}
    if data is not None and form.is_valid():
        slugs = form.chosen_slugs()
        found = Organisation.objects.in_bulk(slugs, field_name="slug")
        try:
            if len(found) != len(slugs):
                raise ApplicationError(
                    _("Choose the organisation in the list."), field="organisation"
                )
            made = services.match_invitation_create(
                actor=request.user,
                match_request=match_request,
                organisations=[found[s] for s in slugs],
                message=form.cleaned_data["message"],
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(
            request,
            ngettext(
                "%(n)d organisation is invited: its editors can accept or decline.",
                "%(n)d organisations are invited: their editors can accept or decline.",
                len(made),
            )
            % {"n": len(made)},
        )
        return redirect(match_request)
    return render(request, template, context, status=_status(form))


@require_GET
def request_lookup(request: HttpRequest) -> HttpResponse:
    """The invite form's organisation list, filled with the matches of its search box."""
    q = request.GET.get("organisation_search", "").strip()[:200]
    found = (
        list(
            directory_selectors.organisation_list(directory_selectors.OrganisationFilters(q=q))[:15]
        )
        if q
        else []
    )
    form = InviteForm()
    choices = [
        (o.slug, f"{o.name} ({o.country.name if o.country else o.get_actor_type_display()})")
        for o in found
    ]
    form.fields["organisation"].widget.choices = [("", "—"), *choices]
    if choices:
        form.initial["organisation"] = choices[0][0]
    return render(
        request,
        "directory/_field.html",
        {"field": form["organisation"], "found": len(choices)},
    )


# Invitations: reading, answering, withdrawing


@login_required
@require_GET
def invitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation(request, pk)
    return render(
        request,
        "matching/request_invitation.html",
        {
            "invitation": invitation,
            "match_request": invitation.request,
            "form": AnswerForm(),
            **_invitation_rights(request, invitation),
        },
    )


def _invitation_rights(request: HttpRequest, invitation: MatchInvitation) -> dict[str, bool]:
    waiting = invitation.is_pending and invitation.request.is_open
    return {
        "can_answer": waiting and permissions.can_answer(request.user, invitation),
        "can_withdraw": invitation.is_pending
        and permissions.can_manage(request.user, invitation.request),
    }


@login_required
@require_POST
def invitation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation_any(pk)
    directory_permissions.require(
        permissions.can_answer(request.user, invitation),
        _("Only editors of %(org)s can answer for it.") % {"org": invitation.organisation},
    )
    form = AnswerForm(request.POST)
    context = {
        "invitation": invitation,
        "match_request": invitation.request,
        "form": form,
        **_invitation_rights(request, invitation),
    }
    template = "matching/request_invitation.html"
    if not form.is_valid():
        return render(request, template, context, status=400)
    accept = form.cleaned_data["answer"] == "accept"
    try:
        invitation = services.match_invitation_answer(
            actor=request.user, invitation=invitation, accept=accept, note=form.cleaned_data["note"]
        )
    except ApplicationError as exc:
        return _form_error(request, template, context, form, exc)
    if accept and invitation.partnership is not None:
        messages.success(
            request,
            _(
                "You accepted. A partnership between %(requester)s and %(invited)s is proposed: "
                "%(requester)s confirms it on this page."
            )
            % {"requester": invitation.request.organisation, "invited": invitation.organisation},
        )
        return redirect(invitation.partnership)
    messages.success(request, _("You declined the invitation; the requester is told why."))
    return redirect("matching:request-mine")


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation_any(pk)
    services.match_invitation_withdraw(actor=request.user, invitation=invitation)
    messages.success(
        request, _("The invitation to %(org)s is withdrawn.") % {"org": invitation.organisation}
    )
    return redirect(invitation.request)


# The signed-in person's requests and invitations


@login_required
@require_GET
def request_mine(request: HttpRequest) -> HttpResponse:
    own = _own_organisations(request)
    received = list(selectors.invitations_received(user=request.user))
    return render(
        request,
        "matching/request_mine.html",
        {
            "own": own,
            "requests": list(selectors.requests_of_user(user=request.user)),
            "waiting": [i for i in received if i.status == InvitationStatus.PENDING],
            "answered": [i for i in received if i.status != InvitationStatus.PENDING],
        },
    )
