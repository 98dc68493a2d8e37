"""Partnership pages: the list, a partnership's page, proposing and answering, running a
partnership (activities, results, agreements, status) and capacity self-assessments.

Each view parses input with a form, calls one service (or selectors) and renders. A rule broken in
a service comes back as an :class:`ApplicationError`; it is shown on the form next to the field it
names, with the error's status (400, 403 or 409).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from decimal import Decimal
from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from citypeers.core.errors import ApplicationError, NotFound
from citypeers.core.htmx import is_htmx
from citypeers.core.responses import render_refused
from citypeers.core.translation import active_language
from citypeers.directory import permissions as directory_permissions
from citypeers.directory import selectors as directory_selectors
from citypeers.directory.forms import language_name
from citypeers.directory.models import ASSOCIATION_TYPES, Organisation
from citypeers.places import selectors as places_selectors

from . import permissions, selectors, services
from .forms import (
    ActivityForm,
    AgreementForm,
    AnswerForm,
    AssessmentLinkForm,
    CapacityForm,
    FilterForm,
    IndicatorForm,
    MemberForm,
    ObjectiveForm,
    PartnershipCreateForm,
    PartnershipEditForm,
    ResultForm,
    StatusForm,
    level_label,
)
from .models import (
    CapacityDimension,
    Geography,
    Indicator,
    Partnership,
    PartnershipEvent,
    PartnershipMember,
    Status,
)

PAGE_SIZE = 25
# Service argument names that a form shows under another name.
FIELD_ALIASES = {"descriptions": "description", "members": "partner", "organisation": "member"}


def _get(request: HttpRequest, slug: str) -> Partnership:
    """The partnership with everything its page shows; 404 when the reader may not see it."""
    try:
        partnership = selectors.partnership_get(slug=slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not permissions.can_view(request.user, partnership):
        raise Http404(_("No partnership at %(slug)r.") % {"slug": slug})
    return partnership


def _fragment_only(request: HttpRequest) -> bool:
    """An htmx request for the results; a history restore needs the whole page."""
    return is_htmx(request) and not request.htmx.history_restore_request  # type: ignore[attr-defined]


def _form_error(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    form: forms.Form,
    error: ApplicationError,
) -> HttpResponse:
    """Re-render ``template`` with the service's error next to the field it names."""
    field = FIELD_ALIASES.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)
    return render_refused(request, template, context, error)


