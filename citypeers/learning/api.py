"""API of the learning forum: events, registrations (register, cancel, mine), attendance,
learning notes and news; discussions and their moderation, follows and the digest preference.

Events are addressed by numeric ``id``. A published public event is read by anyone; a members-only
event or a draft is answered 404 to whoever may not see it. Times are given in the event's own zone
(``2031-06-10T09:30:00+02:00``) with its IANA ``time_zone``; a time sent without an offset is a
local time of the event's zone. The join link is ``null`` unless the caller may see it (a seat, an
organiser, or an open online event). Writes need a token or a signed-in session and go through the
services, which decide permission (403), the rules (400 naming the field) and conflicts (409:
registration closed, registered already, a workflow step not allowed). Registering for a full
event is not an error: the answer's ``status`` is ``waiting``, with the ``position`` in the queue.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeAlias

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from citypeers.accounts.services import api_token_authenticate
from citypeers.api.auth import WRITE_AUTH, acting_user
from citypeers.api.fields import choice
from citypeers.api.pagination import LimitOffset
from citypeers.core.errors import ApplicationError, NotFound, PermissionDenied
from citypeers.directory import selectors as directory_selectors
from citypeers.directory.models import Organisation
from citypeers.interop.references import References
from citypeers.knowledge import markdown
from citypeers.knowledge.models import Practice
from citypeers.notifications import selectors as notification_selectors
from citypeers.notifications import services as notification_services
from citypeers.notifications.models import DigestFrequency

from . import discussions, follows, permissions, selectors, services
from .models import (
    AttendanceMode,
    Community,
    DiscussionBan,
    Event,
    EventKind,
    EventStatus,
    Follow,
    LearningNote,
    NewsArticle,
    NewsStatus,
    NewsText,
    Registration,
    RegistrationStatus,
    Reply,
    Report,
    ReportReason,
    ReportStatus,
    Thread,
    Visibility,
)

router = Router(tags=["learning"])


KindChoice: TypeAlias = choice(EventKind.values)  # type: ignore[valid-type]
ModeChoice: TypeAlias = choice(AttendanceMode.values)  # type: ignore[valid-type]
VisibilityChoice: TypeAlias = choice(Visibility.values)  # type: ignore[valid-type]
NewsStatusChoice: TypeAlias = choice(NewsStatus.values)  # type: ignore[valid-type]


# --- schemas ---------------------------------------------------------------------------------


class EventFilter(Schema):
    kind: choice(EventKind.values, blank=True) = Field(  # type: ignore[valid-type]
        "", description="Kind of event."
    )
    theme: str = Field("", description="Theme slug (see /themes).")
    when: choice(["upcoming", "past"], blank=True) = Field(  # type: ignore[valid-type]
        "",
        description="upcoming (not ended yet, soonest first), past (latest first) or empty.",
    )
    online: bool | None = Field(
        None, description="true: online or hybrid; false: on site or hybrid."
    )
    organisation: int | None = Field(None, description="Id of an organiser.")
    q: str = Field("", description="Words that must all appear in the title or summary.")


class OrganisationRefOut(Schema):
    id: int
    slug: str
    name: str


class EventCityOut(Schema):
    geonameid: int
    name: str
    country: str = Field(description="ISO 3166-1 alpha-3 code.")


class AgendaItemOut(Schema):
    starts_at: dt.datetime | None = Field(description="In the event's zone.")
    title: str
    speakers: str
    description: str


class RegistrationOut(Schema):
    id: int
    event: int
    event_title: str
    user: str = Field(description="Username of the person registered.")
    name: str = Field(description="Display name of the person registered.")
    status: str = Field(json_schema_extra={"enum": list(RegistrationStatus.values)})
    position: int | None = Field(description="Place on the waiting list (1 is next), if waiting.")
    requested_at: dt.datetime
    registered_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    attended: bool | None = Field(description="Marked by the organisers; null: not marked.")


class EventSummaryOut(Schema):
    id: int
    slug: str
    title: str
    summary: str
    language: str
    kind: KindChoice
    status: str = Field(json_schema_extra={"enum": list(EventStatus.values)})
    visibility: VisibilityChoice
    attendance_mode: ModeChoice
    starts_at: dt.datetime = Field(description="In the event's zone, with its offset.")
    ends_at: dt.datetime
    time_zone: str = Field(description="IANA time zone of the event.")
    organisers: list[OrganisationRefOut]
    themes: list[str]
    sdgs: list[int]
    city: EventCityOut | None
    url: str
    is_demo: bool


class EventOut(EventSummaryOut):
    description: str = Field(description="Markdown.")
    description_html: str = Field(description="The description rendered and sanitised.")
    venue: str
    join_url: str | None = Field(description="Only for those who may see it.")
    languages: list[str]
    interpretation: list[str]
    capacity: int | None
    seats_taken: int
    waiting: int
    registration_opens_at: dt.datetime | None
    registration_closes_at: dt.datetime | None
    registration_open: bool
    agenda: list[AgendaItemOut]
    cancel_reason: str
    my_registration: RegistrationOut | None


class AgendaItemIn(Schema):
    title: str
    starts_at: dt.datetime | None = Field(None, description="Local time if without an offset.")
    speakers: str = ""
    description: str = ""


class EventPatch(Schema):
    """Only the fields sent are changed."""

    title: str | None = None
    kind: KindChoice | None = None
    attendance_mode: ModeChoice | None = None
    starts_at: dt.datetime | None = Field(None, description="Local time if without an offset.")
    ends_at: dt.datetime | None = None
    time_zone: str | None = Field(None, description="IANA zone; empty: the city's.")
    organisers: list[int] | None = Field(None, description="Ids of the organisations.")
    summary: str | None = None
    description: str | None = None
    language: str | None = None
    visibility: VisibilityChoice | None = None
    city: int | None = Field(None, description="GeoNames id of the city.")
    venue: str | None = None
    join_url: str | None = None
    languages: list[str] | None = None
    interpretation: list[str] | None = None
    capacity: int | None = Field(None, description="Seats; null for no limit.")
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None
    themes: list[str] | None = None
    sdgs: list[int] | None = None
    agenda: list[AgendaItemIn] | None = None


class EventIn(Schema):
    title: str
    kind: KindChoice
    attendance_mode: ModeChoice
    starts_at: dt.datetime = Field(description="Local time of the event's zone if no offset.")
    ends_at: dt.datetime
    time_zone: str = Field("", description="IANA zone; empty: the city's.")
    organisers: list[int] = Field(description="Ids of the organisations; one you edit for.")
    summary: str = ""
    description: str = ""
    language: str = "en"
    visibility: VisibilityChoice = Visibility.PUBLIC.value
    city: int | None = Field(None, description="GeoNames id of the city.")
    venue: str = ""
    join_url: str = ""
    languages: list[str] = []
    interpretation: list[str] = []
    capacity: int | None = None
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None
    themes: list[str] = []
    sdgs: list[int] = []
    agenda: list[AgendaItemIn] = []
    publish: bool = Field(False, description="Publish at once (else a draft).")


class CancelIn(Schema):
    reason: str = ""


class AttendanceIn(Schema):
    attended: bool | None


class NoteOut(Schema):
    id: int
    event: int
    title: str
    language: str
    author: str | None
    organisation: OrganisationRefOut | None
    shared: str
    shared_by: str
    will_try: str
    follow_ups: str
    html: dict[str, str] = Field(description="shared, will_try and follow_ups rendered.")
    practices: list[int] = Field(description="Ids of the linked practices the caller may see.")
    became: int | None = Field(description="Id of the practice written from the note.")
    created_at: dt.datetime
    updated_at: dt.datetime


class NoteIn(Schema):
    title: str
    language: str = "en"
    shared: str = ""
    shared_by: str = ""
    will_try: str = ""
    follow_ups: str = ""
    organisation: int | None = Field(None, description="Id of an organisation you have a role in.")
    practices: list[int] = Field([], description="Ids of related practices.")


class NotePatch(Schema):
    title: str | None = None
    language: str | None = None
    shared: str | None = None
    shared_by: str | None = None
    will_try: str | None = None
    follow_ups: str | None = None
    organisation: int | None = None
    practices: list[int] | None = None


class PracticeRefOut(Schema):
    id: int
    slug: str
    url: str


class NewsFilter(Schema):
    theme: str = Field("", description="Theme slug.")
    language: str = Field("", description="Only articles available in this language.")
    organisation: int | None = Field(
        None, description="Id of the organisation responsible or related."
    )
    status: choice(NewsStatus.values, blank=True) = Field(  # type: ignore[valid-type]
        NewsStatus.PUBLISHED.value,
        description="Workflow status; empty for every status the caller may see.",
    )
    lang: str = Field("", description="Language to show where a translation exists.")


class NewsTextOut(Schema):
    language: str
    is_original: bool
    title: str
    summary: str
    body: str
    body_html: str


class NewsSummaryOut(Schema):
    id: int
    slug: str
    title: str
    summary: str
    language: str = Field(description="Language of the title and summary shown.")
    original_language: str
    languages: list[str]
    themes: list[str]
    status: NewsStatusChoice
    url: str
    published_at: dt.datetime | None


class NewsOut(NewsSummaryOut):
    texts: list[NewsTextOut]
    owner: OrganisationRefOut | None
    organisations: list[OrganisationRefOut]
    event: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class NewsIn(Schema):
    language: str
    title: str
    summary: str = ""
    body: str = ""
    owner: int | None = None
    organisations: list[int] = []
    themes: list[str] = []
    event: int | None = None


class NewsPatch(Schema):
    language: str | None = Field(None, description="Text to change (default: the original).")
    title: str | None = None
    summary: str | None = None
    body: str | None = None
    owner: int | None = None
    organisations: list[int] | None = None
    themes: list[str] | None = None
    event: int | None = None


class NewsTranslationIn(Schema):
    title: str
    summary: str = ""
    body: str = ""


class NewsStatusIn(Schema):
    status: NewsStatusChoice


# --- helpers ---------------------------------------------------------------------------------


class _Records(Sequence[dict[str, Any]]):
    """A queryset rendered record by record, only for the page the paginator slices."""

    def __init__(self, queryset: QuerySet[Any], record: Callable[[Any], dict[str, Any]]) -> None:
        self.queryset = queryset
        self.record = record

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self.record(row) for row in self.queryset[index]]
        return self.record(self.queryset[index])


def _user(request: HttpRequest) -> Any:
    """Who reads: the write auth's user, else a valid bearer token's, else the session's."""
    user = acting_user(request)
    if user is not None:
        return user
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        token_user = api_token_authenticate(raw=header[7:].strip())
        if token_user is not None:
            return token_user
    return getattr(request, "user", None)


