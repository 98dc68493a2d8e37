"""Practice pages: the list with filters and facets, a practice's page in the reader's language,
the forms that write, translate and review practices, revisions, and transfers between cities.

Each view parses input with a form, calls one service (or selectors) and renders. A rule broken in
a service comes back as an :class:`ApplicationError`; it is shown on the form next to the field it
names, with the error's status (400, 403 or 409). Buttons without a form page (workflow, SDG
decisions, adapt, restore) let the error reach the middleware, which renders it with its status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
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

from . import markdown, permissions, selectors, services
from .forms import (
    TEXT_LABELS,
    AdoptionForm,
    CompareForm,
    FilterForm,
    OwnOrganisationForm,
    PracticeForm,
    ResourceForm,
    SdgDecisionForm,
    StatusForm,
    TranslateForm,
)
from .models import TEXT_FIELDS, Practice, PracticeText, Revision, Status

PAGE_SIZE = 20
FACET_SIZE = 12
# Service argument names that a form shows under another name.
FIELD_ALIASES = {"source": None, "practice": None, "document": "url"}


def _get(request: HttpRequest, slug: str) -> Practice:
    """The practice with everything its page shows; 404 when the reader may not see it."""
    try:
        return selectors.practice_get(slug=slug, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc


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
    if not directory_permissions.is_signed_in(request.user):
        return []
    roles = directory_selectors.organisations_of_user(user_id=int(request.user.pk or 0))
    return [r.organisation for r in roles if r.role in directory_permissions.EDIT_ROLES]


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


# The list


@dataclass
class Row:
    """A practice of the list with the text the reader sees."""

    practice: Practice
    text: PracticeText | None
    foreign: bool  # shown in another language than the reader's

    @property
    def summary(self) -> str:
        return markdown.plain(self.text.summary, 280) if self.text else ""


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    chosen: bool
    query: str


@require_GET
def practice_list(request: HttpRequest) -> HttpResponse:
    """Published practices with filters and facets; htmx asks for the results fragment alone."""
    form = FilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    slug = getattr(form, "cleaned_data", {}).get("organisation", "")
    organisation = (
        directory_selectors.organisation_list().filter(slug=slug).prefetch_related(None).first()
        if slug
        else None
    )
    # An unknown organisation gives no result rather than every practice.
    filters = form.filters(organisation.pk if organisation else (0 if slug else None))
    page = Paginator(selectors.practice_list(filters, user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    reader = active_language()
    rows = []
    for practice in page.object_list:
        text = practice.text_in(reader)
        rows.append(Row(practice, text, text is not None and text.language != reader))
    # The filters as a short, shareable query: empty fields left out.
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [v for v in values if v]
        if kept and key in form.fields:
            query.setlist(key, kept)
    chosen = getattr(form, "cleaned_data", {})
    labels: dict[str, Any] = {
        "theme": form.theme_labels,
        "sdg": form.sdg_labels,
        "country": form.country_labels,
        "language": {},
    }
    counts = selectors.practice_facets(filters, user=request.user)
    facets: list[dict[str, Any]] = []
    for name, title in (
        ("theme", _("Themes")),
        ("sdg", _("Goals")),
        ("country", _("Countries")),
        ("language", _("Languages")),
    ):
        facet_values: list[FacetValue] = []
        for value, count in counts[name][:FACET_SIZE]:
            if name == "language":
                label = language_name(str(value))
            elif name == "sdg":
                label = f"{value}. {labels['sdg'].get(value, '')}"
            else:
                label = labels[name].get(value, str(value))
            facet_values.append(
                FacetValue(
                    value=str(value),
                    label=label,
                    count=count,
                    chosen=str(chosen.get(name) or "") == str(value),
                    query=_with(query, **{name: str(value)}),
                )
            )
        facets.append(
            {
                "name": name,
                "title": title,
                "values": facet_values,
                "clear": _with(query, **{name: ""}),
            }
        )
    context = {
        "page": page,
        "rows": rows,
        "form": form,
        "query": query,
        "facets": facets,
        "reader": reader,
        "organisation": organisation,
    }
    if not _fragment_only(request):
        response = render(request, "knowledge/list.html", context)
    else:
        response = render(request, "knowledge/_results.html", context)
        shown = query.copy()
        if page.number > 1:
            shown["page"] = str(page.number)
        push_url(response, f"{request.path}?{shown.urlencode()}" if shown else request.path)
    patch_vary_headers(response, ("HX-Request",))
    return response


# A practice's page


def status_label(status: str, current: str) -> str:
    """The button that moves a practice to ``status``, in words."""
    if status == Status.SUBMITTED:
        return _("Submit for review")
    if status == Status.PUBLISHED:
        return _("Publish again") if current == Status.ARCHIVED else _("Publish")
    if status == Status.ARCHIVED:
        return _("Archive")
    return _("Back to draft")


def _next_statuses(user: Any, practice: Practice) -> list[tuple[str, str]]:
    """The workflow moves this user may make from the practice's page."""
    allowed = services.TRANSITIONS.get(practice.status, set())
    out = []
    for status in (Status.SUBMITTED, Status.PUBLISHED, Status.ARCHIVED, Status.DRAFT):
        if status not in allowed:
            continue
        if status == Status.PUBLISHED:
            permitted = permissions.can_publish(user, practice)
        else:
            permitted = permissions.can_edit(user, practice)
        if permitted:
            out.append((str(status), status_label(status, practice.status)))
    return out


