"""Directory pages. (Being completed: create/edit/delete/people/memberships/profile forms.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citypeers.core.errors import NotFound
from citypeers.core.htmx import is_htmx
from citypeers.places import selectors as places_selectors

from . import selectors, services


def organisation_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.OrganisationFilters(q=request.GET.get("q", "")[:200])
    page = Paginator(selectors.organisation_list(filters), 25).get_page(request.GET.get("page"))
    template = "directory/_results.html" if is_htmx(request) else "directory/list.html"
    return render(request, template, {"page": page, "filters": filters})


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        organisation = selectors.organisation_get(slug=slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "directory/detail.html", {"organisation": organisation})


@login_required
@require_POST
def claim_city(request: HttpRequest, geonameid: int) -> HttpResponse:
    try:
        city = places_selectors.city_get(geonameid=geonameid)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    organisation = services.organisation_claim_city(
        actor=request.user, city=city, actor_type=request.POST.get("actor_type", "municipality")
    )
    messages.success(request, _("You now administer %(name)s.") % {"name": organisation.name})
    return redirect(organisation)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_get(token=token)
    if request.method == "POST":
        role = services.invitation_accept(user=request.user, token=token)
        return redirect(role.organisation)
    return render(request, "directory/invitation.html", {"invitation": invitation})


def _not_yet(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404


organisation_create = organisation_edit = organisation_delete = people = memberships = (
    profile_items
) = _not_yet