def _language(value: str | None = None) -> str:
    return (value or get_language() or "en").split("-")[0].lower()


def _org_ref(o: Organisation) -> dict[str, Any]:
    return {"id": o.pk, "slug": o.slug, "name": o.name}


def _organisation(pk: int, field: str) -> Organisation:
    try:
        return directory_selectors.organisation_get_by_id(pk=pk)
    except NotFound as exc:
        raise ApplicationError(exc.message, field=field) from None


def registration_record(registration: Registration) -> dict[str, Any]:
    return {
        "id": registration.pk,
        "event": registration.event_id,
        "event_title": registration.event.title,
        "user": registration.user.username,
        "name": str(registration.user),
        "status": registration.status,
        "position": selectors.position_of(registration),
        "requested_at": registration.requested_at,
        "registered_at": registration.registered_at,
        "cancelled_at": registration.cancelled_at,
        "attended": registration.attended,
    }


def summary_record(event: Event) -> dict[str, Any]:
    zone = event.zone
    return {
        "id": event.pk,
        "slug": event.slug,
        "title": event.title,
        "summary": event.summary,
        "language": event.language,
        "kind": event.kind,
        "status": event.status,
        "visibility": event.visibility,
        "attendance_mode": event.attendance_mode,
        "starts_at": event.starts_at.astimezone(zone),
        "ends_at": event.ends_at.astimezone(zone),
        "time_zone": event.time_zone,
        "organisers": [_org_ref(o) for o in event.organisers.all()],
        "themes": [t.slug for t in event.themes.all()],
        "sdgs": [s.number for s in event.sdgs.all()],
        "city": (
            {
                "geonameid": event.city.geonameid,
                "name": event.city.name,
                "country": event.city.country.iso3,
            }
            if event.city
            else None
        ),
        "url": event.get_absolute_url(),
        "is_demo": event.is_demo,
    }


