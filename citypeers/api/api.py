"""The NinjaAPI object: ``/api/v1/``, OpenAPI at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``.

Each domain app contributes a router from its own ``api.py``.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from citypeers.accounts.api import router as accounts_router
from citypeers.core.middleware import database_unavailable, database_unavailable_response
from citypeers.directory.api import router as directory_router
from citypeers.insights.api import router as insights_router
from citypeers.knowledge.api import router as knowledge_router
from citypeers.learning.api import router as learning_router
from citypeers.matching.api import router as matching_router
from citypeers.notifications.api import router as notifications_router
from citypeers.partnerships.api import router as partnerships_router
from citypeers.places.api import router as places_router
from citypeers.search.api import router as search_router

from . import errors
from .parser import TextParser

api = NinjaAPI(
    title="CityPeers API",
    version="1",
    description=(
        "Open data and operations of CityPeers: places and reference data now; organisations, "
        "partnerships, practices and events as they land. Lists are paginated as "
        '`{"count", "items"}`; errors are RFC 7807 problem documents.'
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    parser=TextParser(),
)
errors.install(api)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A 503 problem document with ``Retry-After`` while the database cannot be reached (the same
    answer as ``ApplicationErrorMiddleware`` gives); any other database error is a 500."""
    if database_unavailable(exc):
        return database_unavailable_response(request, exc)
    logging.getLogger("citypeers.api").exception("Unhandled API error")
    return errors.problem(api, request, 500, _("Internal error."), code="internal")


api.add_router("/", places_router)
api.add_router("/", directory_router)
api.add_router("/", partnerships_router)
api.add_router("/", knowledge_router)
api.add_router("/", search_router)
api.add_router("/", matching_router)
api.add_router("/", learning_router)
api.add_router("/", insights_router)
api.add_router("/", notifications_router)
api.add_router("/", accounts_router)
