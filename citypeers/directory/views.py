"""Directory pages: the list, an organisation's page, and the forms that change it.

Each view parses input with a form, calls one service (or selectors) and renders. A rule broken in
a service comes back as an :class:`ApplicationError`; it is shown on the form next to the field it
names, with the error's status (400, 403 or 409).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from citypeers.accounts.models import OrganisationRole
from citypeers.core.errors import ApplicationError, NotFound
from citypeers.core.htmx import is_htmx
from citypeers.core.responses import render_refused
from citypeers.core.translation import active_language
from citypeers.knowledge import selectors as knowledge_selectors
from citypeers.partnerships import selectors as partnership_selectors
from citypeers.places import selectors as places_selectors

from . import permissions, selectors, services
from .forms import (
    ClaimDecisionForm,
    ClaimFilterForm,
    ClaimForm,
    FilterForm,
    InviteForm,
    LogoForm,
    MembershipForm,
    OrganisationForm,
    ProfileItemForm,
    RoleForm,
    language_name,
)
from .models import ASSOCIATION_TYPES, ActorType, ClaimStatus, ManagementClaim, Organisation

# Service argument names that a form shows under another name.
FIELD_ALIASES = {"descriptions": "description"}
GOVERNMENT_TYPES = {
    ActorType.MUNICIPALITY,
    ActorType.METROPOLITAN,
    ActorType.REGIONAL,
    ActorType.NATIONAL_AGENCY,
}
HAS_MEMBERS = {*ASSOCIATION_TYPES, ActorType.INTERNATIONAL, ActorType.ACADEMIA}
PARTNERSHIPS_SHOWN = 20
PRACTICES_SHOWN = 10


def _get(slug: str) -> Organisation:
    try:
        return selectors.organisation_get(slug=slug)
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


def _action_error(
    request: HttpRequest, template: str, context: dict[str, Any], error: ApplicationError
) -> HttpResponse:
    """Re-render ``template`` with an error about an action of a list (remove, change a role)."""
    return render_refused(request, template, {**context, "action_error": error.message}, error)


def _status(form: forms.Form) -> int:
    return 400 if form.is_bound and form.errors else 200


# The list and the organisation page


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    """The directory with its filters; htmx asks for the results fragment alone."""
    form = FilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    page = Paginator(selectors.organisation_list(form.filters()), 25).get_page(
        request.GET.get("page")
    )
    # The filters as a short, shareable query: empty fields left out.
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [v for v in values if v]
        if kept and key in form.fields:
            query.setlist(key, kept)
    context = {"page": page, "form": form, "query": query}
    if not _fragment_only(request):
        response = render(request, "directory/list.html", context)
    else:
        response = render(request, "directory/_results.html", context)
        shown = query.copy()
        if page.number > 1:
            shown["page"] = str(page.number)
        push_url(response, f"{request.path}?{shown.urlencode()}" if shown else request.path)
    patch_vary_headers(response, ("HX-Request",))
    return response


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _get(slug)
    user = request.user
    items = list(organisation.profile_items.all())
    reader = active_language()
    shown = organisation.description_language
    partnerships = list(
        partnership_selectors.partnerships_of_organisation(
            organisation_id=organisation.pk, limit=PARTNERSHIPS_SHOWN + 1
        )
    )
    # Published practices it leads or took part in, titled in the reader's language when a
    # translation exists (two queries: the practices and their texts).
    practices = [
        (p, p.text_in(reader))
        for p in knowledge_selectors.practice_list(
            knowledge_selectors.PracticeFilters(organisation=organisation.pk)
        )
        .prefetch_related(None)
        .prefetch_related("texts")[: PRACTICES_SHOWN + 1]
    ]
    people = list(organisation.people.all())
    has_admin = any(r.role == OrganisationRole.Role.ADMIN for r in people)
    context = {
        "organisation": organisation,
        "has_admin": has_admin,
        "my_claim": (
            selectors.claim_pending(organisation_id=organisation.pk, requester_id=user.pk)
            if not has_admin and permissions.is_signed_in(user)
            else None
        ),
        "practices": practices[:PRACTICES_SHOWN],
        "more_practices": len(practices) > PRACTICES_SHOWN,
        "can_edit": permissions.can_edit(user, organisation),
        "can_delete": permissions.can_delete(user, organisation),
        "can_manage_people": permissions.can_manage_people(user, organisation),
        "show_people": permissions.is_signed_in(user),
        "challenges": [i for i in items if i.kind == "challenge"],
        "expertise": [i for i in items if i.kind == "expertise"],
        "memberships": list(organisation.memberships.all()),
        "members": list(organisation.members.all()),
        "people": people,
        "partnerships": partnerships[:PARTNERSHIPS_SHOWN],
        "more_partnerships": len(partnerships) > PARTNERSHIPS_SHOWN,
        "languages": [language_name(code) for code in organisation.languages],
        "description_note": (
            language_name(shown) if organisation.description and shown != reader else ""
        ),
        "description_lang": shown,
        "json_ld": _json_ld(request, organisation),
    }
    return render(request, "directory/detail.html", context)


def _json_ld(request: HttpRequest, organisation: Organisation) -> dict[str, Any]:
    """The schema.org description of the organisation, for search engines and linked data."""

    def ref(other: Organisation) -> dict[str, str]:
        return {
            "@type": _schema_type(other),
            "name": other.name,
            "url": request.build_absolute_uri(other.get_absolute_url()),
        }

    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": _schema_type(organisation),
        "name": organisation.name,
        "url": request.build_absolute_uri(organisation.get_absolute_url()),
    }
    if organisation.acronym:
        data["alternateName"] = organisation.acronym
    if organisation.description:
        data["description"] = organisation.description
    if organisation.country is not None:
        address: dict[str, str] = {
            "@type": "PostalAddress",
            "addressCountry": organisation.country.iso2,
        }
        if organisation.city is not None:
            address["addressLocality"] = organisation.city.name
        if organisation.admin_area is not None:
            address["addressRegion"] = organisation.admin_area.name
        data["address"] = address
    if organisation.city is not None:
        data["areaServed"] = {"@type": "City", "name": organisation.city.name}
    elif organisation.admin_area is not None:
        data["areaServed"] = {"@type": "AdministrativeArea", "name": organisation.admin_area.name}
    elif organisation.country is not None:
        data["areaServed"] = {"@type": "Country", "name": organisation.country.name_en}
    if organisation.website:
        data["sameAs"] = organisation.website
    if organisation.logo:
        data["logo"] = request.build_absolute_uri(
            reverse("directory:logo-file", args=[organisation.slug])
        )
    themes = [t.label for t in organisation.themes.all()]
    if themes:
        data["knowsAbout"] = themes
    parents = [ref(m.parent) for m in organisation.memberships.all()]
    if parents:
        data["memberOf"] = parents
    members = [ref(m.member) for m in organisation.members.all()]
    if members:
        data["member"] = members
    return data


def _schema_type(organisation: Organisation) -> str:
    return (
        "GovernmentOrganization" if organisation.actor_type in GOVERNMENT_TYPES else "Organization"
    )


# Creating, editing and deleting


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "organisation": None}
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                actor=request.user, **form.service_arguments()
            )
        except ApplicationError as exc:
            return _form_error(request, "directory/form.html", context, form, exc)
        messages.success(request, _("%(name)s is in the directory.") % {"name": organisation})
        return redirect(organisation)
    return render(request, "directory/form.html", context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _get(slug)
    permissions.require(permissions.can_edit(request.user, organisation))
    form = OrganisationForm(
        request.POST if request.method == "POST" else None, organisation=organisation
    )
    context = {"form": form, "organisation": organisation}
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.user, organisation=organisation, **form.service_arguments()
            )
        except ApplicationError as exc:
            return _form_error(request, "directory/form.html", context, form, exc)
        messages.success(request, _("Your changes are saved."))
        return redirect(organisation)
    return render(request, "directory/form.html", context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def organisation_delete(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _get(slug)
    permissions.require(permissions.can_delete(request.user, organisation))
    if request.method == "POST":
        name = organisation.name
        services.organisation_delete(actor=request.user, organisation=organisation)
        messages.success(request, _("%(name)s is removed from the directory.") % {"name": name})
        return redirect("directory:list")
    return render(request, "directory/delete.html", {"organisation": organisation})


# Challenges and expertise


@login_required
@require_http_methods(["GET", "POST"])
def profile_items(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _get(slug)
    permissions.require(permissions.can_edit(request.user, organisation))
    form = ProfileItemForm(request.POST if request.POST.get("action") == "add" else None)
    context = {
        "organisation": organisation,
        "form": form,
        "items": list(organisation.profile_items.all()),
    }
    template = "directory/profile_items.html"
    if request.POST.get("action") == "remove":
        try:
            item = _pick(organisation.profile_items.all(), request.POST.get("item"))
            services.profile_item_remove(actor=request.user, item=item)
        except ApplicationError as exc:
            return _action_error(request, template, context, exc)
        messages.success(request, _("The item is removed."))
        return redirect("directory:profile", slug=organisation.slug)
    if request.method == "POST":
        try:
            if form.is_valid():
                services.profile_item_add(
                    actor=request.user,
                    organisation=organisation,
                    kind=form.cleaned_data["kind"],
                    theme=form.cleaned_data["theme"],
                    text=form.cleaned_data["text"],
                )
                messages.success(request, _("The item is added."))
                return redirect("directory:profile", slug=organisation.slug)
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
    return render(request, template, context, status=_status(form))


def _pick(rows: Any, raw_pk: str | None) -> Any:
    """The row of ``rows`` (already loaded for the page) whose primary key is ``raw_pk``."""
    for row in rows:
        if str(row.pk) == str(raw_pk):
            return row
    raise NotFound(_("This item does not exist any more."))


# Memberships


@login_required
@require_http_methods(["GET", "POST"])
def memberships(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _get(slug)
    permissions.require(permissions.can_edit(request.user, organisation))
    form = MembershipForm(request.POST if request.POST.get("action") == "add" else None)
    context = {
        "organisation": organisation,
        "form": form,
        "memberships": list(organisation.memberships.all()),
        "members": list(organisation.members.all()),
        "has_members": organisation.actor_type in HAS_MEMBERS,
    }
    template = "directory/memberships.html"
    if request.POST.get("action") == "remove":
        try:
            membership = _pick(
                [*organisation.memberships.all(), *organisation.members.all()],
                request.POST.get("membership"),
            )
            services.membership_delete(actor=request.user, membership=membership)
        except ApplicationError as exc:
            return _action_error(request, template, context, exc)
        messages.success(request, _("The membership is removed."))
        return redirect("directory:memberships", slug=organisation.slug)
    if request.method == "POST":
        try:
            if form.is_valid():
                try:
                    member = selectors.organisation_get(slug=form.cleaned_data["member"])
                except NotFound as exc:
                    raise ApplicationError(
                        _("Choose the member organisation in the list."), field="member"
                    ) from exc
                membership = services.membership_create(
                    actor=request.user,
                    member=member,
                    parent=organisation,
                    role=form.cleaned_data["role"],
                    start_date=form.cleaned_data["start_date"],
                    end_date=form.cleaned_data["end_date"],
                )
                messages.success(
                    request,
                    _("%(member)s is recorded as a member.") % {"member": membership.member},
                )
                return redirect("directory:memberships", slug=organisation.slug)
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
    return render(request, template, context, status=_status(form))


# People


@login_required
@require_http_methods(["GET", "POST"])
def people(request: HttpRequest, slug: str) -> HttpResponse:
    """Who acts for the organisation; its admins invite people, change roles and remove them."""
    organisation = _get(slug)
    user = request.user
    action = request.POST.get("action", "")
    form = InviteForm(request.POST if action == "invite" else None)
    roles = list(organisation.people.all())
    context = {
        "organisation": organisation,
        "form": form,
        "roles": [
            (r, RoleForm(initial={"user": r.user_id, "role": r.role}, auto_id=False)) for r in roles
        ],
        "can_manage_people": permissions.can_manage_people(user, organisation),
        "my_role": next((r for r in roles if r.user_id == user.pk), None),
        "invitation_days": services.INVITATION_DAYS,
    }
    template = "directory/people.html"
    if request.method == "POST" and action != "invite":
        try:
            return _people_change(request, organisation, roles, action)
        except ApplicationError as exc:
            return _action_error(request, template, context, exc)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.person_invite(
                actor=user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                base_url=request.build_absolute_uri("/")[:-1],
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(
            request,
            _("An invitation is on its way to %(email)s.") % {"email": invitation.email},
        )
        return redirect("directory:people", slug=organisation.slug)
    return render(request, template, context, status=_status(form))


def _people_change(
    request: HttpRequest, organisation: Organisation, roles: list[OrganisationRole], action: str
) -> HttpResponse:
    actor = request.user
    if action == "leave":
        services.person_remove(actor=actor, organisation=organisation, user=actor)  # type: ignore[arg-type]
        messages.success(request, _("You left %(name)s.") % {"name": organisation})
        return redirect(organisation)
    if action not in ("role", "remove"):
        raise ApplicationError(_("Unknown action."))
    role_form = RoleForm(request.POST)
    if action == "remove":
        role_form.fields["role"].required = False
    if not role_form.is_valid():
        raise ApplicationError(_("Choose a person and a role."), field="role")
    chosen = role_form.cleaned_data["user"]
    held = next((r for r in roles if r.user_id == chosen), None)
    if held is None:
        raise NotFound(_("This person does not belong to the organisation."))
    person = held.user
    if action == "remove":
        services.person_remove(actor=actor, organisation=organisation, user=person)
        messages.success(request, _("%(person)s is removed.") % {"person": person})
    else:
        services.person_set_role(
            actor=actor, organisation=organisation, user=person, role=role_form.cleaned_data["role"]
        )
        messages.success(request, _("The role of %(person)s is changed.") % {"person": person})
    return redirect("directory:people", slug=organisation.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_get(token=token)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        role = services.invitation_accept(user=request.user, token=token)
        messages.success(
            request,
            _("You joined %(name)s as %(role)s.")
            % {"name": role.organisation, "role": role.get_role_display()},
        )
        return redirect(role.organisation)
    return render(request, "directory/invitation.html", {"invitation": invitation})


# Claiming a city


@require_POST
def claim_city(request: HttpRequest, geonameid: int) -> HttpResponse:
    """Create the city's local government from its city page; a second claim shows the first."""
    try:
        city = places_selectors.city_get(geonameid=geonameid)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not request.user.is_authenticated:
        return redirect_to_login(city.get_absolute_url())
    try:
        organisation = services.organisation_claim_city(
            actor=request.user,
            city=city,
            actor_type=request.POST.get("actor_type", ActorType.MUNICIPALITY),
        )
    except ApplicationError as exc:
        existing = exc.extra.get("existing")
        context = {
            "city": city,
            "message": exc.message,
            "existing_url": (
                reverse("directory:organisation", kwargs={"slug": existing}) if existing else ""
            ),
            # Nobody administers it yet (an imported city): offer the management claim.
            "claim_url": (
                reverse("directory:claim", kwargs={"slug": existing})
                if existing and not selectors.organisation_has_admin(slug=existing)
                else ""
            ),
        }
        return render_refused(request, "directory/claim_refused.html", context, exc)
    messages.success(request, _("You now administer %(name)s.") % {"name": organisation.name})
    return redirect(organisation)


