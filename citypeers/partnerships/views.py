"""Partnership pages (being built)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from citypeers.core.errors import NotFound

from . import selectors


def partnership_list(request: HttpRequest) -> HttpResponse:
    page = selectors.partnership_list()[:25]
    return render(request, "partnerships/list.html", {"partnerships": page})


def partnership_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        partnership = selectors.partnership_get(slug=slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "partnerships/detail.html", {"partnership": partnership})


def partnership_create(request: HttpRequest) -> HttpResponse:
    raise Http404
