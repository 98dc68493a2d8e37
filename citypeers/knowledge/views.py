"""Practice pages (being built)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from citypeers.core.errors import NotFound

from . import selectors


def practice_list(request: HttpRequest) -> HttpResponse:
    practices = selectors.practice_list(user=request.user)[:25]
    return render(request, "knowledge/list.html", {"practices": practices})


def practice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        practice = selectors.practice_get(slug=slug, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "knowledge/detail.html", {"practice": practice})
