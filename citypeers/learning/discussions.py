"""Writes of the discussions: communities of practice, threads and replies, mentions, helpful
answers, reports, and moderation (hide, lock, ban), with rate limits against spam.

Every function takes the acting user, checks permission (``permissions.py``), validates, and runs
in one transaction with an audit entry; every moderation step also writes a
:class:`ModerationAction` with its reason. Texts are Markdown, stored as written and rendered
through ``citypeers.knowledge.markdown.render`` (sanitised by nh3) wherever they are shown.

Rate limits: at most ``CITYPEERS_DISCUSSION_POSTS_PER_MINUTE`` posts (threads and replies
together) a minute and ``CITYPEERS_DISCUSSION_POSTS_PER_DAY`` a day per person, and
``CITYPEERS_DISCUSSION_REPORTS_PER_DAY`` reports; platform moderators are exempt. Past the limit
a :class:`TooManyRequests` (429) says how many seconds to wait (``retry_after``, sent as
``Retry-After``). The person's row is locked while counting, so parallel posts cannot slip past
the limit together.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from citypeers.accounts.audit import audit
from citypeers.accounts.models import OrganisationRole, User
from citypeers.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    TooManyRequests,
)
from citypeers.directory import permissions as directory_permissions
from citypeers.directory.models import ASSOCIATION_TYPES, Organisation, Theme
from citypeers.notifications.services import notify

from . import follows, permissions
from .models import (
    MAX_POST,
    Community,
    CommunityKind,
    DiscussionBan,
    Follow,
    ModerationAction,
    ModerationVerb,
    Reply,
    Report,
    ReportReason,
    ReportStatus,
    Thread,
)
from .services import _clean_language, _text

RESERVED_COMMUNITY_SLUGS = {"threads", "moderation", "new", "following", "unsubscribe", "bans"}
MAX_MENTIONS = 20
#: ``@username``: Django's username characters; not inside an e-mail address or a word.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]{1,150})")


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# --- communities -----------------------------------------------------------------------------


def theme_communities_ensure() -> int:
    """Make the community of every theme that has none yet (the taxonomy decides which exist);
    returns how many were made. One query when there is nothing to do."""
    missing = list(Theme.objects.filter(community__isnull=True))
    if not missing:
        return 0
    taken = set(Community.objects.values_list("slug", flat=True))
    made = []
    for theme in missing:
        slug = theme.slug if theme.slug not in taken | RESERVED_COMMUNITY_SLUGS else ""
        slug = slug or f"theme-{theme.slug}"
        taken.add(slug)
        made.append(Community(kind=CommunityKind.THEME, theme=theme, slug=slug))
    Community.objects.bulk_create(made, ignore_conflicts=True)
    return len(made)


def community_open(
    *, actor: Any, organisation: Organisation, description: str = "", is_demo: bool = False
) -> Community:
    """Open the community of a network or association (its editors and admins; moderators)."""
    if organisation.actor_type not in ASSOCIATION_TYPES:
        raise ApplicationError(
            _("Only networks and associations of local governments have a community."),
            field="organisation",
        )
    if not permissions.can_open_network_community(actor, organisation):
        raise PermissionDenied(_("Only the network's editors open its community."))
    description = _text(description, "description", 4000)
    with transaction.atomic():
        if Community.objects.filter(organisation=organisation).exists():
            raise Conflict(_("This network has a community already."), field="organisation")
        taken = set(
            Community.objects.filter(slug__startswith=organisation.slug[:200]).values_list(
                "slug", flat=True
            )
        )
        slug = organisation.slug[:200] or slugify(organisation.name)[:200] or "network"
        if slug in taken or slug in RESERVED_COMMUNITY_SLUGS:
            slug = f"{slug}-network"
        community = Community.objects.create(
            kind=CommunityKind.NETWORK,
            organisation=organisation,
            slug=slug,
            description=description,
            created_by=actor,
            is_demo=is_demo,
        )
        audit(actor=actor, verb="community.open", target=community)
    return community


# --- bans and rate limits --------------------------------------------------------------------


def active_ban(user: Any) -> DiscussionBan | None:
    if not permissions.is_signed_in(user):
        return None
    now = timezone.now()
    return (
        DiscussionBan.objects.filter(user=user, lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .order_by("-created_at")
        .first()
    )


def _refuse_banned(user: Any) -> None:
    ban = active_ban(user)
    if ban is None:
        return
    if ban.until is not None:
        raise PermissionDenied(
            _("You are banned from the discussions until %(until)s: %(reason)s")
            % {"until": formats.date_format(ban.until, "DATETIME_FORMAT"), "reason": ban.reason}
        )
    raise PermissionDenied(
        _("You are banned from the discussions: %(reason)s") % {"reason": ban.reason}
    )


def _wait(oldest: dt.datetime | None, window: dt.timedelta, now: dt.datetime) -> int:
    if oldest is None:
        return int(window.total_seconds())
    return max(1, math.ceil((oldest + window - now).total_seconds()))


def _check_post_rate(actor: Any) -> None:
    """Refuse a post past the per-minute or per-day limit (inside the caller's transaction)."""
    if permissions.is_platform_moderator(actor):
        return
    per_minute = _limit("CITYPEERS_DISCUSSION_POSTS_PER_MINUTE", 3)
    per_day = _limit("CITYPEERS_DISCUSSION_POSTS_PER_DAY", 50)
    now = timezone.now()
    minute, day = dt.timedelta(minutes=1), dt.timedelta(days=1)
    # Parallel posts of the same person wait here for each other, then count again.
    User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True).first()
    in_minute = in_day = 0
    oldest_minute: list[dt.datetime] = []
    oldest_day: list[dt.datetime] = []
    for model in (Thread, Reply):
        row = model.objects.filter(author=actor, created_at__gte=now - day).aggregate(
            day=Count("pk"),
            minute=Count("pk", filter=Q(created_at__gte=now - minute)),
            first_day=Min("created_at"),
            first_minute=Min("created_at", filter=Q(created_at__gte=now - minute)),
        )
        in_day += row["day"]
        in_minute += row["minute"]
        oldest_day += [row["first_day"]] if row["first_day"] else []
        oldest_minute += [row["first_minute"]] if row["first_minute"] else []
    if in_minute >= per_minute:
        wait = _wait(min(oldest_minute, default=None), minute, now)
        raise TooManyRequests(
            _("You are posting too fast (at most %(n)d posts a minute): try again in %(s)d s.")
            % {"n": per_minute, "s": wait},
            retry_after=wait,
        )
    if in_day >= per_day:
        wait = _wait(min(oldest_day, default=None), day, now)
        raise TooManyRequests(
            _("You have reached the limit of %(n)d posts a day: try again in %(h)d h.")
            % {"n": per_day, "h": max(1, round(wait / 3600))},
            retry_after=wait,
        )


