"""The scheduled refresh of the insights, through the Django tasks API (``django-tasks``).

:func:`refresh_insights` calls :func:`services.insights_refresh` and is safe to run twice and even
concurrently: a run that finds another one running returns at once (the fill state's lock). The
production scheduler (issue 9) enqueues it periodically — every hour is plenty; the
``insights-refresh`` command runs the same service from cron or by hand.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def refresh_insights(trigger: str = "task") -> dict[str, Any]:
    """Recompute the stored figures; return the run's state and row counts."""
    from . import services

    run = services.insights_refresh(trigger=trigger)
    if run is None:
        return {"state": "skipped", "reason": "another refresh is running"}
    return {"state": run.state, "run": run.pk, "rows": run.rows, "duration_ms": run.duration_ms}
