"""Pages of the learning forum: the event list and an event's page (times in the event's zone and
the reader's), the organiser's forms (create, edit, publish, cancel, participants and attendance),
registration buttons, learning notes, the personal calendar address, and news.

Each view parses input with a form, calls one service (or selectors) and renders. A rule broken in
a service comes back as an :class:`ApplicationError`: on a form page it is shown next to the field
it names, with the error's status; a button without a form page lets it reach the middleware,
which renders it with its status (403, 404, 409 …).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from citypeers.core.errors import ApplicationError, NotFound
from citypeers.core.htmx import is_htmx
from citypeers.core.responses import render_refused
from citypeers.core.translation import active_language
from citypeers.directory import permissions as directory_permissions
from citypeers.directory import selectors as directory_selectors
from citypeers.directory.forms import language_name
from citypeers.directory.models import Organisation
from citypeers.knowledge import markdown

from . import permissions, selectors, services, zones
from .forms import (
    CancelEventForm,
    EventFilterForm,
    EventForm,
    NewsFilterForm,
    NewsForm,
    NewsStatusForm,
    NewsTranslateForm,
    NoteForm,
)
from .models import (
    AttendanceMode,
    Event,
    EventStatus,
    LearningNote,
    NewsArticle,
    NewsStatus,
    NewsText,
    RegistrationStatus,
    Visibility,
)

PAGE_SIZE = 20


def _get_event(request: HttpRequest, slug: str) -> Event:
    try:
        return selectors.event_get(slug=slug, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _form_error(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    form: forms.Form,
    error: ApplicationError,
    aliases: dict[str, str] | None = None,
) -> HttpResponse:
    field = (aliases or {}).get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)
    return render_refused(request, template, context, error)


def _status(form: forms.Form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _edit_roles(request: HttpRequest) -> list[Organisation]:
    if not directory_permissions.is_signed_in(request.user):
        return []
    roles = directory_selectors.organisations_of_user(user_id=int(request.user.pk or 0))
    return [r.organisation for r in roles if r.role in directory_permissions.EDIT_ROLES]


def _all_roles(request: HttpRequest) -> list[Organisation]:
    if not directory_permissions.is_signed_in(request.user):
        return []
    roles = directory_selectors.organisations_of_user(user_id=int(request.user.pk or 0))
    return [r.organisation for r in roles]


def times(event: Event, request: HttpRequest) -> dict[str, Any]:
    """The event's times in its own zone and, when known and different, in the reader's."""
    reader = zones.reader_zone(request)
    local_start = event.starts_at.astimezone(event.zone)
    out: dict[str, Any] = {
        "span": zones.span(event.starts_at, event.ends_at, event.time_zone),
        "zone": event.time_zone,
        "zone_label": event.time_zone.replace("_", " "),
        "offset": zones.offset_label(local_start),
        "reader_zone": reader or "",
        "reader_span": "",
        "reader_zone_label": "",
    }
    if reader and reader != event.time_zone:
        out["reader_span"] = zones.span(event.starts_at, event.ends_at, reader)
        out["reader_zone_label"] = reader.replace("_", " ")
    return out


# The list


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """Events with filters (kind, theme, upcoming or past, online); htmx asks for the results."""
    form = EventFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    slug = getattr(form, "cleaned_data", {}).get("organisation", "")
    organisation = (
        directory_selectors.organisation_list().filter(slug=slug).prefetch_related(None).first()
        if slug
        else None
    )
    filters = form.filters(organisation.pk if organisation else (0 if slug else None))
    page = Paginator(selectors.event_list(filters, user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(e, zones.span(e.starts_at, e.ends_at, e.time_zone)) for e in page.object_list]
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [v for v in values if v]
        if kept and key in form.fields:
            query.setlist(key, kept)
    theme = getattr(form, "cleaned_data", {}).get("theme", "")
    context = {
        "page": page,
        "rows": rows,
        "form": form,
        "query": query,
        "organisation": organisation,
        "when": filters.when,
        "theme": theme,
        "can_create": permissions.can_create_event(request.user),
    }
    if is_htmx(request) and not request.htmx.history_restore_request:  # type: ignore[attr-defined]
        response = render(request, "learning/_events.html", context)
        push_url(response, f"{request.path}?{query.urlencode()}" if query else request.path)
    else:
        response = render(request, "learning/events.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# An event's page


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _get_event(request, slug)
    user = request.user
    registration = selectors.registration_of(user=user, event=event)
    can_edit = permissions.can_edit_event(user, event)
    notes = list(selectors.note_list(event=event))
    counts = selectors.seat_counts(event)
    window = services.registration_window_problem(event)
    context = {
        "event": event,
        "times": times(event, request),
        "agenda": [
            (
                item,
                item.starts_at.astimezone(event.zone) if item.starts_at else None,
            )
            for item in event.agenda.all()
        ],
        "registration": registration,
        "position": selectors.waiting_position(registration) if registration else None,
        "counts": counts,
        "seats_left": (
            max(event.capacity - counts.registered, 0) if event.capacity is not None else None
        ),
        "window_problem": window,
        "can_register": (
            window is None
            and (registration is None or not registration.is_active)
            and directory_permissions.is_signed_in(user)
        ),
        "can_cancel_registration": (
            registration is not None
            and registration.is_active
            and event.status == EventStatus.PUBLISHED
            and event.starts_at > timezone.now()
        ),
        "can_edit": can_edit,
        "show_join": permissions.can_see_join_link(user, event, registration),
        "notes": [(n, permissions.can_edit_note(user, n)) for n in notes],
        "practices": selectors.practices_of_notes(notes, user=user),
        "can_write_note": permissions.can_write_note(user, event, registration),
        "languages": [language_name(c) for c in event.languages],
        "interpretation": [language_name(c) for c in event.interpretation],
        "json_ld": (
            event_json_ld(request, event)
            if event.visibility == Visibility.PUBLIC and event.status != EventStatus.DRAFT
            else None
        ),
        "signed_in": directory_permissions.is_signed_in(user),
        "follow": {
            "kind": "event",
            "id": event.pk,
            "following": selectors.is_following(user=user, event_id=event.pk),
        },
    }
    return render(request, "learning/event.html", context)


def event_json_ld(request: HttpRequest, event: Event) -> dict[str, Any]:
    """The schema.org description of a public event (no join link unless it is public)."""
    modes = {
        AttendanceMode.ONSITE: "https://schema.org/OfflineEventAttendanceMode",
        AttendanceMode.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
        AttendanceMode.HYBRID: "https://schema.org/MixedEventAttendanceMode",
    }
    zone = event.zone
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": request.build_absolute_uri(event.get_absolute_url()),
        "startDate": event.starts_at.astimezone(zone).isoformat(),
        "endDate": event.ends_at.astimezone(zone).isoformat(),
        "eventAttendanceMode": modes[event.attendance_mode],  # type: ignore[index]
        "eventStatus": "https://schema.org/EventCancelled"
        if event.status == EventStatus.CANCELLED
        else "https://schema.org/EventScheduled",
        "inLanguage": list(event.languages) or [event.language],
        "organizer": [
            {
                "@type": "Organization",
                "name": o.name,
                "url": request.build_absolute_uri(o.get_absolute_url()),
            }
            for o in event.organisers.all()
        ],
    }
    if event.summary or event.description:
        data["description"] = event.summary or markdown.plain(event.description, 500)
    locations: list[dict[str, Any]] = []
    if event.is_onsite and (event.city or event.venue):
        place: dict[str, Any] = {"@type": "Place", "name": event.venue or str(event.city)}
        if event.city is not None:
            place["address"] = {
                "@type": "PostalAddress",
                "addressLocality": event.city.name,
                "addressCountry": event.city.country.iso2,
            }
            place["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": event.city.latitude,
                "longitude": event.city.longitude,
            }
        locations.append(place)
    if event.is_online:
        virtual: dict[str, Any] = {"@type": "VirtualLocation"}
        if event.join_link_is_public:
            virtual["url"] = event.join_url
        locations.append(virtual)
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
    about = [t.label for t in event.themes.all()] + [
        f"SDG {s.number}: {s.short}" for s in event.sdgs.all()
    ]
    if about:
        data["about"] = about
    return data


# Organisers' forms


def _event_data(form: EventForm) -> services.EventData:
    d = form.cleaned_data
    return services.EventData(
        title=d["title"],
        kind=d["kind"],
        attendance_mode=d["attendance_mode"],
        starts_at=d["starts_at"],
        ends_at=d["ends_at"],
        organisers=d["all_organisers"],
        time_zone=d.get("time_zone") or "",
        summary=d.get("summary", ""),
        description=d.get("description", ""),
        language=d["language"],
        visibility=d["visibility"],
        city=d.get("city"),
        venue=d.get("venue", ""),
        join_url=d.get("join_url", ""),
        languages=d.get("languages") or [],
        interpretation=d.get("interpretation") or [],
        capacity=d.get("capacity"),
        registration_opens_at=d.get("registration_opens_at"),
        registration_closes_at=d.get("registration_closes_at"),
        themes=list(d.get("themes") or []),
        sdgs=list(d.get("sdgs") or []),
        agenda=d.get("agenda_entries") or [],
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    own = _edit_roles(request)
    directory_permissions.require(
        permissions.can_create_event(request.user),
        _("Only the editors of an organisation organise events."),
    )
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {
        "language": active_language(),
        "visibility": Visibility.PUBLIC,
        "attendance_mode": AttendanceMode.ONSITE,
        "languages": [active_language()],
    }
    if own:
        initial["organisers"] = [own[0].slug]
        if own[0].city is not None:
            initial["city"] = own[0].city.geonameid
            initial["time_zone"] = own[0].city.timezone
    form = EventForm(data, own=own, initial=initial)
    context = {"form": form, "event": None}
    template = "learning/event_form.html"
    if data is not None and form.is_valid():
        try:
            event = services.event_create(
                actor=request.user,
                data=_event_data(form),
                publish=request.POST.get("publish") == "1",
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        if event.status == EventStatus.PUBLISHED:
            messages.success(request, _("The event is published."))
        else:
            messages.success(request, _("The event is saved as a draft: publish it when ready."))
        return redirect(event)
    return render(request, template, context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, slug: str) -> HttpResponse:
    event = _get_event(request, slug)
    directory_permissions.require(
        permissions.can_edit_event(request.user, event),
        _("Only the editors of the event's organisers can change it."),
    )
    data = request.POST if request.method == "POST" else None
    form = EventForm(
        data,
        own=_edit_roles(request),
        current=list(event.organisers.all()),
        initial=EventForm.initial_from(event),
    )
    context = {"form": form, "event": event}
    template = "learning/event_form.html"
    if data is not None and form.is_valid():
        try:
            services.event_update(actor=request.user, event=event, data=_event_data(form))
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("Your changes are saved."))
        return redirect(event)
    return render(request, template, context, status=_status(form))


@login_required
@require_POST
def event_publish(request: HttpRequest, slug: str) -> HttpResponse:
    event = _get_event(request, slug)
    services.event_publish(actor=request.user, event=event)
    messages.success(request, _("The event is published."))
    return redirect(event)


@login_required
@require_http_methods(["GET", "POST"])
def event_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    event = _get_event(request, slug)
    directory_permissions.require(
        permissions.can_edit_event(request.user, event),
        _("Only the editors of the event's organisers can cancel it."),
    )
    form = CancelEventForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "event": event}
    template = "learning/event_cancel.html"
    if form.is_bound and form.is_valid():
        try:
            services.event_cancel(
                actor=request.user, event=event, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("The event is cancelled; everyone registered is told."))
        return redirect(event)
    return render(request, template, context, status=_status(form))


# Registration


@login_required
@require_POST
def register(request: HttpRequest, slug: str) -> HttpResponse:
    event = _get_event(request, slug)
    registration = services.registration_create(actor=request.user, event=event)
    if registration.status == RegistrationStatus.REGISTERED:
        messages.success(request, _("You are registered."))
    else:
        messages.success(
            request,
            _("The event is full: you are number %(n)d on the waiting list.")
            % {"n": selectors.waiting_position(registration) or 0},
        )
    return redirect(event)


@login_required
@require_POST
def unregister(request: HttpRequest, slug: str) -> HttpResponse:
    event = _get_event(request, slug)
    registration = selectors.registration_of(user=request.user, event=event)
    if registration is None:
        raise Http404(_("You are not registered for this event."))
    services.registration_cancel(actor=request.user, registration=registration)
    messages.success(request, _("Your registration is cancelled."))
    return redirect(event)


@login_required
@require_http_methods(["GET", "POST"])
def participants(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisers' view: seats, the waiting list in order, and attendance once started."""
    event = _get_event(request, slug)
    directory_permissions.require(
        permissions.can_edit_event(request.user, event),
        _("Only the organisers see the participants."),
    )
    if request.method == "POST":
        present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        count = services.attendance_set(actor=request.user, event=event, present=present)
        messages.success(request, _("Attendance saved: %(n)d present.") % {"n": count})
        return redirect("learning:participants", slug=event.slug)
    rows = list(selectors.registration_list(event=event))
    context = {
        "event": event,
        "times": times(event, request),
        "seats": [r for r in rows if r.status == RegistrationStatus.REGISTERED],
        "waiting": [r for r in rows if r.status == RegistrationStatus.WAITING],
        "cancelled": [r for r in rows if r.status == RegistrationStatus.CANCELLED],
        "counts": selectors.seat_counts(event),
        "can_mark": event.starts_at <= timezone.now() and event.status == EventStatus.PUBLISHED,
    }
    return render(request, "learning/participants.html", context)