# --- threads and replies ---------------------------------------------------------------------


def _mentioned(body: str, author: Any) -> list[Any]:
    names = []
    for match in MENTION.finditer(body):
        name = match.group(1).rstrip(".")
        if name and name not in names:
            names.append(name)
    if not names:
        return []
    users = User.objects.filter(username__in=names[:MAX_MENTIONS], is_active=True)
    return [u for u in users if u.pk != author.pk]


def _notify_mentions(post: Thread | Reply, thread: Thread, author: Any) -> None:
    people = _mentioned(post.body, author)
    if not people:
        return
    name, title = str(author), thread.title
    target = (
        ("learning.reply", post.pk) if isinstance(post, Reply) else ("learning.thread", post.pk)
    )
    notify(
        people,
        kind="learning.mention",
        message=lambda: (
            _("%(name)s mentioned you in “%(title)s”.") % {"name": name, "title": title}
        ),
        url=post.get_absolute_url(),
        actor=author,
        target=target,
    )


def _clean_body(body: Any) -> str:
    return _text(body, "body", MAX_POST, required=_("Write something."))


def thread_create(
    *,
    actor: Any,
    community: Community,
    title: str,
    body: str,
    language: str = "en",
    is_demo: bool = False,
) -> Thread:
    """Open a thread in a community; its author follows it, the people it mentions are told, and
    the followers of the community's theme or network hear of it."""
    if not permissions.is_signed_in(actor):
        raise PermissionDenied(_("Sign in to take part in the discussions."))
    _refuse_banned(actor)
    if not permissions.can_post_in(actor, community):
        raise PermissionDenied(_("Only the members of the network write in its community."))
    title = _text(title, "title", 200, required=_("Give the thread a title."))
    body = _clean_body(body)
    language = _clean_language(language)
    with transaction.atomic():
        _check_post_rate(actor)
        thread = Thread.objects.create(
            community=community,
            author=actor,
            title=title,
            body=body,
            language=language,
            last_activity_at=timezone.now(),
            is_demo=is_demo,
        )
        Follow.objects.get_or_create(user=actor, thread=thread)
        audit(actor=actor, verb="thread.create", target=thread)
        _notify_mentions(thread, thread, actor)
        follows.announce_thread(thread)
    return thread


