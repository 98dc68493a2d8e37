"""Rate limits counted in the shared cache: log-in, sign-up, password reset, API writes.

A limit is ``"count/period"`` (``"20/10m"``: twenty in ten minutes; periods ``s``, ``m``, ``h``,
``d``), set per scope in ``settings.RATE_LIMITS``. Counting is a fixed window per (scope, who):
``cache.add`` starts the window's counter, ``cache.incr`` counts, both atomic in Redis, so every
web process on every machine shares the count. The window a request falls in is aligned on the
period, so ``Retry-After`` is the time left until it ends.

Fails open: when the cache cannot count (Redis down: the resilient cache answers like an empty
one) requests are allowed. Log-in keeps django-axes' per-account lock-out, stored in the database,
in any case.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import ngettext

from .errors import TooManyRequests

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


def too_many_attempts(retry_after: int) -> TooManyRequests:
    """The 429 of a shared limit, saying in minutes when to try again."""
    minutes = max(1, math.ceil(retry_after / 60))
    return TooManyRequests(
        ngettext(
            "Too many attempts. Try again in %(n)d minute.",
            "Too many attempts. Try again in %(n)d minutes.",
            minutes,
        )
        % {"n": minutes},
        retry_after=retry_after,
    )


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    match = _RATE.match(text)
    if match is None:
        raise ValueError(f"Invalid rate {text!r}: use count/period such as 20/10m")
    return Rate(int(match[1]), int(match[2] or 1) * _PERIODS[match[3]])


def client_address(request: HttpRequest) -> str:
    """The caller's address; behind the platform's proxy, the entry that proxy appended."""
    if settings.RATE_LIMIT_TRUST_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def hit(scope: str, who: str, *, now: float | None = None) -> None:
    """Count one request of ``who`` in ``scope``; raise ``TooManyRequests`` over the limit."""
    if not settings.RATE_LIMITS_ENABLED:
        return
    rate = parse_rate(settings.RATE_LIMITS[scope])
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]  # no address or e-mail in key names
    key = f"ratelimit:{scope}:{digest}:{window}"
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr, or the cache is unavailable: allow
        return
    if count > rate.count:
        raise too_many_attempts(max(1, math.ceil((window + 1) * rate.seconds - now)))


def limit_posts(
    scope: str, *, also: tuple[str, Callable[[HttpRequest], str]] | None = None
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Decorate a page view: count its POSTs per client address in ``scope``.

    Over the limit, the view is not called: the reader gets a 429 page saying when to retry.
    ``also=(other_scope, key)`` counts each POST a second time in ``other_scope`` under
    ``key(request)`` when that is not empty, e.g. the e-mail address a password reset is for.
    """

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "POST":
                try:
                    hit(scope, client_address(request))
                    if also is not None and (second := also[1](request)):
                        hit(also[0], second)
                except TooManyRequests as limited:
                    response = render(
                        request,
                        "error.html",
                        {"message": limited.message},
                        status=429,
                    )
                    response["Retry-After"] = str(limited.retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
