"""Writes of the learning forum: events and their agenda, registrations with a waiting list,
attendance, calendar addresses, learning notes and news. (Discussions and their moderation are in
``discussions.py``, follows and the feed in ``follows.py``, e-mail digests in ``digests.py``.)

Every function takes the acting user, checks permission, validates, and runs in one transaction
with an audit entry. Registrations lock the event's row (``SELECT … FOR UPDATE``) before counting
seats, so two people asking for the last seat at the same moment are served one after the other:
one gets the seat, the other the waiting list. (PostgreSQL honours the lock; SQLite serialises
writing transactions anyway.) Notifications are made in the same transaction, in each recipient's
language; their e-mails go out after commit. What followers should hear of (a public event
published, a learning note, a news article published) is written to the feed
(``follows.announce_*``) in the same transaction, and told to them after commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from citypeers.accounts.audit import audit
from citypeers.core import workflow
from citypeers.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from citypeers.core.text import fold
from citypeers.directory import permissions as directory_permissions
from citypeers.directory.models import Organisation, Theme
from citypeers.knowledge import permissions as knowledge_permissions
from citypeers.knowledge import services as knowledge_services
from citypeers.knowledge.models import Practice
from citypeers.notifications.services import notify
from citypeers.places.models import City, Sdg

from . import follows, permissions, zones
from .models import (
    MAX_TEXT,
    NEWS_TEXT_FIELDS,
    AgendaItem,
    AttendanceMode,
    CalendarToken,
    Event,
    EventKind,
    EventStatus,
    LearningNote,
    NewsArticle,
    NewsStatus,
    NewsText,
    Registration,
    RegistrationStatus,
    Visibility,
)

RESERVED_SLUGS = {"new", "calendar", "feed", "mine", "review"}
MAX_AGENDA = 60
MAX_ORGANISERS = 20


def _clean_language(language: str, field: str = "language") -> str:
    code = (language or "").strip().lower()
    if len(code) != 2 or not code.isalpha():
        raise ApplicationError(
            _("%(code)r is not a two-letter language code.") % {"code": language}, field=field
        )
    return code


def _clean_languages(codes: Sequence[str], field: str) -> list[str]:
    return list(dict.fromkeys(_clean_language(c, field) for c in codes if str(c).strip()))


def _text(value: Any, field: str, limit: int, *, required: str = "") -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ApplicationError(_("This field takes text."), field=field)
    value = value.replace("\x00", "").strip()
    if len(value) > limit:
        raise ApplicationError(
            _("At most %(limit)d characters.") % {"limit": limit},
            field=field,
        )
    if required and not value:
        raise ApplicationError(required, field=field)
    return value


def _unique_slug(model: Any, title: str, fallback: str) -> str:
    base = slugify(fold(title))[:200].strip("-") or fallback
    taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken and base not in RESERVED_SLUGS:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _url(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        URLValidator(schemes=["https", "http"])(value)
    except ValidationError:
        raise ApplicationError(
            _("Give a web address starting with https://."), field=field
        ) from None
    if len(value) > 500:
        raise ApplicationError(_("At most %(limit)d characters.") % {"limit": 500}, field=field)
    return value


# --- events ----------------------------------------------------------------------------------


@dataclass
class AgendaEntry:
    title: str
    starts_at: dt.datetime | None = None
    speakers: str = ""
    description: str = ""


@dataclass
class EventData:
    """Everything an organiser says about an event. Naive datetimes are local to ``time_zone``."""

    title: str
    kind: str
    attendance_mode: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    organisers: Sequence[Organisation]
    time_zone: str = ""
    summary: str = ""
    description: str = ""
    language: str = "en"
    visibility: str = Visibility.PUBLIC
    city: City | None = None
    venue: str = ""
    join_url: str = ""
    languages: Sequence[str] = ()
    interpretation: Sequence[str] = ()
    capacity: int | None = None
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None
    themes: Sequence[Theme] = ()
    sdgs: Sequence[Sdg] = ()
    agenda: Sequence[AgendaEntry] = field(default_factory=list)


def event_data(event: Event) -> EventData:
    """The event as it is, to change a few fields of (``dataclasses.replace``)."""
    return EventData(
        title=event.title,
        kind=event.kind,
        attendance_mode=event.attendance_mode,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        organisers=list(event.organisers.all()),
        time_zone=event.time_zone,
        summary=event.summary,
        description=event.description,
        language=event.language,
        visibility=event.visibility,
        city=event.city,
        venue=event.venue,
        join_url=event.join_url,
        languages=list(event.languages),
        interpretation=list(event.interpretation),
        capacity=event.capacity,
        registration_opens_at=event.registration_opens_at,
        registration_closes_at=event.registration_closes_at,
        themes=list(event.themes.all()),
        sdgs=list(event.sdgs.all()),
        agenda=[
            AgendaEntry(
                title=a.title, starts_at=a.starts_at, speakers=a.speakers, description=a.description
            )
            for a in event.agenda.all()
        ],
    )


def _clean_event(data: EventData, actor: Any) -> EventData:
    """Check the rules of an event; return the data with aware datetimes and clean texts."""
    title = _text(data.title, "title", 250, required=_("Give the event a title."))
    summary = _text(data.summary, "summary", 500)
    description = _text(data.description, "description", MAX_TEXT)
    language = _clean_language(data.language)
    if data.kind not in EventKind.values:
        raise ApplicationError(_("Choose the kind of event."), field="kind")
    if data.attendance_mode not in AttendanceMode.values:
        raise ApplicationError(_("Choose on site, online or hybrid."), field="attendance_mode")
    if data.visibility not in Visibility.values:
        raise ApplicationError(_("Choose who may take part."), field="visibility")
    zone = data.time_zone or (data.city.timezone if data.city is not None else "")
    zone = zones.clean_zone(zone)
    starts_at = zones.make_aware(data.starts_at, zone, "starts_at")
    ends_at = zones.make_aware(data.ends_at, zone, "ends_at")
    if ends_at <= starts_at:
        raise ApplicationError(_("The event must end after it starts."), field="ends_at")
    if ends_at - starts_at > dt.timedelta(days=31):
        raise ApplicationError(_("An event lasts at most 31 days."), field="ends_at")
    venue = _text(data.venue, "venue", 250)
    join_url = _url(data.join_url, "join_url")
    if data.attendance_mode == AttendanceMode.ONSITE and join_url:
        raise ApplicationError(
            _("An on-site event has no join link: choose hybrid to give one."), field="join_url"
        )
    if data.attendance_mode != AttendanceMode.ONLINE and data.city is None and not venue:
        raise ApplicationError(_("Say where the event takes place."), field="city")
    if data.capacity is not None and data.capacity < 1:
        raise ApplicationError(_("Give at least one seat, or no limit."), field="capacity")
    opens = (
        zones.make_aware(data.registration_opens_at, zone, "registration_opens_at")
        if data.registration_opens_at
        else None
    )
    closes = (
        zones.make_aware(data.registration_closes_at, zone, "registration_closes_at")
        if data.registration_closes_at
        else None
    )
    if closes is not None and closes > ends_at:
        raise ApplicationError(
            _("Registration must close before the event ends."), field="registration_closes_at"
        )
    if opens is not None and opens >= (closes or starts_at):
        raise ApplicationError(
            _("Registration must open before it closes."), field="registration_opens_at"
        )
    organisers = list(dict.fromkeys(data.organisers))
    if not organisers:
        raise ApplicationError(_("Name at least one organiser."), field="organisers")
    if len(organisers) > MAX_ORGANISERS:
        raise ApplicationError(
            _("At most %(n)d organisers.") % {"n": MAX_ORGANISERS}, field="organisers"
        )
    if not directory_permissions.is_platform_moderator(actor) and not any(
        directory_permissions.can_edit(actor, o) for o in organisers
    ):
        raise PermissionDenied(_("Among the organisers, name an organisation you edit for."))
    if len(data.agenda) > MAX_AGENDA:
        raise ApplicationError(_("At most %(n)d agenda items.") % {"n": MAX_AGENDA}, field="agenda")
    agenda = []
    for entry in data.agenda:
        at = zones.make_aware(entry.starts_at, zone, "agenda") if entry.starts_at else None
        if at is not None and not (starts_at <= at <= ends_at):
            raise ApplicationError(
                _("Agenda item “%(title)s” is outside the event's dates.")
                % {"title": entry.title[:60]},
                field="agenda",
            )
        agenda.append(
            AgendaEntry(
                title=_text(
                    entry.title, "agenda", 250, required=_("Give each agenda item a title.")
                ),
                starts_at=at,
                speakers=_text(entry.speakers, "agenda", 250),
                description=_text(entry.description, "agenda", 2000),
            )
        )
    return replace(
        data,
        title=title,
        summary=summary,
        description=description,
        language=language,
        time_zone=zone,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        join_url=join_url,
        languages=_clean_languages(data.languages, "languages"),
        interpretation=_clean_languages(data.interpretation, "interpretation"),
        registration_opens_at=opens,
        registration_closes_at=closes,
        organisers=organisers,
        themes=list(dict.fromkeys(data.themes)),
        sdgs=list(dict.fromkeys(data.sdgs)),
        agenda=agenda,
    )


_FIELDS = (
    "title",
    "summary",
    "description",
    "language",
    "kind",
    "attendance_mode",
    "visibility",
    "starts_at",
    "ends_at",
    "time_zone",
    "city",
    "venue",
    "join_url",
    "languages",
    "interpretation",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
)
#: Changes that registered people are told about.
_NOTIFIED = ("starts_at", "ends_at", "time_zone", "city", "venue", "join_url", "attendance_mode")


def _save_relations(event: Event, data: EventData) -> None:
    event.organisers.set(list(data.organisers))
    event.themes.set(list(data.themes))
    event.sdgs.set(list(data.sdgs))
    AgendaItem.objects.filter(event=event).delete()
    AgendaItem.objects.bulk_create(
        AgendaItem(
            event=event,
            position=i,
            starts_at=e.starts_at,
            title=e.title,
            speakers=e.speakers,
            description=e.description,
        )
        for i, e in enumerate(data.agenda)
    )


def event_create(
    *,
    actor: Any,
    data: EventData,
    publish: bool = False,
    is_demo: bool = False,
    external_id: str = "",
) -> Event:
    """Write an event, as a draft unless ``publish``."""
    if not permissions.can_create_event(actor):
        raise PermissionDenied(_("Only the editors of an organisation organise events."))
    cleaned = _clean_event(data, actor)
    with transaction.atomic():
        if external_id and Event.objects.filter(external_id=external_id).exists():
            raise Conflict(
                _("An event with the external id %(id)s exists already.") % {"id": external_id},
                field="external_id",
            )
        event = Event(
            slug=_unique_slug(Event, cleaned.title, "event"),
            external_id=external_id[:120],
            is_demo=is_demo,
            created_by=actor if permissions.is_signed_in(actor) else None,
        )
        for name in _FIELDS:
            setattr(event, name, getattr(cleaned, name))
        if publish:
            event.status = EventStatus.PUBLISHED
            event.published_at = timezone.now()
        event.save()
        _save_relations(event, cleaned)
        audit(actor=actor, verb="event.create", target=event, data={"status": event.status})
        if publish:
            follows.announce_event(event, actor)
    return event


def event_update(*, actor: Any, event: Event, data: EventData) -> Event:
    """Change an event. More seats promote waiting people; people with a place are told when the
    time, the place or the join link changes."""
    if not permissions.can_edit_event(actor, event):
        raise PermissionDenied(_("Only the editors of the event's organisers can change it."))
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_("The event is cancelled: it cannot be changed."), field="status")
    cleaned = _clean_event(data, actor)
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        registered = _seats_taken(locked)
        if cleaned.capacity is not None and cleaned.capacity < registered:
            raise ApplicationError(
                _("%(n)d people hold a seat already: give at least as many seats.")
                % {"n": registered},
                field="capacity",
            )
        changed = [n for n in _FIELDS if getattr(locked, n) != getattr(cleaned, n)]
        for name in _FIELDS:
            setattr(event, name, getattr(cleaned, name))
        event.status = locked.status
        event.save()
        _save_relations(event, cleaned)
        promoted = _promote(event, actor) if event.status == EventStatus.PUBLISHED else []
        if event.status == EventStatus.PUBLISHED and set(changed) & set(_NOTIFIED):
            people = [
                r.user
                for r in _active(event).select_related("user")
                if r.pk not in {p.pk for p in promoted}
            ]
            title = event.title
            notify(
                people,
                kind="learning.event_changed",
                message=lambda: (
                    _("“%(title)s” changed: check its time, place and link.") % {"title": title}
                ),
                url=event.get_absolute_url(),
                actor=actor,
                target=("learning.event", event.pk),
                email=True,
            )
        audit(actor=actor, verb="event.update", target=event, data={"changed": changed})
    return event


def event_publish(*, actor: Any, event: Event) -> Event:
    if not permissions.can_edit_event(actor, event):
        raise PermissionDenied(_("Only the editors of the event's organisers can publish it."))
    if event.status != EventStatus.DRAFT:
        raise Conflict(_("Only a draft can be published."), field="status")
    with transaction.atomic():
        event.status = EventStatus.PUBLISHED
        event.published_at = timezone.now()
        event.save(update_fields=["status", "published_at", "updated_at"])
        audit(actor=actor, verb="event.publish", target=event)
        follows.announce_event(event, actor)
    return event


def event_cancel(*, actor: Any, event: Event, reason: str = "") -> Event:
    """Cancel the event; everyone with a seat or on the waiting list is told."""
    if not permissions.can_edit_event(actor, event):
        raise PermissionDenied(_("Only the editors of the event's organisers can cancel it."))
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_("The event is cancelled already."), field="status")
    if event.ends_at <= timezone.now():
        raise Conflict(_("The event is over: it cannot be cancelled."), field="status")
    reason = _text(reason, "reason", 2000)
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        was_published = locked.status == EventStatus.PUBLISHED
        event.status = EventStatus.CANCELLED
        event.cancelled_at = timezone.now()
        event.cancel_reason = reason
        event.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        if was_published:
            people = [r.user for r in _active(event).select_related("user")]
            title = event.title
            notify(
                people,
                kind="learning.event_cancelled",
                message=lambda: _("“%(title)s” is cancelled.") % {"title": title},
                url=event.get_absolute_url(),
                actor=actor,
                target=("learning.event", event.pk),
                email=True,
            )
        audit(actor=actor, verb="event.cancel", target=event, data={"reason": reason[:500]})
    return event


# --- registrations ---------------------------------------------------------------------------


def _active(event: Event) -> Any:
    return Registration.objects.filter(
        event=event, status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITING]
    )


def _seats_taken(event: Event) -> int:
    return Registration.objects.filter(event=event, status=RegistrationStatus.REGISTERED).count()


def _promote(event: Event, actor: Any) -> list[Registration]:
    """Give free seats to the first people waiting, in order; tell each. The event row is locked."""
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - _seats_taken(event)
        if free <= 0:
            return []
    waiting = Registration.objects.filter(
        event=event, status=RegistrationStatus.WAITING
    ).select_related("user")
    waiting = waiting.order_by("requested_at", "pk")
    chosen = list(waiting if free is None else waiting[:free])
    if not chosen:
        return []
    now = timezone.now()
    Registration.objects.filter(pk__in=[r.pk for r in chosen]).update(
        status=RegistrationStatus.REGISTERED, registered_at=now
    )
    for registration in chosen:
        registration.status = RegistrationStatus.REGISTERED
        registration.registered_at = now
        audit(actor=None, verb="registration.promote", target=registration)
    title = event.title
    notify(
        [r.user for r in chosen],
        kind="learning.promoted",
        message=lambda: (
            _("A seat is free for you at “%(title)s”: you are registered.") % {"title": title}
        ),
        url=event.get_absolute_url(),
        actor=actor,
        target=("learning.event", event.pk),
        email=True,
    )
    return chosen


def registration_window_problem(event: Event, now: dt.datetime | None = None) -> str | None:
    """Why one cannot register now, in words; None when registration is open."""
    now = now or timezone.now()
    if event.status == EventStatus.CANCELLED:
        return _("The event is cancelled.")
    if event.status != EventStatus.PUBLISHED:
        return _("The event is not published yet.")
    if event.registration_opens_at and now < event.registration_opens_at:
        return _("Registration has not opened yet.")
    if now >= event.registration_closes():
        return _("Registration is closed.")
    return None


def registration_create(*, actor: Any, event: Event) -> Registration:
    """Register ``actor``: a seat if one is free, else a place at the end of the waiting list."""
    if not permissions.is_signed_in(actor):
        raise PermissionDenied(_("Sign in to register."))
    if not permissions.can_view_event(actor, event):
        raise NotFound(_("No such event."))
    with transaction.atomic():
        # The lock: whoever comes second waits here until the first has committed, then counts
        # the seats again.
        event = Event.objects.select_for_update().get(pk=event.pk)
        problem = registration_window_problem(event)
        if problem:
            raise Conflict(problem, field="event")
        existing = Registration.objects.filter(event=event, user=actor).first()
        if existing is not None and existing.is_active:
            raise Conflict(
                _("You are registered already.")
                if existing.status == RegistrationStatus.REGISTERED
                else _("You are on the waiting list already."),
                field="event",
            )
        now = timezone.now()
        has_seat = event.capacity is None or _seats_taken(event) < event.capacity
        registration = existing or Registration(event=event, user=actor)
        registration.status = (
            RegistrationStatus.REGISTERED if has_seat else RegistrationStatus.WAITING
        )
        registration.requested_at = now
        registration.registered_at = now if has_seat else None
        registration.cancelled_at = None
        registration.attended = None
        registration.attendance_marked_at = None
        registration.save()
        audit(
            actor=actor,
            verb="registration.create",
            target=registration,
            data={"status": registration.status},
        )
    return registration


def registration_cancel(*, actor: Any, registration: Registration) -> Registration:
    """Give up a seat or a place on the waiting list; a freed seat goes to the first waiting.

    The person themselves, or an editor of the organisers, may cancel, until the event starts.
    """
    event = registration.event
    own = permissions.is_signed_in(actor) and registration.user_id == actor.pk
    if not own and not permissions.can_edit_event(actor, event):
        raise PermissionDenied(_("Only the person registered or the organisers can cancel this."))
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        registration = Registration.objects.select_related("user").get(pk=registration.pk)
        if not registration.is_active:
            raise Conflict(_("This registration is cancelled already."), field="registration")
        if event.starts_at <= timezone.now():
            raise Conflict(_("The event has started: registrations stay as they are."))
        had_seat = registration.status == RegistrationStatus.REGISTERED
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        audit(actor=actor, verb="registration.cancel", target=registration)
        if not own:
            title = event.title
            notify(
                [registration.user],
                kind="learning.registration_cancelled",
                message=lambda: (
                    _("The organisers cancelled your registration for “%(title)s”.")
                    % {"title": title}
                ),
                url=event.get_absolute_url(),
                actor=actor,
                target=("learning.event", event.pk),
            )
        if had_seat and event.status == EventStatus.PUBLISHED:
            _promote(event, actor)
    return registration


def attendance_mark(
    *, actor: Any, registration: Registration, attended: bool | None
) -> Registration:
    """Mark whether a registered person came (None: not marked)."""
    event = registration.event
    if not permissions.can_edit_event(actor, event):
        raise PermissionDenied(_("Only the organisers mark attendance."))
    if event.starts_at > timezone.now():
        raise Conflict(_("Attendance is marked once the event has started."), field="attended")
    if registration.status != RegistrationStatus.REGISTERED:
        raise Conflict(_("Only people holding a seat can be marked."), field="attended")
    with transaction.atomic():
        registration.attended = attended
        registration.attendance_marked_at = timezone.now() if attended is not None else None
        registration.save(update_fields=["attended", "attendance_marked_at"])
        audit(
            actor=actor,
            verb="registration.attendance",
            target=registration,
            data={"attended": attended},
        )
    return registration


def attendance_set(*, actor: Any, event: Event, present: set[int]) -> int:
    """Mark everyone holding a seat: present if their registration id is in ``present``."""
    if not permissions.can_edit_event(actor, event):
        raise PermissionDenied(_("Only the organisers mark attendance."))
    if event.starts_at > timezone.now():
        raise Conflict(_("Attendance is marked once the event has started."), field="attended")
    seats = Registration.objects.filter(event=event, status=RegistrationStatus.REGISTERED)
    unknown = present - set(seats.values_list("pk", flat=True))
    if unknown:
        raise ApplicationError(_("Mark only people holding a seat."), field="attended")
    now = timezone.now()
    with transaction.atomic():
        came = seats.filter(pk__in=present).update(attended=True, attendance_marked_at=now)
        seats.exclude(pk__in=present).update(attended=False, attendance_marked_at=now)
        audit(actor=actor, verb="event.attendance", target=event, data={"present": came})
    return came


# --- calendar addresses ----------------------------------------------------------------------


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def calendar_token_create(*, actor: Any) -> tuple[CalendarToken, str]:
    """A new secret address for the actor's calendar feed (the old one stops working)."""
    if not permissions.is_signed_in(actor):
        raise PermissionDenied(_("Sign in to have a calendar address."))
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarToken.objects.filter(user=actor).delete()
        token = CalendarToken.objects.create(user=actor, key_hash=_hash(raw), prefix=raw[:8])
        audit(actor=actor, verb="calendar_token.create", target=token)
    return token, raw