def event_record(event: Event, user: Any) -> dict[str, Any]:
    zone = event.zone
    registration = selectors.registration_of(user=user, event=event)
    counts = selectors.seat_counts(event)
    return {
        **summary_record(event),
        "description": event.description,
        "description_html": markdown.render(event.description),
        "venue": event.venue,
        "join_url": (
            event.join_url if permissions.can_see_join_link(user, event, registration) else None
        ),
        "languages": list(event.languages),
        "interpretation": list(event.interpretation),
        "capacity": event.capacity,
        "seats_taken": counts.registered,
        "waiting": counts.waiting,
        "registration_opens_at": (
            event.registration_opens_at.astimezone(zone) if event.registration_opens_at else None
        ),
        "registration_closes_at": event.registration_closes().astimezone(zone),
        "registration_open": services.registration_window_problem(event) is None,
        "agenda": [
            {
                "starts_at": a.starts_at.astimezone(zone) if a.starts_at else None,
                "title": a.title,
                "speakers": a.speakers,
                "description": a.description,
            }
            for a in event.agenda.all()
        ],
        "cancel_reason": event.cancel_reason,
        "my_registration": registration_record(registration) if registration else None,
    }


def _event(request: HttpRequest, pk: int) -> Event:
    return selectors.event_get_by_id(pk=pk, user=_user(request))


def _agenda(items: list[dict[str, Any]]) -> list[services.AgendaEntry]:
    return [
        services.AgendaEntry(
            title=i.get("title") or "",
            starts_at=i.get("starts_at"),
            speakers=i.get("speakers") or "",
            description=i.get("description") or "",
        )
        for i in items
    ]


def _event_data(data: dict[str, Any], base: services.EventData) -> services.EventData:
    """``base`` with the fields sent in ``data`` replaced (references resolved, named on error)."""
    refs = References()
    changes: dict[str, Any] = {}
    simple = (
        "title",
        "kind",
        "attendance_mode",
        "starts_at",
        "ends_at",
        "summary",
        "description",
        "language",
        "visibility",
        "venue",
        "join_url",
        "languages",
        "interpretation",
        "capacity",
        "registration_opens_at",
        "registration_closes_at",
    )
    nullable = {"capacity", "registration_opens_at", "registration_closes_at"}
    for name in simple:
        if name in data and (data[name] is not None or name in nullable):
            changes[name] = data[name]
    if "time_zone" in data:
        changes["time_zone"] = data["time_zone"] or ""
    if "organisers" in data and data["organisers"] is not None:
        changes["organisers"] = [_organisation(pk, "organisers") for pk in data["organisers"]]
    if "city" in data:
        changes["city"] = refs.city(data["city"]) if data["city"] is not None else None
    if data.get("themes") is not None:
        changes["themes"] = refs.themes(data["themes"])
    if data.get("sdgs") is not None:
        changes["sdgs"] = refs.sdgs(data["sdgs"])
    if data.get("agenda") is not None:
        changes["agenda"] = _agenda(data["agenda"])
    return replace(base, **changes)


# --- events ----------------------------------------------------------------------------------


@router.get("/events", response=list[EventSummaryOut], summary="List events")
@paginate(LimitOffset)
def list_events(request: HttpRequest, filters: Query[EventFilter]) -> Any:
    f = selectors.EventFilters(
        kind=filters.kind,
        theme=filters.theme,
        when=filters.when if filters.when in ("upcoming", "past") else "",
        online=filters.online,
        organisation=filters.organisation,
        q=filters.q,
    )
    return _Records(selectors.event_list(f, user=_user(request)), summary_record)


@router.get("/events/{id}", response=EventOut, summary="One event")
def get_event(request: HttpRequest, id: int) -> dict[str, Any]:
    return event_record(_event(request, id), _user(request))


@router.post(
    "/events",
    response={201: EventOut},
    auth=WRITE_AUTH,
    summary="Organise an event (a draft unless publish is true)",
)
def create_event(request: HttpRequest, payload: EventIn) -> Status[dict[str, Any]]:
    data = payload.model_dump()
    actor = acting_user(request)
    base = services.EventData(
        title="",
        kind="",
        attendance_mode="",
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        organisers=[],
    )
    event = services.event_create(
        actor=actor, data=_event_data(data, base), publish=payload.publish
    )
    return Status(201, event_record(_event(request, event.pk), actor))


@router.patch("/events/{id}", response=EventOut, auth=WRITE_AUTH, summary="Change an event")
def update_event(request: HttpRequest, id: int, payload: EventPatch) -> dict[str, Any]:
    event = _event(request, id)
    actor = acting_user(request)
    data = payload.model_dump(exclude_unset=True)
    services.event_update(
        actor=actor, event=event, data=_event_data(data, services.event_data(event))
    )
    return event_record(_event(request, id), actor)


@router.post("/events/{id}/publish", response=EventOut, auth=WRITE_AUTH, summary="Publish a draft")
def publish_event(request: HttpRequest, id: int) -> dict[str, Any]:
    event = _event(request, id)
    services.event_publish(actor=acting_user(request), event=event)
    return event_record(_event(request, id), acting_user(request))


@router.post(
    "/events/{id}/cancel",
    response=EventOut,
    auth=WRITE_AUTH,
    summary="Cancel an event (everyone registered or waiting is told)",
)
def cancel_event(request: HttpRequest, id: int, payload: CancelIn) -> dict[str, Any]:
    event = _event(request, id)
    services.event_cancel(actor=acting_user(request), event=event, reason=payload.reason)
    return event_record(_event(request, id), acting_user(request))


# --- registrations ---------------------------------------------------------------------------


@router.get(
    "/events/{id}/registrations",
    response=list[RegistrationOut],
    auth=WRITE_AUTH,
    summary="The event's registrations, for its organisers: seats, then the waiting list in order",
)
@paginate(LimitOffset)
def list_registrations(request: HttpRequest, id: int, status: str = "") -> Any:
    event = _event(request, id)
    if not permissions.can_edit_event(acting_user(request), event):
        raise PermissionDenied(_("Only the organisers see the participants."))
    return _Records(selectors.registration_list(event=event, status=status), registration_record)


