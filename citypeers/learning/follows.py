"""Follows, and telling followers what is new.

A person follows themes, organisations, events and discussion threads (:func:`follow`). Whatever
is new — a practice or a news article published, a public event published, a learning note, a
thread, a reply, a new organisation on a theme — is written once as a :class:`FeedItem` (its
titles per language, its address, and the themes, organisations, event and thread it concerns).
After the commit, a task (:func:`fan_out`) tells the followers in-app: **one query** finds them
all (every follower of any of the item's themes, organisations, event or thread, without the
author and without people already told of the same thing — e.g. by a mention) and one bulk insert
per :data:`FAN_OUT_CHUNK` people writes their notifications, each in the person's language. The
same feed items make the e-mail digests (``digests.py``).

Practices and organisations are written by other apps: their services call back after commit
(``knowledge.services.AFTER_TEXT_SAVED``, ``directory.services.AFTER_SAVED``, wired in
``apps.py``), and the callbacks queue :func:`announce_practice` and :func:`announce_organisation`
as tasks. The learning services call the ``announce_*`` functions themselves, inside their
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from citypeers.accounts.audit import audit
from citypeers.core.errors import ApplicationError, NotFound, PermissionDenied
from citypeers.directory.models import Organisation, Theme
from citypeers.notifications.models import Notification
from citypeers.notifications.services import notify

from . import permissions
from .models import (
    Event,
    EventStatus,
    FeedItem,
    FeedKind,
    Follow,
    LearningNote,
    NewsArticle,
    NewsStatus,
    Reply,
    Thread,
    Visibility,
)

#: Notification kinds of followed things start with this (the digests list them apart).
NOTIFICATION_PREFIX = "learning.follow."
MAX_FOLLOWS = 2000
#: People notified per bulk insert when an item has very many followers.
FAN_OUT_CHUNK = 5000
#: A new organisation is announced on its themes only while it is this recent (not on edits of an
#: old profile, nor for a bulk import of old records that get themes later).
NEW_ORGANISATION_DAYS = 30

TARGETS = ("theme", "organisation", "event", "thread")


def _target(**targets: Any) -> tuple[str, Any]:
    given = [(name, value) for name, value in targets.items() if value is not None]
    if len(given) != 1 or given[0][0] not in TARGETS:
        raise ApplicationError(
            _("Follow one theme, organisation, event or thread at a time."), field="target"
        )
    return given[0]


def follow(
    *,
    actor: Any,
    theme: Theme | None = None,
    organisation: Organisation | None = None,
    event: Event | None = None,
    thread: Thread | None = None,
) -> tuple[Follow, bool]:
    """Follow one thing; following it again changes nothing. Returns the follow and whether it
    is new."""
    name, value = _target(theme=theme, organisation=organisation, event=event, thread=thread)
    if not permissions.is_signed_in(actor):
        raise PermissionDenied(_("Sign in to follow."))
    if event is not None and not permissions.can_view_event(actor, event):
        raise NotFound(_("No such event."))
    if thread is not None and not permissions.can_view_thread(actor, thread):
        raise NotFound(_("No such thread."))
    existing = Follow.objects.filter(user=actor, **{name: value}).first()
    if existing is not None:
        return existing, False
    if Follow.objects.filter(user=actor).count() >= MAX_FOLLOWS:
        raise ApplicationError(
            _("You follow %(n)d things already: unfollow some first.") % {"n": MAX_FOLLOWS},
            field="target",
        )
    try:
        with transaction.atomic():
            made = Follow.objects.create(user=actor, **{name: value})
            audit(actor=actor, verb="follow.create", target=made, data={name: value.pk})
    except IntegrityError:  # the same click twice at once: the other one made it
        return Follow.objects.get(user=actor, **{name: value}), False
    return made, True


def unfollow(
    *,
    actor: Any,
    theme: Theme | None = None,
    organisation: Organisation | None = None,
    event: Event | None = None,
    thread: Thread | None = None,
) -> bool:
    """Stop following one thing; returns whether the person followed it."""
    name, value = _target(theme=theme, organisation=organisation, event=event, thread=thread)
    if not permissions.is_signed_in(actor):
        raise PermissionDenied(_("Sign in to follow."))
    with transaction.atomic():
        existing = Follow.objects.filter(user=actor, **{name: value}).first()
        if existing is None:
            return False
        audit(actor=actor, verb="follow.delete", target=existing, data={name: value.pk})
        existing.delete()
    return True


def follow_delete(*, actor: Any, follow: Follow) -> None:
    """Remove one of one's follows by id (someone else's is answered as not found)."""
    if not permissions.is_signed_in(actor) or follow.user_id != actor.pk:
        raise NotFound(_("No such follow."))
    with transaction.atomic():
        audit(actor=actor, verb="follow.delete", target=follow)
        follow.delete()


# --- the feed ---------------------------------------------------------------------------------


def _path(obj: Any) -> str:
    """The object's address in the default language (digests translate it for each reader)."""
    with translation.override(settings.LANGUAGE_CODE.split("-")[0]):
        return str(obj.get_absolute_url())


