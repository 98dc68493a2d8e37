"""The probe task of ``bench/faults.py --only worker``: a task a worker can be killed in.

It writes down each attempt, makes its effect once per key whatever the number of attempts (the
way the platform's tasks are written: they take ids and recompute, so a second run changes
nothing), then takes ``seconds``, long enough to kill its worker in the middle. Everything is
kept in the queue's own Redis database, which the bench gives a number of its own.
"""

from __future__ import annotations

import os
import time

import django_rq
from django_tasks import task


@task()
def slow_effect(key: str, seconds: float) -> int:
    """Record the attempt, make the effect once per ``key``, wait; return how many effects."""
    connection = django_rq.get_connection("default")
    connection.rpush(f"cp-faults:{key}:attempts", os.getpid())
    if connection.set(f"cp-faults:{key}:claimed", os.getpid(), nx=True):
        connection.incr(f"cp-faults:{key}:effects")
    time.sleep(seconds)
    connection.rpush(f"cp-faults:{key}:finished", os.getpid())
    return int(connection.get(f"cp-faults:{key}:effects") or 0)
