"""What a process remembers about a Redis server that has just failed.

The cache and the task queue both talk to Redis. When Redis is down, each call would otherwise
wait for its connection attempt to fail (at once for a closed port, up to the socket timeout for
a host that does not answer). After one failure, :class:`Outage` tells the callers to skip Redis
for ``retry_after`` seconds; the first call after that tries again. One warning is logged when an
outage begins and one line when the server answers again, not one per request.
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("citypeers.redis")

#: The errors that mean "Redis is not available" (a refused or lost connection, a timeout, a
#: replica that cannot take writes during a fail-over) rather than a mistake in the caller.
REDIS_UNAVAILABLE: tuple[type[Exception], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ReadOnlyError,
)

DEFAULT_RETRY_AFTER = 5.0


class Outage:
    """The outage state of one Redis server, in this process."""

    def __init__(self, name: str, retry_after: float = DEFAULT_RETRY_AFTER) -> None:
        self.name = name
        self.retry_after = retry_after
        self._until = 0.0
        self._down = False
        self._lock = threading.Lock()

    def active(self) -> bool:
        """True while callers should not even try Redis."""
        return time.monotonic() < self._until

    def begin(self, error: BaseException) -> None:
        with self._lock:
            if not self._down:
                logger.warning(
                    "Redis (%s) unavailable, carrying on without it: %s", self.name, error
                )
            self._down = True
            self._until = time.monotonic() + self.retry_after

    def end(self) -> None:
        if self._down:
            with self._lock:
                if self._down:
                    logger.warning("Redis (%s) answers again", self.name)
                self._down = False
                self._until = 0.0


def redacted(url: str) -> str:
    """``url`` without its user name and password, for logs."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


_outages: dict[str, Outage] = {}
_registry_lock = threading.Lock()


def outage_for(name: str, retry_after: float = DEFAULT_RETRY_AFTER) -> Outage:
    """The one :class:`Outage` of this process for the server or role called ``name``."""
    with _registry_lock:
        outage = _outages.get(name)
        if outage is None:
            outage = _outages[name] = Outage(name, retry_after)
        return outage
