"""Forms of the learning pages: they check the shape of input; services check the rules.

Date-times on the event form are *local times of the event's zone*: the fields give naive values
and the service makes them aware in the zone the organiser chose (refusing a time the clocks skip).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citypeers.directory.forms import language_choices, sdgs_field, themes_field
from citypeers.directory.models import Organisation, Theme
from citypeers.knowledge.models import Practice
from citypeers.notifications.models import DigestFrequency
from citypeers.places.models import City

from . import zones
from .models import (
    MAX_POST,
    MAX_TEXT,
    AttendanceMode,
    EventKind,
    NewsStatus,
    ReportReason,
    Visibility,
)
from .selectors import EventFilters, NewsFilters
from .services import AgendaEntry

MARKDOWN_HELP = _(
    "Markdown: a blank line between paragraphs, **bold**, *italic*, “- ” at the start of a line "
    "for a list, [words](https://…) for a link. No HTML."
)
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    """A date and time as typed, without a zone: the service places it in the event's zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)
    input_formats = [LOCAL_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]

    def to_python(self, value: Any) -> dt.datetime | None:
        result = super().to_python(value)
        return result.replace(tzinfo=None) if result is not None else None


def _local(value: dt.datetime | None, zone: str) -> dt.datetime | None:
    """An aware datetime as the naive local time of ``zone``, for a form's initial value."""
    if value is None:
        return None
    return value.astimezone(zones.zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)


class EventFilterForm(forms.Form):
    """The event list's filters; an invalid value is ignored, never fatal."""

    WHEN = [("upcoming", _("Upcoming")), ("past", _("Past")), ("all", _("All dates"))]
    ONLINE = [("", _("On site and online")), ("online", _("Online")), ("onsite", _("On site"))]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    when = forms.ChoiceField(label=_("When"), required=False, choices=WHEN)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    online = forms.ChoiceField(label=_("Attendance"), required=False, choices=ONLINE)
    organisation = forms.SlugField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every: list[tuple[str, Any]] = [("", _("All"))]
        self.theme_labels = {t.slug: t.label for t in Theme.objects.all()}
        cast(forms.ChoiceField, self.fields["kind"]).choices = every + list(EventKind.choices)
        cast(forms.ChoiceField, self.fields["theme"]).choices = every + list(
            self.theme_labels.items()
        )

    def filters(self, organisation_id: int | None = None) -> EventFilters:
        data = getattr(self, "cleaned_data", {})
        when = data.get("when") or "upcoming"
        return EventFilters(
            kind=data.get("kind", ""),
            theme=data.get("theme", ""),
            when="" if when == "all" else when,
            online={"online": True, "onsite": False}.get(data.get("online", "")),
            organisation=organisation_id,
            q=data.get("q", ""),
        )


