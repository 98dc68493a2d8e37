from __future__ import annotations

import sys

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from citypeers.places import selectors as places_selectors

from .middleware import database_unavailable, database_unavailable_response


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "stats": places_selectors.reference_counts(),
        "largest_cities": places_selectors.city_list_largest(limit=12),
    }
    return render(request, "core/home.html", context)


def about_data(request: HttpRequest) -> HttpResponse:
    context = {
        "stats": places_selectors.reference_counts(),
        "releases": places_selectors.classification_release_list(),
    }
    return render(request, "core/about_data.html", context)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and the test harness."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:  # the database being down is exactly what this reports
        return JsonResponse({"status": "database unavailable"}, status=503)


@never_cache
def livez(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: the process answers. Touches nothing (no database, no
    session, no template), so it is also the empty view that ``bench/web.py`` compares pages to."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page; a database outage raised outside a view (in a middleware) answers 503.

    Django calls this handler while the exception is being handled, so ``sys.exc_info()`` holds
    it; a view's own exceptions were already answered by ``ApplicationErrorMiddleware``.
    """
    error = sys.exc_info()[1]
    if error is not None and database_unavailable(error):
        return database_unavailable_response(request, error)
    return render(request, "500.html", status=500)
