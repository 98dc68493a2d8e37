"""Pages of the discussions (communities, threads and replies, reports and the moderator queue),
of follows ("what I follow", with the digest preference, and the follow buttons), and the
unsubscribe page that e-mail digests link to.

Each view parses input with a form, calls one service (or selectors) and renders. A rule broken in
a service is shown next to the field it names, with the error's status (400, 403, 409, 429); a
button without a form page lets it reach the middleware, which renders it with its status.
htmx: the thread search of a community asks for its results only; the follow buttons and the
"helpful" button swap themselves.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citypeers.accounts.models import User
from citypeers.core.errors import ApplicationError, NotFound
from citypeers.core.htmx import is_htmx
from citypeers.core.responses import render_refused
from citypeers.core.translation import active_language
from citypeers.directory import permissions as directory_permissions
from citypeers.directory import selectors as directory_selectors
from citypeers.directory.models import ASSOCIATION_TYPES, Organisation, Theme
from citypeers.notifications import selectors as notification_selectors
from citypeers.notifications import services as notification_services

from . import digests, discussions, follows, permissions, selectors
from .forms import (
    BanForm,
    CommunityOpenForm,
    DigestForm,
    FollowButtonForm,
    FollowOrganisationForm,
    FollowThemesForm,
    ReasonForm,
    ReplyForm,
    ReportActionForm,
    ReportForm,
    ThreadForm,
    ThreadSearchForm,
)
from .models import Community, Event, Reply, Thread

PAGE_SIZE = 20


def _http404(exc: NotFound) -> Http404:
    return Http404(exc.message)


def _form_error(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    form: forms.Form,
    error: ApplicationError,
) -> HttpResponse:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
    return render_refused(request, template, context, error)


def _status(form: forms.Form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _community(slug: str) -> Community:
    try:
        return selectors.community_get(slug=slug)
    except NotFound as exc:
        raise _http404(exc) from exc


def _thread(request: HttpRequest, pk: int) -> Thread:
    try:
        return selectors.thread_get(pk=pk, user=request.user)
    except NotFound as exc:
        raise _http404(exc) from exc


def _reply(request: HttpRequest, pk: int) -> Reply:
    try:
        return selectors.reply_get(pk=pk, user=request.user)
    except NotFound as exc:
        raise _http404(exc) from exc


def _safe_next(request: HttpRequest, value: str, fallback: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return fallback


# --- communities -----------------------------------------------------------------------------


@require_GET
def community_list(request: HttpRequest) -> HttpResponse:
    """The communities of practice: one per theme, and those of networks."""
    discussions.theme_communities_ensure()
    rows = selectors.community_list()
    followed = selectors.followed_ids(user=request.user)
    context = {
        "themes": [r for r in rows if r.community.kind == "theme"],
        "networks": [r for r in rows if r.community.kind == "network"],
        "followed": followed,
        "can_open": bool(_networks_to_open(request)),
        "can_moderate": permissions.can_see_queue(request.user),
    }
    return render(request, "learning/communities.html", context)


def _follow_state(request: HttpRequest, community: Community) -> dict[str, Any] | None:
    if community.theme is not None:
        kind, target_id = "theme", community.theme_id
    elif community.organisation is not None:
        kind, target_id = "organisation", community.organisation_id
    else:
        return None
    return {
        "kind": kind,
        "id": target_id,
        "following": selectors.is_following(user=request.user, **{f"{kind}_id": target_id}),
    }


@require_GET
def community_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's threads, latest activity first; htmx asks for the results of a search."""
    community = _community(slug)
    form = ThreadSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    threads = selectors.thread_list(community=community, user=request.user, q=q)
    page = Paginator(threads, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "community": community,
        "page": page,
        "form": form,
        "q": q,
        "follow": _follow_state(request, community),
        "can_post": permissions.can_post_in(request.user, community),
        "can_moderate": permissions.can_moderate(request.user, community),
        "signed_in": directory_permissions.is_signed_in(request.user),
    }
    if is_htmx(request) and not request.htmx.history_restore_request:  # type: ignore[attr-defined]
        response = render(request, "learning/_threads.html", context)
    else:
        response = render(request, "learning/community.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _networks_to_open(request: HttpRequest) -> list[Organisation]:
    if not directory_permissions.is_signed_in(request.user):
        return []
    roles = directory_selectors.organisations_of_user(user_id=int(request.user.pk or 0))
    return [
        r.organisation
        for r in roles
        if r.role in directory_permissions.EDIT_ROLES
        and r.organisation.actor_type in ASSOCIATION_TYPES
        and not Community.objects.filter(organisation=r.organisation).exists()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def community_open(request: HttpRequest) -> HttpResponse:
    """Open the community of a network one edits for."""
    networks = _networks_to_open(request)
    directory_permissions.require(
        bool(networks), _("Only the editors of a network without a community open one.")
    )
    form = CommunityOpenForm(
        request.POST if request.method == "POST" else None, organisations=networks
    )
    template, context = "learning/community_open.html", {"form": form}
    if form.is_bound and form.is_valid():
        try:
            community = discussions.community_open(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                description=form.cleaned_data["description"],
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("The community is open."))
        return redirect(community)
    return render(request, template, context, status=_status(form))


# --- threads ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def thread_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(slug)
    directory_permissions.require(
        permissions.can_post_in(request.user, community),
        _("Only the members of the network write in its community."),
    )
    ban = discussions.active_ban(request.user)
    data = request.POST if request.method == "POST" else None
    form = ThreadForm(data, initial={"language": active_language()})
    template = "learning/thread_form.html"
    context = {"form": form, "community": community, "ban": ban}
    if data is not None and form.is_valid():
        try:
            thread = discussions.thread_create(
                actor=request.user, community=community, **form.cleaned_data
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(
            request, _("Your thread is open. You follow it: replies will be told to you.")
        )
        return redirect(thread)
    return render(request, template, context, status=_status(form))


def _thread_context(request: HttpRequest, thread: Thread, form: ReplyForm | None) -> dict[str, Any]:
    user = request.user
    community = thread.community
    replies = list(selectors.reply_list(thread=thread, user=user))
    return {
        "thread": thread,
        "community": community,
        "replies": replies,
        "form": form or ReplyForm(),
        "can_reply": permissions.can_reply(user, thread),
        "can_moderate": permissions.can_moderate(user, community),
        "can_mark_helpful": permissions.can_mark_helpful(user, thread),
        "can_ban": directory_permissions.is_platform_moderator(user),
        "signed_in": directory_permissions.is_signed_in(user),
        "ban": discussions.active_ban(user),
        "follow": {
            "kind": "thread",
            "id": thread.pk,
            "following": selectors.is_following(user=user, thread_id=thread.pk),
        },
        "log": list(selectors.moderation_log(thread=thread, limit=20))
        if permissions.can_moderate(user, community)
        else [],
    }


@require_GET
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread(request, pk)
    return render(request, "learning/thread.html", _thread_context(request, thread, None))


@login_required
@require_POST
def reply_create(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            reply = discussions.reply_create(
                actor=request.user, thread=thread, body=form.cleaned_data["body"]
            )
        except ApplicationError as exc:
            form.add_error("body" if exc.field in (None, "body") else None, exc.message)
            context = _thread_context(request, thread, form)
            return render_refused(request, "learning/thread.html", context, exc)
        messages.success(request, _("Your reply is posted."))
        return redirect(reply.get_absolute_url())
    context = _thread_context(request, thread, form)
    return render(request, "learning/thread.html", context, status=400)


@login_required
@require_POST
def reply_helpful(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark or unmark a reply helpful; htmx gets the reply back, a plain form the thread."""
    reply = _reply(request, pk)
    helpful = request.POST.get("helpful", "1") == "1"
    reply = discussions.reply_set_helpful(actor=request.user, reply=reply, helpful=helpful)
    if is_htmx(request):
        context = {
            "reply": reply,
            "thread": reply.thread,
            "can_moderate": permissions.can_moderate(request.user, reply.thread.community),
            "can_mark_helpful": True,
            "signed_in": True,
        }
        return render(request, "learning/_reply.html", context)
    return redirect(reply.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a thread, or one of its replies (``?reply=<id>``)."""
    thread = _thread(request, pk)
    reply = None
    reply_id = request.GET.get("reply") or request.POST.get("reply")
    if reply_id:
        if not str(reply_id).isdigit():
            raise Http404
        reply = _reply(request, int(reply_id))
        if reply.thread_id != thread.pk:
            raise Http404
    form = ReportForm(request.POST if request.method == "POST" else None)
    template = "learning/report_form.html"
    context = {"form": form, "thread": thread, "reply": reply}
    if form.is_bound and form.is_valid():
        try:
            discussions.report_create(
                actor=request.user, thread=thread, reply=reply, **form.cleaned_data
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("Thank you: the moderators will look at it."))
        return redirect(reply.get_absolute_url() if reply else thread.get_absolute_url())
    return render(request, template, context, status=_status(form))


# --- moderation ------------------------------------------------------------------------------

MODERATION_ACTIONS = {
    "hide": (_("Hide the thread"), "hidden", True),
    "unhide": (_("Show the thread again"), "hidden", False),
    "lock": (_("Lock the thread"), "locked", True),
    "unlock": (_("Unlock the thread"), "locked", False),
}
REPLY_ACTIONS = {
    "hide": (_("Hide the reply"), True),
    "unhide": (_("Show the reply again"), False),
}


@login_required
@require_http_methods(["GET", "POST"])
def thread_moderate(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    thread = _thread(request, pk)
    if action not in MODERATION_ACTIONS:
        raise Http404
    directory_permissions.require(
        permissions.can_moderate(request.user, thread.community),
        _("Only the community's moderators do this."),
    )
    title, what, value = MODERATION_ACTIONS[action]
    form = ReasonForm(request.POST if request.method == "POST" else None)
    template = "learning/moderate_form.html"
    context = {"form": form, "thread": thread, "reply": None, "title": title}
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if what == "hidden":
                discussions.thread_set_hidden(
                    actor=request.user, thread=thread, hidden=value, reason=reason
                )
            else:
                discussions.thread_set_locked(
                    actor=request.user, thread=thread, locked=value, reason=reason
                )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("Done; the reason is recorded."))
        return redirect(thread)
    return render(request, template, context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def reply_moderate(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    reply = _reply(request, pk)
    if action not in REPLY_ACTIONS:
        raise Http404
    thread = reply.thread
    directory_permissions.require(
        permissions.can_moderate(request.user, thread.community),
        _("Only the community's moderators do this."),
    )
    title, hidden = REPLY_ACTIONS[action]
    form = ReasonForm(request.POST if request.method == "POST" else None)
    template = "learning/moderate_form.html"
    context = {"form": form, "thread": thread, "reply": reply, "title": title}
    if form.is_bound and form.is_valid():
        try:
            discussions.reply_set_hidden(
                actor=request.user, reply=reply, hidden=hidden, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("Done; the reason is recorded."))
        return redirect(reply.get_absolute_url())
    return render(request, template, context, status=_status(form))


@login_required
@require_GET
def moderation_queue(request: HttpRequest) -> HttpResponse:
    """Open reports in the communities one moderates, oldest first; bans; recent actions."""
    directory_permissions.require(
        permissions.can_see_queue(request.user), _("Only moderators see the queue.")
    )
    page = Paginator(selectors.report_queue(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    platform = directory_permissions.is_platform_moderator(request.user)
    context = {
        "page": page,
        "bans": list(selectors.active_bans()[:50]) if platform else [],
        "log": list(selectors.moderation_log(limit=30)) if platform else [],
        "platform": platform,
    }
    return render(request, "learning/moderation.html", context)


@login_required
@require_POST
def report_act(request: HttpRequest, pk: int) -> HttpResponse:
    """From the queue: hide the reported post (which settles the report) or dismiss the report."""
    try:
        report = selectors.report_get(pk=pk, user=request.user)
    except NotFound as exc:
        raise _http404(exc) from exc
    form = ReportActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason: it is recorded."))
        return redirect("learning:moderation")
    reason = form.cleaned_data["reason"]
    if form.cleaned_data["action"] == "dismiss":
        discussions.report_dismiss(actor=request.user, report=report, reason=reason)
        messages.success(request, _("The report is dismissed."))
    elif report.reply is not None:
        discussions.reply_set_hidden(
            actor=request.user, reply=report.reply, hidden=True, reason=reason
        )
        messages.success(request, _("The reply is hidden."))
    else:
        discussions.thread_set_hidden(
            actor=request.user, thread=report.thread, hidden=True, reason=reason
        )
        messages.success(request, _("The thread is hidden."))
    return redirect("learning:moderation")


@login_required
@require_http_methods(["GET", "POST"])
def user_ban(request: HttpRequest, pk: int) -> HttpResponse:
    """Ban a person from the discussions (with a reason, until a date or for good), or lift it."""
    directory_permissions.require(
        directory_permissions.is_platform_moderator(request.user),
        _("Only platform moderators ban people."),
    )
    person = User.objects.filter(pk=pk, is_active=True).first()
    if person is None:
        raise Http404
    ban = discussions.active_ban(person)
    form: forms.Form = (ReasonForm if ban else BanForm)(
        request.POST if request.method == "POST" else None
    )
    template = "learning/ban_form.html"
    context = {"form": form, "person": person, "ban": ban}
    if form.is_bound and form.is_valid():
        try:
            if ban is not None:
                discussions.user_unban(
                    actor=request.user, user=person, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("The ban is lifted."))
            else:
                discussions.user_ban(
                    actor=request.user,
                    user=person,
                    reason=form.cleaned_data["reason"],
                    until=form.cleaned_data.get("until"),
                )
                messages.success(request, _("The person is banned from the discussions."))
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        return redirect("learning:moderation")
    return render(request, template, context, status=_status(form))


# --- follows and digests ---------------------------------------------------------------------


def _follow_target(kind: str, pk: int, user: Any) -> Any:
    if kind == "theme":
        found: Any = Theme.objects.filter(pk=pk).first()
    elif kind == "organisation":
        found = Organisation.objects.filter(pk=pk).first()
    elif kind == "event":
        found = Event.objects.filter(pk=pk).first()
        if found is not None and not permissions.can_view_event(user, found):
            found = None
    else:
        found = Thread.objects.select_related("community").filter(pk=pk).first()
        if found is not None and not permissions.can_view_thread(user, found):
            found = None
    if found is None:
        raise Http404
    return found


@login_required
@require_POST
def follow_toggle(request: HttpRequest) -> HttpResponse:
    """Follow or unfollow a theme, an organisation, an event or a thread; htmx gets the button
    back, a plain form goes back where it came from."""
    form = FollowButtonForm(request.POST)
    if not form.is_valid():
        raise Http404
    kind, pk = form.cleaned_data["kind"], form.cleaned_data["id"]
    target = _follow_target(kind, pk, request.user)
    if form.cleaned_data["action"] == "follow":
        follows.follow(actor=request.user, **{kind: target})
        following = True
    else:
        follows.unfollow(actor=request.user, **{kind: target})
        following = False
    back = _safe_next(request, form.cleaned_data.get("next") or "", reverse("learning:following"))
    if is_htmx(request):
        return render(
            request,
            "learning/_follow_button.html",
            {"follow": {"kind": kind, "id": pk, "following": following}, "next": back},
        )
    messages.success(
        request, _("You follow it now.") if following else _("You no longer follow it.")
    )
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def following(request: HttpRequest) -> HttpResponse:
    """What I follow, the themes to follow, an organisation to follow, and my e-mail digest."""
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    current = list(selectors.follows_of(user=user))
    followed_themes = [f.theme.slug for f in current if f.theme is not None]
    digest_form = DigestForm(
        request.POST if action == "digest" else None,
        initial={"frequency": notification_selectors.digest_frequency_of(user)},
    )
    themes_form = FollowThemesForm(
        request.POST if action == "themes" else None, initial={"themes": followed_themes}
    )
    organisation_form = FollowOrganisationForm(request.POST if action == "organisation" else None)
    status = 200
    if action == "digest":
        if digest_form.is_valid():
            notification_services.digest_preference_set(
                actor=user, frequency=digest_form.cleaned_data["frequency"]
            )
            messages.success(request, _("Your e-mail digest is saved."))
            return redirect("learning:following")
        status = 400
    elif action == "themes":
        if themes_form.is_valid():
            wanted = set(themes_form.cleaned_data["themes"])
            for theme in Theme.objects.all():
                if theme.slug in wanted and theme.slug not in followed_themes:
                    follows.follow(actor=user, theme=theme)
                elif theme.slug not in wanted and theme.slug in followed_themes:
                    follows.unfollow(actor=user, theme=theme)
            messages.success(request, _("The themes you follow are saved."))
            return redirect("learning:following")
        status = 400
    elif action == "organisation":
        if organisation_form.is_valid():
            follows.follow(actor=user, organisation=organisation_form.cleaned_data["organisation"])
            messages.success(request, _("You follow it now."))
            return redirect("learning:following")
        status = 400
    grouped: dict[str, list[Any]] = {"organisation": [], "event": [], "thread": []}
    for f in current:
        kind = f.target_kind
        if kind in grouped:
            button = {"kind": kind, "id": getattr(f, f"{kind}_id"), "following": True}
            grouped[kind].append((f, button))
    context = {
        "digest_form": digest_form,
        "themes_form": themes_form,
        "organisation_form": organisation_form,
        "grouped": grouped,
        "has_email": bool(getattr(user, "email", "")),
    }
    return render(request, "learning/following.html", context, status=status)


@csrf_exempt  # The signed token authorises the change; mail clients post here without a form.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop the e-mail digest from a link in it, without signing in.

    GET only shows the question with a button (mail scanners follow links: a GET changes
    nothing); POST — the button, or the mail client's one-click ``List-Unsubscribe-Post`` —
    stops it. A forged or broken token is refused."""
    user_id = digests.unsubscribe_user_id(token)
    person = User.objects.filter(pk=user_id).first() if user_id is not None else None
    if person is None:
        return render(request, "learning/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        notification_services.digest_unsubscribe(user_id=person.pk)
        done = True
    context = {
        "invalid": False,
        "done": done,
        "person": person,
        "frequency": notification_selectors.digest_frequency_of(person),
        "when": timezone.now(),
    }
    return render(request, "learning/unsubscribe.html", context)