# Learning notes


def _note_data(form: NoteForm) -> services.NoteData:
    d = form.cleaned_data
    return services.NoteData(
        title=d["title"],
        language=d["language"],
        shared=d.get("shared", ""),
        shared_by=d.get("shared_by", ""),
        will_try=d.get("will_try", ""),
        follow_ups=d.get("follow_ups", ""),
        organisation=d.get("organisation"),
        practices=d.get("practices") or [],
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_create(request: HttpRequest, slug: str) -> HttpResponse:
    event = _get_event(request, slug)
    registration = selectors.registration_of(user=request.user, event=event)
    directory_permissions.require(
        permissions.can_write_note(request.user, event, registration),
        _("Once the event has started, its organisers and participants write notes."),
    )
    organisations = _all_roles(request)
    data = request.POST if request.method == "POST" else None
    initial = {
        "language": active_language(),
        "organisation": organisations[0].slug if organisations else "",
    }
    form = NoteForm(data, organisations=organisations, initial=initial)
    context = {"form": form, "event": event, "note": None}
    template = "learning/note_form.html"
    if data is not None and form.is_valid():
        try:
            note = services.note_create(actor=request.user, event=event, data=_note_data(form))
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("Your learning note is saved."))
        return redirect(note.get_absolute_url())
    return render(request, template, context, status=_status(form))


