"""citypeers scheduler: start the periodic jobs of ``config/scheduler.py``, each period once.

Run one (``make scheduler``); a second one is harmless, since every period is claimed in the
database and only one scheduler wins the claim. ``--once`` ticks a single time and exits (for
cron, or to check the set-up); ``--list`` prints the jobs and their last runs.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from citypeers.core.models import ScheduledRun
from citypeers.core.scheduler import Scheduler, configured_jobs


class Command(BaseCommand):
    help = "Run the periodic jobs (insights, index maintenance, digests), each period once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=30.0, help="seconds between checks (default 30)"
        )
        parser.add_argument("--once", action="store_true", help="check once, then exit")
        parser.add_argument("--list", action="store_true", help="list the jobs and their last run")

    def handle(self, *args: Any, **options: Any) -> None:
        scheduler = Scheduler(configured_jobs())
        if options["list"]:
            for job in scheduler.jobs:
                last = ScheduledRun.objects.filter(job=job.name).order_by("-period").first()
                work = job.task or " ".join([job.command, *job.args])
                seen = f"{last.period:%Y-%m-%d %H:%M} {last.outcome}" if last else "never"
                self.stdout.write(f"{job.name:<18} {job.cron:<12} {work:<45} last: {seen}")
            return
        if options["once"]:
            runs = scheduler.tick()
            for run in runs:
                self.stdout.write(f"{run.job}: {run.outcome} {run.detail}")
            if not runs:
                self.stdout.write("Nothing due.")
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: Any) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        scheduler.run_forever(interval=options["interval"], stop=stop)
