"""Operational records of the platform itself: tasks waiting for the queue, scheduled runs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingTask(models.Model):
    """A task enqueued while the queue (Redis) was unreachable, kept until it can be queued.

    Written only when ``TASKS_WHEN_QUEUE_DOWN=wait``; the scheduler moves these rows into the
    queue, oldest first, as soon as Redis answers again (:func:`citypeers.core.task_backend.
    flush_pending`).
    """

    task_path = models.CharField(_("task"), max_length=200)
    queue_name = models.CharField(_("queue"), max_length=100, default="default")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("pending task")
        verbose_name_plural = _("pending tasks")

    def __str__(self) -> str:
        return f"{self.task_path} (waiting since {self.created_at:%Y-%m-%d %H:%M})"


class ScheduledRun(models.Model):
    """One period of one scheduled job, claimed by exactly one scheduler.

    The unique constraint on ``(job, period)`` is what makes a second scheduler harmless: both
    try to insert the row for the period that has just begun and only one insert succeeds, so
    the work is handed to the queue once, whatever the number of schedulers or machines.
    """

    class Outcome(models.TextChoices):
        CLAIMED = "claimed", _("claimed")
        ENQUEUED = "enqueued", _("queued")
        SKIPPED = "skipped", _("skipped")
        FAILED = "failed", _("failed")

    job = models.CharField(_("job"), max_length=100)
    period = models.DateTimeField(_("period"))
    claimed_at = models.DateTimeField(auto_now_add=True)
    claimed_by = models.CharField(_("scheduler"), max_length=200)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.CLAIMED
    )
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        ordering = ["-period", "job"]
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="one_run_per_job_period")
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.period:%Y-%m-%d %H:%M} ({self.outcome})"
