from __future__ import annotations

from itertools import groupby

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from citypeers.core.errors import NotFound
from citypeers.core.htmx import is_htmx
from citypeers.directory import selectors as directory_selectors

from . import selectors


def country_index(request: HttpRequest) -> HttpResponse:
    countries = sorted(
        selectors.country_list(), key=lambda c: (c.region.name if c.region else "~", c.name)
    )
    by_region = [
        (region, list(items)) for region, items in groupby(countries, key=lambda c: c.region)
    ]
    return render(request, "places/country_index.html", {"by_region": by_region})


def place_search(request: HttpRequest) -> HttpResponse:
    """The place search page; with htmx it renders only the results fragment."""
    q = request.GET.get("q", "").strip()[:100]
    fragment = is_htmx(request)
    country = request.GET.get("country", "").strip()[:3] or None
    hits = selectors.place_search(q=q, limit=10 if fragment else 30, country=country) if q else []
    template = "places/_search_results.html" if fragment else "places/search.html"
    return render(request, template, {"q": q, "hits": hits})


def country_detail(request: HttpRequest, iso3: str) -> HttpResponse:
    try:
        country = selectors.country_get(iso3=iso3)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    context = {"country": country, "cities": selectors.country_cities(country=country, limit=100)}
    return render(request, "places/country_detail.html", context)


def city_detail(request: HttpRequest, geonameid: int) -> HttpResponse:
    try:
        city = selectors.city_get(geonameid=geonameid)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    organisations = list(directory_selectors.organisations_of_city(city_id=city.pk))
    context = {
        "city": city,
        "country": city.country,
        "organisations": organisations,
        "city_government": next((o for o in organisations if o.actor_type == "municipality"), None),
    }
    return render(request, "places/city_detail.html", context)


def sdg_index(request: HttpRequest) -> HttpResponse:
    return render(request, "places/sdg_index.html", {"sdgs": selectors.sdg_list()})