def _get_note(request: HttpRequest, pk: int) -> LearningNote:
    try:
        return selectors.note_get(pk=pk, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = _get_note(request, pk)
    directory_permissions.require(
        permissions.can_edit_note(request.user, note),
        _("Only its author and the event's organisers edit a note."),
    )
    organisations = _all_roles(request)
    if note.organisation is not None and note.organisation not in organisations:
        organisations.append(note.organisation)
    data = request.POST if request.method == "POST" else None
    initial = {
        "title": note.title,
        "language": note.language,
        "organisation": note.organisation.slug if note.organisation else "",
        "shared": note.shared,
        "shared_by": note.shared_by,
        "will_try": note.will_try,
        "follow_ups": note.follow_ups,
        "practices": "\n".join(
            p.get_absolute_url() for p in note.practices.all() if p != note.became
        ),
    }
    form = NoteForm(data, organisations=organisations, initial=initial)
    context = {"form": form, "event": note.event, "note": note}
    template = "learning/note_form.html"
    if data is not None and form.is_valid():
        try:
            services.note_update(actor=request.user, note=note, data=_note_data(form))
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("The learning note is saved."))
        return redirect(note.get_absolute_url())
    return render(request, template, context, status=_status(form))


@login_required
@require_POST
def note_delete(request: HttpRequest, pk: int) -> HttpResponse:
    note = _get_note(request, pk)
    event = note.event
    services.note_delete(actor=request.user, note=note)
    messages.success(request, _("The learning note is deleted."))
    return redirect(event)