def language_note(shown: PracticeText, practice: Practice, reader: str, has_reader: bool) -> str:
    """Which language the page shows, and whether a person translated it."""
    language = language_name(shown.language)
    if not shown.is_original:
        original = language_name(practice.original_language)
        if shown.language == reader:
            return _("Translated by a person from %(original)s.") % {"original": original}
        return _("Shown in %(language)s, translated by a person from %(original)s.") % {
            "language": language,
            "original": original,
        }
    if shown.language == reader:
        return _("Written in %(language)s, its original language.") % {"language": language}
    if has_reader:
        return _("Shown in %(language)s, its original language.") % {"language": language}
    return _(
        "Shown in %(language)s, its original language: no translation into your language yet."
    ) % {"language": language}


def practice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    practice = _get(request, slug)
    user = request.user
    reader = active_language()
    texts = {t.language: t for t in practice.texts.all()}
    asked = request.GET.get("lang", "")[:8]
    shown = texts.get(asked) or practice.text_in(reader)
    if shown is None:
        raise Http404(_("This practice has no text yet."))
    can_edit = permissions.can_edit(user, practice)
    own = _edit_roles(request)
    sections = [
        (name, TEXT_LABELS[name], getattr(shown, name))
        for name in TEXT_FIELDS[2:]
        if getattr(shown, name)
    ]
    context = {
        "practice": practice,
        "text": shown,
        "summary": shown.summary,
        "sections": sections,
        "language_note": language_note(shown, practice, reader, reader in texts),
        "other_languages": [
            (code, language_name(code), t.is_original)
            for code, t in sorted(texts.items())
            if code != shown.language
        ],
        "can_edit": can_edit,
        "can_view_status": practice.status != Status.PUBLISHED,
        "statuses": _next_statuses(user, practice),
        "suggestions": list(practice.sdg_suggestions.all()) if can_edit else [],
        "own": own,
        "can_transfer": bool(own) and practice.status == Status.PUBLISHED,
        "signed_in": directory_permissions.is_signed_in(user),
        "json_ld": _json_ld(request, practice, shown),
    }
    return render(request, "knowledge/detail.html", context)


