"""While the database cannot be reached, pages answer 503 and the API a 503 problem document.

No mock: the ``default`` connection is swapped for a real PostgreSQL connection to a loopback
port nobody listens on, so every query genuinely fails to connect, as when PostgreSQL is
stopped. (``bench/faults.py --only postgres`` restarts the real server under load.)
"""

from __future__ import annotations

import socket

import pytest
from django.core.cache import cache
from django.db import DatabaseError, OperationalError, connection, connections, transaction
from django.db.backends.postgresql.base import DatabaseWrapper

from citypeers.core.middleware import RETRY_AFTER_SECONDS, database_unavailable
from citypeers.core.views import server_error


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def database_down(django_db_blocker):
    """The ``default`` alias points at a PostgreSQL server that refuses connections."""
    original = connections["default"]
    settings_dict = {
        **original.settings_dict,
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "citypeers_unreachable",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(_closed_port()),
        "OPTIONS": {"connect_timeout": 2},
        "CONN_MAX_AGE": 0,
    }
    down = DatabaseWrapper(settings_dict, alias="default")
    cache.clear()  # a page cached by an earlier test would be served without the database
    with django_db_blocker.unblock():
        connections["default"] = down
        try:
            yield down
        finally:
            down.close()
            connections["default"] = original
            cache.clear()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_page_answers_503_with_a_short_translated_page(client, database_down, language):
    response = client.get(f"/{language}/directory/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert "<h1>" in page
    if language == "en":
        assert "Temporarily unavailable" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert "Content-Security-Policy" in response.headers


def test_an_api_call_answers_a_503_problem_document(client, database_down):
    response = client.get("/api/v1/organisations")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    problem = response.json()
    assert problem["status"] == 503
    assert problem["type"] == "/api/v1/problems/database-unavailable"
    assert problem["instance"] == "/api/v1/organisations"
    assert problem["detail"]


def test_healthz_says_the_database_is_unavailable(client, database_down):
    assert client.get("/healthz").status_code == 503


def test_an_outage_raised_outside_a_view_reaches_the_error_handler_as_a_503(rf, database_down):
    request = rf.get("/en/")
    try:
        database_down.ensure_connection()
    except OperationalError:
        response = server_error(request)
    else:  # pragma: no cover - the port refused the connection a moment ago
        pytest.fail("the connection to a closed port succeeded")

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


@pytest.mark.django_db
def test_a_wrong_query_is_not_an_outage():
    query = "SELECT * FROM citypeers_no_such_table"
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as c:
        c.execute(query)

    assert not database_unavailable(raised.value)


def test_an_authenticated_api_write_answers_503_too(client, database_down):
    """The token is looked up in the database: that failure is an outage too, not a 401."""
    response = client.post(
        "/api/v1/organisations",
        data={"name": "Outage", "actor_type": "network"},
        content_type="application/json",
        headers={"Authorization": "Bearer cp_not-checked-while-the-database-is-down"},
    )

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