AGENDA_LINE = re.compile(
    r"^(?:(?P<date>\d{4}-\d{2}-\d{2})\s+)?(?:(?P<time>\d{1,2}[:h.]\d{2})\s*[|–-]?\s*)?(?P<rest>.+)$"
)


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences for lists and calendars."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
    )
    language = forms.ChoiceField(label=_("Language of this text"))
    organisers = forms.MultipleChoiceField(
        label=_("Organised by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Organisations you edit for. Their editors may manage the event."),
    )
    co_organisers = forms.CharField(
        label=_("Other organisers"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line: the name or address name of an organisation in the directory."),
    )
    starts_at = LocalDateTimeField(label=_("Starts"))
    ends_at = LocalDateTimeField(label=_("Ends"))
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_(
            "The zone of the times above. Left empty, the city's zone is taken. Readers also see "
            "the times in their own zone."
        ),
    )
    attendance_mode = forms.ChoiceField(
        label=_("Attendance"), choices=AttendanceMode.choices, widget=forms.RadioSelect
    )
    city_search = forms.CharField(
        max_length=200,
        label=_("Find the city"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Type the start of the city's name, then choose it in the list below."),
    )
    city = forms.IntegerField(label=_("City"), required=False, widget=forms.Select)
    venue = forms.CharField(
        label=_("Venue"),
        required=False,
        max_length=250,
        help_text=_("The building and address, for people coming on site."),
    )
    join_url = forms.URLField(
        label=_("Join link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "For online and hybrid events. Shown only to people holding a seat and to the "
            "organisers — unless the event is public, online only and without a seat limit."
        ),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"), required=False, widget=forms.CheckboxSelectMultiple
    )
    interpretation = forms.MultipleChoiceField(
        label=_("Interpretation into"), required=False, widget=forms.CheckboxSelectMultiple
    )
    capacity = forms.IntegerField(
        label=_("Seats"),
        required=False,
        min_value=1,
        help_text=_("Empty for no limit. When the seats are taken, people join a waiting list."),
    )
    registration_opens_at = LocalDateTimeField(label=_("Registration opens"), required=False)
    registration_closes_at = LocalDateTimeField(
        label=_("Registration closes"),
        required=False,
        help_text=_("Empty: when the event starts."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may take part"), choices=Visibility.choices, widget=forms.RadioSelect
    )
    themes = themes_field()
    sdgs = sdgs_field()
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One item a line: a time (local, like 09:30; with a date for events of several days, "
            "like 2031-06-11 09:30), then the title, then “|” and the speakers. For example: "
            "“09:30 Welcome | Mayor's office”."
        ),
    )

    def __init__(
        self,
        *args: Any,
        own: list[Organisation],
        current: list[Organisation] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.own = {o.slug: o for o in own}
        listed = list(own) + [o for o in current or [] if o.slug not in self.own]
        self.listed = {o.slug: o for o in listed}
        cast(forms.ChoiceField, self.fields["organisers"]).choices = [
            (o.slug, o.name) for o in listed
        ]
        cast(forms.ChoiceField, self.fields["language"]).choices = language_choices()
        cast(forms.ChoiceField, self.fields["languages"]).choices = language_choices()
        cast(forms.ChoiceField, self.fields["interpretation"]).choices = language_choices()
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = [("", "—")] + [
            (z, z.replace("_", " ")) for z in zones.zone_names()
        ]
        self.fields["sdgs"].label_from_instance = lambda s: f"{s.number}. {s.short}"  # type: ignore[attr-defined]
        self.fields["city_search"].widget.attrs.update(
            {
                "hx-get": reverse("directory:lookup-cities"),
                "hx-trigger": "input changed delay:250ms, search",
                "hx-target": "#field-city",
                "hx-swap": "outerHTML",
                "hx-sync": "this:replace",
                "aria-controls": "id_city",
            }
        )
        city = self._chosen_city()
        self.fields["city"].widget.choices = [("", "—")] + (
            [(city.geonameid, f"{city.name}, {city.country.name}")] if city else []
        )

    def _chosen_city(self) -> City | None:
        raw = self.data.get("city") if self.is_bound else self.initial.get("city")
        try:
            geonameid = int(raw or 0)
        except (TypeError, ValueError):
            return None
        if not geonameid:
            return None
        return City.objects.select_related("country").filter(geonameid=geonameid).first()

    def clean_city(self) -> City | None:
        geonameid = self.cleaned_data.get("city")
        if not geonameid:
            return None
        city = City.objects.select_related("country").filter(geonameid=geonameid).first()
        if city is None:
            raise forms.ValidationError(_("No city has this GeoNames id."))
        return city

    def clean_co_organisers(self) -> list[Organisation]:
        out = []
        for line in [x.strip() for x in self.cleaned_data.get("co_organisers", "").splitlines()]:
            if not line:
                continue
            found = (
                Organisation.objects.filter(slug=line).first()
                or Organisation.objects.filter(name__iexact=line).first()
            )
            if found is None:
                raise forms.ValidationError(
                    _("No organisation called “%(name)s” in the directory.") % {"name": line}
                )
            out.append(found)
        return out[:20]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [self.listed[s] for s in data.get("organisers", []) if s in self.listed]
        data["all_organisers"] = list(dict.fromkeys(chosen + data.get("co_organisers", [])))
        if not data["all_organisers"] and "organisers" not in self.errors:
            self.add_error("organisers", _("Name at least one organiser."))
        data["agenda_entries"] = self._agenda(data)
        return data

    def _agenda(self, data: dict[str, Any]) -> list[AgendaEntry]:
        start = data.get("starts_at")
        entries = []
        for line in [x.strip() for x in (data.get("agenda") or "").splitlines() if x.strip()]:
            match = AGENDA_LINE.match(line)
            if match is None:  # pragma: no cover - the pattern matches any non-empty line
                continue
            at = None
            if match.group("time"):
                hours, minutes = re.split(r"[:h.]", match.group("time"))
                day = (
                    dt.date.fromisoformat(match.group("date"))
                    if match.group("date")
                    else (start.date() if start else None)
                )
                if day is None or int(hours) > 23 or int(minutes) > 59:
                    self.add_error("agenda", _("“%(line)s”: give a valid time.") % {"line": line})
                    continue
                at = dt.datetime.combine(day, dt.time(int(hours), int(minutes)))
            title, _sep, speakers = match.group("rest").partition("|")
            entries.append(
                AgendaEntry(title=title.strip(), starts_at=at, speakers=speakers.strip())
            )
        return entries

    @staticmethod
    def initial_from(event: Any) -> dict[str, Any]:
        zone = event.time_zone
        agenda_lines = []
        start_day = _local(event.starts_at, zone).date()  # type: ignore[union-attr]
        for item in event.agenda.all():
            when = ""
            if item.starts_at:
                local = _local(item.starts_at, zone)
                assert local is not None
                when = (
                    local.strftime("%H:%M")
                    if local.date() == start_day
                    else local.strftime("%Y-%m-%d %H:%M")
                )
            line = f"{when} {item.title}".strip()
            if item.speakers:
                line += f" | {item.speakers}"
            agenda_lines.append(line)
        return {
            "title": event.title,
            "kind": event.kind,
            "summary": event.summary,
            "description": event.description,
            "language": event.language,
            "organisers": [o.slug for o in event.organisers.all()],
            "starts_at": _local(event.starts_at, zone),
            "ends_at": _local(event.ends_at, zone),
            "time_zone": zone,
            "attendance_mode": event.attendance_mode,
            "city": event.city.geonameid if event.city else None,
            "venue": event.venue,
            "join_url": event.join_url,
            "languages": list(event.languages),
            "interpretation": list(event.interpretation),
            "capacity": event.capacity,
            "registration_opens_at": _local(event.registration_opens_at, zone),
            "registration_closes_at": _local(event.registration_closes_at, zone),
            "visibility": event.visibility,
            "themes": [t.slug for t in event.themes.all()],
            "sdgs": [s.number for s in event.sdgs.all()],
            "agenda": "\n".join(agenda_lines),
        }


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the event cancelled?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to everyone registered or waiting."),
    )


class NoteForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    language = forms.ChoiceField(label=_("Language of the note"))
    organisation = forms.ChoiceField(label=_("Written for"), required=False)
    shared = forms.CharField(
        label=_("What was shared"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=MARKDOWN_HELP,
    )
    shared_by = forms.CharField(
        label=_("Shared by"),
        required=False,
        max_length=500,
        help_text=_("The people and organisations who shared it."),
    )
    will_try = forms.CharField(
        label=_("What each side will try"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    follow_ups = forms.CharField(
        label=_("Follow-ups"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Calls, visits, documents to send: who does what, by when."),
    )
    practices = forms.CharField(
        label=_("Related practices"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line: the address of a practice (or its address name)."),
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {o.slug: o for o in organisations}
        cast(forms.ChoiceField, self.fields["language"]).choices = language_choices()
        cast(forms.ChoiceField, self.fields["organisation"]).choices = [("", "—")] + [
            (o.slug, o.name) for o in organisations
        ]

    def clean_organisation(self) -> Organisation | None:
        slug = self.cleaned_data.get("organisation") or ""
        return self.organisations.get(slug)

    def clean_practices(self) -> list[Practice]:
        out = []
        for line in [x.strip() for x in self.cleaned_data.get("practices", "").splitlines()]:
            if not line:
                continue
            slug = [part for part in line.split("?")[0].split("/") if part][-1]
            practice = Practice.objects.filter(slug=slug).first()
            if practice is None:
                raise forms.ValidationError(_("No practice at “%(line)s”.") % {"line": line})
            out.append(practice)
        return out[:30]


class NewsFilterForm(forms.Form):
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    language = forms.ChoiceField(label=_("Available in"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every: list[tuple[str, Any]] = [("", _("All"))]
        self.theme_labels = {t.slug: t.label for t in Theme.objects.all()}
        cast(forms.ChoiceField, self.fields["theme"]).choices = every + list(
            self.theme_labels.items()
        )
        cast(forms.ChoiceField, self.fields["language"]).choices = every + language_choices()

    def filters(self) -> NewsFilters:
        data = getattr(self, "cleaned_data", {})
        return NewsFilters(theme=data.get("theme", ""), language=data.get("language", ""))


class NewsForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the text"))
    title = forms.CharField(label=_("Title"), max_length=250)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The lead: one or two sentences, shown in lists and feeds."),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=MARKDOWN_HELP,
    )
    owner = forms.ChoiceField(
        label=_("Organisation responsible"),
        required=False,
        help_text=_("One you edit for: its editors may then edit and publish the article."),
    )
    organisations = forms.CharField(
        label=_("Related organisations"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line: the name or address name of an organisation in the directory."),
    )
    themes = themes_field()

    def __init__(
        self,
        *args: Any,
        own: list[Organisation],
        current_owner: Organisation | None = None,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        listed = list(own)
        if current_owner is not None and current_owner not in listed:
            listed.append(current_owner)
        self.listed = {o.slug: o for o in listed}
        cast(forms.ChoiceField, self.fields["owner"]).choices = [("", "—")] + [
            (o.slug, o.name) for o in listed
        ]
        cast(forms.ChoiceField, self.fields["language"]).choices = language_choices()
        if editing:
            self.fields["language"].disabled = True

    def clean_owner(self) -> Organisation | None:
        return self.listed.get(self.cleaned_data.get("owner") or "")

    def clean_organisations(self) -> list[Organisation]:
        out = []
        for line in [x.strip() for x in self.cleaned_data.get("organisations", "").splitlines()]:
            if not line:
                continue
            found = (
                Organisation.objects.filter(slug=line).first()
                or Organisation.objects.filter(name__iexact=line).first()
            )
            if found is None:
                raise forms.ValidationError(
                    _("No organisation called “%(name)s” in the directory.") % {"name": line}
                )
            out.append(found)
        return out[:30]

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in ("title", "summary", "body")}


class NewsTranslateForm(forms.Form):
    language = forms.ChoiceField(label=_("Translate into"))
    title = forms.CharField(label=_("Title"), max_length=250)
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=600, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=MARKDOWN_HELP,
    )

    def __init__(self, *args: Any, original: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            c for c in language_choices() if c[0] != original
        ]

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in ("title", "summary", "body")}


class NewsStatusForm(forms.Form):
    status = forms.ChoiceField(choices=NewsStatus.choices)


# --- discussions -----------------------------------------------------------------------------

POST_HELP = _(
    "Markdown: a blank line between paragraphs, **bold**, *italic*, “- ” for a list, "
    "[words](https://…) for a link. Write @username to tell someone. No HTML."
)


class ThreadSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the threads"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Your question or topic"),
        max_length=MAX_POST,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=POST_HELP,
    )
    language = forms.ChoiceField(label=_("Language you write in"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["language"]).choices = language_choices()


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_POST,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=POST_HELP,
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=ReportReason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional, except for “something else”. Only the moderators read it."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with the action; the author is told when a post is hidden."),
    )


class ReportActionForm(ReasonForm):
    ACTIONS = [("hide", _("Hide the post")), ("dismiss", _("Dismiss the report"))]
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)


class BanForm(ReasonForm):
    until = forms.DateTimeField(
        label=_("Until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
        input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text=_("Empty: until the ban is lifted. A time of the platform's zone (UTC)."),
    )


class CommunityOpenForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Network or association"))
    description = forms.CharField(
        label=_("What the community is for"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=MARKDOWN_HELP,
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {o.slug: o for o in organisations}
        cast(forms.ChoiceField, self.fields["organisation"]).choices = [
            (o.slug, o.name) for o in organisations
        ]

    def clean_organisation(self) -> Organisation:
        return self.organisations[self.cleaned_data["organisation"]]


# --- follows and digests ---------------------------------------------------------------------


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("E-mail digest"), choices=DigestFrequency.choices, widget=forms.RadioSelect
    )


class FollowThemesForm(forms.Form):
    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["themes"]).choices = [
            (t.slug, t.label) for t in Theme.objects.all()
        ]


class FollowOrganisationForm(forms.Form):
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=300,
        help_text=_("Its address in the directory, or its address name."),
    )

    def clean_organisation(self) -> Organisation:
        value = self.cleaned_data["organisation"].strip().rstrip("/")
        slug = value.rsplit("/", 1)[-1]
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise forms.ValidationError(_("No organisation at this address."))
        return organisation


class FollowButtonForm(forms.Form):
    """The follow / unfollow buttons: what, and where to go back to."""

    KINDS = [
        ("theme", "theme"),
        ("organisation", "organisation"),
        ("event", "event"),
        ("thread", "thread"),
    ]
    kind = forms.ChoiceField(choices=KINDS)
    id = forms.IntegerField(min_value=1)
    action = forms.ChoiceField(choices=[("follow", "follow"), ("unfollow", "unfollow")])
    next = forms.CharField(required=False, max_length=1000)