def _json_ld(request: HttpRequest, practice: Practice, text: PracticeText) -> dict[str, Any]:
    """The schema.org description of the practice, for search engines and linked data."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "name": text.title,
        "headline": text.title,
        "inLanguage": text.language,
        "url": request.build_absolute_uri(practice.get_absolute_url()),
    }
    if text.summary:
        data["abstract"] = markdown.plain(text.summary, 500)
    about = [t.label for t in practice.themes.all()] + [
        f"SDG {s.number}: {s.short}" for s in practice.sdgs.all()
    ]
    if about:
        data["about"] = about
    place: dict[str, Any] | None = None
    if practice.city is not None:
        place = {"@type": "City", "name": practice.city.name}
        if practice.country is not None:
            place["containedInPlace"] = {"@type": "Country", "name": practice.country.name_en}
    elif practice.country is not None:
        place = {"@type": "Country", "name": practice.country.name_en}
    if place:
        data["spatialCoverage"] = place
    if practice.published_at:
        data["datePublished"] = practice.published_at.date().isoformat()
    if practice.period_start or practice.period_end:
        data["temporalCoverage"] = "/".join(
            d.isoformat() if d else ".." for d in (practice.period_start, practice.period_end)
        )
    if practice.owner is not None:
        data["publisher"] = {
            "@type": "Organization",
            "name": practice.owner.name,
            "url": request.build_absolute_uri(practice.owner.get_absolute_url()),
        }
    if not text.is_original:
        data["translationOfWork"] = {"@type": "Article", "inLanguage": practice.original_language}
    if practice.adapted_from is not None:
        data["isBasedOn"] = request.build_absolute_uri(practice.adapted_from.get_absolute_url())
    return data


# Writing and editing


def _facts(form: PracticeForm) -> services.PracticeFacts:
    d = form.cleaned_data
    return services.PracticeFacts(
        owner=d.get("owner"),
        period_start=d.get("period_start"),
        period_end=d.get("period_end"),
        country=d.get("country"),
        city=d.get("city"),
        themes=list(d.get("themes") or []),
        sdgs=list(d.get("sdgs") or []),
        organisations=d.get("organisations") or [],
    )


@login_required
@require_http_methods(["GET", "POST"])
def practice_create(request: HttpRequest) -> HttpResponse:
    """Write a practice: a draft in its original language, to submit for review later."""
    own = _edit_roles(request)
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {"language": active_language()}
    if own:
        initial["owner"] = own[0].slug
    if request.GET.get("adapted_from"):
        initial["adapted_from"] = request.GET["adapted_from"][:220]
    form = PracticeForm(data, own=own, initial=initial)
    source_slug = (data or initial).get("adapted_from") or ""
    source = None
    if source_slug:
        try:
            source = selectors.practice_get(slug=source_slug, user=request.user)
        except NotFound:
            source = None
    context = {"form": form, "practice": None, "own": own, "source": source}
    template = "knowledge/form.html"
    if data is not None and form.is_valid():
        try:
            if source_slug and source is None:
                raise ApplicationError(
                    _("The practice to adapt cannot be found."), field="adapted_from"
                )
            practice = services.practice_create(
                actor=request.user,
                language=form.cleaned_data["language"],
                texts=form.texts(),
                facts=_facts(form),
                adapted_from=source,
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(
            request,
            _("Your practice is saved as a draft. Submit it for review when it is ready."),
        )
        return redirect(practice)
    return render(request, template, context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def practice_edit(request: HttpRequest, slug: str) -> HttpResponse:
    practice = _get(request, slug)
    directory_permissions.require(
        permissions.can_edit(request.user, practice),
        _("Only the author and the editors of the organisation responsible can edit it."),
    )
    own = _edit_roles(request)
    data = request.POST if request.method == "POST" else None
    form = PracticeForm(
        data,
        own=own,
        current_owner=practice.owner,
        editing=True,
        initial=PracticeForm.initial_from(practice),
    )
    context = {"form": form, "practice": practice, "own": own, "source": None}
    template = "knowledge/form.html"
    if data is not None and form.is_valid():
        try:
            services.practice_update(
                actor=request.user,
                practice=practice,
                facts=_facts(form),
                texts=form.texts(),
                language=practice.original_language,
                note=form.cleaned_data.get("note", ""),
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("Your changes are saved."))
        return redirect(practice)
    return render(request, template, context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def practice_translate(request: HttpRequest, slug: str) -> HttpResponse:
    """A human translation, written next to the original."""
    practice = _get(request, slug)
    directory_permissions.require(
        permissions.can_edit(request.user, practice),
        _("Only the author and the editors of the organisation responsible can translate it."),
    )
    texts = {t.language: t for t in practice.texts.all()}
    original = texts.get(practice.original_language)
    asked = (request.POST.get("language") or request.GET.get("lang") or "")[:8]
    if not asked or asked == practice.original_language:
        asked = next(
            (code for code in ("en", "fr", "es") if code != practice.original_language), ""
        )
    existing = texts.get(asked)
    initial: dict[str, Any] = {"language": asked}
    if existing is not None:
        initial.update(existing.as_dict())
    data = request.POST if request.method == "POST" else None
    form = TranslateForm(data, original=practice.original_language, initial=initial)
    context = {
        "form": form,
        "practice": practice,
        "original": original,
        "original_language": language_name(practice.original_language),
        "original_fields": [
            (form[name], getattr(original, name) if original else "") for name in TEXT_FIELDS
        ],
        "existing": existing,
    }
    template = "knowledge/translate.html"
    if data is not None and form.is_valid():
        language = form.cleaned_data["language"]
        try:
            services.practice_translate(
                actor=request.user,
                practice=practice,
                language=language,
                texts=form.texts(),
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(
            request,
            _("The %(language)s translation is saved.") % {"language": language_name(language)},
        )
        return redirect(f"{practice.get_absolute_url()}?lang={language}")
    return render(request, template, context, status=_status(form))


@login_required
@require_POST
def practice_status(request: HttpRequest, slug: str) -> HttpResponse:
    """Submit for review, publish, archive or take back to draft; refusals are error pages."""
    practice = _get(request, slug)
    form = StatusForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(_("Choose what to do with the practice."), field="status")
    practice = services.practice_set_status(
        actor=request.user,
        practice=practice,
        status=form.cleaned_data["status"],
        note=form.cleaned_data["note"],
    )
    messages.success(
        request,
        _("The practice is now: %(status)s.") % {"status": practice.get_status_display()},
    )
    return redirect(practice)


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Practices submitted for review that this user may publish."""
    reader = active_language()
    practices = list(selectors.review_queue(user=request.user).select_related("owner", "country"))
    rows = []
    for practice in practices:
        text = practice.text_in(reader)
        rows.append(Row(practice, text, text is not None and text.language != reader))
    return render(request, "knowledge/review.html", {"rows": rows})


