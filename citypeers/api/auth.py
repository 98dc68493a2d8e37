"""Who is calling the API: a personal token (``Authorization: Bearer …``) or a browser session.

Reads are public. Writes declare ``auth=WRITE_AUTH``: a token is tried first, then the Django
session. The session path checks CSRF (a cookie travels with cross-site requests; a bearer token
does not), and only once it knows the session is signed in, so an anonymous write is answered
401 rather than a CSRF 403. When neither succeeds ninja raises ``AuthenticationError``, which
``errors.py`` turns into a 401 problem document.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth
from ninja.utils import check_csrf

from citypeers.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """A personal API token, looked up by its SHA-256 hash; revoked tokens are refused."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


class CsrfSessionAuth(SessionAuth):
    """The signed-in browser session, CSRF-checked."""

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        csrf_checked = self.csrf and not getattr(request, "_ninja_csrf_exempt", False)
        if csrf_checked and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed: send the CSRF token with the request."))
        return user


def acting_user(request: HttpRequest) -> Any:
    """The user an authenticated endpoint acts for (what ninja stored in ``request.auth``)."""
    return getattr(request, "auth", None)


token_auth = TokenAuth()
session_auth = CsrfSessionAuth(csrf=True)

#: For every write endpoint.
WRITE_AUTH = [token_auth, session_auth]