def _status(form: forms.Form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _edit_roles(request: HttpRequest) -> list[Organisation]:
    """The organisations the signed-in user edits for."""
    roles = directory_selectors.organisations_of_user(user_id=int(request.user.pk or 0))
    return [r.organisation for r in roles if r.role in directory_permissions.EDIT_ROLES]


def _organisation_names(slugs: list[str]) -> dict[str, str]:
    slugs = [s for s in slugs if s]
    if not slugs:
        return {}
    return dict(
        directory_selectors.organisation_list().filter(slug__in=slugs).values_list("slug", "name")
    )


def _organisation(slug: str, field: str) -> Organisation:
    try:
        return directory_selectors.organisation_get(slug=slug)
    except NotFound as exc:
        raise ApplicationError(_("Choose the organisation in the list."), field=field) from exc


# The list


class CountedPaginator(Paginator):
    """A paginator told how many rows there are (the statistics already counted them)."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


@require_GET
def partnership_list(request: HttpRequest) -> HttpResponse:
    """The registry with its filters and the counts by geography class; htmx asks for the
    results fragment alone."""
    form = FilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    slug = getattr(form, "cleaned_data", {}).get("organisation", "")
    organisation = (
        directory_selectors.organisation_list().filter(slug=slug).prefetch_related(None).first()
        if slug
        else None
    )
    # An unknown organisation gives no result rather than every partnership.
    filters = form.filters(organisation.pk if organisation else (0 if slug else None))
    # Counts by geography class ignore the geography filter, so each class shows how many it
    # would give; the chosen class's count is then the number of results.
    stats = selectors.partnership_stats(_without_geography(filters), only=("geography",))
    count = stats.by_geography.get(filters.geography, 0) if filters.geography else stats.total
    page = CountedPaginator(selectors.partnership_list(filters), PAGE_SIZE, count=count).get_page(
        request.GET.get("page")
    )
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [v for v in values if v]
        if kept and key in form.fields:
            query.setlist(key, kept)
    context = {
        "page": page,
        "form": form,
        "query": query,
        "organisation": organisation,
        "geography": [
            {
                "value": value,
                "label": label,
                "count": stats.by_geography.get(value, 0),
                "chosen": value == filters.geography,
                "query": _with(query, geography=value),
            }
            for value, label in Geography.choices
        ],
        "geography_total": stats.total,
        "all_geography_query": _with(query, geography=""),
    }
    if not _fragment_only(request):
        response = render(request, "partnerships/list.html", context)
    else:
        response = render(request, "partnerships/_results.html", context)
        shown = query.copy()
        if page.number > 1:
            shown["page"] = str(page.number)
        push_url(response, f"{request.path}?{shown.urlencode()}" if shown else request.path)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _without_geography(filters: selectors.PartnershipFilters) -> selectors.PartnershipFilters:
    from dataclasses import replace

    return replace(filters, geography="")


def _with(query: QueryDict, **values: str) -> str:
    """``query`` with ``values`` set (or removed when empty), back on the first page."""
    out = query.copy()
    out.pop("page", None)
    for key, value in values.items():
        if value:
            out[key] = value
        else:
            out.pop(key, None)
    return f"?{out.urlencode()}" if out else "?"


# A partnership's page


def partnership_detail(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = _get(request, slug)
    user = request.user
    members = list(partnership.members.all())
    prefetch_related_objects(members, "organisation__city")
    reader = active_language()
    shown = reader if partnership.descriptions.get(reader) else partnership.original_language
    open_to_answers = partnership.status in services.ANSWERABLE
    context = {
        "partnership": partnership,
        "members": members,
        "can_edit": permissions.can_edit(user, partnership),
        "answerable": [
            m
            for m in members
            if open_to_answers
            and not m.accepted
            and permissions.can_answer_for(user, m.organisation)
        ],
        "status_choices": _next_statuses(partnership),
        "geography_reason": geography_reason(partnership, members),
        "description_lang": shown,
        "description_note": (
            language_name(shown) if partnership.description and shown != reader else ""
        ),
        "timeline": timeline(partnership, members),
        "results": [
            (result, [(i, figures(i), progress(i)) for i in result.indicators.all()])
            for result in partnership.results.all()
        ],
        "capacity": selectors.capacity_changes(partnership),
        "signed_in": directory_permissions.is_signed_in(user),
    }
    return render(request, "partnerships/detail.html", context)


def _next_statuses(partnership: Partnership) -> list[str]:
    """The statuses a member's editor may move the partnership to from this page."""
    if partnership.status == Status.PROPOSED:
        return []  # it becomes active when every invited member accepts
    return [s for s in Status.values if s in services.TRANSITIONS.get(partnership.status, set())]


def geography_reason(partnership: Partnership, members: list[PartnershipMember]) -> str:
    """Why the partnership has its geography class, in plain words (the rule of geography.py)."""
    south = north = stateless = unknown = 0
    for m in members:
        country = m.organisation.country
        if country is None:
            stateless += 1
        elif country.global_south is True:
            south += 1
        elif country.global_south is False:
            north += 1
        else:
            unknown += 1
    beyond = north + stateless
    parts = []
    if south:
        parts.append(
            ngettext(
                "%(n)d member in the Global South",
                "%(n)d members in the Global South",
                south,
            )
            % {"n": south}
        )
    if beyond:
        parts.append(
            (
                ngettext("%(n)d beyond it", "%(n)d beyond it", beyond)
                if south
                else ngettext(
                    "%(n)d member beyond the Global South",
                    "%(n)d members beyond the Global South",
                    beyond,
                )
            )
            % {"n": beyond}
        )
    if stateless:
        parts.append(
            ngettext(
                "of which %(n)d without a country (an international body)",
                "of which %(n)d without a country (international bodies)",
                stateless,
            )
            % {"n": stateless}
        )
    if unknown:
        parts.append(
            ngettext(
                "%(n)d in a country no classification covers, not counted",
                "%(n)d in countries no classification covers, not counted",
                unknown,
            )
            % {"n": unknown}
        )
    counted = ", ".join(parts) if parts else _("no member that can be placed")
    rules: dict[str, str] = {
        Geography.TRIANGULAR: _(
            "At least two Southern members and at least one from beyond the South make it "
            "triangular."
        ),
        Geography.SOUTH_SOUTH: _("Southern members only: South–South."),
        Geography.NORTH_SOUTH: _(
            "One Southern member and at least one from beyond the South: North–South."
        ),
        Geography.NORTH_NORTH: _("No Southern member and at least two Northern ones: North–North."),
        Geography.UNCLASSIFIED: _(
            "Fewer than two members can be placed North or South, so it stays unclassified."
        ),
    }
    rule = rules.get(partnership.geography, "")
    text = _("%(counted)s. %(rule)s") % {"counted": counted[:1].upper() + counted[1:], "rule": rule}
    if partnership.single_country:
        text += " " + _("All its members are in one country.")
    return text


def progress(indicator: Indicator) -> str:
    """How far the indicator has come, in words: the share of the way from baseline to target."""
    base, target, actual = indicator.baseline, indicator.target, indicator.actual
    if actual is None:
        return _("Not measured yet.")
    if target is None:
        return _("No target set.")
    if base is not None and target != base:
        share = (actual - base) / (target - base) * Decimal(100)
        if share >= 100:
            return _("Target reached (%(share)s%% of the way from the baseline).") % {
                "share": f"{share:.0f}"
            }
        return _("%(share)s%% of the way from the baseline to the target.") % {
            "share": f"{share:.0f}"
        }
    return _("%(actual)s of a target of %(target)s.") % {
        "actual": _number(actual),
        "target": _number(target),
    }


def _number(value: Decimal) -> str:
    """A figure without trailing zeros, in the reader's number format: 31.50 → "31.5"."""
    trimmed = value.normalize()
    if trimmed.as_tuple().exponent > 0:  # type: ignore[operator]
        trimmed = trimmed.quantize(Decimal(1))
    return number_format(trimmed)


def figures(indicator: Indicator) -> dict[str, str]:
    """The indicator's baseline, target and actual as the page shows them ("—" when unknown)."""
    return {
        name: _number(value) if value is not None else "—"
        for name, value in (
            ("baseline", indicator.baseline),
            ("target", indicator.target),
            ("actual", indicator.actual),
        )
    }


class TimelineEntry:
    """One line of a partnership's history as a reader sees it."""

    def __init__(self, event: PartnershipEvent, what: str, note: str = "") -> None:
        self.at = event.at
        self.who = str(event.actor) if event.actor else _("The platform")
        self.what = what
        self.note = note or event.note
        self.kind = event.kind


def timeline(partnership: Partnership, members: list[PartnershipMember]) -> list[TimelineEntry]:
    """The partnership's history in plain words: who did what, when."""
    events = list(partnership.history.all())
    names = {m.organisation_id: m.organisation.name for m in members}
    missing = {
        e.data.get("organisation")
        for e in events
        if isinstance(e.data.get("organisation"), int) and e.data["organisation"] not in names
    }
    for e in events:
        missing |= {pk for pk in e.data.get("members", []) if pk not in names}
    if missing:
        names.update(
            directory_selectors.organisation_list().filter(pk__in=missing).values_list("pk", "name")
        )
    activities = {a.pk: a for a in partnership.activities.all()}
    results = {r.pk: r for r in partnership.results.all()}
    indicators = {i.pk: i for r in results.values() for i in r.indicators.all()}
    agreements = {a.pk: a for a in partnership.agreements.all()}
    objectives = {o.pk: o for o in partnership.objectives.all()}
    links = {link.assessment_id: link for link in partnership.assessment_links.all()}
    roles = dict(PartnershipMember.Role.choices)
    statuses = dict(Status.choices)

    def org(pk: Any) -> str:
        return names.get(pk, _("an organisation no longer listed"))

    def thing(found: Any, attribute: str, fallback: str) -> str:
        return str(getattr(found, attribute)) if found is not None else fallback

    out = []
    for e in events:
        d = e.data
        note = ""
        if e.kind == "created":
            what = _("Recorded the partnership between %(members)s") % {
                "members": ", ".join(org(pk) for pk in d.get("members", []))
            }
        elif e.kind == "proposed":
            what = _("Proposed the partnership between %(members)s") % {
                "members": ", ".join(org(pk) for pk in d.get("members", []))
            }
        elif e.kind == "accepted":
            what = _("Accepted the invitation for %(org)s") % {"org": org(d.get("organisation"))}
        elif e.kind == "declined":
            what = _("Declined the invitation for %(org)s") % {"org": org(d.get("organisation"))}
        elif e.kind == "status":
            what = _("Changed the status from %(from)s to %(to)s") % {
                "from": statuses.get(e.from_status, e.from_status),
                "to": statuses.get(e.to_status, e.to_status),
            }
            if d.get("on"):
                try:
                    on = dt.date.fromisoformat(d["on"])
                    what += " " + _("as of %(date)s") % {"date": date_format(on)}
                except ValueError:
                    pass
        elif e.kind == "updated":
            fields = [_field_label(f) for f in d.get("fields", [])]
            what = _("Edited the details: %(fields)s") % {"fields": ", ".join(fields)}
        elif e.kind in ("member_added", "member_invited"):
            what = (
                _("Added %(org)s as %(role)s")
                if e.kind == "member_added"
                else _("Invited %(org)s as %(role)s")
            ) % {"org": org(d.get("organisation")), "role": roles.get(d.get("role", ""), "")}
        elif e.kind == "member_removed":
            what = _("Removed %(org)s from the members") % {"org": org(d.get("organisation"))}
        elif e.kind == "objective_added":
            what = _("Added an objective")
            note = thing(objectives.get(d.get("objective")), "text", "")
        elif e.kind == "activity_added":
            found = activities.get(d.get("activity"))
            what = _("Added the activity “%(title)s”") % {
                "title": thing(found, "title", _("since removed"))
            }
        elif e.kind == "activity_removed":
            what = _("Removed the activity “%(title)s”") % {"title": d.get("title", "")}
        elif e.kind == "result_added":
            what = _("Recorded the result “%(title)s”") % {
                "title": thing(results.get(d.get("result")), "title", "")
            }
        elif e.kind == "indicator_set":
            what = _("Set the figures of the indicator “%(name)s”") % {
                "name": thing(indicators.get(d.get("indicator")), "name", "")
            }
            if d.get("actual") is not None:
                what += " " + _("(actual: %(actual)s)") % {"actual": d["actual"]}
        elif e.kind == "agreement_added":
            what = _("Added the agreement “%(title)s”") % {
                "title": thing(agreements.get(d.get("agreement")), "title", "")
            }
        elif e.kind == "capacity_linked":
            link = links.get(d.get("assessment"))
            what = (
                _("Linked the capacity self-assessment of %(org)s of %(date)s as %(kind)s")
                % {
                    "org": link.assessment.organisation,
                    "date": date_format(link.assessment.assessed_on),
                    "kind": link.get_kind_display().lower(),
                }
                if link
                else _("Linked a capacity self-assessment")
            )
        else:
            what = e.kind.replace("_", " ").capitalize()
        out.append(TimelineEntry(e, what, note))
    return out


def _field_label(name: str) -> str:
    extra = {"themes": _("themes"), "sdgs": _("Sustainable Development Goals")}
    if name in extra:
        return str(extra[name])
    try:
        return str(getattr(Partnership._meta.get_field(name), "verbose_name", name))
    except Exception:  # a field renamed since the entry was written
        return name


# Proposing a partnership and answering a proposal


@login_required
@require_http_methods(["GET", "POST"])
def partnership_create(request: HttpRequest) -> HttpResponse:
    """Propose a partnership, or record one between organisations the user all edits for."""
    own = _edit_roles(request)
    own_choices = [(o.slug, o.name) for o in own]
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {}
    chosen = [data.get("partner", ""), data.get("other", "")] if data else []
    if not data and request.GET.get("with"):
        initial["partner"] = request.GET["with"][:220]
        chosen = [initial["partner"]]
    names = _organisation_names(chosen)
    form = PartnershipCreateForm(data, own=own_choices, names=names, initial=initial)
    context = {"form": form, "partnership": None, "own": own}
    template = "partnerships/form.html"
    if data is not None and form.is_valid():
        try:
            cleaned = form.cleaned_data
            mine = next(o for o in own if o.slug == cleaned["organisation"])
            partner = _organisation(cleaned["partner"], "partner")
            members = [(mine, cleaned["role"]), (partner, cleaned["partner_role"])]
            if cleaned["other"]:
                members.append((_organisation(cleaned["other"], "other"), cleaned["other_role"]))
            partnership = services.partnership_create(
                actor=request.user,
                title=cleaned["title"] or " – ".join(o.name for o, _role in members),
                modality=cleaned["modality"],
                members=members,
                started_on=cleaned["started_on"],
                original_language=cleaned["original_language"],
                descriptions=form.descriptions(),
                themes=cleaned["themes"],
                sdgs=cleaned["sdgs"],
                objectives=form.objective_lines(),
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        if partnership.status == Status.PROPOSED:
            messages.success(
                request,
                _(
                    "Your proposal is sent. The invited organisations see it among their "
                    "invitations and can accept or decline it."
                ),
            )
        else:
            messages.success(request, _("The partnership is recorded."))
        return redirect(partnership)
    return render(request, template, context, status=_status(form))


@login_required
@require_GET
def invitations(request: HttpRequest) -> HttpResponse:
    """Proposals waiting for an answer from one of the organisations the user edits for."""
    own = _edit_roles(request)
    open_ = list(selectors.open_invitations_for(organisation_ids=[o.pk for o in own]))
    prefetch_related_objects([i.partnership for i in open_], "members__organisation__country")
    return render(request, "partnerships/invitations.html", {"invitations": open_, "own": own})


@login_required
@require_POST
def partnership_answer(request: HttpRequest, slug: str) -> HttpResponse:
    """An invited organisation's editor accepts or declines; refusals come back as error pages."""
    partnership = _get(request, slug)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(_("Choose to accept or decline."), field="answer")
    member = next(
        (
            m
            for m in partnership.members.all()
            if m.organisation_id == form.cleaned_data["organisation"]
        ),
        None,
    )
    if member is None:
        raise NotFound(_("This organisation is not invited to this partnership."))
    accept = form.cleaned_data["answer"] == "accept"
    partnership = services.partnership_answer(
        actor=request.user,
        partnership=partnership,
        organisation=member.organisation,
        accept=accept,
        note=form.cleaned_data["note"],
    )
    if accept:
        messages.success(
            request, _("%(org)s accepted the partnership.") % {"org": member.organisation}
        )
        return redirect(partnership)
    messages.success(request, _("%(org)s declined the proposal.") % {"org": member.organisation})
    return redirect("partnerships:invitations")


# Editing and running a partnership: one page per action, for members' editors


FormFactory = Callable[[Partnership, Any, Any], forms.Form]
Perform = Callable[[Partnership, Any], str]


def _action(
    request: HttpRequest,
    slug: str,
    *,
    heading: str,
    make_form: FormFactory,
    perform: Perform,
    submit: str,
    intro: str = "",
    template: str = "partnerships/action.html",
) -> HttpResponse:
    """Show a form for an action on the partnership; on a valid post, run ``perform`` (which
    calls the service and returns the message to show) and go back to the partnership."""
    partnership = _get(request, slug)
    directory_permissions.require(
        permissions.can_edit(request.user, partnership),
        _("Only editors of a member organisation can change this partnership."),
    )
    posted = request.method == "POST"
    form = make_form(
        partnership, request.POST if posted else None, request.FILES if posted else None
    )
    context = {
        "partnership": partnership,
        "form": form,
        "heading": heading,
        "intro": intro,
        "submit": submit,
        "multipart": form.is_multipart(),
    }
    if posted and form.is_valid():
        try:
            message = perform(partnership, form)
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, message)
        return redirect(partnership)
    return render(request, template, context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def partnership_edit(request: HttpRequest, slug: str) -> HttpResponse:
    def perform(p: Partnership, form: Any) -> str:
        d = form.cleaned_data
        services.partnership_update(
            actor=request.user,
            partnership=p,
            title=d["title"],
            modality=d["modality"],
            started_on=d["started_on"],
            original_language=d["original_language"],
            descriptions=form.descriptions(p.descriptions),
            themes=d["themes"],
            sdgs=d["sdgs"],
        )
        return _("Your changes are saved.")

    return _action(
        request,
        slug,
        heading=_("Edit the partnership"),
        make_form=lambda p, data, files: PartnershipEditForm(
            data, initial=PartnershipEditForm.initial_from(p)
        ),
        perform=perform,
        submit=_("Save changes"),
        template="partnerships/form.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_status(request: HttpRequest, slug: str) -> HttpResponse:
    def perform(p: Partnership, form: Any) -> str:
        d = form.cleaned_data
        p = services.partnership_set_status(
            actor=request.user, partnership=p, status=d["status"], on=d["on"], reason=d["reason"]
        )
        return _("The partnership is now %(status)s.") % {"status": p.get_status_display().lower()}

    return _action(
        request,
        slug,
        heading=_("Change the status"),
        intro=_(
            "An active partnership can rest (dormant) and start again, or end. Ending is final: "
            "say when and why."
        ),
        make_form=lambda p, data, files: StatusForm(data, allowed=_next_statuses(p)),
        perform=perform,
        submit=_("Change the status"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def objective_add(request: HttpRequest, slug: str) -> HttpResponse:
    def perform(p: Partnership, form: Any) -> str:
        services.objective_add(actor=request.user, partnership=p, text=form.cleaned_data["text"])
        return _("The objective is added.")

    return _action(
        request,
        slug,
        heading=_("Add an objective"),
        make_form=lambda p, data, files: ObjectiveForm(data),
        perform=perform,
        submit=_("Add the objective"),
    )


def _member_choices(p: Partnership) -> list[tuple[str, str]]:
    return [(str(m.organisation_id), m.organisation.name) for m in p.members.all()]


@login_required
@require_http_methods(["GET", "POST"])
def activity_add(request: HttpRequest, slug: str) -> HttpResponse:
    def perform(p: Partnership, form: Any) -> str:
        d = form.cleaned_data
        chosen = set(d["participants"])
        services.activity_add(
            actor=request.user,
            partnership=p,
            kind=d["kind"],
            title=d["title"],
            start_date=d["start_date"],
            end_date=d["end_date"],
            description=d["description"],
            city=d["city"],
            participant_count=d["participant_count"],
            participants=[
                m.organisation for m in p.members.all() if str(m.organisation_id) in chosen
            ],
        )
        return _("The activity is added.")

    return _action(
        request,
        slug,
        heading=_("Add an activity"),
        make_form=lambda p, data, files: ActivityForm(data, members=_member_choices(p)),
        perform=perform,
        submit=_("Add the activity"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def result_add(request: HttpRequest, slug: str) -> HttpResponse:
    def perform(p: Partnership, form: Any) -> str:
        d = form.cleaned_data
        with transaction.atomic():
            result = services.result_add(
                actor=request.user,
                partnership=p,
                title=d["title"],
                objective=d["objective"],
                description=d["description"],
                achieved_on=d["achieved_on"],
            )
            indicator = form.indicator_arguments()
            if indicator is not None:
                services.indicator_set(actor=request.user, result=result, **indicator)
        return _("The result is recorded.")

    return _action(
        request,
        slug,
        heading=_("Record a result"),
        intro=_("A result against an objective, with an indicator to measure it if you have one."),
        make_form=lambda p, data, files: ResultForm(data, partnership=p),
        perform=perform,
        submit=_("Record the result"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(
    request: HttpRequest, slug: str, result: int, indicator: int | None = None
) -> HttpResponse:
    """Add an indicator to a result, or update an indicator's figures (a new measure)."""

    def find(p: Partnership) -> tuple[Any, Indicator | None]:
        found = next((r for r in p.results.all() if r.pk == result), None)
        if found is None:
            raise Http404(_("This result does not exist any more."))
        if indicator is None:
            return found, None
        current = next((i for i in found.indicators.all() if i.pk == indicator), None)
        if current is None:
            raise Http404(_("This indicator does not exist any more."))
        return found, current

    def make_form(p: Partnership, data: Any, files: Any) -> forms.Form:
        _result, current = find(p)
        initial = {f: getattr(current, f) for f in IndicatorForm.base_fields} if current else {}
        return IndicatorForm(data, initial=initial)

    def perform(p: Partnership, form: Any) -> str:
        found, current = find(p)
        services.indicator_set(
            actor=request.user, result=found, indicator=current, **form.service_arguments()
        )
        return _("The indicator is saved.")

    return _action(
        request,
        slug,
        heading=_("Update the indicator") if indicator else _("Add an indicator"),
        make_form=make_form,
        perform=perform,
        submit=_("Save the indicator"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_add(request: HttpRequest, slug: str) -> HttpResponse:
    def perform(p: Partnership, form: Any) -> str:
        d = form.cleaned_data
        services.agreement_add(
            actor=request.user,
            partnership=p,
            title=d["title"],
            signed_on=d["signed_on"],
            url=d["url"],
            document=d["document"],
        )
        return _("The agreement is added.")

    return _action(
        request,
        slug,
        heading=_("Add an agreement"),
        intro=_("A dated document of the partnership, such as a memorandum of understanding."),
        make_form=lambda p, data, files: AgreementForm(data, files),
        perform=perform,
        submit=_("Add the agreement"),
    )


@require_GET
def agreement_download(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    partnership = _get(request, slug)
    agreement = next((a for a in partnership.agreements.all() if a.pk == pk), None)
    if agreement is None:
        raise Http404(_("This agreement does not exist any more."))
    if not agreement.document:
        if agreement.url:
            return redirect(agreement.url)
        raise Http404(_("This agreement has no document."))
    try:
        handle = agreement.document.open("rb")
    except OSError as exc:
        raise Http404(_("The document is missing from the storage.")) from exc
    return FileResponse(
        handle, as_attachment=True, filename=os.path.basename(agreement.document.name or "")
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, slug: str) -> HttpResponse:
    def perform(p: Partnership, form: Any) -> str:
        organisation = _organisation(form.cleaned_data["member"], "member")
        member = services.member_add(
            actor=request.user,
            partnership=p,
            organisation=organisation,
            role=form.cleaned_data["role"],
        )
        if member.accepted:
            return _("%(org)s is a member.") % {"org": organisation}
        return _("%(org)s is invited: its editors can accept or decline.") % {"org": organisation}

    def make_form(p: Partnership, data: Any, files: Any) -> forms.Form:
        names = _organisation_names([data.get("member", "")]) if data else {}
        return MemberForm(data, names=names)

    return _action(
        request,
        slug,
        heading=_("Add a member"),
        intro=_(
            "An organisation you edit for joins at once; any other is invited and must accept."
        ),
        make_form=make_form,
        perform=perform,
        submit=_("Add the member"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_link(request: HttpRequest, slug: str) -> HttpResponse:
    def perform(p: Partnership, form: Any) -> str:
        services.partnership_assessment_link(
            actor=request.user,
            partnership=p,
            assessment=form.cleaned_data["assessment"],
            kind=form.cleaned_data["kind"],
        )
        return _("The assessment is linked.")

    return _action(
        request,
        slug,
        heading=_("Link a capacity self-assessment"),
        intro=_(
            "Link a member's self-assessment as the baseline, and later ones as follow-ups: "
            "the page then shows the change in capacity."
        ),
        make_form=lambda p, data, files: AssessmentLinkForm(
            data, organisation_ids=[m.organisation_id for m in p.members.all()]
        ),
        perform=perform,
        submit=_("Link the assessment"),
    )


# Capacity self-assessments of an organisation


@require_http_methods(["GET", "POST"])
def capacity(request: HttpRequest, slug: str) -> HttpResponse:
    """An organisation's self-assessments over time, and the form to record a new one."""
    try:
        organisation = directory_selectors.organisation_get(slug=slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if request.method == "POST" and not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    association = organisation.actor_type in ASSOCIATION_TYPES
    dimensions = [
        d
        for d in CapacityDimension.objects.all()
        if d.applies_to == "all" or (association and d.applies_to == "association")
    ]
    assessments = list(selectors.capacity_assessments(organisation_id=organisation.pk))
    can_assess = directory_permissions.can_edit(request.user, organisation)
    form = CapacityForm(
        request.POST if request.method == "POST" else None,
        dimensions=dimensions,
        initial={"assessed_on": dt.date.today()},
    )
    levels = {a.pk: {s.dimension_id: s for s in a.scores.all()} for a in assessments}
    context = {
        "organisation": organisation,
        "form": form,
        "can_assess": can_assess,
        "assessments": assessments,
        "table": [(d, [levels[a.pk].get(d.pk) for a in assessments]) for d in dimensions],
        "levels": [level_label(n) for n in range(1, 6)],
    }
    template = "partnerships/capacity.html"
    if request.method == "POST" and form.is_valid():
        try:
            services.capacity_assessment_create(
                actor=request.user,
                organisation=organisation,
                assessed_on=form.cleaned_data["assessed_on"],
                scores=form.scores(),
                notes=form.cleaned_data["notes"],
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("The self-assessment is recorded."))
        return redirect("partnerships:capacity", slug=organisation.slug)
    return render(request, template, context, status=_status(form))


# Lookups that fill the forms' lists as one types (htmx)


@require_GET
def lookup(request: HttpRequest, field: str) -> HttpResponse:
    """A form's organisation or city list, filled with the matches of its search box."""
    if field == "city":
        q = request.GET.get("city_search", "").strip()[:100]
        hits = (
            [h for h in places_selectors.place_search(q=q, limit=15) if h.kind == "city"]
            if q
            else []
        )
        form: forms.Form = ActivityForm(members=[])
        choices = [(h.id, f"{h.name}, {h.detail}") for h in hits]
    elif field in ("partner", "other", "member"):
        q = request.GET.get(f"{field}_search", "").strip()[:200]
        found = (
            list(
                directory_selectors.organisation_list(directory_selectors.OrganisationFilters(q=q))[
                    :15
                ]
            )
            if q
            else []
        )
        form = MemberForm() if field == "member" else PartnershipCreateForm(own=[], names={})
        choices = [
            (o.slug, f"{o.name} ({o.country.name if o.country else o.get_actor_type_display()})")
            for o in found
        ]
    else:
        raise Http404(_("Unknown list."))
    form.fields[field].widget.choices = [("", "—"), *choices]
    if choices:
        form.initial[field] = choices[0][0]
    return render(request, "directory/_field.html", {"field": form[field], "found": len(choices)})
