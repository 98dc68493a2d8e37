"""Tasks the core tests enqueue: each records its call, so a test sees whether and where it ran."""

from __future__ import annotations

import os

from django_tasks import task

CALLS: list[tuple[str, int]] = []


@task()
def record_call(marker: str) -> str:
    CALLS.append((marker, os.getpid()))
    return marker
