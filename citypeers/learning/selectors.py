"""Reads of the learning forum (events, registrations, notes, news, discussions, follows); each
chooses its joins so lists keep a fixed query count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from citypeers.accounts.models import OrganisationRole
from citypeers.core.errors import NotFound
from citypeers.directory import permissions as directory_permissions
from citypeers.knowledge import permissions as knowledge_permissions
from citypeers.knowledge.models import Practice

from . import permissions
from .models import (
    AgendaItem,
    AttendanceMode,
    CalendarToken,
    Community,
    DiscussionBan,
    Event,
    EventStatus,
    Follow,
    LearningNote,
    ModerationAction,
    NewsArticle,
    NewsStatus,
    NewsText,
    Registration,
    RegistrationStatus,
    Reply,
    Report,
    ReportStatus,
    Thread,
    Visibility,
)

#: How far back calendar feeds reach (future events are all included).
FEED_PAST_DAYS = 365
FEED_SIZE = 500


@dataclass(frozen=True)
class EventFilters:
    kind: str = ""
    theme: str = ""  # slug
    when: str = ""  # "upcoming", "past" or "" for both
    online: bool | None = None  # True: online or hybrid; False: on site or hybrid
    organisation: int | None = None
    q: str = ""


def _member_organisations(user: Any) -> Q:
    """Events one of whose organisers the user has a role in, or whose member organisation."""
    today = dt.date.today()
    roles = OrganisationRole.objects.filter(user=user)
    direct = roles.values("organisation_id")
    via_members = roles.filter(
        Q(organisation__memberships__end_date__isnull=True)
        | Q(organisation__memberships__end_date__gte=today)
    ).values("organisation__memberships__parent_id")
    return Q(organisers__in=direct) | Q(organisers__in=via_members)


def visible_events(user: Any = None) -> QuerySet[Event]:
    """Events ``user`` may see in lists: listed public events, listed members-only events of
    which they are a member, and drafts they edit."""
    qs = Event.objects.all()
    if directory_permissions.is_platform_moderator(user):
        return qs
    visible = Q(
        status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED], visibility=Visibility.PUBLIC
    )
    if directory_permissions.is_signed_in(user):
        edits = Q(
            organisers__in=OrganisationRole.objects.filter(
                user=user, role__in=directory_permissions.EDIT_ROLES
            ).values("organisation_id")
        )
        members = Q(status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED]) & (
            _member_organisations(user)
        )
        visible |= edits | members
        ids = Event.objects.filter(visible).values("pk")
        return qs.filter(pk__in=ids)
    return qs.filter(visible)


def _event_relations(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.select_related("city__country").prefetch_related("organisers", "themes", "sdgs")


def event_list(filters: EventFilters | None = None, *, user: Any = None) -> QuerySet[Event]:
    """Events matching the filters, visible to ``user``; upcoming ones soonest first, past ones
    latest first."""
    f = filters or EventFilters()
    qs = visible_events(user)
    now = timezone.now()
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.theme:
        qs = qs.filter(themes__slug=f.theme)
    if f.online is True:
        qs = qs.filter(attendance_mode__in=[AttendanceMode.ONLINE, AttendanceMode.HYBRID])
    elif f.online is False:
        qs = qs.filter(attendance_mode__in=[AttendanceMode.ONSITE, AttendanceMode.HYBRID])
    if f.organisation is not None:
        qs = qs.filter(organisers__id=f.organisation)
    if f.q:
        for word in f.q.split()[:8]:
            qs = qs.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    if f.when == "upcoming":
        qs = qs.filter(ends_at__gte=now).order_by("starts_at", "pk")
    elif f.when == "past":
        qs = qs.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    else:
        qs = qs.order_by("-starts_at", "-pk")
    return _event_relations(qs.distinct())


def event_get(*, slug: str, user: Any = None) -> Event:
    """One event with everything its page shows; NotFound when the reader may not see it."""
    qs = Event.objects.select_related("city__country", "created_by").prefetch_related(
        "organisers",
        "themes",
        "sdgs",
        Prefetch("agenda", queryset=AgendaItem.objects.order_by("position", "pk")),
    )
    event = qs.filter(slug=slug).first()
    if event is None or not permissions.can_view_event(user, event):
        raise NotFound(_("No event at %(slug)r.") % {"slug": slug})
    return event


def event_get_by_id(*, pk: int, user: Any = None) -> Event:
    event = Event.objects.filter(pk=pk).values_list("slug", flat=True).first()
    if event is None:
        raise NotFound(_("No event with id %(id)d.") % {"id": pk})
    try:
        return event_get(slug=event, user=user)
    except NotFound:
        raise NotFound(_("No event with id %(id)d.") % {"id": pk}) from None


def registration_of(*, user: Any, event: Event) -> Registration | None:
    if not directory_permissions.is_signed_in(user) or event.pk is None:
        return None
    return Registration.objects.filter(event=event, user=user).first()


def registration_get(*, pk: int) -> Registration:
    registration = Registration.objects.select_related("event", "user").filter(pk=pk).first()
    if registration is None:
        raise NotFound(_("No registration with id %(id)d.") % {"id": pk})
    return registration


def waiting_position(registration: Registration) -> int | None:
    """1 for the first person waiting; None when not waiting."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=RegistrationStatus.WAITING
    ).filter(
        Q(requested_at__lt=registration.requested_at)
        | Q(requested_at=registration.requested_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


@dataclass(frozen=True)
class SeatCounts:
    registered: int
    waiting: int
    attended: int


def seat_counts(event: Event) -> SeatCounts:
    rows = (
        Registration.objects.filter(event=event)
        .values("status")
        .annotate(n=Count("pk"), came=Count("pk", filter=Q(attended=True)))
    )
    by: dict[str, dict[str, int]] = {
        str(r["status"]): {"n": r["n"], "came": r["came"]} for r in rows
    }
    seats = by.get(RegistrationStatus.REGISTERED, {})
    return SeatCounts(
        registered=seats.get("n", 0),
        waiting=by.get(RegistrationStatus.WAITING, {}).get("n", 0),
        attended=seats.get("came", 0),
    )


def with_positions(qs: QuerySet[Registration]) -> QuerySet[Registration]:
    """Each registration with ``ahead``: how many wait before it (in the same query)."""
    ahead = (
        Registration.objects.filter(
            event_id=OuterRef("event_id"), status=RegistrationStatus.WAITING
        )
        .filter(
            Q(requested_at__lt=OuterRef("requested_at"))
            | Q(requested_at=OuterRef("requested_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("event_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(ahead=Coalesce(Subquery(ahead), 0))


def position_of(registration: Registration) -> int | None:
    """The waiting-list position, from ``with_positions`` when annotated, else queried."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    ahead = getattr(registration, "ahead", None)
    return ahead + 1 if ahead is not None else waiting_position(registration)


def registration_list(*, event: Event, status: str = "") -> QuerySet[Registration]:
    """The event's registrations for its organisers: seats first, then the waiting list in order."""
    qs = with_positions(Registration.objects.filter(event=event).select_related("user", "event"))
    if status:
        qs = qs.filter(status=status)
    order = Case(
        When(status=RegistrationStatus.REGISTERED, then=Value(0)),
        When(status=RegistrationStatus.WAITING, then=Value(1)),
        default=Value(2),
    )
    return qs.order_by(order, "requested_at", "pk")


def my_registrations(*, user: Any, upcoming_only: bool = False) -> QuerySet[Registration]:
    qs = with_positions(
        Registration.objects.filter(
            user=user,
            status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITING],
        )
        .exclude(event__status=EventStatus.DRAFT)
        .select_related("event__city__country", "user")
        .prefetch_related("event__organisers")
    )
    if upcoming_only:
        qs = qs.filter(event__ends_at__gte=timezone.now())
    return qs.order_by("event__starts_at", "pk")


def calendar_token_of(*, user: Any) -> CalendarToken | None:
    if not directory_permissions.is_signed_in(user):
        return None
    return CalendarToken.objects.filter(user=user).first()


def _feed_window(qs: QuerySet[Event]) -> QuerySet[Event]:
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    return qs.filter(ends_at__gte=since).order_by("starts_at", "pk")


def public_calendar(*, organisation: int | None = None, theme: str = "") -> list[Event]:
    """Public listed events of an organisation or on a theme, for a calendar feed."""
    qs: QuerySet[Event] = Event.objects.listed().filter(visibility=Visibility.PUBLIC)
    if organisation is not None:
        qs = qs.filter(organisers__id=organisation)
    if theme:
        qs = qs.filter(themes__slug=theme)
    qs = _feed_window(qs.distinct())
    return list(
        qs.select_related("city__country").prefetch_related("organisers", "themes", "agenda")[
            :FEED_SIZE
        ]
    )


def personal_calendar(*, user: Any) -> list[Registration]:
    """The user's seats and places on waiting lists, for their own calendar feed."""
    qs = (
        Registration.objects.filter(
            user=user, status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITING]
        )
        .exclude(event__status=EventStatus.DRAFT)
        .filter(event__ends_at__gte=timezone.now() - dt.timedelta(days=FEED_PAST_DAYS))
        .select_related("event__city__country")
        .prefetch_related("event__organisers", "event__agenda")
        .order_by("event__starts_at", "pk")
    )
    return list(qs[:FEED_SIZE])


# Learning notes


def note_list(*, event: Event) -> QuerySet[LearningNote]:
    return (
        LearningNote.objects.filter(event=event)
        .select_related("author", "organisation", "became")
        .prefetch_related(
            Prefetch(
                "practices",
                queryset=Practice.objects.prefetch_related("texts").select_related("owner"),
            )
        )
        .order_by("created_at", "pk")
    )


def note_get(*, pk: int, user: Any = None) -> LearningNote:
    note = (
        LearningNote.objects.select_related("event", "author", "organisation").filter(pk=pk).first()
    )
    if note is None or not permissions.can_view_event(user, note.event):
        raise NotFound(_("No learning note with id %(id)d.") % {"id": pk})
    return note


def practices_of_notes(notes: Iterable[LearningNote], *, user: Any = None) -> list[Practice]:
    """The practices the notes link to or became, that ``user`` may see (uses prefetched rows)."""
    seen: dict[int, Practice] = {}
    for note in notes:
        for practice in note.practices.all():
            if practice.pk not in seen and knowledge_permissions.can_view(user, practice):
                seen[practice.pk] = practice
    return list(seen.values())


# News


@dataclass(frozen=True)
class NewsFilters:
    theme: str = ""
    language: str = ""  # available in
    organisation: int | None = None
    status: str = NewsStatus.PUBLISHED  # "" for every status the reader may see


def _news_texts() -> Prefetch:
    return Prefetch("texts", queryset=NewsText.objects.order_by("-is_original", "language"))


def news_list(filters: NewsFilters | None = None, *, user: Any = None) -> QuerySet[NewsArticle]:
    f = filters or NewsFilters()
    qs = NewsArticle.objects.select_related("owner")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.status != NewsStatus.PUBLISHED and not directory_permissions.is_platform_moderator(user):
        visible = Q(status=NewsStatus.PUBLISHED)
        if directory_permissions.is_signed_in(user):
            visible |= Q(created_by=user) | Q(
                owner__in=OrganisationRole.objects.filter(
                    user=user, role__in=directory_permissions.EDIT_ROLES
                ).values("organisation_id")
            )
        qs = qs.filter(visible)
    if f.theme:
        qs = qs.filter(themes__slug=f.theme)
    if f.language:
        qs = qs.filter(texts__language=f.language)
    if f.organisation is not None:
        qs = qs.filter(Q(owner_id=f.organisation) | Q(organisations__id=f.organisation))
    return (
        qs.distinct()
        .order_by("-published_at", "-pk")
        .prefetch_related(_news_texts(), "themes", "organisations")
    )


def news_get(*, slug: str, user: Any = None) -> NewsArticle:
    article = (
        NewsArticle.objects.select_related("owner", "event", "created_by")
        .prefetch_related(_news_texts(), "themes", "organisations")
        .filter(slug=slug)
        .first()
    )
    if article is None or not permissions.can_view_news(user, article):
        raise NotFound(_("No article at %(slug)r.") % {"slug": slug})
    return article


def news_get_by_id(*, pk: int, user: Any = None) -> NewsArticle:
    slug = NewsArticle.objects.filter(pk=pk).values_list("slug", flat=True).first()
    if slug is None:
        raise NotFound(_("No article with id %(id)d.") % {"id": pk})
    try:
        return news_get(slug=slug, user=user)
    except NotFound:
        raise NotFound(_("No article with id %(id)d.") % {"id": pk}) from None


def news_review_queue(*, user: Any) -> QuerySet[NewsArticle]:
    qs = NewsArticle.objects.filter(status=NewsStatus.SUBMITTED).prefetch_related(_news_texts())
    if directory_permissions.is_platform_moderator(user):
        return qs
    publishers = getattr(settings, "CITYPEERS_NEWS_PUBLISHERS", "editors")
    if not directory_permissions.is_signed_in(user) or publishers != "editors":
        return qs.none()
    return qs.filter(
        owner__in=OrganisationRole.objects.filter(
            user=user, role__in=directory_permissions.EDIT_ROLES
        ).values("organisation_id")
    )


def events_by_external_id(*, external_ids: Iterable[str]) -> dict[str, Event]:
    ids = [i for i in external_ids if i]
    return {e.external_id: e for e in Event.objects.filter(external_id__in=ids)}


def news_by_external_id(*, external_ids: Iterable[str]) -> dict[str, NewsArticle]:
    ids = [i for i in external_ids if i]
    return {a.external_id: a for a in NewsArticle.objects.filter(external_id__in=ids)}


# Discussions


@dataclass(frozen=True)
class CommunityRow:
    community: Community
    threads: int
    last_activity: dt.datetime | None


def community_list() -> list[CommunityRow]:
    """Every community with its count of visible threads and last activity: the themes' first
    (in the taxonomy's order), then the networks' by name. Two queries."""
    rows = (
        Community.objects.select_related("theme", "organisation")
        .annotate(
            n=Count("threads", filter=Q(threads__is_hidden=False)),
            last=Max("threads__last_activity_at", filter=Q(threads__is_hidden=False)),
        )
        .order_by("kind", "theme__position", "organisation__name", "pk")
    )
    return [CommunityRow(c, c.n, c.last) for c in rows]


def community_get(*, slug: str) -> Community:
    community = Community.objects.select_related("theme", "organisation").filter(slug=slug).first()
    if community is None:
        raise NotFound(_("No community at %(slug)r.") % {"slug": slug})
    return community


def community_get_by_id(*, pk: int) -> Community:
    community = Community.objects.select_related("theme", "organisation").filter(pk=pk).first()
    if community is None:
        raise NotFound(_("No community with id %(id)d.") % {"id": pk})
    return community


def _visible_replies(user: Any, community_moderator: bool) -> Q:
    if community_moderator:
        return Q()
    if directory_permissions.is_signed_in(user):
        return Q(replies__is_hidden=False) | Q(replies__author=user)
    return Q(replies__is_hidden=False)


def thread_list(*, community: Community, user: Any = None, q: str = "") -> QuerySet[Thread]:
    """The community's threads the reader may see (hidden ones only for their author and the
    moderators), latest activity first, each with ``reply_count`` (visible replies)."""
    moderator = permissions.can_moderate(user, community)
    qs = Thread.objects.filter(community=community)
    if not moderator:
        visible = Q(is_hidden=False)
        if directory_permissions.is_signed_in(user):
            visible |= Q(author=user)
        qs = qs.filter(visible)
    if q:
        for word in q.split()[:8]:
            qs = qs.filter(Q(title__icontains=word) | Q(body__icontains=word))
    counted = Q(replies__is_hidden=False) if not moderator else Q(replies__isnull=False)
    return (
        qs.select_related("author", "community")
        .annotate(
            reply_count=Count("replies", filter=counted),
            helpful_count=Count("replies", filter=Q(replies__helpful_at__isnull=False)),
        )
        .order_by("-last_activity_at", "-pk")
    )


def thread_get(*, pk: int, user: Any = None) -> Thread:
    """A thread the reader may see; NotFound otherwise (a hidden thread does not leak)."""
    thread = (
        Thread.objects.select_related("community__theme", "community__organisation", "author")
        .filter(pk=pk)
        .first()
    )
    if thread is None or not permissions.can_view_thread(user, thread):
        raise NotFound(_("No thread with id %(id)d.") % {"id": pk})
    return thread


def reply_list(*, thread: Thread, user: Any = None) -> QuerySet[Reply]:
    """The replies the reader may see, oldest first."""
    qs = Reply.objects.filter(thread=thread)
    if not permissions.can_moderate(user, thread.community):
        visible = Q(is_hidden=False)
        if directory_permissions.is_signed_in(user):
            visible |= Q(author=user)
        qs = qs.filter(visible)
    return qs.select_related("author", "helpful_by").order_by("created_at", "pk")


def reply_get(*, pk: int, user: Any = None) -> Reply:
    reply = (
        Reply.objects.select_related(
            "thread__community__theme", "thread__community__organisation", "author"
        )
        .filter(pk=pk)
        .first()
    )
    if (
        reply is None
        or not permissions.can_view_thread(user, reply.thread)
        or not permissions.can_view_reply(user, reply, reply.thread)
    ):
        raise NotFound(_("No reply with id %(id)d.") % {"id": pk})
    return reply


def moderated_communities(user: Any) -> QuerySet[Community]:
    """The communities ``user`` moderates (all for platform moderators)."""
    if directory_permissions.is_platform_moderator(user):
        return Community.objects.all()
    if not directory_permissions.is_signed_in(user):
        return Community.objects.none()
    return Community.objects.filter(
        organisation__in=OrganisationRole.objects.filter(
            user=user, role__in=directory_permissions.EDIT_ROLES
        ).values("organisation_id")
    )


def report_queue(*, user: Any, status: str = ReportStatus.OPEN) -> QuerySet[Report]:
    """Reports in the communities ``user`` moderates, oldest first (the queue)."""
    qs = Report.objects.filter(thread__community__in=moderated_communities(user).values("pk"))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related(
        "thread__community__theme",
        "thread__community__organisation",
        "thread__author",
        "reply__author",
        "reporter",
        "resolved_by",
    ).order_by("created_at", "pk")


def report_get(*, pk: int, user: Any) -> Report:
    report = report_queue(user=user, status="").filter(pk=pk).first()
    if report is None:
        raise NotFound(_("No report with id %(id)d.") % {"id": pk})
    return report


def moderation_log(*, thread: Thread | None = None, limit: int = 50) -> QuerySet[ModerationAction]:
    qs = ModerationAction.objects.select_related("moderator", "user", "thread", "reply")
    if thread is not None:
        qs = qs.filter(thread=thread)
    return qs.order_by("-created_at", "-pk")[:limit]


def active_bans() -> QuerySet[DiscussionBan]:
    now = timezone.now()
    return (
        DiscussionBan.objects.filter(lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .select_related("user", "created_by")
        .order_by("-created_at", "-pk")
    )


# Follows


def follows_of(*, user: Any) -> QuerySet[Follow]:
    if not directory_permissions.is_signed_in(user):
        return Follow.objects.none()
    return (
        Follow.objects.filter(user=user)
        .select_related("theme", "organisation", "event", "thread__community")
        .order_by("-created_at", "-pk")
    )


def follow_get(*, pk: int, user: Any) -> Follow:
    follow = follows_of(user=user).filter(pk=pk).first()
    if follow is None:
        raise NotFound(_("No follow with id %(id)d.") % {"id": pk})
    return follow


def followed_ids(*, user: Any) -> dict[str, set[int]]:
    """What the user follows, by kind: ``{"theme": {ids}, "organisation": …}`` (one query)."""
    out: dict[str, set[int]] = {k: set() for k in ("theme", "organisation", "event", "thread")}
    if not directory_permissions.is_signed_in(user):
        return out
    rows = Follow.objects.filter(user=user).values_list(
        "theme_id", "organisation_id", "event_id", "thread_id"
    )
    for theme, organisation, event, thread in rows:
        for name, value in zip(out, (theme, organisation, event, thread), strict=True):
            if value is not None:
                out[name].add(value)
    return out


def is_following(*, user: Any, **target: Any) -> bool:
    if not directory_permissions.is_signed_in(user):
        return False
    (name, value), *_rest = target.items()
    return Follow.objects.filter(user=user, **{name: value}).exists()
