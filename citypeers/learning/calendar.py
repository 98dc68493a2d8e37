"""iCalendar (RFC 5545) feeds of events, written with the ``icalendar`` library.

- ``…/learning/events/<slug>/calendar.ics``: one event (as the reader may see it);
- ``…/learning/calendar/organisations/<slug>.ics`` and ``…/calendar/themes/<slug>.ics``: the public
  events of an organisation, or on a theme, from a year back on;
- ``…/learning/calendar/personal/<secret>.ics``: a person's own seats and places on waiting lists
  (waiting ones ``TENTATIVE``), addressed by a revocable secret since calendar clients send no
  session (``services.calendar_token_create``).

Each event's start and end are written in its own zone (``DTSTART;TZID=Europe/Paris:…``) and the
calendar carries a VTIMEZONE for each zone used, built from the tz database over the years the
events span, so a client places a weekly forum correctly on both sides of a DST change. A cancelled
event stays in the feed with ``STATUS:CANCELLED`` so clients remove it. The join link goes into
``CONFERENCE`` (RFC 7986), ``LOCATION`` for online-only events and the description — only where the
reader may see it: in the personal feed for a seat, and for open online events in every feed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import icalendar
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from citypeers.core.errors import NotFound
from citypeers.directory import selectors as directory_selectors
from citypeers.knowledge.markdown import plain

from . import permissions, selectors, services
from .models import Event, EventStatus

PRODID = "-//CityPeers//Learning forum//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class Entry:
    event: Event
    with_link: bool
    waiting: bool = False


def _location(event: Event, with_link: bool) -> str:
    parts = []
    if event.is_onsite:
        parts = [p for p in (event.venue, str(event.city) if event.city else "") if p]
        if event.city is not None:
            parts.append(event.city.country.name)
    if not parts and event.is_online:
        return event.join_url if with_link else _("Online")
    return ", ".join(parts)


def _description(event: Event, with_link: bool, page: str) -> str:
    lines = []
    if event.status == EventStatus.CANCELLED:
        lines.append(_("Cancelled."))
        if event.cancel_reason:
            lines.append(event.cancel_reason)
        lines.append("")
    if event.summary:
        lines += [event.summary, ""]
    if event.description:
        lines += [plain(event.description, 4000), ""]
    if event.is_online:
        if with_link:
            lines.append(_("Join online: %(url)s") % {"url": event.join_url})
        elif event.join_url:
            lines.append(_("The join link is given to the people holding a seat."))
    agenda = list(event.agenda.all())
    if agenda:
        lines += ["", _("Agenda") + ":"]
        for item in agenda:
            at = item.starts_at.astimezone(event.zone).strftime("%H:%M ") if item.starts_at else ""
            speakers = f" ({item.speakers})" if item.speakers else ""
            lines.append(f"- {at}{item.title}{speakers}")
    lines += ["", page]
    return "\n".join(lines).strip()


def build(entries: Iterable[Entry], *, name: str, request: HttpRequest) -> bytes:
    """The calendar of ``entries``, with a VTIMEZONE for every zone they use."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    domain = request.get_host().split(":")[0] or "citypeers"
    first: dt.date | None = None
    last: dt.date | None = None
    for entry in entries:
        event = entry.event
        zone = event.zone
        page = request.build_absolute_uri(event.get_absolute_url())
        item = icalendar.Event()
        item.add("uid", f"event-{event.pk}@{domain}")
        item.add("dtstamp", event.updated_at)
        item.add("created", event.created_at)
        item.add("last-modified", event.updated_at)
        item.add("dtstart", event.starts_at.astimezone(zone))
        item.add("dtend", event.ends_at.astimezone(zone))
        title = event.title
        if entry.waiting:
            title = _("%(title)s (waiting list)") % {"title": title}
        item.add("summary", title)
        item.add("description", _description(event, entry.with_link, page))
        location = _location(event, entry.with_link)
        if location:
            item.add("location", location)
        item.add("url", page)
        if event.status == EventStatus.CANCELLED:
            item.add("status", "CANCELLED")
        elif entry.waiting:
            item.add("status", "TENTATIVE")
        else:
            item.add("status", "CONFIRMED")
        item.add("categories", [event.get_kind_display(), *(t.label for t in event.themes.all())])
        if event.city is not None and event.is_onsite:
            item.add("geo", (event.city.latitude, event.city.longitude))
        if entry.with_link and event.join_url:
            item.add(
                "conference",
                icalendar.vUri(event.join_url),
                parameters={"VALUE": "URI", "FEATURE": "AUDIO,VIDEO", "LABEL": _("Join online")},
            )
        calendar.add_component(item)
        start, end = event.starts_at.date(), event.ends_at.date()
        first = start if first is None or start < first else first
        last = end if last is None or end > last else last
    if first is not None and last is not None:
        calendar.add_missing_timezones(
            first_date=dt.date(first.year - 1, 1, 1), last_date=dt.date(last.year + 2, 1, 1)
        )
    return bytes(calendar.to_ical())


def _response(content: bytes, filename: str, *, private: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300" if private else "public, max-age=300"
    return response


@require_GET
def event_feed(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        event = selectors.event_get(slug=slug, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    registration = selectors.registration_of(user=request.user, event=event)
    entry = Entry(
        event=event,
        with_link=permissions.can_see_join_link(request.user, event, registration),
        waiting=registration is not None and registration.status == "waiting",
    )
    private = event.visibility != "public" or (entry.with_link and not event.join_link_is_public)
    return _response(
        build([entry], name=event.title, request=request), f"{event.slug}.ics", private=private
    )


@require_GET
def organisation_feed(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        organisation = directory_selectors.organisation_get(slug=slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    events = selectors.public_calendar(organisation=organisation.pk)
    entries = [Entry(e, with_link=e.join_link_is_public) for e in events]
    name = _("%(name)s: events") % {"name": organisation.name}
    return _response(build(entries, name=name, request=request), f"{organisation.slug}.ics")


@require_GET
def theme_feed(request: HttpRequest, slug: str) -> HttpResponse:
    theme = directory_selectors.theme_list().filter(slug=slug).first()
    if theme is None:
        raise Http404(_("No theme %(slug)r.") % {"slug": slug})
    events = selectors.public_calendar(theme=theme.slug)
    entries = [Entry(e, with_link=e.join_link_is_public) for e in events]
    name = _("CityPeers events on %(theme)s") % {"theme": theme.label}
    return _response(build(entries, name=name, request=request), f"{theme.slug}.ics")


@require_GET
def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = services.calendar_token_user(raw=token)
    if user is None:
        raise Http404(_("This calendar address is unknown or was revoked."))
    entries = [
        Entry(
            r.event,
            with_link=permissions.can_see_join_link(user, r.event, r),
            waiting=r.status == "waiting",
        )
        for r in selectors.personal_calendar(user=user)
    ]
    name = _("My CityPeers events")
    response = _response(build(entries, name=name, request=request), "citypeers.ics", private=True)
    response["X-Robots-Tag"] = "noindex"
    return response