@router.post(
    "/events/{id}/registrations",
    response={201: RegistrationOut},
    auth=WRITE_AUTH,
    summary="Register: a seat if one is free, else the end of the waiting list",
)
def register(request: HttpRequest, id: int) -> Status[dict[str, Any]]:
    event = _event(request, id)
    registration = services.registration_create(actor=acting_user(request), event=event)
    return Status(201, registration_record(registration))


@router.get(
    "/registrations/mine",
    response=list[RegistrationOut],
    auth=WRITE_AUTH,
    summary="My seats and places on waiting lists",
)
@paginate(LimitOffset)
def my_registrations(request: HttpRequest, upcoming: bool = False) -> Any:
    rows = selectors.my_registrations(user=acting_user(request), upcoming_only=upcoming)
    return _Records(rows, registration_record)


def _registration(request: HttpRequest, pk: int) -> Registration:
    """A registration the caller holds or organises; 404 otherwise (nothing leaks)."""
    try:
        registration = selectors.registration_get(pk=pk)
    except NotFound:
        raise NotFound(_("No registration with id %(id)d.") % {"id": pk}) from None
    user = acting_user(request)
    if registration.user_id != getattr(user, "pk", None) and not permissions.can_edit_event(
        user, registration.event
    ):
        raise NotFound(_("No registration with id %(id)d.") % {"id": pk})
    return registration


@router.post(
    "/registrations/{id}/cancel",
    response=RegistrationOut,
    auth=WRITE_AUTH,
    summary="Cancel a registration; a freed seat goes to the first person waiting",
)
def cancel_registration(request: HttpRequest, id: int) -> dict[str, Any]:
    registration = services.registration_cancel(
        actor=acting_user(request), registration=_registration(request, id)
    )
    return registration_record(registration)


@router.put(
    "/registrations/{id}/attendance",
    response=RegistrationOut,
    auth=WRITE_AUTH,
    summary="Mark whether a registered person attended (organisers, once the event started)",
)
def mark_attendance(request: HttpRequest, id: int, payload: AttendanceIn) -> dict[str, Any]:
    registration = services.attendance_mark(
        actor=acting_user(request),
        registration=_registration(request, id),
        attended=payload.attended,
    )
    return registration_record(registration)


# --- learning notes --------------------------------------------------------------------------


def note_record(note: LearningNote, user: Any) -> dict[str, Any]:
    from citypeers.knowledge import permissions as knowledge_permissions

    return {
        "id": note.pk,
        "event": note.event_id,
        "title": note.title,
        "language": note.language,
        "author": note.author.username if note.author else None,
        "organisation": _org_ref(note.organisation) if note.organisation else None,
        "shared": note.shared,
        "shared_by": note.shared_by,
        "will_try": note.will_try,
        "follow_ups": note.follow_ups,
        "html": {
            name: markdown.render(getattr(note, name))
            for name in ("shared", "will_try", "follow_ups")
        },
        "practices": [
            p.pk for p in note.practices.all() if knowledge_permissions.can_view(user, p)
        ],
        "became": note.became_id,
        "created_at": note.created_at,
        "updated_at": note.updated_at,
    }


def _practices(ids: list[int], user: Any) -> list[Practice]:
    from citypeers.knowledge import selectors as knowledge_selectors

    out = []
    for pk in ids:
        try:
            out.append(knowledge_selectors.practice_get_by_id(pk=pk, user=user))
        except NotFound as exc:
            raise ApplicationError(exc.message, field="practices") from None
    return out


def _note(request: HttpRequest, pk: int) -> LearningNote:
    return selectors.note_get(pk=pk, user=_user(request))


@router.get("/events/{id}/notes", response=list[NoteOut], summary="The learning notes of an event")
def list_notes(request: HttpRequest, id: int) -> list[dict[str, Any]]:
    event = _event(request, id)
    user = _user(request)
    return [note_record(n, user) for n in selectors.note_list(event=event)]


@router.post(
    "/events/{id}/notes",
    response={201: NoteOut},
    auth=WRITE_AUTH,
    summary="Write a learning note (organisers and participants, once the event has started)",
)
def create_note(request: HttpRequest, id: int, payload: NoteIn) -> Status[dict[str, Any]]:
    event = _event(request, id)
    actor = acting_user(request)
    note = services.note_create(
        actor=actor,
        event=event,
        data=services.NoteData(
            title=payload.title,
            language=payload.language,
            shared=payload.shared,
            shared_by=payload.shared_by,
            will_try=payload.will_try,
            follow_ups=payload.follow_ups,
            organisation=(
                _organisation(payload.organisation, "organisation")
                if payload.organisation is not None
                else None
            ),
            practices=_practices(payload.practices, actor),
        ),
    )
    return Status(201, note_record(note, actor))


@router.patch(
    "/learning-notes/{id}", response=NoteOut, auth=WRITE_AUTH, summary="Change a learning note"
)
def update_note(request: HttpRequest, id: int, payload: NotePatch) -> dict[str, Any]:
    note = _note(request, id)
    actor = acting_user(request)
    data = payload.model_dump(exclude_unset=True)
    organisation = note.organisation
    if "organisation" in data:
        organisation = (
            _organisation(data["organisation"], "organisation")
            if data["organisation"] is not None
            else None
        )
    practices = None
    if data.get("practices") is not None:
        practices = _practices(data["practices"], actor)
    services.note_update(
        actor=actor,
        note=note,
        data=services.NoteData(
            title=data.get("title") or note.title,
            language=data.get("language") or note.language,
            shared=data.get("shared", note.shared) or "",
            shared_by=data.get("shared_by", note.shared_by) or "",
            will_try=data.get("will_try", note.will_try) or "",
            follow_ups=data.get("follow_ups", note.follow_ups) or "",
            organisation=organisation,
            practices=practices,
        ),
    )
    return note_record(selectors.note_list(event=note.event).get(pk=note.pk), actor)


@router.delete(
    "/learning-notes/{id}", response={204: None}, auth=WRITE_AUTH, summary="Delete a note"
)
def delete_note(request: HttpRequest, id: int) -> Status[None]:
    services.note_delete(actor=acting_user(request), note=_note(request, id))
    return Status(204, None)