# Revisions


def _revision_diff(older: Revision, newer: Revision) -> list[tuple[str, list[tuple[str, str]]]]:
    """The service's per-field diff, each line with its kind (added, removed, context)."""
    out = []
    for name, lines in services.revision_diff(older, newer).items():
        shown = []
        for line in lines:
            if line.startswith(("---", "+++")):
                continue
            if line.startswith("@@"):
                kind = "hunk"
            elif line.startswith("+"):
                kind = "added"
            elif line.startswith("-"):
                kind = "removed"
            else:
                kind = "same"
            shown.append((kind, line))
        out.append((str(TEXT_LABELS.get(name, name)), shown))
    return out


@login_required
@require_GET
def revisions(request: HttpRequest, slug: str) -> HttpResponse:
    """The history of one language's text, with a comparison of two revisions."""
    practice = _get(request, slug)
    directory_permissions.require(
        permissions.can_edit(request.user, practice),
        _("Only the practice's editors see its revisions."),
    )
    languages = sorted(t.language for t in practice.texts.all())
    language = request.GET.get("lang", "")[:8]
    if language not in languages:
        language = practice.original_language
    history = list(selectors.revision_list(practice=practice, language=language))
    by_number = {r.number: r for r in history}
    form = CompareForm(request.GET if "a" in request.GET else None)
    diff = None
    compared: tuple[Revision, Revision] | None = None
    if form.is_bound and form.is_valid():
        a, b = sorted((form.cleaned_data["a"], form.cleaned_data["b"]))
        if a not in by_number or b not in by_number:
            form.add_error(None, _("Choose two revisions of the list."))
        else:
            compared = (by_number[a], by_number[b])
            diff = _revision_diff(*compared)
    context = {
        "practice": practice,
        "title": str(practice),
        "language": language,
        "language_name": language_name(language),
        "languages": [(code, language_name(code)) for code in languages],
        "history": history,
        "form": form,
        "diff": diff,
        "compared": compared,
    }
    return render(request, "knowledge/revisions.html", context, status=_status(form))


@login_required
@require_POST
def revision_restore(request: HttpRequest, slug: str, language: str, number: int) -> HttpResponse:
    practice = _get(request, slug)
    revision = (
        selectors.revision_list(practice=practice, language=language).filter(number=number).first()
    )
    if revision is None:
        raise Http404(_("This revision does not exist."))
    restored = services.revision_restore(actor=request.user, revision=revision)
    messages.success(
        request,
        _("Revision %(old)d is current again, as revision %(new)d.")
        % {"old": number, "new": restored.number},
    )
    return redirect(f"{reverse('knowledge:revisions', args=[practice.slug])}?lang={language}")


