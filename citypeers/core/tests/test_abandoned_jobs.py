"""A job whose worker died in the middle of it runs again, once (``requeue_abandoned``).

The local Redis (database 15) and RQ's own registries are real. A worker that dies by SIGKILL
leaves its job "started", with a heartbeat deadline nobody renews; the tests leave exactly that
state with RQ's own calls (an execution whose deadline is one second away, the job marked
started by a worker that is gone), since waiting for a real worker's deadline takes 90 s.
``bench/faults.py --only worker`` kills real worker processes.
"""

from __future__ import annotations

import time
import uuid

import pytest
import redis
from django.test import override_settings
from django_tasks import task_backends
from django_tasks_rq import Job
from rq import Queue, SimpleWorker
from rq.executions import Execution
from rq.registry import FailedJobRegistry, StartedJobRegistry

from citypeers.core.outage import outage_for
from citypeers.core.task_backend import QueueBackend, requeue_abandoned
from citypeers.core.tests.redis_helpers import LOCAL_REDIS, closed_port_url, local_redis
from citypeers.core.tests.tasks_for_tests import CALLS, record_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue_name():
    name = f"citypeers-test-{uuid.uuid4().hex[:8]}"
    yield name
    try:
        client = redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=1)
        for key in client.scan_iter(match=f"rq:*{name}*"):
            client.delete(key)
        client.srem("rq:queues", f"rq:queue:{name}")
    except redis.exceptions.RedisError:
        pass


def _backend(queue_name: str, url: str):
    return override_settings(
        TASKS={
            "default": {
                "BACKEND": "citypeers.core.task_backend.QueueBackend",
                "QUEUES": [queue_name],
                "OPTIONS": {"RETRIES": 1, "RETRY_AFTER": 60},
            }
        },
        RQ_QUEUES={queue_name: {"URL": url}},
    )


def _die_while_running(job: Job, queue: Queue) -> None:
    """What a worker killed mid-job leaves: the job taken off the queue and "started" by a worker
    that will never renew its deadline (here one second away)."""
    connection = queue.connection
    connection.lrem(queue.key, 0, job.id)
    worker_name = f"killed-{uuid.uuid4().hex[:8]}"
    with connection.pipeline() as pipeline:
        Execution.create(job, 1, pipeline=pipeline, worker_name=worker_name)
        job.prepare_for_execution(worker_name, pipeline=pipeline)
        pipeline.execute()
    time.sleep(1.2)


def test_an_abandoned_job_is_queued_again_once_and_then_fails(queue_name):
    connection = local_redis()
    with _backend(queue_name, LOCAL_REDIS):
        backend = task_backends["default"]
        assert isinstance(backend, QueueBackend)
        backend.outage.end()
        marker = uuid.uuid4().hex
        result = record_call.using(queue_name=queue_name).enqueue(marker)
        queue = Queue(queue_name, connection=connection, job_class=Job)
        job = Job.fetch(result.id, connection=connection)

        # Given a job whose worker died in the middle of it
        _die_while_running(job, queue)
        assert job.get_status() == "started" and queue.count == 0
        # When the scheduler's tick looks for abandoned jobs
        assert requeue_abandoned(backend) == 1
        # Then the job is back on its queue, with no retry left
        job = Job.fetch(result.id, connection=connection)
        assert job.get_status() == "queued"
        assert job.retries_left == 0
        assert queue.job_ids == [job.id]
        assert requeue_abandoned(backend) == 0  # nothing else is abandoned

        # And if that second run's worker dies too, the job fails: it ran again only once
        _die_while_running(job, queue)
        assert requeue_abandoned(backend) == 1
        job = Job.fetch(result.id, connection=connection)
        assert job.get_status() == "failed"
        assert queue.count == 0
        assert job.id in FailedJobRegistry(queue=queue).get_job_ids()
        assert job.id not in StartedJobRegistry(queue=queue).get_job_ids()
        assert not any(m == marker for m, _pid in CALLS)


def test_a_job_requeued_after_its_worker_died_runs_to_the_end(queue_name):
    connection = local_redis()
    with _backend(queue_name, LOCAL_REDIS):
        backend = task_backends["default"]
        assert isinstance(backend, QueueBackend)
        backend.outage.end()
        marker = uuid.uuid4().hex
        result = record_call.using(queue_name=queue_name).enqueue(marker)
        queue = Queue(queue_name, connection=connection, job_class=Job)
        _die_while_running(Job.fetch(result.id, connection=connection), queue)

        assert requeue_abandoned(backend) == 1
        SimpleWorker([queue], connection=connection, job_class=Job).work(burst=True)

        assert [m for m, _pid in CALLS].count(marker) == 1
        assert Job.fetch(result.id, connection=connection).get_status() == "finished"


def test_a_running_job_is_not_taken_for_abandoned(queue_name):
    """A live worker's job keeps a deadline in the future: it is left alone."""
    connection = local_redis()
    with _backend(queue_name, LOCAL_REDIS):
        backend = task_backends["default"]
        assert isinstance(backend, QueueBackend)
        backend.outage.end()
        result = record_call.using(queue_name=queue_name).enqueue(uuid.uuid4().hex)
        queue = Queue(queue_name, connection=connection, job_class=Job)
        job = Job.fetch(result.id, connection=connection)
        connection.lrem(queue.key, 0, job.id)
        with connection.pipeline() as pipeline:
            Execution.create(job, 90, pipeline=pipeline, worker_name="alive")
            job.prepare_for_execution("alive", pipeline=pipeline)
            pipeline.execute()

        assert requeue_abandoned(backend) == 0
        assert Job.fetch(result.id, connection=connection).get_status() == "started"


def test_with_redis_down_the_clean_up_waits(queue_name):
    with _backend(queue_name, closed_port_url()):
        backend = task_backends["default"]
        assert isinstance(backend, QueueBackend)
        backend.outage.end()
        try:
            assert requeue_abandoned(backend) == 0
            assert backend.outage.active()
        finally:
            backend.outage.end()
            outage_for("queue default").end()
