"""Fixed-window rate limits counted in the cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from citypeers.core.errors import TooManyRequests
from citypeers.core.ratelimit import client_address, hit, parse_rate


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_rates_parse_with_a_count_and_a_period():
    assert parse_rate("20/10m") == parse_rate(" 20 / 10 m ")
    assert (parse_rate("20/10m").count, parse_rate("20/10m").seconds) == (20, 600)
    assert parse_rate("5/h").seconds == 3600
    assert parse_rate("1/d").seconds == 86400
    for bad in ["", "20", "20/", "x/m", "20/10y", "-1/m"]:
        with pytest.raises(ValueError):
            parse_rate(bad)


@override_settings(RATE_LIMITS_ENABLED=True, RATE_LIMITS={"login": "3/m"})
def test_the_request_over_the_limit_is_refused_until_the_window_ends():
    now = 1_000_040.0  # 20 s into the one-minute window that starts at 1_000_020
    for _ in range(3):
        hit("login", "203.0.113.9", now=now)
    with pytest.raises(TooManyRequests) as refused:
        hit("login", "203.0.113.9", now=now + 1)
    assert refused.value.status == 429
    assert refused.value.retry_after == 39  # the window ends at 1_000_080
    assert refused.value.headers == {"Retry-After": "39"}

    hit("login", "198.51.100.7", now=now + 1)  # someone else is counted apart
    hit("login", "203.0.113.9", now=now + 41)  # the next window starts afresh


@override_settings(RATE_LIMITS_ENABLED=False, RATE_LIMITS={"login": "1/m"})
def test_limits_can_be_switched_off():
    for _ in range(5):
        hit("login", "203.0.113.9")


@override_settings(RATE_LIMIT_TRUST_FORWARDED_FOR=True)
def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
    )
    assert client_address(request) == "203.0.113.9"  # not the spoofable first entry


@override_settings(RATE_LIMIT_TRUST_FORWARDED_FOR=False)
def test_without_a_proxy_forwarded_for_is_ignored():
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "203.0.113.9"
