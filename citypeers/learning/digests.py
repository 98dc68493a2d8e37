"""E-mail digests: what happened in what each person follows since their last digest, and their
unread notifications, in their language, daily or weekly as they chose.

How it stays cheap at scale:

- :func:`digests_enqueue` (the ``send-digests`` command) reads the ids of the people due in one
  query and queues **one task per batch** of ``CITYPEERS_DIGEST_BATCH_SIZE`` people (500 by
  default): 100,000 subscribers are 200 tasks, not 100,000.
- :func:`send_batch` builds a whole batch with a **fixed number of queries** whatever its size:
  claim the batch for the period (2), the people (1), their follows (1), the feed items any of them
  follows since the earliest last digest (1) with their themes and organisations (2), and their
  unread notifications, ranked per person by a window function (2). Matching items to people is
  done in memory through indexes by theme, organisation, event and thread. The e-mails go out
  over one connection (``send_messages``).
- A person is claimed for the period before anything is sent (``notifications.services
  .digest_claim``): running the command twice, or a batch task twice, never sends the same
  period's digest twice.

Each e-mail carries an unsubscribe link that works without signing in — a signed token
(``django.core.signing``) naming the person — and ``List-Unsubscribe`` / ``List-Unsubscribe-Post``
headers (RFC 2369, RFC 8058) for the mail client's own button.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.template.loader import get_template
from django.urls import reverse, translate_url
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from citypeers.accounts.models import User
from citypeers.core.errors import ApplicationError
from citypeers.notifications import selectors as notification_selectors
from citypeers.notifications import services as notification_services
from citypeers.notifications.models import DigestFrequency

from .follows import NOTIFICATION_PREFIX
from .models import FeedItem, FeedKind, Follow

UNSUBSCRIBE_SALT = "citypeers.learning.digest.unsubscribe"
FREQUENCIES = (DigestFrequency.DAILY, DigestFrequency.WEEKLY)
#: What a first digest covers, and how far back any digest looks at most.
FIRST_WINDOW: dict[str, dt.timedelta] = {
    DigestFrequency.DAILY: dt.timedelta(days=1),
    DigestFrequency.WEEKLY: dt.timedelta(days=7),
}
MAX_WINDOW: dict[str, dt.timedelta] = {
    DigestFrequency.DAILY: dt.timedelta(days=3),
    DigestFrequency.WEEKLY: dt.timedelta(days=14),
}
ITEMS_PER_DIGEST = 30
NOTIFICATIONS_PER_DIGEST = 10
#: Feed items read for one batch at most, newest first (a bound on memory, not on relevance).
FEED_ITEMS_PER_BATCH = 5000
#: The order of the digest's sections.
SECTIONS = (
    FeedKind.THREAD,
    FeedKind.REPLY,
    FeedKind.PRACTICE,
    FeedKind.NEWS,
    FeedKind.EVENT,
    FeedKind.NOTE,
    FeedKind.ORGANISATION,
)


def batch_size() -> int:
    return max(1, int(getattr(settings, "CITYPEERS_DIGEST_BATCH_SIZE", 500)))


def period_start(frequency: str, day: dt.date) -> dt.date:
    """The first day of the period ``day`` falls in: the day itself, or the Monday of its week."""
    if frequency == DigestFrequency.WEEKLY:
        return day - dt.timedelta(days=day.weekday())
    return day


def unsubscribe_token(user_id: int) -> str:
    return signing.dumps({"u": user_id}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_user_id(token: str) -> int | None:
    """The person a token was made for, or None for a forged or broken token."""
    if not token or len(token) > 200:
        return None
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    value = data.get("u") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None


@dataclass(frozen=True)
class DigestRun:
    frequency: str
    period: dt.date
    recipients: int
    batches: int


def digests_enqueue(*, frequency: str, day: dt.date | None = None) -> DigestRun:
    """Queue the digests of the current period: one task per batch of people due."""
    from . import tasks

    if frequency not in FREQUENCIES:
        raise ApplicationError(_("Choose daily or weekly."), field="frequency")
    period = period_start(frequency, day or timezone.localdate())
    ids = list(
        notification_selectors.digest_due(frequency=frequency, period=period).values_list(
            "user_id", flat=True
        )
    )
    size = batch_size()
    batches = [ids[i : i + size] for i in range(0, len(ids), size)]
    for batch in batches:
        tasks.send_digest_batch.enqueue(frequency, period.isoformat(), batch)
    return DigestRun(frequency=frequency, period=period, recipients=len(ids), batches=len(batches))


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    #: Claimed people with nothing new: no e-mail (their period counts as done).
    empty: int = 0


@dataclass
class _Item:
    pk: int
    kind: str
    titles: dict[str, str]
    language: str
    path: str
    actor_id: int | None
    event_id: int | None
    thread_id: int | None
    created_at: dt.datetime
    themes: set[int] = field(default_factory=set)
    organisations: set[int] = field(default_factory=set)

    def title(self, language: str) -> str:
        return str(
            self.titles.get(language)
            or self.titles.get(self.language)
            or next(iter(self.titles.values()), "")
        )


@dataclass
class _Follows:
    theme: set[int] = field(default_factory=set)
    organisation: set[int] = field(default_factory=set)
    event: set[int] = field(default_factory=set)
    thread: set[int] = field(default_factory=set)


def _feed(user_ids: Sequence[int], since: dt.datetime, until: dt.datetime) -> list[_Item]:
    """The feed items since ``since`` that any of these people follow (3 queries)."""
    follows = Follow.objects.filter(user_id__in=list(user_ids))
    matching = FeedItem.objects.filter(
        Q(themes__in=follows.filter(theme__isnull=False).values("theme_id"))
        | Q(organisations__in=follows.filter(organisation__isnull=False).values("organisation_id"))
        | Q(event__in=follows.filter(event__isnull=False).values("event_id"))
        | Q(thread__in=follows.filter(thread__isnull=False).values("thread_id")),
        created_at__gte=since,
        created_at__lt=until,
    ).values("pk")
    rows = (
        FeedItem.objects.filter(pk__in=matching)
        .filter(Q(thread__isnull=True) | Q(thread__is_hidden=False))
        .filter(Q(reply__isnull=True) | Q(reply__is_hidden=False))
        .order_by("-created_at", "-pk")
        .values_list(
            "pk",
            "kind",
            "titles",
            "language",
            "path",
            "actor_id",
            "event_id",
            "thread_id",
            "created_at",
        )[:FEED_ITEMS_PER_BATCH]
    )
    items = {row[0]: _Item(*row) for row in rows}
    if items:
        ids = list(items)
        for item_id, theme_id in FeedItem.themes.through.objects.filter(
            feeditem_id__in=ids
        ).values_list("feeditem_id", "theme_id"):
            items[item_id].themes.add(theme_id)
        for item_id, organisation_id in FeedItem.organisations.through.objects.filter(
            feeditem_id__in=ids
        ).values_list("feeditem_id", "organisation_id"):
            items[item_id].organisations.add(organisation_id)
    return list(items.values())


class _Index:
    """Feed items by what they concern, to find a person's items without scanning them all."""

    def __init__(self, items: Iterable[_Item]) -> None:
        self.by: dict[str, dict[int, list[_Item]]] = {
            name: defaultdict(list) for name in ("theme", "organisation", "event", "thread")
        }
        for item in items:
            for theme in item.themes:
                self.by["theme"][theme].append(item)
            for organisation in item.organisations:
                self.by["organisation"][organisation].append(item)
            if item.event_id is not None:
                self.by["event"][item.event_id].append(item)
            if item.thread_id is not None:
                self.by["thread"][item.thread_id].append(item)

    def for_person(self, follows: _Follows, user_id: int, since: dt.datetime) -> list[_Item]:
        found: dict[int, _Item] = {}
        for name in ("theme", "organisation", "event", "thread"):
            index = self.by[name]
            for key in getattr(follows, name):
                for item in index.get(key, ()):
                    if item.created_at >= since and item.actor_id != user_id:
                        found[item.pk] = item
        return sorted(found.values(), key=lambda i: (i.created_at, i.pk), reverse=True)


