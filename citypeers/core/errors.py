"""The one application error that services raise, and its mapping to HTTP.

Services check the rules and raise :class:`ApplicationError` (or a subclass); the API turns
it into an RFC 7807 problem document and HTML views into a page with the right status, so no
interface decides status codes on its own.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A rule was broken. ``message`` is translated, ``field`` names the input at fault if any."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.extra = extra or {}


class PermissionDenied(ApplicationError):
    status = 403
    code = "forbidden"


class NotFound(ApplicationError):
    status = 404
    code = "not-found"


class Conflict(ApplicationError):
    status = 409
    code = "conflict"


class TooManyRequests(ApplicationError):
    """A rate limit was reached; ``extra["retry_after"]`` gives the seconds to wait, if known."""

    status = 429
    code = "too-many-requests"
