"""citypeers send-digests --frequency daily|weekly: queue the e-mail digests of the period.

Run it once a day (daily) and once a week (weekly) from cron or the scheduler. It queues one task
per batch of people due (``CITYPEERS_DIGEST_BATCH_SIZE``, 500 by default); with the default
in-process task backend the batches are sent before the command returns. Safe to run twice: a
person gets a period's digest once (the period is the day, or the ISO week starting on Monday).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citypeers.core.errors import ApplicationError
from citypeers.learning import digests


class Command(BaseCommand):
    help = "Queue the e-mail digests (daily or weekly) of the current period, in batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--frequency", required=True, choices=["daily", "weekly"])
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            default=None,
            help="A day of the period to send (YYYY-MM-DD); default: today.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = digests.digests_enqueue(frequency=options["frequency"], day=options["date"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"{run.frequency} digests of the period starting {run.period.isoformat()}: "
            f"{run.recipients} people due, {run.batches} batches queued."
        )
