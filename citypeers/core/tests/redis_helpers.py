"""Helpers of the tests that talk to Redis: a port nobody listens on, the local server if any."""

from __future__ import annotations

import socket

import pytest
import redis

LOCAL_REDIS = "redis://127.0.0.1:6379/15"


def closed_port_url(db: int = 0) -> str:
    """A Redis URL on a loopback port that was free a moment ago: connections are refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/{db}"


def local_redis() -> redis.Redis:
    """The machine's Redis (database 15, kept for tests), or skip the test saying why."""
    client = redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        pytest.skip(f"no Redis at {LOCAL_REDIS} ({error}): the RQ path is not tested here")
    return client
