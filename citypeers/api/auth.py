"""Who is calling the API: a personal token (``Authorization: Bearer …``) or a browser session.

Reads are public. Writes declare ``auth=WRITE_AUTH``: a token is tried first, then the Django
session. The session path checks CSRF (a cookie travels with cross-site requests; a bearer token
does not), and only once it knows the session is signed in, so an anonymous write is answered
401 rather than a CSRF 403. When neither succeeds ninja raises ``AuthenticationError``, which
``errors.py`` turns into a 401 problem document.

A token has a scope: a ``read`` token authenticates reads (GET, HEAD, OPTIONS) and is refused
with a 403 on anything else, before the endpoint runs. Every authenticated write, by token or
session, counts against the caller's ``api_write`` rate limit (429 over it).
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth
from ninja.utils import check_csrf

from citypeers.accounts.services import api_token_lookup
from citypeers.core.errors import PermissionDenied
from citypeers.core.ratelimit import hit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _count_write(request: HttpRequest, user: Any) -> None:
    if request.method not in SAFE_METHODS:
        hit("api_write", f"user:{user.pk}")


class TokenAuth(HttpBearer):
    """A personal API token, looked up by its SHA-256 hash; revoked tokens are refused."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = api_token_lookup(raw=token)
        if found is None:
            return None
        if request.method not in SAFE_METHODS and not found.allows_writes:
            raise PermissionDenied(_("This API token may only read; use a token with write scope."))
        request.user = found.user
        _count_write(request, found.user)
        return found.user


class CsrfSessionAuth(SessionAuth):
    """The signed-in browser session, CSRF-checked."""

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        csrf_checked = self.csrf and not getattr(request, "_ninja_csrf_exempt", False)
        if csrf_checked and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed: send the CSRF token with the request."))
        _count_write(request, user)
        return user


def acting_user(request: HttpRequest) -> Any:
    """The user an authenticated endpoint acts for (what ninja stored in ``request.auth``)."""
    return getattr(request, "auth", None)


token_auth = TokenAuth()
session_auth = CsrfSessionAuth(csrf=True)

#: For every write endpoint.
WRITE_AUTH = [token_auth, session_auth]