@router.post(
    "/learning-notes/{id}/practice",
    response={201: PracticeRefOut},
    auth=WRITE_AUTH,
    summary="Write a draft practice from the note (linked to it)",
)
def note_to_practice(request: HttpRequest, id: int) -> Status[dict[str, Any]]:
    practice = services.note_make_practice(actor=acting_user(request), note=_note(request, id))
    return Status(
        201, {"id": practice.pk, "slug": practice.slug, "url": practice.get_absolute_url()}
    )


# --- news ------------------------------------------------------------------------------------


def _text_record(text: NewsText) -> dict[str, Any]:
    return {
        "language": text.language,
        "is_original": text.is_original,
        "title": text.title,
        "summary": text.summary,
        "body": text.body,
        "body_html": markdown.render(text.body),
    }


def news_summary_record(article: NewsArticle, language: str) -> dict[str, Any]:
    text = article.text_in(language)
    return {
        "id": article.pk,
        "slug": article.slug,
        "title": text.title if text else article.slug,
        "summary": text.summary if text else "",
        "language": text.language if text else article.original_language,
        "original_language": article.original_language,
        "languages": [t.language for t in article.texts.all()],
        "themes": [t.slug for t in article.themes.all()],
        "status": article.status,
        "url": article.get_absolute_url(),
        "published_at": article.published_at,
    }


def news_record(article: NewsArticle, language: str) -> dict[str, Any]:
    return {
        **news_summary_record(article, language),
        "texts": [_text_record(t) for t in article.texts.all()],
        "owner": _org_ref(article.owner) if article.owner else None,
        "organisations": [_org_ref(o) for o in article.organisations.all()],
        "event": article.event_id,
        "created_at": article.created_at,
        "updated_at": article.updated_at,
    }


def _news(request: HttpRequest, pk: int) -> NewsArticle:
    return selectors.news_get_by_id(pk=pk, user=_user(request))


def _news_facts(data: dict[str, Any], user: Any) -> services.NewsFacts:
    facts = services.NewsFacts()
    if data.get("owner") is not None:
        facts.owner = _organisation(data["owner"], "owner")
    if data.get("organisations") is not None:
        facts.organisations = [_organisation(pk, "organisations") for pk in data["organisations"]]
    if data.get("themes") is not None:
        facts.themes = References().themes(data["themes"])
    if data.get("event") is not None:
        try:
            facts.event = selectors.event_get_by_id(pk=data["event"], user=user)
        except NotFound as exc:
            raise ApplicationError(exc.message, field="event") from None
    return facts


@router.get("/news", response=list[NewsSummaryOut], summary="List news articles")
@paginate(LimitOffset)
def list_news(request: HttpRequest, filters: Query[NewsFilter]) -> Any:
    f = selectors.NewsFilters(
        theme=filters.theme,
        language=filters.language.lower(),
        organisation=filters.organisation,
        status=filters.status,
    )
    language = _language(filters.lang)
    return _Records(
        selectors.news_list(f, user=_user(request)), lambda a: news_summary_record(a, language)
    )


@router.get("/news/{id}", response=NewsOut, summary="One article with all its texts")
def get_news(request: HttpRequest, id: int, lang: str = "") -> dict[str, Any]:
    return news_record(_news(request, id), _language(lang))


@router.post(
    "/news", response={201: NewsOut}, auth=WRITE_AUTH, summary="Write an article (a draft)"
)
def create_news(request: HttpRequest, payload: NewsIn) -> Status[dict[str, Any]]:
    actor = acting_user(request)
    article = services.news_create(
        actor=actor,
        language=payload.language,
        texts={"title": payload.title, "summary": payload.summary, "body": payload.body},
        facts=_news_facts(payload.model_dump(), actor),
    )
    return Status(201, news_record(_news(request, article.pk), payload.language))


@router.patch(
    "/news/{id}",
    response=NewsOut,
    auth=WRITE_AUTH,
    summary="Change an article's facts and/or one of its texts",
)
def update_news(request: HttpRequest, id: int, payload: NewsPatch) -> dict[str, Any]:
    article = _news(request, id)
    actor = acting_user(request)
    data = payload.model_dump(exclude_unset=True)
    language = data.get("language") or article.original_language
    texts = None
    if {"title", "summary", "body"} & set(data):
        current = next((t for t in article.texts.all() if t.language == language), None)
        if current is None:
            raise ApplicationError(
                _("There is no text in %(lang)s yet: add a translation.") % {"lang": language},
                field="language",
            )
        texts = current.as_dict()
        texts.update({k: v or "" for k, v in data.items() if k in ("title", "summary", "body")})
    facts_keys = {"owner", "organisations", "themes", "event"} & set(data)
    services.news_update(
        actor=actor,
        article=article,
        facts=_news_facts(data, actor) if facts_keys else None,
        texts=texts,
        language=language,
    )
    return news_record(_news(request, id), _language(language))


@router.put(
    "/news/{id}/translations/{lang}",
    response=NewsOut,
    auth=WRITE_AUTH,
    summary="Add or replace a human translation of an article",
)
def translate_news(
    request: HttpRequest, id: int, lang: str, payload: NewsTranslationIn
) -> dict[str, Any]:
    article = _news(request, id)
    services.news_translate(
        actor=acting_user(request),
        article=article,
        language=lang,
        texts={"title": payload.title, "summary": payload.summary, "body": payload.body},
    )
    return news_record(_news(request, id), _language(lang))


@router.post(
    "/news/{id}/status",
    response=NewsOut,
    auth=WRITE_AUTH,
    summary="Move an article through the workflow: draft, submitted, published, archived",
)
def set_news_status(request: HttpRequest, id: int, payload: NewsStatusIn) -> dict[str, Any]:
    article = _news(request, id)
    services.news_set_status(actor=acting_user(request), article=article, status=payload.status)
    return news_record(_news(request, id), _language())


# --- discussions -----------------------------------------------------------------------------
#
# Communities are addressed by id (their slugs are in the answers). Threads and replies hidden by
# the moderators are answered 404 to everyone but their author and the community's moderators.
# Writes go through ``discussions.py``: 403 when not allowed (a network's community is written by
# its members; a banned person writes nothing), 409 for a reply to a locked thread, a second open
# report of the same post, a step already taken; 400 naming the field (an empty text, a missing
# reason); 429 past the rate limits, with ``retry_after`` in seconds.