# Lookups that fill the form's lists as one types (htmx)


@require_GET
def lookup_cities(request: HttpRequest) -> HttpResponse:
    """The form's city field, its list filled with the cities matching ``city_search``."""
    q = request.GET.get("city_search", "").strip()[:100]
    country = request.GET.get("country", "").strip()[:3]
    hits = places_selectors.place_search(q=q, limit=15, country=country or None) if q else []
    cities = [h for h in hits if h.kind == "city"]
    form = OrganisationForm(initial={"country": country, "city": None})
    form.fields["city"].widget.choices = [("", "—")] + [
        (h.id, f"{h.name}, {h.detail}") for h in cities
    ]
    if cities:
        form.initial["city"] = cities[0].id
    return render(request, "directory/_field.html", {"field": form["city"], "found": len(cities)})


@require_GET
def lookup_admin_areas(request: HttpRequest) -> HttpResponse:
    """The form's first-level region field for the chosen country."""
    form = OrganisationForm(initial={"country": request.GET.get("country", "").strip()[:3]})
    return render(request, "directory/_field.html", {"field": form["admin_area"]})


@require_GET
def lookup_organisations(request: HttpRequest) -> HttpResponse:
    """The membership form's member field, filled with the organisations matching the search."""
    q = request.GET.get("member_search", "").strip()[:200]
    found = list(selectors.organisation_list(selectors.OrganisationFilters(q=q))[:15]) if q else []
    form = MembershipForm()
    form.fields["member"].widget.choices = [("", "—")] + [
        (o.slug, f"{o.name} ({o.country.name if o.country else o.get_actor_type_display()})")
        for o in found
    ]
    if found:
        form.initial["member"] = found[0].slug
    return render(request, "directory/_field.html", {"field": form["member"], "found": len(found)})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_logo(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload, replace or remove the organisation's logo."""
    organisation = _get(slug)
    permissions.require(permissions.can_edit(request.user, organisation))
    removing = request.POST.get("action") == "remove"
    form = LogoForm(
        request.POST if request.method == "POST" and not removing else None,
        request.FILES if request.method == "POST" and not removing else None,
    )
    template = "directory/logo.html"
    context = {"organisation": organisation, "form": form}
    if request.method == "POST" and (removing or form.is_valid()):
        upload = None if removing else form.cleaned_data["logo"]
        try:
            services.organisation_set_logo(
                actor=request.user, organisation=organisation, upload=upload
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(
            request, _("The logo is removed.") if removing else _("The new logo is saved.")
        )
        return redirect(organisation)
    return render(request, template, context, status=_status(form))


@require_GET
def organisation_logo_file(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The logo itself (public, like the organisation): a PNG the browser may keep a day."""
    organisation = _get(slug)
    if not organisation.logo:
        raise Http404(_("This organisation has no logo."))
    try:
        handle = organisation.logo.open("rb")
    except OSError as exc:
        raise Http404(_("The logo is missing from the storage.")) from exc
    response = FileResponse(handle, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# Management claims: asking to manage an organisation that has no admin


CLAIMS_PER_PAGE = 25


@login_required
@require_http_methods(["GET", "POST"])
def organisation_claim(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Request to manage this organisation": the form, or why it is not needed."""
    organisation = _get(slug)
    user = request.user
    form = ClaimForm(request.POST if request.method == "POST" else None)
    context = {
        "organisation": organisation,
        "form": form,
        "has_admin": selectors.organisation_has_admin(organisation_id=organisation.pk),
        "my_claim": selectors.claim_pending(organisation_id=organisation.pk, requester_id=user.pk),
    }
    template = "directory/claim.html"
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_create(
                actor=user,
                organisation=organisation,
                position=form.cleaned_data["position"],
                message=form.cleaned_data["message"],
            )
        except ApplicationError as exc:
            return _form_error(request, template, context, form, exc)
        messages.success(
            request,
            _("Your request to manage %(name)s is sent: a moderator will answer.")
            % {"name": organisation.name},
        )
        return redirect("directory:claims-mine")
    return render(request, template, context, status=_status(form))


@login_required
@require_GET
def claims_mine(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own claims and what became of them."""
    return render(request, "directory/claims_mine.html", _mine_context(request))


def _mine_context(request: HttpRequest) -> dict[str, Any]:
    claims = selectors.claim_list(requester_id=request.user.pk)
    page = Paginator(claims, CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    return {"page": page}


@login_required
@require_POST
def claim_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        claim = selectors.claim_get(pk=pk, user=request.user)
        services.claim_withdraw(actor=request.user, claim=claim)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        return _action_error(request, "directory/claims_mine.html", _mine_context(request), exc)
    messages.success(request, _("Your request is withdrawn."))
    return redirect("directory:claims-mine")


def _queue_status(request: HttpRequest) -> tuple[ClaimFilterForm, str]:
    """The queue shows waiting claims unless another status (or all, ``status=``) is asked."""
    form = ClaimFilterForm(request.GET if "status" in request.GET else {"status": "pending"})
    status = form.cleaned_data["status"] if form.is_valid() else ClaimStatus.PENDING
    return form, status


def _queue_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    form, status = _queue_status(request)
    page = Paginator(selectors.claim_list(status=status), CLAIMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = QueryDict(mutable=True)
    query["status"] = status
    return {"page": page, "form": form, "status": status, "query": query, **extra}


@login_required
@require_GET
def claims_queue(request: HttpRequest) -> HttpResponse:
    """The platform moderators' queue of management claims, with the evidence hint."""
    permissions.require(
        permissions.can_decide_claims(request.user),
        _("Only platform moderators see the requests to manage organisations."),
    )
    return render(request, "directory/claims_queue.html", _queue_context(request))


@login_required
@require_POST
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject a claim from the queue; an error is shown beside that claim."""
    permissions.require(
        permissions.can_decide_claims(request.user),
        _("Only platform moderators decide requests to manage an organisation."),
    )
    try:
        claim: ManagementClaim = selectors.claim_get(pk=pk, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = ClaimDecisionForm(request.POST)
    back = reverse("directory:claims")
    if request.GET:
        back += f"?{request.GET.urlencode()}"
    try:
        if not form.is_valid():
            raise ApplicationError(_("Choose to approve or reject."), field="decision")
        approve = form.cleaned_data["decision"] == "approve"
        services.claim_decide(
            actor=request.user,
            claim=claim,
            approve=approve,
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as exc:
        context = _queue_context(
            request,
            error_claim=claim.pk,
            error_message=exc.message,
            error_reason=request.POST.get("reason", ""),
        )
        return render_refused(request, "directory/claims_queue.html", context, exc)
    if approve:
        messages.success(
            request,
            _("%(person)s is now organisation admin of %(name)s.")
            % {"person": claim.requester, "name": claim.organisation.name},
        )
    else:
        messages.success(request, _("The request is rejected; its author is told why."))
    return redirect(back)
