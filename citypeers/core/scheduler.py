"""The one scheduler of periodic work: claims each period of each job once, hands it to the queue.

Why not ``rq-scheduler`` or RQ's own cron: neither stops a second scheduler from enqueuing the same
job again, and both enqueue plain functions rather than ``django-tasks`` tasks. Here every period
of every job is *claimed* by inserting a :class:`~citypeers.core.models.ScheduledRun` row under a
unique constraint on ``(job, period)``. Two schedulers (a restart that overlaps, a second machine
started by mistake) both try; the database lets exactly one insert through, and only that one
enqueues. The claim survives restarts, so a scheduler started twice in the same hour does not run
the hourly job twice either, and the table is the history of what ran when.

The scheduler itself does no work: a job's task or command goes to the task queue and runs on a
worker (with the in-process backend of the embedded profile, it runs inside the scheduler). The
scheduler also moves tasks that waited in the database during a Redis outage into the queue
(``TASKS_WHEN_QUEUE_DOWN=wait``).

Guarantee: at most once per period. A scheduler that dies between its claim and the enqueue loses
that period (logged as ``claimed`` with no outcome); the next period runs as usual.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from croniter import croniter
from django.conf import settings
from django.core.management import get_commands
from django.db import DatabaseError, IntegrityError, close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledRun

logger = logging.getLogger("citypeers.scheduler")

QUEUE_BACKEND = "citypeers.core.task_backend.QueueBackend"


@dataclass(frozen=True)
class Job:
    """A piece of periodic work: a task (dotted path) or a management command, on a cron line."""

    name: str
    cron: str
    task: str = ""
    command: str = ""
    args: list[str] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    #: How late a period may still be started (after the scheduler was down, say).
    grace: dt.timedelta = dt.timedelta(hours=1)

    def __post_init__(self) -> None:
        if bool(self.task) == bool(self.command):
            raise ValueError(f"Job {self.name!r}: give exactly one of task= or command=")
        if not croniter.is_valid(self.cron):
            raise ValueError(f"Job {self.name!r}: invalid cron expression {self.cron!r}")

    def period_at(self, now: dt.datetime) -> dt.datetime:
        """The start of the period ``now`` falls in: the latest cron time at or before ``now``."""
        now = now.astimezone(dt.UTC)
        previous: dt.datetime = croniter(self.cron, now).get_prev(dt.datetime)
        following: dt.datetime = croniter(self.cron, previous).get_next(dt.datetime)
        return following if following <= now else previous


def configured_jobs() -> list[Job]:
    """The schedule named by the ``CITYPEERS_SCHEDULE`` setting (``config.scheduler.SCHEDULE``)."""
    jobs: list[Job] = import_string(settings.CITYPEERS_SCHEDULE)
    return jobs


def job_named(name: str) -> Job | None:
    return next((job for job in configured_jobs() if job.name == name), None)


def default_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Scheduler:
    def __init__(self, jobs: list[Job], *, identity: str | None = None) -> None:
        names = [job.name for job in jobs]
        if len(names) != len(set(names)):
            raise ValueError("Two scheduled jobs have the same name")
        self.jobs = jobs
        self.identity = identity or default_identity()

    def tick(self, now: dt.datetime | None = None) -> list[ScheduledRun]:
        """Start every job whose current period nobody has claimed; return the runs started."""
        now = now or timezone.now()
        started = [run for job in self.jobs if (run := self.run_due(job, now)) is not None]
        flush_pending_tasks()
        requeue_abandoned_jobs()
        return started

    def run_due(self, job: Job, now: dt.datetime) -> ScheduledRun | None:
        period = job.period_at(now)
        if now - period > job.grace:
            return None
        run = self._claim(job, period)
        if run is None:
            return None
        try:
            run.outcome, run.detail = self._dispatch(job)
        except Exception as error:  # recorded, and the scheduler goes on with the next job
            logger.exception("Scheduled job %s failed to start", job.name)
            run.outcome, run.detail = (
                ScheduledRun.Outcome.FAILED,
                f"{type(error).__name__}: {error}",
            )
        run.save(update_fields=["outcome", "detail"])
        logger.info(
            "%s for %s: %s %s", job.name, f"{period:%Y-%m-%d %H:%M}", run.outcome, run.detail
        )
        return run

    def _claim(self, job: Job, period: dt.datetime) -> ScheduledRun | None:
        if ScheduledRun.objects.filter(job=job.name, period=period).exists():
            return None
        try:
            with transaction.atomic():
                return ScheduledRun.objects.create(
                    job=job.name, period=period, claimed_by=self.identity
                )
        except IntegrityError:  # another scheduler claimed it between the check and the insert
            return None

    def _dispatch(self, job: Job) -> tuple[str, str]:
        from django_tasks.base import Task

        if job.task:
            try:
                task = import_string(job.task)
            except ImportError:
                return ScheduledRun.Outcome.SKIPPED, f"task {job.task} is not installed"
            if not isinstance(task, Task):
                return ScheduledRun.Outcome.SKIPPED, f"{job.task} is not a task"
            result = task.enqueue(*job.args, **job.kwargs)
        else:
            if job.command not in get_commands():
                return ScheduledRun.Outcome.SKIPPED, f"command {job.command} is not installed"
            from .tasks import run_scheduled_command

            result = run_scheduled_command.enqueue(job.name)
        return ScheduledRun.Outcome.ENQUEUED, f"task {result.id} {result.status}"

    def run_forever(self, *, interval: float, stop: threading.Event) -> None:
        """Tick every ``interval`` seconds until ``stop`` is set; a database outage only waits."""
        logger.info("Scheduler %s started: %s", self.identity, ", ".join(j.name for j in self.jobs))
        while not stop.is_set():
            close_old_connections()
            try:
                self.tick()
            except DatabaseError as error:
                logger.warning("Scheduler: database unavailable, trying again: %s", error)
            finally:
                close_old_connections()
            stop.wait(interval)
        logger.info("Scheduler %s stopped", self.identity)


def flush_pending_tasks() -> int:
    """Queue the tasks kept in the database while Redis was down (production backend only)."""
    if settings.TASKS.get("default", {}).get("BACKEND") != QUEUE_BACKEND:
        return 0
    from django_tasks import task_backends

    from .task_backend import QueueBackend, flush_pending

    backend = task_backends["default"]
    if not isinstance(backend, QueueBackend):
        return 0
    return flush_pending(backend)


def requeue_abandoned_jobs() -> int:
    """Re-queue (once) the jobs whose worker died mid-job (production backend only)."""
    if settings.TASKS.get("default", {}).get("BACKEND") != QUEUE_BACKEND:
        return 0
    from django_tasks import task_backends

    from .task_backend import QueueBackend, requeue_abandoned

    backend = task_backends["default"]
    if not isinstance(backend, QueueBackend):
        return 0
    return requeue_abandoned(backend)