@login_required
@require_POST
def note_practice(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a draft practice from the note, then edit it in the knowledge base."""
    note = _get_note(request, pk)
    practice = services.note_make_practice(actor=request.user, note=note)
    messages.success(
        request, _("A draft practice is written from the note: complete it and submit it.")
    )
    return redirect("knowledge:edit", slug=practice.slug)


# The personal calendar


@login_required
@require_http_methods(["GET", "POST"])
def my_calendar(request: HttpRequest) -> HttpResponse:
    """My registrations and the secret address of my calendar feed (made, reset, revoked)."""
    address = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_token_revoke(actor=request.user)
            messages.success(request, _("Your calendar address no longer works."))
            return redirect("learning:calendar")
        _token, raw = services.calendar_token_create(actor=request.user)
        address = request.build_absolute_uri(reverse("learning:personal-ics", args=[raw]))
    token = selectors.calendar_token_of(user=request.user) if not address else None
    rows = [
        (r, zones.span(r.event.starts_at, r.event.ends_at, r.event.time_zone))
        for r in selectors.my_registrations(user=request.user, upcoming_only=True)
    ]
    context = {"address": address, "token": token, "rows": rows}
    return render(request, "learning/calendar.html", context)


# News


@require_GET
def news_list(request: HttpRequest) -> HttpResponse:
    form = NewsFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    page = Paginator(selectors.news_list(filters, user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    reader = active_language()
    rows = []
    for article in page.object_list:
        text = article.text_in(reader)
        rows.append((article, text, text is not None and text.language != reader))
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [v for v in values if v]
        if kept and key in form.fields:
            query.setlist(key, kept)
    context = {
        "page": page,
        "rows": rows,
        "form": form,
        "query": query,
        "theme": filters.theme,
        "language": filters.language,
        "signed_in": directory_permissions.is_signed_in(request.user),
    }
    return render(request, "learning/news_list.html", context)


def _get_news(request: HttpRequest, slug: str) -> NewsArticle:
    try:
        return selectors.news_get(slug=slug, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _news_moves(user: Any, article: NewsArticle) -> list[tuple[str, str]]:
    labels = {
        NewsStatus.SUBMITTED: _("Submit for review"),
        NewsStatus.PUBLISHED: _("Publish"),
        NewsStatus.ARCHIVED: _("Archive"),
        NewsStatus.DRAFT: _("Back to draft"),
    }
    out = []
    for status in (
        NewsStatus.SUBMITTED,
        NewsStatus.PUBLISHED,
        NewsStatus.ARCHIVED,
        NewsStatus.DRAFT,
    ):
        if status not in services.NEWS_TRANSITIONS.get(article.status, set()):
            continue
        allowed = (
            permissions.can_publish_news(user, article)
            if status == NewsStatus.PUBLISHED
            else permissions.can_edit_news(user, article)
        )
        if allowed:
            out.append((str(status), str(labels[status])))
    return out


def news_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = _get_news(request, slug)
    reader = active_language()
    texts = {t.language: t for t in article.texts.all()}
    asked = request.GET.get("lang", "")[:8]
    shown = texts.get(asked) or article.text_in(reader)
    if shown is None:
        raise Http404(_("This article has no text yet."))
    context = {
        "article": article,
        "text": shown,
        "foreign": shown.language != reader,
        "other_languages": [
            (code, language_name(code)) for code in sorted(texts) if code != shown.language
        ],
        "can_edit": permissions.can_edit_news(request.user, article),
        "moves": _news_moves(request.user, article),
        "json_ld": (
            news_json_ld(request, article, shown)
            if article.status == NewsStatus.PUBLISHED
            else None
        ),
    }
    return render(request, "learning/news.html", context)


def news_json_ld(request: HttpRequest, article: NewsArticle, text: NewsText) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": text.title[:110],
        "name": text.title,
        "inLanguage": text.language,
        "url": request.build_absolute_uri(article.get_absolute_url()),
        "dateModified": article.updated_at.isoformat(),
    }
    if article.published_at:
        data["datePublished"] = article.published_at.isoformat()
    if text.summary:
        data["abstract"] = markdown.plain(text.summary, 600)
    if article.owner is not None:
        data["publisher"] = {
            "@type": "Organization",
            "name": article.owner.name,
            "url": request.build_absolute_uri(article.owner.get_absolute_url()),
        }
    mentions = [{"@type": "Organization", "name": o.name} for o in article.organisations.all()]
    if mentions:
        data["mentions"] = mentions
    about = [t.label for t in article.themes.all()]
    if about:
        data["about"] = about
    if not text.is_original:
        data["translationOfWork"] = {
            "@type": "NewsArticle",
            "inLanguage": article.original_language,
        }
    return data


def _news_facts(form: NewsForm) -> services.NewsFacts:
    d = form.cleaned_data
    return services.NewsFacts(
        owner=d.get("owner"),
        organisations=d.get("organisations") or [],
        themes=list(d.get("themes") or []),
    )


@login_required
@require_http_methods(["GET", "POST"])
def news_create(request: HttpRequest) -> HttpResponse:
    own = _edit_roles(request)
    data = request.POST if request.method == "POST" else None
    initial = {"language": active_language(), "owner": own[0].slug if own else ""}
    form = NewsForm(data, own=own, initial=initial)
    context = {"form": form, "article": None}
    template = "learning/news_form.html"
    if data is not None and form.is_valid():
        try:
            article = services.news_create(
                actor=request.user,
                language=form.cleaned_data["language"],
                texts=form.texts(),
                facts=_news_facts(form),
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("Your article is saved as a draft."))
        return redirect(article)
    return render(request, template, context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def news_edit(request: HttpRequest, slug: str) -> HttpResponse:
    article = _get_news(request, slug)
    directory_permissions.require(
        permissions.can_edit_news(request.user, article),
        _("Only the author and the editors of the organisation responsible edit this article."),
    )
    original = article.text_in(article.original_language)
    initial: dict[str, Any] = {
        "language": article.original_language,
        "owner": article.owner.slug if article.owner else "",
        "organisations": "\n".join(o.name for o in article.organisations.all()),
        "themes": [t.slug for t in article.themes.all()],
    }
    if original is not None:
        initial.update(original.as_dict())
    data = request.POST if request.method == "POST" else None
    form = NewsForm(
        data, own=_edit_roles(request), current_owner=article.owner, editing=True, initial=initial
    )
    context = {"form": form, "article": article}
    template = "learning/news_form.html"
    if data is not None and form.is_valid():
        try:
            services.news_update(
                actor=request.user,
                article=article,
                facts=_news_facts(form),
                texts=form.texts(),
                language=article.original_language,
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("Your changes are saved."))
        return redirect(article)
    return render(request, template, context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def news_translate(request: HttpRequest, slug: str) -> HttpResponse:
    article = _get_news(request, slug)
    directory_permissions.require(
        permissions.can_edit_news(request.user, article),
        _("Only the author and the editors of the organisation responsible translate it."),
    )
    texts = {t.language: t for t in article.texts.all()}
    asked = (request.POST.get("language") or request.GET.get("lang") or "")[:8]
    if not asked or asked == article.original_language:
        asked = next((c for c in ("en", "fr", "es") if c != article.original_language), "")
    initial: dict[str, Any] = {"language": asked}
    if asked in texts:
        initial.update(texts[asked].as_dict())
    data = request.POST if request.method == "POST" else None
    form = NewsTranslateForm(data, original=article.original_language, initial=initial)
    context = {
        "form": form,
        "article": article,
        "original": texts.get(article.original_language),
        "original_language": language_name(article.original_language),
    }
    template = "learning/news_translate.html"
    if data is not None and form.is_valid():
        language = form.cleaned_data["language"]
        try:
            services.news_translate(
                actor=request.user, article=article, language=language, texts=form.texts()
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("The translation is saved."))
        return redirect(f"{article.get_absolute_url()}?lang={language}")
    return render(request, template, context, status=_status(form))


@login_required
@require_POST
def news_status(request: HttpRequest, slug: str) -> HttpResponse:
    article = _get_news(request, slug)
    form = NewsStatusForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(_("Choose what to do with the article."), field="status")
    article = services.news_set_status(
        actor=request.user, article=article, status=form.cleaned_data["status"]
    )
    messages.success(
        request, _("The article is now: %(status)s.") % {"status": article.get_status_display()}
    )
    return redirect(article)


@login_required
@require_GET
def news_review(request: HttpRequest) -> HttpResponse:
    reader = active_language()
    rows = [(a, a.text_in(reader)) for a in selectors.news_review_queue(user=request.user)]
    return render(request, "learning/news_review.html", {"rows": rows})
