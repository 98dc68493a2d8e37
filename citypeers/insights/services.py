"""The one write of the insights app: recompute every stored figure.

:func:`insights_refresh` reads the platform once (``sources.snapshot``), computes every figure in
memory (``figures.compute``, with the network measures of ``network.py``), then replaces the rows of
every stored table in **one transaction**, so a page never sees half a refresh: until the commit it
reads the previous figures.

It is safe to run twice, and at the same time: the fill state is a :class:`RefreshRun` row, and a
partial unique constraint lets only one run be ``running``. A second refresh started meanwhile
finds that row and returns ``None`` without computing anything. A run left ``running`` by a
process that died (older than :data:`STALE_AFTER`) is marked ``failed`` and no longer blocks.
A failed computation is recorded (``failed``, with the error) and the previous figures stay.

Who may start it: the system (the ``insights-refresh`` command, the scheduled task), or a platform
moderator through the API; anybody else gets :class:`PermissionDenied`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citypeers.accounts.audit import audit
from citypeers.core.errors import PermissionDenied
from citypeers.directory.permissions import is_platform_moderator

from . import figures, sources
from .models import (
    ActorMetric,
    Figure,
    Label,
    LinkFact,
    MapPlace,
    PlaceFact,
    RefreshRun,
    Synergy,
)

logger = logging.getLogger(__name__)

#: A run still ``running`` after this long is taken for dead (its process was killed).
STALE_AFTER = dt.timedelta(hours=1)
BATCH_SIZE = 2000
# Written in this order (and deleted in the reverse order) inside the transaction.
TABLES: list[tuple[str, type[Any]]] = [
    ("labels", Label),
    ("figures", Figure),
    ("places", MapPlace),
    ("place_facts", PlaceFact),
    ("link_facts", LinkFact),
    ("actors", ActorMetric),
    ("synergies", Synergy),
]


def _start(trigger: str) -> RefreshRun | None:
    """Take the lock: a new ``running`` run, or ``None`` if a live one holds it."""
    now = timezone.now()
    RefreshRun.objects.filter(
        state=RefreshRun.State.RUNNING, started_at__lt=now - STALE_AFTER
    ).update(
        state=RefreshRun.State.FAILED,
        finished_at=now,
        error=f"abandoned: still running after {STALE_AFTER}",
    )
    try:
        with transaction.atomic():
            return RefreshRun.objects.create(
                state=RefreshRun.State.RUNNING, trigger=trigger[:40], started_at=now
            )
    except IntegrityError:
        return None


def _write(computed: figures.Computed) -> dict[str, int]:
    rows: dict[str, int] = {}
    with transaction.atomic():
        for _name, model in reversed(TABLES):
            model.objects.all().delete()
        for name, model in TABLES:
            objects = getattr(computed, name)
            model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
            rows[name] = len(objects)
    return rows


def insights_refresh(*, actor: Any = None, trigger: str = "command") -> RefreshRun | None:
    """Recompute every stored figure; the finished (or failed) run, or ``None`` if one is running.

    ``actor`` is ``None`` for the system (command, task); a person must be a platform moderator.
    Raises the computation's exception after recording the run as ``failed``.
    """
    if actor is not None and not is_platform_moderator(actor):
        raise PermissionDenied(_("Only platform moderators may refresh the insights."))
    run = _start(trigger)
    if run is None:
        logger.info("insights refresh skipped: another refresh is running")
        return None
    began = time.monotonic()
    try:
        t0 = time.monotonic()
        snap = sources.snapshot()
        read = time.monotonic() - t0
        computed = figures.compute(snap)
        t0 = time.monotonic()
        rows = _write(computed)
        written = time.monotonic() - t0
    except Exception as exc:
        run.state = RefreshRun.State.FAILED
        run.finished_at = timezone.now()
        run.duration_ms = int((time.monotonic() - began) * 1000)
        run.error = f"{type(exc).__name__}: {exc}"[:4000]
        run.save(update_fields=["state", "finished_at", "duration_ms", "error"])
        raise
    run.state = RefreshRun.State.FINISHED
    run.finished_at = timezone.now()
    run.duration_ms = int((time.monotonic() - began) * 1000)
    run.rows = {**rows, "events_source": int(snap.events_available)}
    run.timings = {"read": round(read, 3), **computed.timings, "write": round(written, 3)}
    run.save(update_fields=["state", "finished_at", "duration_ms", "rows", "timings"])
    if actor is not None:
        audit(actor=actor, verb="insights.refresh", target=run, data={"rows": rows})
    return run


def insights_refresh_request(*, actor: Any) -> None:
    """Queue a refresh on behalf of a platform moderator (the API's ``POST /insights/refresh``).

    The task runs after the current transaction commits; with the in-process backend of the
    embedded profile it has finished when this returns.
    """
    if not is_platform_moderator(actor):
        raise PermissionDenied(_("Only platform moderators may refresh the insights."))
    from .tasks import refresh_insights

    trigger = f"api:{getattr(actor, 'pk', '')}"
    transaction.on_commit(lambda: refresh_insights.enqueue(trigger))