def _since(frequency: str, last_sent: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """Since the last digest; a first one covers one period; none looks back further than
    ``MAX_WINDOW`` (after months without digests, the old news is not worth an e-mail)."""
    since = last_sent if last_sent is not None else now - FIRST_WINDOW[frequency]
    return max(since, now - MAX_WINDOW[frequency])


def _language(user: Any) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    preferred = getattr(user, "preferred_language", "") or ""
    return preferred if preferred in codes else settings.LANGUAGE_CODE.split("-")[0]


class _Links:
    """Absolute addresses in each reader's language, computed once per path and language.

    The project's URL patterns are not translated: only the language prefix differs between
    languages, so a path with a known prefix gets the reader's (``/en/learning/…`` →
    ``/fr/learning/…``); any other path goes through ``translate_url`` (a resolve and a reverse,
    about a millisecond: too slow for thousands of links a batch)."""

    def __init__(self) -> None:
        self.site = str(getattr(settings, "CITYPEERS_SITE_URL", "")).rstrip("/")
        self.prefixes = {f"/{code}/" for code, _name in settings.LANGUAGES}
        self.cache: dict[tuple[str, str], str] = {}

    def __call__(self, path: str, language: str) -> str:
        key = (path, language)
        if key not in self.cache:
            prefix = path[:4]
            if prefix in self.prefixes and len(prefix) == 4:
                local = f"/{language}/{path[4:]}"
            else:
                local = translate_url(path, language) if path else ""
            self.cache[key] = self.site + local
        return self.cache[key]


def _sections(items: list[_Item], language: str, links: _Links) -> list[dict[str, Any]]:
    """The person's items grouped by kind, each section's lines already written as text and as
    escaped HTML (a template loop over thirty entries for each of 100,000 people costs more than
    the rest of the digest); replies are summed up by thread (“3 new replies in …”). Call inside
    the reader's language."""
    labels = dict(FeedKind.choices)
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    replies: dict[int, list[Any]] = {}
    for item in items[:ITEMS_PER_DIGEST]:
        if item.kind == FeedKind.REPLY and item.thread_id is not None:
            if item.thread_id in replies:
                replies[item.thread_id][1] += 1
            else:
                replies[item.thread_id] = [item, 1]
            continue
        groups[item.kind].append((item.title(language), links(item.path, language)))
    for item, count in replies.values():
        title = item.title(language)
        if count > 1:
            title = ngettext(
                "%(n)d new reply in “%(title)s”", "%(n)d new replies in “%(title)s”", count
            ) % {"n": count, "title": title}
        groups[FeedKind.REPLY].append((title, links(item.path.split("#")[0], language)))
    sections = []
    for kind in SECTIONS:
        entries = groups.get(kind)
        if not entries:
            continue
        sections.append(
            {
                "kind": kind,
                "label": str(labels[kind]),
                "count": len(entries),
                "text": "".join(f"- {title}\n  {url}\n" for title, url in entries),
                # Safe: every part is escaped here before it is joined.
                "html": mark_safe(  # noqa: S308  # nosec B308 B703
                    "".join(
                        f'<li><a href="{escape(url)}">{escape(title)}</a></li>\n'
                        for title, url in entries
                    )
                ),
            }
        )
    return sections


def _message(
    user: Any,
    *,
    frequency: str,
    sections: list[dict[str, Any]],
    notifications: list[dict[str, Any]],
    unread: int,
    links: _Links,
    templates: tuple[Any, Any],
    from_email: str,
) -> EmailMultiAlternatives:
    language = _language(user)
    with translation.override(language):
        unsubscribe = links.site + reverse(
            "learning:unsubscribe", kwargs={"token": unsubscribe_token(user.pk)}
        )
        count = sum(s["count"] for s in sections)
        context = {
            "user": user,
            "site_name": getattr(settings, "CITYPEERS_SITE_NAME", "CityPeers"),
            "frequency": frequency,
            "sections": sections,
            "notifications": [
                {**n, "link": links(n["url"], language) if n["url"] else ""} for n in notifications
            ],
            "unread": unread,
            "count": count,
            "unsubscribe_url": unsubscribe,
            "following_url": links.site + reverse("learning:following"),
            "notifications_url": links.site + reverse("notifications:list"),
        }
        subject = (
            _("Your daily digest: %(n)d new in what you follow")
            if frequency == DigestFrequency.DAILY
            else _("Your weekly digest: %(n)d new in what you follow")
        ) % {"n": count}
        if not count:
            subject = _("Your digest: %(n)d unread notifications") % {"n": unread}
        text, html = (template.render(context) for template in templates)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def send_batch(
    *,
    frequency: str,
    period: dt.date,
    user_ids: Sequence[int],
    connection: Any = None,
) -> BatchResult:
    """Build and send the digests of ``period`` to those of ``user_ids`` not sent it yet."""
    now = timezone.now()
    claimed = notification_services.digest_claim(
        user_ids=user_ids, frequency=frequency, period=period, now=now
    )
    result = BatchResult(claimed=len(claimed))
    if not claimed:
        return result
    ids = sorted(claimed)
    people = list(
        User.objects.filter(pk__in=ids, is_active=True)
        .exclude(email="")
        .only("pk", "username", "display_name", "email", "preferred_language")
        .order_by("pk")
    )
    since = {uid: _since(frequency, claimed[uid], now) for uid in ids}
    followed: dict[int, _Follows] = defaultdict(_Follows)
    for user_id, theme, organisation, event, thread in Follow.objects.filter(
        user_id__in=ids
    ).values_list("user_id", "theme_id", "organisation_id", "event_id", "thread_id"):
        target = followed[user_id]
        if theme is not None:
            target.theme.add(theme)
        elif organisation is not None:
            target.organisation.add(organisation)
        elif event is not None:
            target.event.add(event)
        elif thread is not None:
            target.thread.add(thread)
    index = _Index(_feed(ids, min(since.values()), now))
    newest, unread = notification_selectors.unread_for_digest(
        user_ids=ids, limit=NOTIFICATIONS_PER_DIGEST, exclude_kind_prefix=NOTIFICATION_PREFIX
    )
    links = _Links()
    templates = (
        get_template("learning/email/digest.txt"),
        get_template("learning/email/digest.html"),
    )
    from_email = settings.DEFAULT_FROM_EMAIL
    messages = []
    for person in people:
        start = since[person.pk]
        items = index.for_person(followed[person.pk], person.pk, start)
        notes = [n for n in newest.get(person.pk, []) if n["created_at"] >= start]
        if not items and not notes:
            result.empty += 1
            continue
        with translation.override(_language(person)):
            sections = _sections(items, _language(person), links)
        messages.append(
            _message(
                person,
                frequency=frequency,
                sections=sections,
                notifications=notes,
                unread=unread.get(person.pk, 0),
                links=links,
                templates=templates,
                from_email=from_email,
            )
        )
    if messages:
        connection = connection or get_connection()
        result.sent = connection.send_messages(messages) or 0
    return result
