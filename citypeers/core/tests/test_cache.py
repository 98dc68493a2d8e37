"""The Redis cache degrades to "no cache" while Redis is down, instead of raising."""

from __future__ import annotations

import time
import uuid

import pytest
import redis
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from citypeers.core.cache import ResilientRedisCache
from citypeers.core.outage import Outage, redacted
from citypeers.core.tests.redis_helpers import LOCAL_REDIS, closed_port_url, local_redis

OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def _cache(location: str, **params) -> ResilientRedisCache:
    return ResilientRedisCache(
        location, {"OPTIONS": OPTIONS, "KEY_PREFIX": f"t{uuid.uuid4().hex[:8]}", **params}
    )


def test_django_redis_cache_raises_when_redis_is_down():
    """Why the wrapper exists: Django 5.2's own backend lets the connection error escape."""
    plain = RedisCache(closed_port_url(), {"OPTIONS": OPTIONS})
    with pytest.raises(redis.exceptions.ConnectionError):
        plain.get("anything")


def test_a_down_redis_reads_as_an_empty_cache_that_forgets():
    cache = _cache(closed_port_url())

    cache.set("k", "v")
    assert cache.get("k") is None
    assert cache.get("k", "default") == "default"
    assert cache.add("k", "v") is True
    assert cache.get_many(["k", "l"]) == {}
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    assert cache.touch("k") is False
    assert cache.set_many({"a": 1, "b": 2}) == []
    cache.delete_many(["a", "b"])
    assert cache.get_or_set("computed", lambda: 42) == 42
    with pytest.raises(ValueError):  # like a missing key: callers fall back to set()
        cache.incr("counter")
    cache.clear()
    assert cache.outage.active()


def test_after_a_failure_redis_is_not_tried_again_until_retry_after():
    cache = _cache(closed_port_url(), RETRY_AFTER=60)
    cache.get("k")
    assert cache.outage.active()

    began = time.monotonic()
    for _ in range(200):
        cache.get("k")
    assert time.monotonic() - began < 0.5  # no connection attempt while the outage is known


def test_outage_ends_when_the_server_answers_again():
    outage = Outage("test", retry_after=0.05)
    outage.begin(redis.exceptions.ConnectionError("refused"))
    assert outage.active()
    time.sleep(0.06)
    assert not outage.active()  # the next call tries Redis again
    outage.end()
    assert not outage.active()


def test_with_redis_up_the_cache_works_and_clear_spares_other_keys():
    client = local_redis()
    cache = _cache(LOCAL_REDIS)
    foreign = f"rq:test:{uuid.uuid4().hex}"
    client.set(foreign, "queue data", ex=60)
    try:
        cache.set("k", {"a": 1}, 30)
        assert cache.get("k") == {"a": 1}
        assert cache.add("n", 1) is True
        assert cache.incr("n") == 2
        assert cache.get_many(["k", "n"]) == {"k": {"a": 1}, "n": 2}

        cache.clear()

        assert cache.get("k") is None
        assert client.get(foreign) == b"queue data"  # the task queue's keys survive
        assert not cache.outage.active()
    finally:
        client.delete(foreign)


@pytest.mark.django_db
def test_the_site_serves_pages_with_redis_down(client):
    """Pages, the log-in form with its rate limit and the API answer with no 500."""
    down = {
        "default": {
            "BACKEND": "citypeers.core.cache.ResilientRedisCache",
            "LOCATION": closed_port_url(),
            "OPTIONS": OPTIONS,
        }
    }
    with override_settings(CACHES=down, RATE_LIMITS_ENABLED=True):
        for url in [
            "/en/",
            "/en/directory/",
            "/en/practices/",
            "/en/partnerships/",
            "/api/v1/countries",
        ]:
            assert client.get(url).status_code == 200, url
        response = client.post("/en/accounts/log-in/", {"username": "nobody", "password": "x"})
        assert response.status_code == 200  # the form again, with its error; not a 500


def test_logs_never_show_the_redis_password():
    assert (
        redacted("redis://:s3cret@cache.internal:6380/1?ssl=1") == "redis://cache.internal:6380/1"
    )
    assert redacted("rediss://user:pw@host/0") == "rediss://host/0"
    assert redacted("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
