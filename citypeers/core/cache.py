"""Django's Redis cache, made to degrade to "no cache" while Redis is away.

Django 5.2's ``RedisCache`` lets ``redis.exceptions.ConnectionError`` escape from every call, so a
Redis outage turns every cached page into a 500. :class:`ResilientRedisCache` answers, while
Redis is unreachable, exactly like Django's ``DummyCache`` (an empty cache that forgets what it is
told): ``get`` returns the default, ``set``/``delete`` do nothing, ``add`` returns ``True``,
``incr`` raises ``ValueError`` as for a missing key. Pages are computed instead of read from the
cache, which is slower but correct. After a failure the process does not try Redis again for
``RETRY_AFTER`` seconds (:mod:`citypeers.core.outage`), so an outage costs one failed connection
per process per interval, not one per call.

What is lost while Redis is down: nothing stored, since a cache holds only copies; deletes issued
during the outage are lost too, so an entry cached before the outage can be served until its
timeout once Redis is back. Rate limits (:mod:`citypeers.core.ratelimit`) count nothing during an
outage: they fail open rather than lock everyone out.

``clear()`` deletes only this cache's keys (those under its ``KEY_PREFIX``) instead of flushing the
whole Redis database, so the cache can share a database with the task queue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from .outage import DEFAULT_RETRY_AFTER, REDIS_UNAVAILABLE, Outage, outage_for, redacted

T = TypeVar("T")


def _missing_key(key: Any) -> Any:
    raise ValueError(f"Key '{key}' not found.")


class ResilientRedisCacheClient(RedisCacheClient):
    """Each call goes to Redis unless an outage is known; a failure starts one."""

    def __init__(self, servers: list[str], *, outage: Outage, **options: Any) -> None:
        super().__init__(servers, **options)
        self.outage = outage

    def _guard(self, fallback: Callable[[], T], call: Callable[[], T]) -> T:
        if self.outage.active():
            return fallback()
        try:
            result = call()
        except REDIS_UNAVAILABLE as error:
            self.outage.begin(error)
            return fallback()
        self.outage.end()
        return result

    def add(self, key: Any, value: Any, timeout: Any) -> Any:
        return self._guard(lambda: True, lambda: RedisCacheClient.add(self, key, value, timeout))

    def get(self, key: Any, default: Any) -> Any:
        return self._guard(lambda: default, lambda: RedisCacheClient.get(self, key, default))

    def set(self, key: Any, value: Any, timeout: Any) -> Any:
        self._guard(lambda: None, lambda: RedisCacheClient.set(self, key, value, timeout))

    def touch(self, key: Any, timeout: Any) -> Any:
        return self._guard(lambda: False, lambda: RedisCacheClient.touch(self, key, timeout))

    def delete(self, key: Any) -> Any:
        return self._guard(lambda: False, lambda: RedisCacheClient.delete(self, key))

    def get_many(self, keys: Iterable[Any]) -> Any:
        keys = list(keys)
        return self._guard(dict, lambda: RedisCacheClient.get_many(self, keys))

    def has_key(self, key: Any) -> Any:
        return self._guard(lambda: False, lambda: RedisCacheClient.has_key(self, key))

    def incr(self, key: Any, delta: int) -> Any:
        return self._guard(
            lambda: _missing_key(key), lambda: RedisCacheClient.incr(self, key, delta)
        )

    def set_many(self, data: Any, timeout: Any) -> None:
        self._guard(lambda: None, lambda: RedisCacheClient.set_many(self, data, timeout))

    def delete_many(self, keys: Iterable[Any]) -> None:
        keys = list(keys)
        self._guard(lambda: None, lambda: RedisCacheClient.delete_many(self, keys))

    def clear_matching(self, pattern: str) -> bool:
        """Delete every key matching ``pattern`` (SCAN + UNLINK in batches, never FLUSHDB)."""

        def clear() -> bool:
            client = self.get_client(None, write=True)
            batch: list[bytes] = []
            for key in client.scan_iter(match=pattern, count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    client.unlink(*batch)
                    batch = []
            if batch:
                client.unlink(*batch)
            return True

        return self._guard(lambda: False, clear)


class ResilientRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that survives a Redis outage.

    Takes the same ``LOCATION`` and ``OPTIONS`` as Django's backend, plus ``RETRY_AFTER``: the
    seconds a process waits after a failure before it tries Redis again (default 5).
    """

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        retry_after = float(params.get("RETRY_AFTER", DEFAULT_RETRY_AFTER))
        location = server if isinstance(server, str) else ",".join(server)
        self._outage = outage_for(f"cache {redacted(location)}", retry_after)
        self._class = ResilientRedisCacheClient
        self._options: dict[str, Any] = {**params.get("OPTIONS", {}), "outage": self._outage}

    @property
    def outage(self) -> Outage:
        return self._outage

    def clear(self) -> None:
        client = cast(ResilientRedisCacheClient, self._cache)
        client.clear_matching(f"{self.key_prefix}:*")