def reply_create(*, actor: Any, thread: Thread, body: str, is_demo: bool = False) -> Reply:
    """Answer a thread (not a locked one, unless one moderates it); the replier then follows it."""
    if not permissions.is_signed_in(actor):
        raise PermissionDenied(_("Sign in to take part in the discussions."))
    if not permissions.can_view_thread(actor, thread):
        raise NotFound(_("No such thread."))
    _refuse_banned(actor)
    community = thread.community
    if thread.is_hidden:
        raise Conflict(_("The thread is hidden: it takes no replies."), field="thread")
    if thread.is_locked and not permissions.can_moderate(actor, community):
        raise Conflict(_("The thread is locked: it takes no more replies."), field="thread")
    if not permissions.can_reply(actor, thread):
        raise PermissionDenied(_("Only the members of the network write in its community."))
    body = _clean_body(body)
    with transaction.atomic():
        _check_post_rate(actor)
        reply = Reply.objects.create(thread=thread, author=actor, body=body, is_demo=is_demo)
        Thread.objects.filter(pk=thread.pk).update(last_activity_at=reply.created_at)
        Follow.objects.get_or_create(user=actor, thread=thread)
        audit(actor=actor, verb="reply.create", target=reply)
        _notify_mentions(reply, thread, actor)
        follows.announce_reply(reply)
    return reply


def reply_set_helpful(*, actor: Any, reply: Reply, helpful: bool = True) -> Reply:
    """Mark (or unmark) a reply as a helpful answer: the thread's author or its moderators."""
    thread = reply.thread
    if not permissions.can_mark_helpful(actor, thread):
        raise PermissionDenied(
            _("Only the author of the thread and its moderators mark a reply helpful.")
        )
    if reply.is_hidden:
        raise Conflict(_("A hidden reply cannot be marked helpful."), field="reply")
    if helpful == reply.is_helpful:
        return reply
    with transaction.atomic():
        reply.helpful_at = timezone.now() if helpful else None
        reply.helpful_by = actor if helpful else None
        reply.save(update_fields=["helpful_at", "helpful_by"])
        audit(actor=actor, verb="reply.helpful", target=reply, data={"helpful": helpful})
        if helpful and reply.author is not None:
            title = thread.title
            notify(
                [reply.author],
                kind="learning.helpful",
                message=lambda: (
                    _("Your reply in “%(title)s” was marked helpful.") % {"title": title}
                ),
                url=reply.get_absolute_url(),
                actor=actor,
                target=("learning.reply", reply.pk),
            )
    return reply


# --- reports ---------------------------------------------------------------------------------


def _moderators_of(community: Community) -> list[Any]:
    """Platform moderators, and the editors of the network for a network's community."""
    people = Q(is_active=True) & (Q(is_moderator=True) | Q(is_staff=True))
    if community.organisation_id is not None:
        editors = OrganisationRole.objects.filter(
            organisation_id=community.organisation_id,
            role__in=directory_permissions.EDIT_ROLES,
        ).values("user_id")
        people |= Q(is_active=True, pk__in=editors)
    return list(User.objects.filter(people).only("pk", "preferred_language", "is_active"))


def report_create(
    *, actor: Any, thread: Thread, reply: Reply | None = None, reason: str, details: str = ""
) -> Report:
    """Ask the moderators to look at a thread or a reply, with a reason."""
    if not permissions.is_signed_in(actor):
        raise PermissionDenied(_("Sign in to report."))
    if not permissions.can_view_thread(actor, thread) or (
        reply is not None
        and (reply.thread_id != thread.pk or not permissions.can_view_reply(actor, reply, thread))
    ):
        raise NotFound(_("No such post."))
    _refuse_banned(actor)
    if reason not in ReportReason.values:
        raise ApplicationError(_("Choose a reason."), field="reason")
    details = _text(details, "details", 2000)
    if reason == ReportReason.OTHER and not details:
        raise ApplicationError(_("Say what is wrong."), field="details")
    per_day = _limit("CITYPEERS_DISCUSSION_REPORTS_PER_DAY", 20)
    with transaction.atomic():
        since = timezone.now() - dt.timedelta(days=1)
        if (
            not permissions.is_platform_moderator(actor)
            and Report.objects.filter(reporter=actor, created_at__gte=since).count() >= per_day
        ):
            raise TooManyRequests(
                _("At most %(n)d reports a day: the moderators will look at the others first.")
                % {"n": per_day},
                retry_after=3600,
            )
        open_reports = Report.objects.filter(
            reporter=actor, thread=thread, reply=reply, status=ReportStatus.OPEN
        )
        if open_reports.exists():
            raise Conflict(_("You reported this already; the moderators will look at it."))
        report = Report.objects.create(
            reporter=actor, thread=thread, reply=reply, reason=reason, details=details
        )
        audit(actor=actor, verb="report.create", target=report, data={"reason": reason})
        label = ReportReason(reason).label
        notify(
            _moderators_of(thread.community),
            kind="learning.report",
            message=lambda: _("New report in the discussions: %(reason)s") % {"reason": label},
            url=reverse("learning:moderation"),
            actor=actor,
            target=("learning.report", report.pk),
        )
    return report