class CommunityOut(Schema):
    id: int
    slug: str
    kind: str = Field(json_schema_extra={"enum": ["theme", "network"]})
    name: str
    theme: str | None = Field(description="Slug of the theme, for a theme's community.")
    organisation: OrganisationRefOut | None = Field(description="The network, for its community.")
    description: str
    threads: int = Field(description="Visible threads.")
    last_activity: dt.datetime | None
    url: str


class CommunityIn(Schema):
    organisation: int = Field(description="Id of the network or association.")
    description: str = ""


class ThreadSummaryOut(Schema):
    id: int
    community: int
    title: str
    language: str
    author: str | None = Field(description="Username of the author.")
    author_name: str | None
    created_at: dt.datetime
    last_activity_at: dt.datetime
    reply_count: int
    is_locked: bool
    is_hidden: bool
    url: str
    is_demo: bool


class ThreadOut(ThreadSummaryOut):
    body: str = Field(description="Markdown.")
    body_html: str = Field(description="The text rendered and sanitised.")
    locked_reason: str
    hidden_reason: str = Field(description="Only for its author and the moderators.")
    following: bool = Field(description="Whether the caller follows the thread.")


class ThreadIn(Schema):
    title: str
    body: str = Field(description="Markdown; @username tells that person.")
    language: str = "en"


class ReplyOut(Schema):
    id: int
    thread: int
    author: str | None
    author_name: str | None
    body: str
    body_html: str
    created_at: dt.datetime
    is_hidden: bool
    helpful: bool
    helpful_at: dt.datetime | None
    url: str
    is_demo: bool


class ReplyIn(Schema):
    body: str


class HelpfulIn(Schema):
    helpful: bool = True


ReportReasonChoice: TypeAlias = choice(ReportReason.values)  # type: ignore[valid-type]


class ReportIn(Schema):
    reason: ReportReasonChoice
    details: str = ""


class ReportOut(Schema):
    id: int
    thread: int
    reply: int | None
    reason: str
    details: str
    status: str = Field(json_schema_extra={"enum": list(ReportStatus.values)})
    created_at: dt.datetime
    reporter: str
    resolved_at: dt.datetime | None
    resolution: str


class ModerationIn(Schema):
    action: str = Field(
        description="hide, unhide, lock or unlock (replies: hide or unhide).",
        json_schema_extra={"enum": ["hide", "unhide", "lock", "unlock"]},
    )
    reason: str = Field(description="Recorded with the action.")


class ReasonIn(Schema):
    reason: str


class BanIn(Schema):
    user: str = Field(description="Username of the person.")
    reason: str
    until: dt.datetime | None = Field(None, description="End of the ban; none: until lifted.")


class BanOut(Schema):
    id: int
    user: str
    reason: str
    until: dt.datetime | None
    created_at: dt.datetime
    created_by: str | None
    lifted_at: dt.datetime | None


class FollowIn(Schema):
    """Exactly one of the four."""

    theme: str | None = Field(None, description="Slug of a theme.")
    organisation: int | None = Field(None, description="Id of an organisation.")
    event: int | None = Field(None, description="Id of an event.")
    thread: int | None = Field(None, description="Id of a discussion thread.")


class FollowOut(Schema):
    id: int
    kind: str = Field(json_schema_extra={"enum": ["theme", "organisation", "event", "thread"]})
    target_id: int
    name: str
    url: str
    created_at: dt.datetime


class DigestPreferenceIn(Schema):
    frequency: str = Field(json_schema_extra={"enum": list(DigestFrequency.values)})


class DigestPreferenceOut(Schema):
    frequency: str = Field(json_schema_extra={"enum": list(DigestFrequency.values)})
    last_period: dt.date | None = Field(description="First day of the last period sent.")
    last_sent_at: dt.datetime | None


def community_record(row: selectors.CommunityRow) -> dict[str, Any]:
    c = row.community
    return {
        "id": c.pk,
        "slug": c.slug,
        "kind": c.kind,
        "name": c.name,
        "theme": c.theme.slug if c.theme else None,
        "organisation": _org_ref(c.organisation) if c.organisation else None,
        "description": c.description,
        "threads": row.threads,
        "last_activity": row.last_activity,
        "url": c.get_absolute_url(),
    }


def thread_summary_record(thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.pk,
        "community": thread.community_id,
        "title": thread.title,
        "language": thread.language,
        "author": thread.author.username if thread.author else None,
        "author_name": str(thread.author) if thread.author else None,
        "created_at": thread.created_at,
        "last_activity_at": thread.last_activity_at,
        "reply_count": getattr(thread, "reply_count", 0),
        "is_locked": thread.is_locked,
        "is_hidden": thread.is_hidden,
        "url": thread.get_absolute_url(),
        "is_demo": thread.is_demo,
    }


def thread_record(thread: Thread, user: Any) -> dict[str, Any]:
    replies = selectors.reply_list(thread=thread, user=user).count()
    return {
        **thread_summary_record(thread),
        "reply_count": replies,
        "body": thread.body,
        "body_html": markdown.render(thread.body),
        "locked_reason": thread.locked_reason,
        "hidden_reason": thread.hidden_reason,
        "following": selectors.is_following(user=user, thread_id=thread.pk),
    }


def reply_record(reply: Reply) -> dict[str, Any]:
    return {
        "id": reply.pk,
        "thread": reply.thread_id,
        "author": reply.author.username if reply.author else None,
        "author_name": str(reply.author) if reply.author else None,
        "body": reply.body,
        "body_html": markdown.render(reply.body),
        "created_at": reply.created_at,
        "is_hidden": reply.is_hidden,
        "helpful": reply.is_helpful,
        "helpful_at": reply.helpful_at,
        "url": reply.get_absolute_url(),
        "is_demo": reply.is_demo,
    }


def report_record(report: Report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "thread": report.thread_id,
        "reply": report.reply_id,
        "reason": report.reason,
        "details": report.details,
        "status": report.status,
        "created_at": report.created_at,
        "reporter": report.reporter.username,
        "resolved_at": report.resolved_at,
        "resolution": report.resolution,
    }


