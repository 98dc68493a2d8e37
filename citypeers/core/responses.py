"""Pages that answer an :class:`~citypeers.core.errors.ApplicationError` shown on a form."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .errors import ApplicationError


def render_refused(
    request: HttpRequest, template: str, context: dict[str, Any], error: ApplicationError
) -> HttpResponse:
    """``template`` with the error's status and headers (``Retry-After`` on a 429)."""
    response = render(request, template, context, status=error.status)
    for header, value in error.headers.items():
        response[header] = value
    return response
