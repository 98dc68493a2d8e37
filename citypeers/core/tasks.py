"""Tasks of the platform's own: a scheduled management command, run on a worker.

A task takes a job *name*, not a command: only the commands that the schedule names
(``config/scheduler.py``) can run this way, so whoever can write to the queue cannot make a
worker run any other command.
"""

from __future__ import annotations

import io

from django.core.management import call_command, get_commands
from django_tasks import task

from .scheduler import job_named


@task()
def run_scheduled_command(job_name: str) -> dict[str, str]:
    """Run the management command of the scheduled job ``job_name``; return what it printed."""
    job = job_named(job_name)
    if job is None or not job.command:
        raise ValueError(f"No scheduled command job named {job_name!r}")
    if job.command not in get_commands():
        return {"state": "skipped", "reason": f"command {job.command} is not installed"}
    out, err = io.StringIO(), io.StringIO()
    call_command(job.command, *job.args, stdout=out, stderr=err)
    return {"state": "done", "stdout": out.getvalue()[-4000:], "stderr": err.getvalue()[-4000:]}