def _record(
    kind: str,
    target: models.Model,
    *,
    titles: dict[str, str],
    language: str,
    path: str,
    actor: Any = None,
    themes: Iterable[Theme] = (),
    organisations: Iterable[Organisation | None] = (),
    event: Event | None = None,
    thread: Thread | None = None,
    reply: Reply | None = None,
) -> FeedItem | None:
    """Write the feed item of ``target`` once (None if it exists) and queue its fan-out after the
    commit of the caller's transaction."""
    target_type, target_id = target._meta.label_lower, str(target.pk)
    if FeedItem.objects.filter(kind=kind, target_type=target_type, target_id=target_id).exists():
        return None
    try:
        with transaction.atomic():
            item = FeedItem.objects.create(
                kind=kind,
                target_type=target_type,
                target_id=target_id,
                titles={k: v[:250] for k, v in titles.items() if v},
                language=language,
                path=path,
                actor=actor if permissions.is_signed_in(actor) else None,
                event=event,
                thread=thread,
                reply=reply,
            )
            item.themes.set(list(dict.fromkeys(themes)))
            item.organisations.set([o for o in dict.fromkeys(organisations) if o is not None])
    except IntegrityError:
        return None
    transaction.on_commit(lambda: _enqueue_fan_out(item.pk))
    return item


def _enqueue_fan_out(feed_item_id: int) -> None:
    from . import tasks

    tasks.fan_out_feed_item.enqueue(feed_item_id)


def announce_event(event: Event, actor: Any) -> FeedItem | None:
    """A public event was published: tell the followers of its themes and organisers."""
    if event.status != EventStatus.PUBLISHED or event.visibility != Visibility.PUBLIC:
        return None
    return _record(
        FeedKind.EVENT,
        event,
        titles={event.language: event.title},
        language=event.language,
        path=_path(event),
        actor=actor,
        themes=event.themes.all(),
        organisations=event.organisers.all(),
        event=event,
    )


def announce_note(note: LearningNote, actor: Any) -> FeedItem | None:
    """A learning note on a public event: tell the event's followers and those of its themes."""
    event = note.event
    if event.visibility != Visibility.PUBLIC or event.status == EventStatus.DRAFT:
        return None
    return _record(
        FeedKind.NOTE,
        note,
        titles={note.language: note.title},
        language=note.language,
        path=_path(note),
        actor=actor,
        themes=event.themes.all(),
        organisations=[note.organisation],
        event=event,
    )


def announce_news(article: NewsArticle, actor: Any) -> FeedItem | None:
    if article.status != NewsStatus.PUBLISHED:
        return None
    texts = list(article.texts.all())
    original = next((t for t in texts if t.is_original), texts[0] if texts else None)
    return _record(
        FeedKind.NEWS,
        article,
        titles={t.language: t.title for t in texts},
        language=original.language if original else article.original_language,
        path=_path(article),
        actor=article.created_by or actor,
        themes=article.themes.all(),
        organisations=[article.owner, *article.organisations.all()],
        event=article.event,
    )


def announce_thread(thread: Thread) -> FeedItem | None:
    community = thread.community
    return _record(
        FeedKind.THREAD,
        thread,
        titles={thread.language: thread.title},
        language=thread.language,
        path=_path(thread),
        actor=thread.author,
        themes=[community.theme] if community.theme is not None else [],
        organisations=[community.organisation],
        thread=thread,
    )


def announce_reply(reply: Reply) -> FeedItem | None:
    """A reply: only the thread's followers hear of it."""
    thread = reply.thread
    return _record(
        FeedKind.REPLY,
        reply,
        titles={thread.language: thread.title},
        language=thread.language,
        path=_path(reply),
        actor=reply.author,
        thread=thread,
        reply=reply,
    )


