"""The one application error that services raise, and its mapping to HTTP.

Services check the rules and raise :class:`ApplicationError` (or a subclass); the API turns
it into an RFC 7807 problem document and HTML views into a page with the right status, so no
interface decides status codes on its own.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A rule was broken. ``message`` is translated, ``field`` names the input at fault if any.

    ``headers`` are added to the response, page or problem document alike (``Retry-After``).
    """

    status = 400
    code = "invalid"
    headers: dict[str, str] = {}

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
    """A rate limit was reached: ``retry_after`` seconds to wait, sent as ``Retry-After``.

    The one 429 of the platform, raised by the shared rate limits (:mod:`citypeers.core.ratelimit`)
    and by the services' own limits (posts a minute, reports a day).
    """

    status = 429
    code = "too-many-requests"

    def __init__(
        self,
        message: str,
        *,
        retry_after: int,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        retry_after = max(1, int(retry_after))
        super().__init__(message, field=field, extra={**(extra or {}), "retry_after": retry_after})
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}
