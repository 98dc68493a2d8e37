"""The page cache (citypeers/core/pagecache.py) on the real Redis cache, and the /livez endpoint.

Writes in these tests run inside ``django_capture_on_commit_callbacks(execute=True)``: the test's
transaction is never committed, so that is how the bump a commit would trigger gets run.
"""

from __future__ import annotations

import time
import uuid

import pytest
from django.db import connection
from django.middleware.csrf import get_token
from django.template import engines
from django.test import RequestFactory

from citypeers.accounts.tests.factories import UserFactory
from citypeers.core import pagecache
from citypeers.core.tests.redis_helpers import LOCAL_REDIS, local_redis
from citypeers.directory.tests.factories import OrganisationFactory
from citypeers.knowledge.models import Status
from citypeers.knowledge.services import practice_set_status
from citypeers.knowledge.tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings):
    """The production cache backend on the local Redis, with a key prefix of this test's own."""
    local_redis()
    settings.CACHES = {
        "default": {
            "BACKEND": "citypeers.core.cache.ResilientRedisCache",
            "LOCATION": LOCAL_REDIS,
            "KEY_PREFIX": f"pc-test-{uuid.uuid4().hex[:10]}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield
    from django.core.cache import cache

    cache.clear()  # only this prefix's keys


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` — run what the commit of these writes would run (the bump)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_second_anonymous_request_is_served_from_the_cache(
    client, redis_cache, committed, django_assert_num_queries
):
    with committed():
        OrganisationFactory(name="Cached Town Hall")

    first = client.get("/en/directory/")
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/en/directory/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "Cached Town Hall" in second.content.decode()
    # The headers the inner middleware added are kept with the page.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["Content-Language"] == "en"
    assert not second.cookies


def test_each_query_string_is_its_own_entry(client, redis_cache, committed):
    with committed():
        OrganisationFactory(name="Alpha Council")
        OrganisationFactory(name="Beta Council")

    assert client.get("/en/directory/?q=Alpha")["X-Page-Cache"] == "miss"
    other = client.get("/en/directory/?q=Beta")
    assert other["X-Page-Cache"] == "miss"
    assert "Beta Council" in other.content.decode()
    assert "Alpha Council" not in other.content.decode()
    assert client.get("/en/directory/?q=Alpha")["X-Page-Cache"] == "hit"


def test_adding_an_organisation_shows_on_the_next_request(client, redis_cache, committed):
    with committed():
        OrganisationFactory(name="First Municipality")
    client.get("/en/directory/")
    assert client.get("/en/directory/")["X-Page-Cache"] == "hit"

    with committed():
        OrganisationFactory(name="Newcomer Municipality")

    after = client.get("/en/directory/")
    assert after["X-Page-Cache"] == "miss"
    assert "Newcomer Municipality" in after.content.decode()


def test_publishing_a_practice_shows_on_the_next_request(client, redis_cache, committed):
    with committed():
        moderator = UserFactory(is_staff=True)
        draft = PracticeFactory(title="Night markets under solar lamps", status=Status.DRAFT)
    before = client.get("/en/practices/")
    assert "Night markets under solar lamps" not in before.content.decode()
    assert client.get("/en/practices/")["X-Page-Cache"] == "hit"

    with committed():
        practice_set_status(actor=moderator, practice=draft, status=Status.PUBLISHED)

    after = client.get("/en/practices/")
    assert after["X-Page-Cache"] == "miss"
    assert "Night markets under solar lamps" in after.content.decode()


def test_a_raw_sql_write_also_clears_the_cache(client, redis_cache, committed):
    with committed():
        organisation = OrganisationFactory(name="Old Name Council")
    client.get("/en/directory/")
    assert client.get("/en/directory/")["X-Page-Cache"] == "hit"

    with committed(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE directory_organisation SET name = %s WHERE id = %s",
            ["Renamed Council", organisation.pk],
        )

    after = client.get("/en/directory/")
    assert after["X-Page-Cache"] == "miss"
    assert "Renamed Council" in after.content.decode()


def test_a_rolled_back_write_does_not_clear_the_cache_and_the_next_one_does(
    client, redis_cache, committed
):
    from django.db import transaction

    with committed():
        OrganisationFactory(name="Steady Council")
    client.get("/en/directory/")

    with committed():
        try:
            with transaction.atomic():
                OrganisationFactory(name="Never Committed Council")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert client.get("/en/directory/")["X-Page-Cache"] == "hit"

    with committed():
        OrganisationFactory(name="Committed Council")
    after = client.get("/en/directory/")
    assert after["X-Page-Cache"] == "miss"
    assert "Committed Council" in after.content.decode()


def test_another_process_bump_is_seen_within_the_check_interval(client, redis_cache, settings):
    """A write committed by another process (a worker, another web machine) changes the shared
    version; this process trusts its copy for CITYPEERS_PAGE_CACHE_CHECK_SECONDS at most."""
    from django.core.cache import cache

    settings.CITYPEERS_PAGE_CACHE_CHECK_SECONDS = 0.3
    client.get("/en/directory/")
    assert client.get("/en/directory/")["X-Page-Cache"] == "hit"

    cache.set(pagecache.VERSION_KEY, "bumped-by-another-process", None)
    time.sleep(0.4)
    assert client.get("/en/directory/")["X-Page-Cache"] == "miss"

    settings.CITYPEERS_PAGE_CACHE_CHECK_SECONDS = 0  # ask the shared cache on every request
    client.get("/en/directory/")
    cache.set(pagecache.VERSION_KEY, "bumped-again", None)
    assert client.get("/en/directory/")["X-Page-Cache"] == "miss"


def test_a_page_stored_by_one_process_serves_the_others(
    client, redis_cache, django_assert_num_queries
):
    first = client.get("/en/directory/")
    assert first["X-Page-Cache"] == "miss"
    pagecache._process.pages.clear()  # a process that never computed this page

    with django_assert_num_queries(0):
        second = client.get("/en/directory/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_writes_to_ignored_tables_keep_the_cache(client, redis_cache, committed):
    from django.contrib.sessions.backends.db import SessionStore

    client.get("/en/directory/")
    with committed():
        session = SessionStore()
        session["anything"] = 1
        session.save()
    assert client.get("/en/directory/")["X-Page-Cache"] == "hit"


def test_signed_in_users_are_never_served_a_cached_page_nor_stored(client, redis_cache, committed):
    with committed():
        user = UserFactory(username="signed-in-reader")
    anonymous = client.get("/en/directory/")
    assert anonymous["X-Page-Cache"] == "miss"

    with committed():
        client.force_login(user)
    signed_in = client.get("/en/directory/")
    assert "X-Page-Cache" not in signed_in
    assert str(user) in signed_in.content.decode()
    assert "Log out" in signed_in.content.decode()

    # A page computed for a signed-in user is never stored for anyone.
    client.logout()
    with committed():
        OrganisationFactory(name="Bump Council")  # a new version: nothing current is cached
    client.force_login(user)
    client.get("/en/directory/")
    client.logout()
    fresh = client.get("/en/directory/")
    assert fresh["X-Page-Cache"] == "miss"
    assert "Log out" not in fresh.content.decode()


def test_a_request_with_a_session_or_messages_cookie_is_not_served_from_the_cache(
    client, redis_cache
):
    client.get("/en/directory/")
    assert client.get("/en/directory/")["X-Page-Cache"] == "hit"

    client.cookies["sessionid"] = "a-session-of-someone"
    assert "X-Page-Cache" not in client.get("/en/directory/")
    del client.cookies["sessionid"]
    client.cookies["messages"] = "a-message-for-someone"
    assert "X-Page-Cache" not in client.get("/en/directory/")
    del client.cookies["messages"]
    # The CSRF cookie alone changes nothing a cached page shows.
    client.cookies["csrftoken"] = "x" * 32
    assert client.get("/en/directory/")["X-Page-Cache"] == "hit"


def test_htmx_requests_are_not_served_from_the_cache(client, redis_cache):
    client.get("/en/directory/")
    fragment = client.get("/en/directory/", headers={"HX-Request": "true"})
    assert "X-Page-Cache" not in fragment
    assert b"<html" not in fragment.content


def test_languages_do_not_mix(client, redis_cache):
    english = client.get("/en/directory/")
    french = client.get("/fr/directory/")
    spanish = client.get("/es/directory/")
    assert french["X-Page-Cache"] == "miss"
    assert spanish["X-Page-Cache"] == "miss"

    for path, lang in (
        ("/en/directory/", "en"),
        ("/fr/directory/", "fr"),
        ("/es/directory/", "es"),
    ):
        hit = client.get(path)
        assert hit["X-Page-Cache"] == "hit"
        assert f'<html lang="{lang}">' in hit.content.decode()
        assert hit["Content-Language"] == lang
    assert english.content != french.content != spanish.content


def test_a_page_that_renders_a_csrf_token_is_never_stored(redis_cache, committed):
    """Through the real CSRF middleware: the token's cookie on the response forbids storing."""
    from django.middleware.csrf import CsrfViewMiddleware

    template = engines["django"].from_string("<form method=post>{% csrf_token %}</form>")

    def view(request):
        from django.http import HttpResponse

        get_token(request)
        return HttpResponse(template.render({}, request))

    stack = pagecache.PageCacheMiddleware(CsrfViewMiddleware(view))
    factory = RequestFactory()
    first = stack(factory.get("/en/directory/"))
    second = stack(factory.get("/en/directory/"))
    assert first.cookies["csrftoken"].value
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second
    assert second.cookies["csrftoken"].value != first.cookies["csrftoken"].value


def test_pages_not_listed_are_not_cached(client, redis_cache):
    client.get("/en/accounts/login/")
    assert "X-Page-Cache" not in client.get("/en/accounts/login/")


def test_off_with_the_per_process_cache(client, settings):
    """The local-memory cache (embedded profile, tests) cannot carry a write to other processes."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client.get("/en/directory/")
    assert "X-Page-Cache" not in client.get("/en/directory/")


def test_livez_answers_ok_touching_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"]


def test_livez_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/livez").status_code == 200
    assert client.get("/en/").status_code == 301