def announce_practice(practice_id: int) -> FeedItem | None:
    """A practice was saved (knowledge's callback): announce it once it is published."""
    from citypeers.knowledge.models import Practice, Status

    practice = (
        Practice.objects.select_related("owner", "created_by")
        .prefetch_related("texts", "themes", "organisation_roles__organisation")
        .filter(pk=practice_id)
        .first()
    )
    if practice is None or practice.status != Status.PUBLISHED:
        return None
    texts = list(practice.texts.all())
    with transaction.atomic():
        return _record(
            FeedKind.PRACTICE,
            practice,
            titles={t.language: t.title for t in texts},
            language=practice.original_language,
            path=_path(practice),
            actor=practice.created_by,
            themes=practice.themes.all(),
            organisations=[
                practice.owner,
                *(r.organisation for r in practice.organisation_roles.all()),
            ],
        )


def announce_organisation(organisation_id: int) -> FeedItem | None:
    """An organisation was saved (the directory's callback): a recent one with themes is
    announced to the followers of its themes, once."""
    organisation = (
        Organisation.objects.select_related("created_by")
        .prefetch_related("themes")
        .filter(pk=organisation_id)
        .first()
    )
    if organisation is None:
        return None
    if organisation.created_at < timezone.now() - dt.timedelta(days=NEW_ORGANISATION_DAYS):
        return None
    themes = list(organisation.themes.all())
    if not themes:
        return None
    with transaction.atomic():
        return _record(
            FeedKind.ORGANISATION,
            organisation,
            titles={organisation.original_language: organisation.name},
            language=organisation.original_language,
            path=_path(organisation),
            actor=organisation.created_by,
            themes=themes,
        )


def _messages() -> dict[str, Callable[[], str]]:
    """What a follower reads, per kind (called inside the reader's language)."""
    return {
        FeedKind.PRACTICE: lambda: _("New practice: “%(title)s”"),
        FeedKind.NEWS: lambda: _("News: “%(title)s”"),
        FeedKind.EVENT: lambda: _("New event: “%(title)s”"),
        FeedKind.NOTE: lambda: _("New learning note: “%(title)s”"),
        FeedKind.THREAD: lambda: _("New discussion: “%(title)s”"),
        FeedKind.REPLY: lambda: _("New reply in “%(title)s”"),
        FeedKind.ORGANISATION: lambda: _("New organisation on a theme you follow: %(title)s"),
    }


def followers_of(item: FeedItem) -> Any:
    """The ids of the people following anything the item concerns (a subquery, not run here)."""
    condition = models.Q(
        theme__in=FeedItem.themes.through.objects.filter(feeditem_id=item.pk).values("theme_id")
    ) | models.Q(
        organisation__in=FeedItem.organisations.through.objects.filter(feeditem_id=item.pk).values(
            "organisation_id"
        )
    )
    if item.event_id is not None:
        condition |= models.Q(event_id=item.event_id)
    if item.thread_id is not None:
        condition |= models.Q(thread_id=item.thread_id)
    return Follow.objects.filter(condition).values("user_id")


def fan_out(feed_item_id: int) -> int:
    """Tell the followers of a feed item, in-app; safe to run twice (the second does nothing).
    Returns how many people were notified."""
    from citypeers.accounts.models import User

    claimed = FeedItem.objects.filter(pk=feed_item_id, fanned_out_at__isnull=True).update(
        fanned_out_at=timezone.now()
    )
    if not claimed:
        return 0
    item = FeedItem.objects.select_related("actor", "thread", "reply").get(pk=feed_item_id)
    if (item.thread is not None and item.thread.is_hidden) or (
        item.reply is not None and item.reply.is_hidden
    ):
        return 0
    already = Notification.objects.filter(
        target_type=item.target_type, target_id=item.target_id
    ).values("recipient_id")
    people = (
        User.objects.filter(pk__in=followers_of(item), is_active=True)
        .exclude(pk__in=already)
        .only("pk", "preferred_language", "is_active")
        .order_by("pk")
    )
    if item.actor_id is not None:
        people = people.exclude(pk=item.actor_id)
    template = _messages()[item.kind]

    def message() -> str:
        return template() % {"title": item.title_in((get_language() or "en").split("-")[0])}

    told = 0
    chunk: list[Any] = []
    for person in people.iterator(chunk_size=FAN_OUT_CHUNK):
        chunk.append(person)
        if len(chunk) >= FAN_OUT_CHUNK:
            told += _notify_chunk(chunk, item, message)
            chunk = []
    if chunk:
        told += _notify_chunk(chunk, item, message)
    return told


def _notify_chunk(people: list[Any], item: FeedItem, message: Callable[[], str]) -> int:
    made = notify(
        people,
        kind=NOTIFICATION_PREFIX + item.kind,
        message=message,
        url=item.path,
        actor=item.actor,
        target=(item.target_type, item.target_id),
    )
    return len(made)