def calendar_token_revoke(*, actor: Any) -> bool:
    if not permissions.is_signed_in(actor):
        raise PermissionDenied(_("Sign in to manage your calendar address."))
    with transaction.atomic():
        token = CalendarToken.objects.filter(user=actor).first()
        if token is None:
            return False
        audit(actor=actor, verb="calendar_token.revoke", target=token)
        token.delete()
    return True


def calendar_token_user(*, raw: str) -> Any:
    """The user whose calendar address holds ``raw``, or None (unknown or revoked)."""
    if not raw or len(raw) > 100:
        return None
    token = CalendarToken.objects.select_related("user").filter(key_hash=_hash(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(hours=1):
        CalendarToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- learning notes --------------------------------------------------------------------------


@dataclass
class NoteData:
    title: str
    language: str = "en"
    shared: str = ""
    shared_by: str = ""
    will_try: str = ""
    follow_ups: str = ""
    organisation: Organisation | None = None
    practices: Sequence[Practice] | None = None


def _clean_note(data: NoteData, actor: Any) -> NoteData:
    title = _text(data.title, "title", 250, required=_("Give the note a title."))
    texts = {
        name: _text(getattr(data, name), name, MAX_TEXT)
        for name in ("shared", "will_try", "follow_ups")
    }
    if not any(texts.values()):
        raise ApplicationError(
            _("Say what was shared, what you will try or what follows."), field="shared"
        )
    if data.organisation is not None and not (
        directory_permissions.can_edit(actor, data.organisation)
        or directory_permissions.role_in(actor, data.organisation) is not None
    ):
        raise PermissionDenied(
            _("You can write a note for an organisation you have a role in only."),
        )
    practices = None
    if data.practices is not None:
        practices = list(dict.fromkeys(data.practices))
        for practice in practices:
            if not knowledge_permissions.can_view(actor, practice):
                raise ApplicationError(
                    _("You cannot see one of these practices."), field="practices"
                )
    return replace(
        data,
        title=title,
        language=_clean_language(data.language),
        shared=texts["shared"],
        shared_by=_text(data.shared_by, "shared_by", 500),
        will_try=texts["will_try"],
        follow_ups=texts["follow_ups"],
        practices=practices,
    )


def note_create(*, actor: Any, event: Event, data: NoteData, is_demo: bool = False) -> LearningNote:
    """Write a learning note on an event that has started (organisers and participants)."""
    from . import selectors

    registration = selectors.registration_of(user=actor, event=event)
    if not permissions.can_write_note(actor, event, registration):
        raise PermissionDenied(
            _("Once the event has started, its organisers and participants write notes.")
        )
    cleaned = _clean_note(data, actor)
    with transaction.atomic():
        note = LearningNote.objects.create(
            event=event,
            author=actor,
            organisation=cleaned.organisation,
            language=cleaned.language,
            title=cleaned.title,
            shared=cleaned.shared,
            shared_by=cleaned.shared_by,
            will_try=cleaned.will_try,
            follow_ups=cleaned.follow_ups,
            is_demo=is_demo,
        )
        if cleaned.practices:
            note.practices.set(cleaned.practices)
        audit(actor=actor, verb="learning_note.create", target=note)
        follows.announce_note(note, actor)
    return note


def note_update(*, actor: Any, note: LearningNote, data: NoteData) -> LearningNote:
    if not permissions.can_edit_note(actor, note):
        raise PermissionDenied(_("Only its author and the event's organisers edit a note."))
    cleaned = _clean_note(data, actor)
    with transaction.atomic():
        for name in (
            "organisation",
            "language",
            "title",
            "shared",
            "shared_by",
            "will_try",
            "follow_ups",
        ):
            setattr(note, name, getattr(cleaned, name))
        note.save()
        if cleaned.practices is not None:
            keep = [note.became] if note.became is not None else []
            note.practices.set(list(dict.fromkeys([*cleaned.practices, *keep])))
        audit(actor=actor, verb="learning_note.update", target=note)
    return note


def note_delete(*, actor: Any, note: LearningNote) -> None:
    if not permissions.can_edit_note(actor, note):
        raise PermissionDenied(_("Only its author and the event's organisers delete a note."))
    with transaction.atomic():
        audit(actor=actor, verb="learning_note.delete", target=note)
        note.delete()


def note_make_practice(*, actor: Any, note: LearningNote) -> Practice:
    """Start a draft practice from the note (through the knowledge services) and link the two.

    A demo note gives a demo practice."""
    if not permissions.can_edit_note(actor, note):
        raise PermissionDenied(_("Only its author and the event's organisers can do this."))
    if note.became is not None:
        raise Conflict(_("A practice was written from this note already."), field="note")
    event = note.event
    owner = note.organisation
    if owner is not None and not directory_permissions.can_edit(actor, owner):
        owner = None
    if owner is None:
        owner = next(
            (o for o in event.organisers.all() if directory_permissions.can_edit(actor, o)), None
        )
    involved = [(o, "partner") for o in event.organisers.all()]
    if owner is not None:
        involved = [(owner, "lead"), *[(o, r) for o, r in involved if o != owner]]
    shared_by = f"\n\n{_('Shared by')}: {note.shared_by}" if note.shared_by else ""
    context = _("Written from a learning note of “%(event)s” (%(date)s).") % {
        "event": event.title,
        "date": event.starts_at.astimezone(event.zone).date().isoformat(),
    }
    texts = {
        "title": note.title,
        "summary": (note.shared[:500] if note.shared else note.will_try[:500]),
        "context": context,
        "objectives": "",
        "results": note.will_try,
        "challenges": "",
        "lessons": f"{note.shared}{shared_by}".strip(),
    }
    with transaction.atomic():
        practice = knowledge_services.practice_create(
            actor=actor,
            language=note.language,
            texts=texts,
            facts=knowledge_services.PracticeFacts(
                owner=owner,
                city=event.city,
                country=event.city.country if event.city is not None else None,
                themes=list(event.themes.all()),
                sdgs=list(event.sdgs.all()),
                organisations=involved,
            ),
            is_demo=note.is_demo,
        )
        note.became = practice
        note.save(update_fields=["became", "updated_at"])
        note.practices.add(practice)
        audit(
            actor=actor, verb="learning_note.practice", target=note, data={"practice": practice.pk}
        )
    return practice


# --- news ------------------------------------------------------------------------------------

NEWS_TRANSITIONS = workflow.TRANSITIONS


def clean_news_texts(texts: dict[str, Any]) -> dict[str, str]:
    unknown = set(texts) - set(NEWS_TEXT_FIELDS)
    if unknown:
        raise ApplicationError(
            _("Unknown field(s): %(fields)s") % {"fields": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    return {
        "title": _text(texts.get("title"), "title", 250, required=_("Give the article a title.")),
        "summary": _text(texts.get("summary"), "summary", 600),
        "body": _text(texts.get("body"), "body", MAX_TEXT),
    }


@dataclass
class NewsFacts:
    owner: Organisation | None = None
    organisations: Sequence[Organisation] | None = None
    themes: Sequence[Theme] | None = None
    event: Event | None = None


def _apply_news_facts(article: NewsArticle, facts: NewsFacts, actor: Any) -> None:
    if (
        facts.owner is not None
        and facts.owner != article.owner
        and not directory_permissions.can_edit(actor, facts.owner)
    ):
        raise PermissionDenied(
            _("You can make an article the responsibility of an organisation you edit for only.")
        )
    if facts.event is not None and not permissions.can_view_event(actor, facts.event):
        raise ApplicationError(_("No such event."), field="event")
    if facts.owner is not None:
        article.owner = facts.owner
    if facts.event is not None:
        article.event = facts.event


def _apply_news_relations(article: NewsArticle, facts: NewsFacts) -> None:
    if facts.organisations is not None:
        article.organisations.set(list(dict.fromkeys(facts.organisations)))
    if facts.themes is not None:
        article.themes.set(list(dict.fromkeys(facts.themes)))


def news_create(
    *,
    actor: Any,
    language: str,
    texts: dict[str, Any],
    facts: NewsFacts | None = None,
    external_id: str = "",
    is_demo: bool = False,
) -> NewsArticle:
    """Write a news article as a draft in its original language."""
    if not permissions.can_create_news(actor):
        raise PermissionDenied(_("Sign in to write news."))
    language = _clean_language(language)
    cleaned = clean_news_texts(texts)
    facts = facts or NewsFacts()
    with transaction.atomic():
        if external_id and NewsArticle.objects.filter(external_id=external_id).exists():
            raise Conflict(
                _("An article with the external id %(id)s exists already.") % {"id": external_id},
                field="external_id",
            )
        article = NewsArticle(
            slug=_unique_slug(NewsArticle, cleaned["title"], "news"),
            external_id=external_id[:120],
            original_language=language,
            is_demo=is_demo,
            created_by=actor,
        )
        _apply_news_facts(article, facts, actor)
        article.save()
        _apply_news_relations(article, facts)
        NewsText.objects.create(article=article, language=language, is_original=True, **cleaned)
        audit(actor=actor, verb="news.create", target=article)
    return article


def news_update(
    *,
    actor: Any,
    article: NewsArticle,
    facts: NewsFacts | None = None,
    texts: dict[str, Any] | None = None,
    language: str | None = None,
) -> NewsArticle:
    """Change facts and/or the text in ``language`` (default: the original)."""
    if not permissions.can_edit_news(actor, article):
        raise PermissionDenied(
            _("Only the author and the editors of the organisation responsible edit this article.")
        )
    with transaction.atomic():
        if facts is not None:
            _apply_news_facts(article, facts, actor)
            _apply_news_relations(article, facts)
        if texts is not None:
            language = _clean_language(language or article.original_language)
            cleaned = clean_news_texts(texts)
            updated = NewsText.objects.filter(article=article, language=language).update(
                **cleaned, updated_at=timezone.now()
            )
            if not updated:
                raise ApplicationError(
                    _("There is no text in %(lang)s yet: add a translation.") % {"lang": language},
                    field="language",
                )
        article.save()
        audit(actor=actor, verb="news.update", target=article)
    return article


def news_translate(
    *, actor: Any, article: NewsArticle, language: str, texts: dict[str, Any]
) -> NewsText:
    if not permissions.can_edit_news(actor, article):
        raise PermissionDenied(
            _("Only the author and the editors of the organisation responsible translate it.")
        )
    language = _clean_language(language)
    if language == article.original_language:
        raise ApplicationError(
            _("This is the article's original language: edit the article instead."),
            field="language",
        )
    cleaned = clean_news_texts(texts)
    with transaction.atomic():
        text, _created = NewsText.objects.update_or_create(
            article=article,
            language=language,
            defaults={**cleaned, "is_original": False, "translated_by": actor},
        )
        article.save(update_fields=["updated_at"])
        audit(actor=actor, verb="news.translate", target=article, data={"language": language})
    return text


def news_set_status(*, actor: Any, article: NewsArticle, status: str) -> NewsArticle:
    """Move through the workflow: draft → submitted → published → archived."""

    def announce() -> None:
        if status == NewsStatus.PUBLISHED:
            follows.announce_news(article, actor)

    workflow.set_status(
        actor=actor,
        content=article,
        status=status,
        verb="news",
        can_publish=lambda: permissions.can_publish_news(actor, article),
        can_edit=lambda: permissions.can_edit_news(actor, article),
        refused_step=_("An article cannot go from %(from)s to %(to)s."),
        then=announce,
    )
    return article


def news_delete(*, actor: Any, article: NewsArticle) -> None:
    if not permissions.can_delete_news(actor, article):
        raise PermissionDenied(_("Only moderators delete articles; authors archive them."))
    with transaction.atomic():
        audit(actor=actor, verb="news.delete", target=article)
        article.delete()