def ban_record(ban: DiscussionBan) -> dict[str, Any]:
    return {
        "id": ban.pk,
        "user": ban.user.username,
        "reason": ban.reason,
        "until": ban.until,
        "created_at": ban.created_at,
        "created_by": ban.created_by.username if ban.created_by else None,
        "lifted_at": ban.lifted_at,
    }


def follow_record(follow: Follow) -> dict[str, Any]:
    kind = follow.target_kind
    target = follow.target
    name = {
        "theme": lambda t: t.label,
        "organisation": lambda t: t.name,
        "event": lambda t: t.title,
        "thread": lambda t: t.title,
    }[kind](target)
    return {
        "id": follow.pk,
        "kind": kind,
        "target_id": target.pk,
        "name": name,
        "url": target.get_absolute_url() if kind != "theme" else "",
        "created_at": follow.created_at,
    }


def _community_api(pk: int) -> Community:
    discussions.theme_communities_ensure()
    return selectors.community_get_by_id(pk=pk)


def _thread_api(request: HttpRequest, pk: int) -> Thread:
    return selectors.thread_get(pk=pk, user=_user(request))


def _reply_api(request: HttpRequest, pk: int) -> Reply:
    return selectors.reply_get(pk=pk, user=_user(request))


@router.get("/communities", response=list[CommunityOut], summary="Communities of practice")
@paginate(LimitOffset)
def list_communities(request: HttpRequest) -> list[dict[str, Any]]:
    discussions.theme_communities_ensure()
    return [community_record(row) for row in selectors.community_list()]


@router.post(
    "/communities",
    response={201: CommunityOut},
    auth=WRITE_AUTH,
    summary="Open the community of a network (its editors)",
)
def open_community(request: HttpRequest, payload: CommunityIn) -> Status[dict[str, Any]]:
    organisation = _organisation(payload.organisation, "organisation")
    community = discussions.community_open(
        actor=acting_user(request), organisation=organisation, description=payload.description
    )
    return Status(201, community_record(selectors.CommunityRow(community, 0, None)))


@router.get(
    "/communities/{id}/threads",
    response=list[ThreadSummaryOut],
    summary="A community's threads, latest activity first",
)
@paginate(LimitOffset)
def list_threads(request: HttpRequest, id: int, q: str = "") -> Any:
    community = _community_api(id)
    return _Records(
        selectors.thread_list(community=community, user=_user(request), q=q[:200]),
        thread_summary_record,
    )


@router.post(
    "/communities/{id}/threads",
    response={201: ThreadOut},
    auth=WRITE_AUTH,
    summary="Open a thread (the author follows it)",
)
def create_thread(request: HttpRequest, id: int, payload: ThreadIn) -> Status[dict[str, Any]]:
    actor = acting_user(request)
    thread = discussions.thread_create(
        actor=actor,
        community=_community_api(id),
        title=payload.title,
        body=payload.body,
        language=payload.language,
    )
    return Status(201, thread_record(selectors.thread_get(pk=thread.pk, user=actor), actor))


@router.get("/threads/{id}", response=ThreadOut, summary="One thread")
def get_thread(request: HttpRequest, id: int) -> dict[str, Any]:
    return thread_record(_thread_api(request, id), _user(request))


@router.get("/threads/{id}/replies", response=list[ReplyOut], summary="A thread's replies")
@paginate(LimitOffset)
def list_replies(request: HttpRequest, id: int) -> Any:
    thread = _thread_api(request, id)
    return _Records(selectors.reply_list(thread=thread, user=_user(request)), reply_record)


@router.post(
    "/threads/{id}/replies",
    response={201: ReplyOut},
    auth=WRITE_AUTH,
    summary="Reply (not to a locked thread); the replier then follows the thread",
)
def create_reply(request: HttpRequest, id: int, payload: ReplyIn) -> Status[dict[str, Any]]:
    reply = discussions.reply_create(
        actor=acting_user(request), thread=_thread_api(request, id), body=payload.body
    )
    return Status(201, reply_record(reply))


@router.put(
    "/replies/{id}/helpful",
    response=ReplyOut,
    auth=WRITE_AUTH,
    summary="Mark a reply helpful, or not (the thread's author and moderators)",
)
def mark_helpful(request: HttpRequest, id: int, payload: HelpfulIn) -> dict[str, Any]:
    reply = discussions.reply_set_helpful(
        actor=acting_user(request), reply=_reply_api(request, id), helpful=payload.helpful
    )
    return reply_record(reply)


@router.post(
    "/threads/{id}/reports",
    response={201: ReportOut},
    auth=WRITE_AUTH,
    summary="Report a thread to the moderators",
)
def report_thread(request: HttpRequest, id: int, payload: ReportIn) -> Status[dict[str, Any]]:
    report = discussions.report_create(
        actor=acting_user(request),
        thread=_thread_api(request, id),
        reason=payload.reason,
        details=payload.details,
    )
    return Status(201, report_record(report))


@router.post(
    "/replies/{id}/reports",
    response={201: ReportOut},
    auth=WRITE_AUTH,
    summary="Report a reply to the moderators",
)
def report_reply(request: HttpRequest, id: int, payload: ReportIn) -> Status[dict[str, Any]]:
    reply = _reply_api(request, id)
    report = discussions.report_create(
        actor=acting_user(request),
        thread=reply.thread,
        reply=reply,
        reason=payload.reason,
        details=payload.details,
    )
    return Status(201, report_record(report))


@router.post(
    "/threads/{id}/moderation",
    response=ThreadOut,
    auth=WRITE_AUTH,
    summary="Hide, show, lock or unlock a thread, with the reason (moderators)",
)
def moderate_thread(request: HttpRequest, id: int, payload: ModerationIn) -> dict[str, Any]:
    actor = acting_user(request)
    thread = _thread_api(request, id)
    if payload.action in ("hide", "unhide"):
        discussions.thread_set_hidden(
            actor=actor, thread=thread, hidden=payload.action == "hide", reason=payload.reason
        )
    elif payload.action in ("lock", "unlock"):
        discussions.thread_set_locked(
            actor=actor, thread=thread, locked=payload.action == "lock", reason=payload.reason
        )
    else:
        raise ApplicationError(_("Choose hide, unhide, lock or unlock."), field="action")
    return thread_record(selectors.thread_get(pk=id, user=actor), actor)


