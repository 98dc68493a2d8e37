"""What the scheduler runs, and when (UTC). Read by ``citypeers scheduler``.

Each job names either a task (a ``django-tasks`` task, by dotted path) or a management command;
both are handed to the task queue, so the work runs on a worker, never in the scheduler. A job
whose task or command does not exist (yet) is skipped and logged, never an error: the schedule
may name work that lands later. ``cron`` is a standard five-field expression in UTC; ``grace``
is how late a period may still be started after a scheduler was down (a longer outage skips
that period rather than running old work late).
"""

from __future__ import annotations

import datetime as dt

from citypeers.core.scheduler import Job

SCHEDULE: list[Job] = [
    # Pre-aggregated statistics of the dashboards and the map (citypeers/insights).
    Job(
        name="insights-refresh",
        cron="7 * * * *",
        task="citypeers.insights.tasks.refresh_insights",
        kwargs={"trigger": "scheduler"},
        grace=dt.timedelta(minutes=50),
    ),
    # Search index maintenance: re-derive documents changed outside a service, rebuild the ANN.
    Job(name="reindex", cron="30 2 * * *", command="reindex", grace=dt.timedelta(hours=6)),
    # E-mail digests of notifications (the command lands with the digests work).
    Job(
        name="digests-daily",
        cron="0 6 * * *",
        command="send-digests",
        args=["--frequency", "daily"],
        grace=dt.timedelta(hours=6),
    ),
    Job(
        name="digests-weekly",
        cron="0 6 * * 1",
        command="send-digests",
        args=["--frequency", "weekly"],
        grace=dt.timedelta(hours=12),
    ),
]