# SDG suggestions, resources and transfers


@login_required
@require_POST
def sdg_decide(request: HttpRequest, slug: str) -> HttpResponse:
    """Accept or reject one of the platform's SDG suggestions."""
    practice = _get(request, slug)
    form = SdgDecisionForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(_("Accept or reject a suggestion."), field="decision")
    suggestion = next(
        (s for s in practice.sdg_suggestions.all() if s.pk == form.cleaned_data["suggestion"]),
        None,
    )
    if suggestion is None:
        raise NotFound(_("This suggestion was decided already."))
    accept = form.cleaned_data["decision"] == "accept"
    services.sdg_suggestion_decide(actor=request.user, suggestion=suggestion, accept=accept)
    if accept:
        messages.success(request, _("SDG %(n)d is added.") % {"n": suggestion.sdg.number})
    else:
        messages.success(request, _("SDG %(n)d is rejected.") % {"n": suggestion.sdg.number})
    return redirect(practice)


def _action(
    request: HttpRequest,
    practice: Practice,
    form: forms.Form,
    *,
    heading: str,
    submit: str,
    intro: str = "",
) -> dict[str, Any]:
    return {
        "practice": practice,
        "form": form,
        "heading": heading,
        "submit": submit,
        "intro": intro,
    }


@login_required
@require_http_methods(["GET", "POST"])
def resource_add(request: HttpRequest, slug: str) -> HttpResponse:
    practice = _get(request, slug)
    directory_permissions.require(
        permissions.can_edit(request.user, practice),
        _("Only the practice's editors add resources."),
    )
    form = ResourceForm(request.POST if request.method == "POST" else None)
    context = _action(
        request,
        practice,
        form,
        heading=_("Add a resource"),
        intro=_("A link to a report, a guide, a video or a tool that goes with the practice."),
        submit=_("Add the resource"),
    )
    template = "knowledge/action.html"
    if form.is_bound and form.is_valid():
        try:
            services.resource_add(
                actor=request.user,
                practice=practice,
                title=form.cleaned_data["title"],
                url=form.cleaned_data["url"],
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("The resource is added."))
        return redirect(practice)
    return render(request, template, context, status=_status(form))


@login_required
@require_POST
def practice_adapt(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a draft adapted from this practice for one of the user's organisations."""
    source = _get(request, slug)
    form = OwnOrganisationForm(request.POST, own=_edit_roles(request))
    if not form.is_valid():
        raise ApplicationError(
            _("Choose an organisation you edit for to adapt the practice."), field="organisation"
        )
    language = request.POST.get("lang", "")[:8] or None
    practice = services.practice_adapt(
        actor=request.user, source=source, organisation=form.chosen(), language=language
    )
    messages.success(
        request,
        _("A draft adapted from this practice is ready: rewrite it for %(org)s.")
        % {"org": form.chosen().name},
    )
    return redirect("knowledge:edit", slug=practice.slug)


@login_required
@require_http_methods(["GET", "POST"])
def adoption_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Report that one of the user's organisations adopted the practice."""
    practice = _get(request, slug)
    own = _edit_roles(request)
    form = AdoptionForm(request.POST if request.method == "POST" else None, own=own)
    context = _action(
        request,
        practice,
        form,
        heading=_("Report an adoption"),
        intro=_(
            "Your organisation took up this practice: say when, what you changed to fit your "
            "context, and what came of it. Readers then see how the practice travelled."
        ),
        submit=_("Report the adoption"),
    )
    context["no_organisation"] = not own
    template = "knowledge/action.html"
    if form.is_bound and form.is_valid():
        try:
            services.adoption_report_add(
                actor=request.user,
                practice=practice,
                organisation=form.chosen(),
                adopted_on=form.cleaned_data["adopted_on"],
                what_changed=form.cleaned_data["what_changed"],
                outcome=form.cleaned_data["outcome"],
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(request, _("The adoption is reported."))
        return redirect(practice)
    return render(request, template, context, status=_status(form))
