"""RFC 7807 problem documents for every error the API returns."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.errors import AuthorizationError as NinjaAuthorizationError

from citypeers.core.errors import ApplicationError

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    code: str | None = None,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"/api/v1/problems/{code or HTTPStatus(status).phrase.lower().replace(' ', '-')}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
        **extra,
    }
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ApplicationError)
    def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        extra: dict[str, Any] = dict(exc.extra)
        if exc.field:
            extra["field"] = exc.field
        response = problem(api, request, exc.status, exc.message, code=exc.code, **extra)
        for header, value in getattr(exc, "headers", {}).items():  # Retry-After on a 429
            response[header] = value
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in exc.errors
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or _("Invalid input.")
        return problem(api, request, 422, detail, code="validation", errors=errors)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(api, request, 401, _("Authentication required."), code="unauthenticated")

    @api.exception_handler(NinjaAuthorizationError)
    def authorization_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(api, request, 403, _("Not allowed."), code="forbidden")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, ApplicationError):
            # ninja wraps what the body parser raises (parser.py: a NUL in a field).
            return application_error(request, exc.__cause__)
        return problem(api, request, exc.status_code, str(exc))

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        import logging

        logging.getLogger("citypeers.api").exception("Unhandled API error")
        return problem(api, request, 500, _("Internal error."), code="internal")
