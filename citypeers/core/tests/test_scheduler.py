"""The scheduler: each period of each job starts once, however many schedulers run."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from citypeers.core.models import ScheduledRun
from citypeers.core.scheduler import Job, Scheduler, configured_jobs
from citypeers.core.tasks import run_scheduled_command
from citypeers.core.tests.tasks_for_tests import CALLS

pytestmark = pytest.mark.django_db

UTC = dt.UTC
HOURLY = Job(
    name="hourly",
    cron="7 * * * *",
    task="citypeers.core.tests.tasks_for_tests.record_call",
    args=["hourly"],
    grace=dt.timedelta(minutes=50),
)
TEST_SCHEDULE = [
    HOURLY,
    Job(
        name="every-minute",
        cron="* * * * *",
        task="citypeers.core.tests.tasks_for_tests.record_call",
        args=["every-minute"],
    ),
    Job(name="checks", cron="0 3 * * *", command="check", args=["--tag", "models"]),
    Job(name="not-yet", cron="0 3 * * *", command="send-something-that-does-not-exist"),
    Job(name="gone", cron="0 3 * * *", task="citypeers.nowhere.tasks.vanished"),
]


def _calls(marker: str) -> int:
    return sum(1 for m, _pid in CALLS if m == marker)


def test_a_period_starts_at_the_last_cron_time_at_or_before_now():
    at = dt.datetime(2026, 5, 4, 10, 30, tzinfo=UTC)
    assert HOURLY.period_at(at) == dt.datetime(2026, 5, 4, 10, 7, tzinfo=UTC)
    assert HOURLY.period_at(at.replace(minute=7)) == at.replace(minute=7)
    assert HOURLY.period_at(at.replace(minute=6)) == dt.datetime(2026, 5, 4, 9, 7, tzinfo=UTC)


def test_a_job_needs_one_kind_of_work_and_a_valid_cron():
    with pytest.raises(ValueError):
        Job(name="x", cron="* * * * *")
    with pytest.raises(ValueError):
        Job(name="x", cron="* * * * *", task="a.b", command="c")
    with pytest.raises(ValueError):
        Job(name="x", cron="every hour", task="a.b")


def test_two_schedulers_start_each_period_once():
    before = _calls("hourly")
    first, second = Scheduler([HOURLY], identity="a:1"), Scheduler([HOURLY], identity="b:2")
    at = dt.datetime(2026, 5, 4, 10, 8, tzinfo=UTC)

    started = first.tick(at) + second.tick(at + dt.timedelta(seconds=5))
    # A restarted scheduler later in the same hour does not start it again either.
    started += Scheduler([HOURLY], identity="a:3").tick(at + dt.timedelta(minutes=30))

    assert [(r.job, r.claimed_by, r.outcome) for r in started] == [("hourly", "a:1", "enqueued")]
    assert _calls("hourly") == before + 1  # the in-process backend of tests ran it, once
    assert ScheduledRun.objects.get().period == dt.datetime(2026, 5, 4, 10, 7, tzinfo=UTC)

    # The next period runs again, on whichever scheduler ticks first.
    later = second.tick(at + dt.timedelta(hours=1))
    assert [(r.claimed_by, r.period.hour) for r in later] == [("b:2", 11)]
    assert _calls("hourly") == before + 2


def test_a_period_is_skipped_when_the_scheduler_comes_back_after_its_grace():
    at = dt.datetime(2026, 5, 4, 10, 58, tzinfo=UTC)  # 51 minutes after 10:07
    assert Scheduler([HOURLY]).tick(at) == []
    assert not ScheduledRun.objects.exists()


def test_work_that_does_not_exist_yet_is_skipped_not_an_error():
    at = dt.datetime(2026, 5, 4, 3, 1, tzinfo=UTC)
    jobs = [job for job in TEST_SCHEDULE if job.name in {"not-yet", "gone"}]

    runs = {run.job: run for run in Scheduler(jobs).tick(at)}

    assert runs["not-yet"].outcome == ScheduledRun.Outcome.SKIPPED
    assert "send-something-that-does-not-exist is not installed" in runs["not-yet"].detail
    assert runs["gone"].outcome == ScheduledRun.Outcome.SKIPPED
    # Each period is still claimed once: no retry every 30 seconds, no log flood.
    assert Scheduler(jobs).tick(at + dt.timedelta(minutes=1)) == []


@override_settings(CITYPEERS_SCHEDULE="citypeers.core.tests.test_scheduler.TEST_SCHEDULE")
def test_a_command_job_runs_the_command_through_the_task_queue():
    at = dt.datetime(2026, 5, 4, 3, 1, tzinfo=UTC)
    jobs = [job for job in TEST_SCHEDULE if job.name == "checks"]

    (run,) = Scheduler(jobs).tick(at)

    assert run.outcome == ScheduledRun.Outcome.ENQUEUED
    assert "SUCCESSFUL" in run.detail


@override_settings(CITYPEERS_SCHEDULE="citypeers.core.tests.test_scheduler.TEST_SCHEDULE")
def test_the_command_task_runs_only_commands_the_schedule_names():
    assert run_scheduled_command.call("checks")["state"] == "done"
    assert run_scheduled_command.call("not-yet")["state"] == "skipped"
    with pytest.raises(ValueError):
        run_scheduled_command.call("flush")  # not a scheduled job: refused
    with pytest.raises(ValueError):
        run_scheduled_command.call("hourly")  # a task job, not a command


def test_the_platform_schedule_is_valid_and_names_its_work():
    jobs = {job.name: job for job in configured_jobs()}
    assert {"insights-refresh", "reindex", "digests-daily", "digests-weekly"} <= set(jobs)
    assert jobs["insights-refresh"].task == "citypeers.insights.tasks.refresh_insights"
    assert jobs["digests-weekly"].args == ["--frequency", "weekly"]
    Scheduler(list(jobs.values()))  # unique names


@override_settings(CITYPEERS_SCHEDULE="citypeers.core.tests.test_scheduler.TEST_SCHEDULE")
def test_the_command_ticks_once_and_lists_the_jobs():
    before = _calls("every-minute")
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "every-minute: enqueued" in out.getvalue()
    assert _calls("every-minute") == before + 1

    out = io.StringIO()
    call_command("scheduler", "--list", stdout=out)
    listing = out.getvalue()
    assert "hourly" in listing and "send-something-that-does-not-exist" in listing