# --- moderation ------------------------------------------------------------------------------


def _clean_reason(reason: Any) -> str:
    return _text(reason, "reason", 2000, required=_("Give the reason: it is recorded."))


def _record(
    *,
    actor: Any,
    verb: str,
    reason: str,
    thread: Thread | None = None,
    reply: Reply | None = None,
    user: Any = None,
    report: Report | None = None,
) -> ModerationAction:
    action = ModerationAction.objects.create(
        moderator=actor,
        verb=verb,
        reason=reason,
        thread=thread,
        reply=reply,
        user=user,
        report=report,
    )
    target: Any = reply or thread or user or report
    audit(
        actor=actor,
        verb=f"discussion.{verb}",
        target=target,
        data={"reason": reason[:500], "action": action.pk},
    )
    return action


def _resolve_reports(*, actor: Any, thread: Thread, reply: Reply | None, reason: str) -> int:
    return Report.objects.filter(thread=thread, reply=reply, status=ReportStatus.OPEN).update(
        status=ReportStatus.RESOLVED,
        resolved_at=timezone.now(),
        resolved_by=actor,
        resolution=reason[:1000],
    )


def _tell_author(author: Any, actor: Any, url: str, message: Any, target: tuple[str, Any]) -> None:
    if author is not None:
        notify(
            [author],
            kind="learning.moderated",
            message=message,
            url=url,
            actor=actor,
            target=target,
        )


def thread_set_hidden(*, actor: Any, thread: Thread, hidden: bool, reason: str) -> Thread:
    """Hide a thread from everyone but its author and moderators (or show it again). Hiding
    settles the open reports on it."""
    if not permissions.can_moderate(actor, thread.community):
        raise PermissionDenied(_("Only the community's moderators hide threads."))
    if thread.is_hidden == hidden:
        raise Conflict(
            _("The thread is hidden already.") if hidden else _("The thread is not hidden."),
            field="hidden",
        )
    reason = _clean_reason(reason)
    with transaction.atomic():
        thread.is_hidden = hidden
        thread.hidden_reason = reason[:1000] if hidden else ""
        thread.save(update_fields=["is_hidden", "hidden_reason"])
        if hidden:
            _resolve_reports(actor=actor, thread=thread, reply=None, reason=reason)
        _record(
            actor=actor,
            verb=ModerationVerb.HIDE if hidden else ModerationVerb.UNHIDE,
            reason=reason,
            thread=thread,
            user=thread.author,
        )
        if hidden:
            title = thread.title
            _tell_author(
                thread.author,
                actor,
                thread.get_absolute_url(),
                lambda: (
                    _("The moderators hid your thread “%(title)s”: %(reason)s")
                    % {"title": title, "reason": reason}
                ),
                ("learning.thread", thread.pk),
            )
    return thread


