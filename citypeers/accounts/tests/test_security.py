"""Rate limits on log-in, sign-up, password reset and API writes; API token scopes."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

from citypeers.accounts.models import ApiToken
from citypeers.accounts.services import api_token_create, api_token_revoke
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

LIMITS = {
    "login": "3/h",
    "signup": "2/h",
    "password_reset": "10/h",
    "password_reset_email": "2/h",
    "api_write": "3/h",
}


@pytest.fixture(autouse=True)
def _limits():
    cache.clear()
    with override_settings(RATE_LIMITS_ENABLED=True, RATE_LIMITS=LIMITS):
        yield
    cache.clear()


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- pages ---------------------------------------------------------------------------------------


def test_log_in_attempts_from_one_address_are_limited(client):
    for n in range(3):
        response = client.post("/en/accounts/log-in/", {"username": f"u{n}", "password": "x"})
        assert response.status_code == 200  # the form again, with its error
    response = client.post("/en/accounts/log-in/", {"username": "u9", "password": "x"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "Too many attempts" in response.content.decode()
    assert client.get("/en/accounts/log-in/").status_code == 200  # reading the form is free
    other = client.post(
        "/en/accounts/log-in/", {"username": "u9", "password": "x"}, REMOTE_ADDR="203.0.113.5"
    )
    assert other.status_code == 200


def test_sign_ups_from_one_address_are_limited(client):
    for n in range(2):
        client.logout()
        response = client.post(
            "/en/accounts/sign-up/",
            {
                "username": f"newcomer{n}",
                "email": f"newcomer{n}@example.org",
                "display_name": "",
                "password1": "a-long-enough-passphrase",
                "password2": "a-long-enough-passphrase",
            },
        )
        assert response.status_code == 302
    client.logout()
    response = client.post("/en/accounts/sign-up/", {"username": "third"})
    assert response.status_code == 429


def test_password_resets_for_one_address_are_limited_whatever_the_caller(client, mailoutbox):
    UserFactory(email="target@example.org")
    for n in range(2):
        response = client.post(
            "/en/accounts/password-reset/",
            {"email": "Target@example.org"},
            REMOTE_ADDR=f"203.0.113.{n}",
        )
        assert response.status_code == 302
    response = client.post(
        "/en/accounts/password-reset/", {"email": "target@example.org"}, REMOTE_ADDR="198.51.100.1"
    )
    assert response.status_code == 429
    assert len(mailoutbox) == 2


# --- API -----------------------------------------------------------------------------------------


def test_api_writes_are_limited_per_account_with_a_problem_document(client):
    user = UserFactory()
    _token, raw = api_token_create(user=user, name="ci")
    for _ in range(3):
        assert client.post("/api/v1/notifications/read-all", **_bearer(raw)).status_code == 200
    for _ in range(5):  # reads do not count
        assert client.get("/api/v1/notifications", **_bearer(raw)).status_code == 200

    response = client.post("/api/v1/notifications/read-all", **_bearer(raw))

    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 429 and body["type"].endswith("/too-many-requests")
    assert int(response["Retry-After"]) == body["retry_after"] > 0
    # Another account is counted apart.
    _t, other = api_token_create(user=UserFactory(), name="ci")
    assert client.post("/api/v1/notifications/read-all", **_bearer(other)).status_code == 200


def test_session_writes_count_too(client):
    user = UserFactory()
    client.force_login(user)
    for _ in range(3):
        assert client.post("/api/v1/notifications/read-all").status_code == 200
    assert client.post("/api/v1/notifications/read-all").status_code == 429


# --- token scopes --------------------------------------------------------------------------------


def test_tokens_write_by_default_as_before_scopes_existed():
    token, _raw = api_token_create(user=UserFactory(), name="ci")
    assert token.scope == ApiToken.Scope.WRITE and token.allows_writes


def test_a_read_token_reads_and_is_refused_writes(client):
    user = UserFactory()
    token, raw = api_token_create(user=user, name="dashboard", scope="read")

    assert client.get("/api/v1/notifications", **_bearer(raw)).status_code == 200
    response = client.post("/api/v1/notifications/read-all", **_bearer(raw))

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "only read" in response.json()["detail"]
    assert token.scope == "read"


def test_a_write_token_writes(client):
    _token, raw = api_token_create(user=UserFactory(), name="ci", scope="write")
    assert client.post("/api/v1/notifications/read-all", **_bearer(raw)).status_code == 200


def test_a_revoked_token_is_refused_whatever_its_scope(client):
    user = UserFactory()
    token, raw = api_token_create(user=user, name="dashboard", scope="read")
    api_token_revoke(actor=user, token=token)
    assert client.get("/api/v1/notifications", **_bearer(raw)).status_code == 401
    assert client.post("/api/v1/notifications/read-all", **_bearer(raw)).status_code == 401


def test_an_unknown_scope_is_refused():
    with pytest.raises(ApplicationError) as refused:
        api_token_create(user=UserFactory(), name="ci", scope="admin")
    assert refused.value.field == "scope"


def test_the_command_issues_a_read_token():
    user = UserFactory()
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create-api-token", user.username, "--name", "bi", "--scope", "read", stdout=out, stderr=err
    )
    token = ApiToken.objects.get(user=user)
    assert token.scope == "read"
    assert out.getvalue().strip().startswith(token.prefix)
