"""Middleware: security headers on every response, and application errors as pages.

:class:`ApplicationErrorMiddleware` also turns a database outage into an honest answer: while
PostgreSQL is down (stopped, restarting, refusing connections), a page answers 503 with a short
translated page and ``Retry-After``, an API call a 503 problem document, instead of a 500 with a
logged stack trace. Nothing needs restarting when the database is back: ``CONN_HEALTH_CHECKS``
makes each process drop its broken connection and open a new one on the next request.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .errors import ApplicationError

logger = logging.getLogger("citypeers.database")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)

#: Seconds a client is told to wait before trying again while the database is unavailable.
RETRY_AFTER_SECONDS = 10

#: PostgreSQL error classes that mean "the database cannot serve now", not "this query is wrong":
#: 08 connection exception, 53 insufficient resources (too many connections, disk full),
#: 57 operator intervention (shutting down, starting up, admin shutdown, query cancelled).
_UNAVAILABLE_SQLSTATE_CLASSES = {"08", "53", "57"}
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk i/o error")


def database_unavailable(error: BaseException) -> bool:
    """True when ``error`` says the database cannot be reached or cannot serve just now.

    A query mistake (a missing table, a constraint) is not an outage and stays a 500. Django wraps
    the driver's exception; the driver's one (``__cause__``) tells which kind it is: psycopg gives
    a SQLSTATE for errors the server sent and none for a connection that failed on the client's
    side (refused, reset, timed out).
    """
    if isinstance(error, InterfaceError):  # "connection already closed"
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if isinstance(cause, sqlite3.OperationalError):
        return str(cause).lower().startswith(_SQLITE_UNAVAILABLE)
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:
        return cause is not None and type(cause).__module__.startswith("psycopg")
    return str(sqlstate)[:2] in _UNAVAILABLE_SQLSTATE_CLASSES


class _Throttle:
    """Log one line per ``interval`` seconds and process, not one per failed request."""

    def __init__(self, interval: float = 10.0) -> None:
        self.interval = interval
        self._next = 0.0
        self._lock = threading.Lock()

    def due(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now < self._next:
                return False
            self._next = now + self.interval
            return True


_log_throttle = _Throttle()


def database_unavailable_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The 503 answer while the database is down: a problem document under ``/api/``, else a page.

    The page is rendered without the request's context processors, which would query the
    database again (the signed-in user, unread notifications).
    """
    if _log_throttle.due():
        logger.warning("Database unavailable, answering 503: %s", str(error).strip()[:300])
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "type": "/api/v1/problems/database-unavailable",
                "title": "Service Unavailable",
                "status": 503,
                "detail": _("The service is temporarily unavailable. Please try again shortly."),
                "instance": request.path,
            },
            status=503,
            content_type="application/problem+json",
        )
    else:
        response = HttpResponse(render_to_string("core/503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(), camera=(), microphone=()"
        )
        return response


class ApplicationErrorMiddleware:
    """Turn an :class:`ApplicationError` escaping an HTML view into a page with its status, and a
    database outage escaping any view into a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_unavailable(exception):
            return database_unavailable_response(request, exception)
        if not isinstance(exception, ApplicationError) or request.path.startswith("/api/"):
            return None
        return render(
            request,
            "error.html",
            {"message": exception.message, "field": exception.field},
            status=exception.status,
        )