@router.post(
    "/replies/{id}/moderation",
    response=ReplyOut,
    auth=WRITE_AUTH,
    summary="Hide or show a reply, with the reason (moderators)",
)
def moderate_reply(request: HttpRequest, id: int, payload: ModerationIn) -> dict[str, Any]:
    if payload.action not in ("hide", "unhide"):
        raise ApplicationError(_("Choose hide or unhide."), field="action")
    reply = discussions.reply_set_hidden(
        actor=acting_user(request),
        reply=_reply_api(request, id),
        hidden=payload.action == "hide",
        reason=payload.reason,
    )
    return reply_record(reply)


@router.get(
    "/moderation/reports",
    response=list[ReportOut],
    auth=WRITE_AUTH,
    summary="Reports in the communities I moderate (open ones by default), oldest first",
)
@paginate(LimitOffset)
def list_reports(request: HttpRequest, status: str = ReportStatus.OPEN.value) -> Any:
    user = acting_user(request)
    if not permissions.can_see_queue(user):
        raise PermissionDenied(_("Only moderators see the queue."))
    if status and status not in ReportStatus.values:
        raise ApplicationError(_("Unknown status."), field="status")
    return _Records(selectors.report_queue(user=user, status=status), report_record)


@router.post(
    "/moderation/reports/{id}/dismiss",
    response=ReportOut,
    auth=WRITE_AUTH,
    summary="Dismiss a report, with the reason (moderators)",
)
def dismiss_report(request: HttpRequest, id: int, payload: ReasonIn) -> dict[str, Any]:
    actor = acting_user(request)
    report = selectors.report_get(pk=id, user=actor)
    return report_record(
        discussions.report_dismiss(actor=actor, report=report, reason=payload.reason)
    )


@router.get(
    "/moderation/bans",
    response=list[BanOut],
    auth=WRITE_AUTH,
    summary="People banned from the discussions now (platform moderators)",
)
@paginate(LimitOffset)
def list_bans(request: HttpRequest) -> Any:
    if not permissions.is_platform_moderator(acting_user(request)):
        raise PermissionDenied(_("Only platform moderators see the bans."))
    return _Records(selectors.active_bans(), ban_record)


def _person(username: str) -> Any:
    from citypeers.accounts.models import User

    person = User.objects.filter(username=username, is_active=True).first()
    if person is None:
        raise ApplicationError(_("No such person."), field="user")
    return person


@router.post(
    "/moderation/bans",
    response={201: BanOut},
    auth=WRITE_AUTH,
    summary="Ban a person from the discussions, with the reason (platform moderators)",
)
def ban_person(request: HttpRequest, payload: BanIn) -> Status[dict[str, Any]]:
    actor = acting_user(request)
    if not permissions.is_platform_moderator(actor):
        raise PermissionDenied(_("Only platform moderators ban people."))
    ban = discussions.user_ban(
        actor=actor, user=_person(payload.user), reason=payload.reason, until=payload.until
    )
    return Status(201, ban_record(ban))


@router.post(
    "/moderation/bans/{username}/lift",
    response=BanOut,
    auth=WRITE_AUTH,
    summary="Lift a person's ban, with the reason (platform moderators)",
)
def lift_ban(request: HttpRequest, username: str, payload: ReasonIn) -> dict[str, Any]:
    actor = acting_user(request)
    if not permissions.is_platform_moderator(actor):
        raise PermissionDenied(_("Only platform moderators lift bans."))
    ban = discussions.user_unban(actor=actor, user=_person(username), reason=payload.reason)
    return ban_record(ban)


# --- follows and the digest ------------------------------------------------------------------


@router.get("/follows", response=list[FollowOut], auth=WRITE_AUTH, summary="What I follow")
@paginate(LimitOffset)
def list_follows(request: HttpRequest) -> Any:
    return _Records(selectors.follows_of(user=acting_user(request)), follow_record)


@router.post(
    "/follows",
    response={200: FollowOut, 201: FollowOut},
    auth=WRITE_AUTH,
    summary="Follow a theme, an organisation, an event or a thread (201; 200 if already)",
)
def create_follow(request: HttpRequest, payload: FollowIn) -> Status[dict[str, Any]]:
    actor = acting_user(request)
    given = {k: v for k, v in payload.model_dump().items() if v is not None}
    if len(given) != 1:
        raise ApplicationError(
            _("Follow one theme, organisation, event or thread at a time."), field="target"
        )
    (kind, value), *_rest = given.items()
    target: Any
    if kind == "theme":
        found = References().themes([value], field="theme")
        if not found:
            raise ApplicationError(_("Name a theme."), field="theme")
        target = found[0]
    elif kind == "organisation":
        target = _organisation(value, "organisation")
    elif kind == "event":
        try:
            target = selectors.event_get_by_id(pk=value, user=actor)
        except NotFound as exc:
            raise ApplicationError(exc.message, field="event") from None
    else:
        try:
            target = selectors.thread_get(pk=value, user=actor)
        except NotFound as exc:
            raise ApplicationError(exc.message, field="thread") from None
    made, created = follows.follow(actor=actor, **{kind: target})
    return Status(
        201 if created else 200, follow_record(selectors.follow_get(pk=made.pk, user=actor))
    )


@router.delete("/follows/{id}", response={204: None}, auth=WRITE_AUTH, summary="Stop following")
def delete_follow(request: HttpRequest, id: int) -> Status[None]:
    actor = acting_user(request)
    follows.follow_delete(actor=actor, follow=selectors.follow_get(pk=id, user=actor))
    return Status(204, None)


@router.get(
    "/digest-preference",
    response=DigestPreferenceOut,
    auth=WRITE_AUTH,
    summary="How often I get the e-mail digest",
)
def get_digest_preference(request: HttpRequest) -> dict[str, Any]:
    return notification_selectors.digest_preference_record(acting_user(request))


@router.put(
    "/digest-preference",
    response=DigestPreferenceOut,
    auth=WRITE_AUTH,
    summary="Choose the e-mail digest: none, daily or weekly",
)
def set_digest_preference(request: HttpRequest, payload: DigestPreferenceIn) -> dict[str, Any]:
    actor = acting_user(request)
    notification_services.digest_preference_set(actor=actor, frequency=payload.frequency)
    return notification_selectors.digest_preference_record(actor)