def reply_set_hidden(*, actor: Any, reply: Reply, hidden: bool, reason: str) -> Reply:
    thread = reply.thread
    if not permissions.can_moderate(actor, thread.community):
        raise PermissionDenied(_("Only the community's moderators hide replies."))
    if reply.is_hidden == hidden:
        raise Conflict(
            _("The reply is hidden already.") if hidden else _("The reply is not hidden."),
            field="hidden",
        )
    reason = _clean_reason(reason)
    with transaction.atomic():
        reply.is_hidden = hidden
        reply.hidden_reason = reason[:1000] if hidden else ""
        update = ["is_hidden", "hidden_reason"]
        if hidden and reply.helpful_at is not None:
            reply.helpful_at, reply.helpful_by = None, None
            update += ["helpful_at", "helpful_by"]
        reply.save(update_fields=update)
        if hidden:
            _resolve_reports(actor=actor, thread=thread, reply=reply, reason=reason)
        _record(
            actor=actor,
            verb=ModerationVerb.HIDE if hidden else ModerationVerb.UNHIDE,
            reason=reason,
            thread=thread,
            reply=reply,
            user=reply.author,
        )
        if hidden:
            title = thread.title
            _tell_author(
                reply.author,
                actor,
                reply.get_absolute_url(),
                lambda: (
                    _("The moderators hid your reply in “%(title)s”: %(reason)s")
                    % {"title": title, "reason": reason}
                ),
                ("learning.reply", reply.pk),
            )
    return reply


def thread_set_locked(*, actor: Any, thread: Thread, locked: bool, reason: str) -> Thread:
    """Lock a thread (no more replies) or unlock it."""
    if not permissions.can_moderate(actor, thread.community):
        raise PermissionDenied(_("Only the community's moderators lock threads."))
    if thread.is_locked == locked:
        raise Conflict(
            _("The thread is locked already.") if locked else _("The thread is not locked."),
            field="locked",
        )
    reason = _clean_reason(reason)
    with transaction.atomic():
        thread.is_locked = locked
        thread.locked_reason = reason[:1000] if locked else ""
        thread.save(update_fields=["is_locked", "locked_reason"])
        _record(
            actor=actor,
            verb=ModerationVerb.LOCK if locked else ModerationVerb.UNLOCK,
            reason=reason,
            thread=thread,
        )
    return thread


def report_dismiss(*, actor: Any, report: Report, reason: str) -> Report:
    """Close a report without acting on the post (it breaks no rule)."""
    if not permissions.can_moderate(actor, report.thread.community):
        raise PermissionDenied(_("Only the community's moderators handle its reports."))
    if report.status != ReportStatus.OPEN:
        raise Conflict(_("This report is closed already."), field="report")
    reason = _clean_reason(reason)
    with transaction.atomic():
        report.status = ReportStatus.DISMISSED
        report.resolved_at = timezone.now()
        report.resolved_by = actor
        report.resolution = reason[:1000]
        report.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
        _record(
            actor=actor,
            verb=ModerationVerb.DISMISS,
            reason=reason,
            thread=report.thread,
            reply=report.reply,
            report=report,
        )
    return report


def user_ban(
    *, actor: Any, user: Any, reason: str, until: dt.datetime | None = None
) -> DiscussionBan:
    """Ban a person from posting and reporting in the discussions, for good or until a date."""
    if not permissions.can_ban(actor, user):
        raise PermissionDenied(
            _("Only platform moderators ban people, and never another moderator.")
        )
    reason = _clean_reason(reason)
    if until is not None:
        if timezone.is_naive(until):
            until = timezone.make_aware(until)
        if until <= timezone.now():
            raise ApplicationError(_("The end of the ban must be in the future."), field="until")
    with transaction.atomic():
        if active_ban(user) is not None:
            raise Conflict(_("This person is banned already."), field="user")
        ban = DiscussionBan.objects.create(user=user, reason=reason, until=until, created_by=actor)
        _record(actor=actor, verb=ModerationVerb.BAN, reason=reason, user=user)
        when = formats.date_format(until, "DATETIME_FORMAT") if until else ""
        notify(
            [user],
            kind="learning.banned",
            message=lambda: (
                _("You are banned from the discussions until %(until)s: %(reason)s")
                % {"until": when, "reason": reason}
                if when
                else _("You are banned from the discussions: %(reason)s") % {"reason": reason}
            ),
            actor=actor,
            target=("learning.discussionban", ban.pk),
        )
    return ban


def user_unban(*, actor: Any, user: Any, reason: str) -> DiscussionBan:
    if not permissions.can_ban(actor, user):
        raise PermissionDenied(_("Only platform moderators lift bans."))
    reason = _clean_reason(reason)
    with transaction.atomic():
        ban = active_ban(user)
        if ban is None:
            raise Conflict(_("This person is not banned."), field="user")
        ban.lifted_at = timezone.now()
        ban.lifted_by = actor
        ban.save(update_fields=["lifted_at", "lifted_by"])
        _record(actor=actor, verb=ModerationVerb.UNBAN, reason=reason, user=user)
    return ban
