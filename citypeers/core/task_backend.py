"""The production task backend: django-tasks on RQ, tolerant of a Redis outage.

:class:`QueueBackend` is ``django_tasks_rq.RQBackend`` with two additions:

- every job carries ``Retry(max=RETRIES)`` (default 1). RQ re-queues a job whose worker died in
  the middle of it or that raised, as long as retries are left; the platform's tasks are written
  to be safe to run twice, so a killed worker means the task runs again, once. Two ways a worker
  dies: when only the *work horse* (the forked child running the job) is killed, say by the
  kernel's out-of-memory killer, the worker process sees it at once and re-queues the job; when
  the whole worker dies (SIGKILL, a machine or container lost), nobody is left to say so, and the
  job stays "started" in RQ's ``StartedJobRegistry`` until its heartbeat deadline passes (the
  worker's job-monitoring interval + 60 s: 90 s by default). RQ's own clean-up then re-queues it,
  but workers run that clean-up only every 10 minutes; :func:`requeue_abandoned` runs it on every
  tick of the scheduler, so an abandoned job runs again about two minutes after its worker died.
- when Redis cannot be reached, ``enqueue`` does not raise. It does what
  ``OPTIONS["WHEN_QUEUE_DOWN"]`` (setting ``TASKS_WHEN_QUEUE_DOWN``) says:

  ``run``  (default) runs the task in-process, now, like the embedded profile's immediate
           backend: the request is slower, the work is done.
  ``wait`` stores the task in the database (:class:`~citypeers.core.models.PendingTask`); the
           scheduler hands it to the queue when Redis answers again (:func:`flush_pending`).

Workers are RQ workers started with ``citypeers rqworker default --job-class
django_tasks_rq.Job`` (``make worker``); any number, on any machine that reaches Redis and the
database.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

import django_rq
from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import TASK_MAX_PRIORITY, Task, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq import Job, RQBackend
from django_tasks_rq.backend import failed_callback, success_callback
from rq import Retry
from rq.job import Callback, JobStatus
from rq.registry import StartedJobRegistry

from .models import PendingTask
from .outage import REDIS_UNAVAILABLE, outage_for

logger = logging.getLogger("citypeers.tasks")

T = TypeVar("T")

WHEN_DOWN_CHOICES = ("run", "wait")


class QueueBackend(RQBackend):
    """RQ through django-tasks, retrying abandoned jobs and surviving a Redis outage."""

    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        self.when_down = str(self.options.get("WHEN_QUEUE_DOWN", "run"))
        if self.when_down not in WHEN_DOWN_CHOICES:
            raise ValueError(f"WHEN_QUEUE_DOWN must be one of {', '.join(WHEN_DOWN_CHOICES)}")
        self.retries = int(self.options.get("RETRIES", 1))
        self.outage = outage_for(f"queue {alias}", float(self.options.get("RETRY_AFTER", 5)))

    def enqueue(self, task: Task[Any, T], args: Any, kwargs: Any) -> TaskResult[T]:
        self.validate_task(task)
        if not self.outage.active():
            try:
                result = self.enqueue_now(task, args, kwargs)
            except REDIS_UNAVAILABLE as error:
                self.outage.begin(error)
            else:
                self.outage.end()
                return result
        if self.when_down == "wait":
            return self._keep_for_later(task, args, kwargs)
        logger.warning("Queue unavailable: running %s in this process", task.module_path)
        return ImmediateBackend(self.alias, {"QUEUES": sorted(self.queues)}).enqueue(
            task, args, kwargs
        )

    def enqueue_now(self, task: Task[Any, T], args: Any, kwargs: Any) -> TaskResult[T]:
        """Put the task on its RQ queue, or raise the Redis error (no fallback).

        The body of ``RQBackend.enqueue`` (django-tasks-rq 0.12), with a ``Retry`` on the job.
        """
        result: TaskResult[T] = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        queue = django_rq.get_queue(task.queue_name, job_class=Job)
        job = queue.create_job(
            task.module_path,
            args=list(args),
            kwargs=dict(kwargs),
            job_id=result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            retry=Retry(max=self.retries) if self.retries > 0 else None,
            on_failure=Callback(failed_callback),
            on_success=Callback(success_callback),
            meta={"backend_name": self.alias},
        )
        if task.run_after is None:
            job = queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = queue.schedule_job(job, task.run_after)
        object.__setattr__(result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=result)
        return result

    def _keep_for_later(self, task: Task[Any, T], args: Any, kwargs: Any) -> TaskResult[T]:
        pending = PendingTask.objects.create(
            task_path=task.module_path,
            queue_name=task.queue_name,
            args=list(args),
            kwargs=dict(kwargs),
        )
        logger.warning(
            "Queue unavailable: %s kept as pending task %s until Redis is back",
            task.module_path,
            pending.pk,
        )
        return TaskResult(
            task=task,
            id=f"pending-{pending.pk}",
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )


def flush_pending(backend: QueueBackend, *, limit: int = 500) -> int:
    """Move up to ``limit`` pending tasks into the queue, oldest first; return how many moved.

    Each row is deleted in the same transaction that queues it, so two schedulers flushing at
    once skip each other's rows (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL). Stops at the
    first Redis error: the rest waits for the next call. A row whose task no longer exists in
    the code is kept with the error, for an operator to look at.
    """
    moved = 0
    for pk in PendingTask.objects.order_by("pk").values_list("pk", flat=True)[:limit]:
        try:
            with transaction.atomic():
                row = PendingTask.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
                if row is None:
                    continue
                try:
                    task = import_string(row.task_path)
                    if not isinstance(task, Task):
                        raise ImportError(f"{row.task_path} is not a task")
                except ImportError as error:
                    PendingTask.objects.filter(pk=pk).update(
                        attempts=row.attempts + 1, last_error=str(error)[:2000]
                    )
                    continue
                backend.enqueue_now(task.using(queue_name=row.queue_name), row.args, row.kwargs)
                row.delete()
                moved += 1
        except REDIS_UNAVAILABLE as error:
            backend.outage.begin(error)
            break
    if moved:
        backend.outage.end()
        logger.info("Moved %d pending task(s) into the queue", moved)
    return moved


def requeue_abandoned(backend: QueueBackend) -> int:
    """Run RQ's clean-up of abandoned jobs on the backend's queues; return how many it handled.

    A job is abandoned when it is still "started" after its heartbeat deadline: its worker died
    without a word. ``StartedJobRegistry.cleanup`` (RQ's code, the same that workers run every 10
    minutes) queues each such job again if it has a retry left, and moves it to the failed-job
    registry otherwise, so with ``Retry(max=1)`` a job whose worker died runs again exactly once.
    The clean-up runs under the queue's maintenance lock, the one workers take for theirs, so
    two cleaners never re-queue the same job twice. A live worker renews its job's deadline every
    30 s, so a running job is never taken for abandoned.

    Caveat: if only a worker's main process is killed, its work horse (a child in its own process
    group) goes on running the job; once the deadline has passed the job is queued again while
    the first run may still be going. The platform's tasks are safe to run concurrently too.
    """
    if backend.outage.active():
        return 0
    handled = 0
    try:
        for name in sorted(backend.queues):
            queue = django_rq.get_queue(name, job_class=Job)
            registry = StartedJobRegistry(queue=queue, job_class=Job)
            expired = registry.get_expired_job_ids()
            if not expired or not queue.acquire_maintenance_lock():
                continue
            try:
                registry.cleanup()
            finally:
                queue.release_maintenance_lock()
            logger.warning(
                "Queue %s: %d abandoned job(s) handed back to RQ (run again if retries left): %s",
                name,
                len(expired),
                ", ".join(expired),
            )
            handled += len(expired)
    except REDIS_UNAVAILABLE as error:
        backend.outage.begin(error)
    return handled
