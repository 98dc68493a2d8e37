"""The production task backend: RQ with a retry, and what an enqueue does while Redis is down."""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from django.test import override_settings
from django_tasks import TaskResultStatus, task_backends
from rq import Queue, SimpleWorker
from rq.job import Job as RQJob

from citypeers.core.models import PendingTask
from citypeers.core.outage import outage_for
from citypeers.core.task_backend import QueueBackend, flush_pending
from citypeers.core.tests.redis_helpers import LOCAL_REDIS, closed_port_url, local_redis
from citypeers.core.tests.tasks_for_tests import CALLS, record_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue_name():
    """A queue of this test's own; its keys are removed from the local Redis afterwards."""
    name = f"citypeers-test-{uuid.uuid4().hex[:8]}"
    yield name
    try:
        client = redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=1)
        for key in client.scan_iter(match=f"rq:*{name}*"):
            client.delete(key)
        client.srem("rq:queues", f"rq:queue:{name}")
    except redis.exceptions.RedisError:
        pass


@pytest.fixture
def configure(queue_name):
    """Make ``QueueBackend`` the default task backend on ``queue_name``, at a given Redis URL."""
    stack = []

    def apply(url: str, when_down: str = "run") -> QueueBackend:
        for previous in reversed(stack):
            previous.disable()
        stack.clear()
        overrides = override_settings(
            TASKS={
                "default": {
                    "BACKEND": "citypeers.core.task_backend.QueueBackend",
                    "QUEUES": [queue_name],
                    "OPTIONS": {"WHEN_QUEUE_DOWN": when_down, "RETRY_AFTER": 60},
                }
            },
            RQ_QUEUES={queue_name: {"URL": url}},
        )
        overrides.enable()
        stack.append(overrides)
        backend = task_backends["default"]
        assert isinstance(backend, QueueBackend)
        backend.outage.end()  # no outage remembered from another test
        return backend

    yield apply
    for overrides in reversed(stack):
        overrides.disable()
    outage_for("queue default").end()


def test_redis_down_and_run_runs_the_task_in_process(configure, queue_name):
    backend = configure(closed_port_url(), "run")
    marker = uuid.uuid4().hex

    result = record_call.using(queue_name=queue_name).enqueue(marker)

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == marker
    assert (marker, os.getpid()) in CALLS
    assert backend.outage.active()
    assert not PendingTask.objects.exists()


def test_redis_down_and_wait_keeps_the_task_in_the_database(configure, queue_name):
    backend = configure(closed_port_url(), "wait")
    marker = uuid.uuid4().hex

    result = record_call.using(queue_name=queue_name).enqueue(marker)
    backend.outage.end()
    assert flush_pending(backend) == 0  # still down: nothing moves, the row stays

    assert result.status == TaskResultStatus.READY
    assert not any(m == marker for m, _pid in CALLS)  # not run
    pending = PendingTask.objects.get()
    assert result.id == f"pending-{pending.pk}"
    assert (pending.task_path, pending.queue_name, pending.args) == (
        "citypeers.core.tests.tasks_for_tests.record_call",
        queue_name,
        [marker],
    )


def test_an_unknown_backend_mode_is_refused():
    with pytest.raises(ValueError):
        QueueBackend("x", {"OPTIONS": {"WHEN_QUEUE_DOWN": "drop"}})


def test_with_redis_up_a_worker_runs_the_task_with_one_retry(configure, queue_name):
    connection = local_redis()
    configure(LOCAL_REDIS)
    marker = uuid.uuid4().hex

    result = record_call.using(queue_name=queue_name).enqueue(marker)
    job = RQJob.fetch(result.id, connection=connection)
    assert job.retries_left == 1  # an abandoned (killed) job is queued again, once
    assert not any(m == marker for m, _pid in CALLS)

    queue = Queue(queue_name, connection=connection)
    SimpleWorker([queue], connection=connection, job_class="django_tasks_rq.Job").work(burst=True)

    assert any(m == marker for m, _pid in CALLS)
    assert RQJob.fetch(result.id, connection=connection).get_status() == "finished"
    queue.empty()


def test_tasks_kept_during_an_outage_are_queued_when_redis_is_back(configure, queue_name):
    connection = local_redis()
    configure(closed_port_url(), "wait")
    markers = [uuid.uuid4().hex for _ in range(3)]
    for marker in markers:
        record_call.using(queue_name=queue_name).enqueue(marker)
    assert PendingTask.objects.count() == 3

    backend = configure(LOCAL_REDIS, "wait")  # Redis is back
    assert flush_pending(backend) == 3
    queue = Queue(queue_name, connection=connection)
    assert queue.count == 3
    SimpleWorker([queue], connection=connection, job_class="django_tasks_rq.Job").work(burst=True)

    assert not PendingTask.objects.exists()
    ran = [m for m, _pid in CALLS]
    assert all(m in ran for m in markers)
    assert [m for m in ran if m in markers] == markers  # oldest first
    queue.empty()
