"""Every page that takes a POST checks the CSRF token: enumerated from the URL patterns, each is
sent a POST without a token by a signed-in staff member, and the CSRF check (not the view)
answers 403. The API's session writes check it too; token writes need none (no cookie)."""

from __future__ import annotations

import re

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from citypeers.accounts.models import User

pytestmark = pytest.mark.django_db

CSRF_REJECTED = "X-Test-CSRF-Rejected"
SAMPLE = {
    "int": "1",
    "slug": "x",
    "str": "x",
    "path": "x",
    "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
}
#: Routes that are not Django views of ours, with the reason they are left out.
LEFT_OUT = {
    "api/v1/": "the API: csrf_exempt by design; its session writes check CSRF themselves (below)",
}


#: Views exempt from the CSRF check on purpose, and why.
EXEMPT = {
    "en/learning/unsubscribe/x/": "one-click unsubscribe (RFC 8058) from e-mail clients, "
    "authorised by the signed token in its address",
}


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    response = HttpResponse(status=403)
    response[CSRF_REJECTED] = reason
    return response


def routes(patterns=None, prefix: str = "") -> list[str]:
    """Every route of the site as a concrete path (route converters given sample values;
    regular-expression routes, only in the admin's catch-alls, are skipped)."""
    found: list[str] = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        text = str(pattern.pattern)
        if text.startswith("^"):
            continue
        route = prefix + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], text)
        if isinstance(pattern, URLResolver):
            if any(route.startswith(skip) for skip in LEFT_OUT):
                continue
            found.extend(routes(pattern.url_patterns, route))
        elif isinstance(pattern, URLPattern):
            found.append(route)
    return found


@override_settings(CSRF_FAILURE_VIEW="tests.security.test_csrf.csrf_failure")
def test_every_route_refuses_a_post_without_the_csrf_token():
    staff = User.objects.create_user(
        username="staff",
        email="staff@example.org",
        password="a-long-passphrase",
        is_staff=True,
        is_superuser=True,
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    paths = sorted(set(routes()))
    assert len(paths) > 100
    assert "en/directory/new/" in paths and "en/accounts/account/delete/" in paths
    unprotected = []
    for path in paths:
        if path in EXEMPT:
            continue
        response = client.post(f"/{path}", {"name": "x"})
        if response.status_code != 403 or CSRF_REJECTED not in response:
            unprotected.append((path, response.status_code))
    assert unprotected == []
    assert set(EXEMPT) <= set(paths)  # no stale exemption


def test_the_api_checks_csrf_on_session_writes_only(client):
    staff = User.objects.create_user(
        username="staff", email="staff@example.org", password="a-long-passphrase", is_staff=True
    )
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)

    response = browser.post("/api/v1/notifications/read-all")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]

    browser.get("/en/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    assert browser.post("/api/v1/notifications/read-all", HTTP_X_CSRFTOKEN=token).status_code == 200
