"""citypeers insights-refresh: recompute every stored figure of the insights (dashboards, map).

Safe to run at any time, as often as wanted and twice at once (a second run finds the first one
running and stops). Schedule it (cron, or the task scheduler: ``tasks.refresh_insights``) after
imports and every hour or so; pages show when the figures were computed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from citypeers.insights import services


class Command(BaseCommand):
    help = "Recompute the stored figures of the insights: network, map, gaps, synergies."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = services.insights_refresh(trigger="command")
        except Exception as exc:
            raise CommandError(f"Refresh failed: {type(exc).__name__}: {exc}") from exc
        if run is None:
            # Not an error: the running refresh will store the same figures.
            self.stdout.write("Another insights refresh is running; nothing done.")
            return
        rows = ", ".join(f"{name} {n}" for name, n in run.rows.items() if name != "events_source")
        steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in run.timings.items())
        self.stdout.write(f"Rows: {rows}")
        self.stdout.write(f"Steps: {steps}")
        if not run.rows.get("events_source"):
            self.stdout.write("Events: no events model yet (citypeers.learning), counted as 0.")
        self.stdout.write(f"Insights refreshed in {(run.duration_ms or 0) / 1000:.1f} s.")
