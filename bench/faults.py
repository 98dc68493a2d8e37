"""Faults the production profile survives, checked against real processes (issue 9).

Each check starts real processes of the production profile (gunicorn web processes, RQ workers,
the scheduler) on a PostgreSQL database and a Redis database number of its own, causes one fault
for real, and prints what it saw, one block per fault. The exit status is 1 if any check failed.

    .venv/bin/python bench/faults.py                  # upload, redis, worker
    .venv/bin/python bench/faults.py --only upload    # one check (upload, redis, worker, postgres)
    .venv/bin/python bench/faults.py --all            # all four, PostgreSQL last

- ``upload``: the media folder is a 64 KB tmpfs (``mount -t tmpfs``; a folder under a regular
  file when mounting is not allowed), then the same mount read-only. An agreement upload must
  answer a form error naming the file field, leave no row and no half-written file.
- ``redis``: Redis is stopped (``redis-cli shutdown nosave``) under two web processes, one with
  ``TASKS_WHEN_QUEUE_DOWN=run`` and one with ``wait``; pages and the API must answer without a
  500, the tasks run in-process or wait in the database; Redis is started again in a ``finally``
  block, and the waiting tasks must reach the queue and a worker.
- ``worker``: a task's work horse is killed (SIGKILL), then a whole worker (main process and
  horse); the task must run again exactly once, with one effect.
- ``postgres``: the machine's PostgreSQL cluster is stopped for a few seconds under load and
  started again (always, in a ``finally`` block). While it is down pages answer 503 and the API a
  503 problem document; afterwards the same web processes answer again, and every write that was
  answered 201 is in the database. It stops a server others use too: it runs only when asked
  (``--only postgres`` or ``--all``), never from pytest.

Needs root (mount, ``pg_ctlcluster``, ``redis-server``). The database it creates is dropped and
its Redis database number flushed at the end (``--keep`` keeps them and the logs).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess  # nosec B404 - the bench drives the project's own commands
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis
import requests
from redis.backoff import NoBackoff
from redis.retry import Retry

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DB_NAME = "cp_faults_bench"
REDIS_DB = 11
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
PG_CLUSTER = ["15", "main"]
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]
CHECKS = ["upload", "redis", "worker", "postgres"]


# --- reporting -------------------------------------------------------------------------------


@dataclass
class Report:
    name: str
    title: str
    seen: list[str] = field(default_factory=list)
    results: list[tuple[bool, str]] = field(default_factory=list)

    def see(self, line: str) -> None:
        self.seen.append(line)
        print(f"  . {line}", flush=True)

    def check(self, ok: bool, line: str) -> bool:
        self.results.append((bool(ok), line))
        print(f"  {'PASS' if ok else 'FAIL'} {line}", flush=True)
        return bool(ok)

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(ok for ok, _ in self.results)


# --- processes -------------------------------------------------------------------------------


def run(cmd: list[str], env: dict[str, str] | None = None, check: bool = True) -> str:
    done = subprocess.run(  # nosec B603 - fixed commands, no shell
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def psql(sql: str, database: str = DB_NAME) -> str:
    return run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAX", "-c", sql]
    ).strip()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
            return False
    return True


class Processes:
    """The processes this bench started; each is stopped by its own id, never by name."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(  # nosec B603 - fixed commands, no shell
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def stop_all(self) -> None:
        for proc in reversed(self.started):
            with contextlib.suppress(Exception):
                self.stop(proc)


# --- the set-up shared by the checks ---------------------------------------------------------


class Bench:
    def __init__(self, keep: bool, media_storage: str | None) -> None:
        self.keep = keep
        self.tmp = Path(tempfile.mkdtemp(prefix="cp-faults-"))
        self.logs = self.tmp / "logs"
        self.logs.mkdir()
        self.procs = Processes(self.logs)
        self.env = {
            **os.environ,
            "CITYPEERS_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CITYPEERS_HTTPS": "0",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
            "REDIS_URL": REDIS_URL,
            "CITYPEERS_VAR_DIR": str(self.tmp / "var"),
            "CITYPEERS_SEARCH_INDEX_DIR": str(self.tmp / "search"),
            "MEDIA_ROOT": str(self.tmp / "media"),
            "RATE_LIMITS": "0",
            "LOG_LEVEL": "WARNING",
            "CITYPEERS_ENCODER_THREADS": "1",
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        if media_storage:
            # The web processes run the project's settings with another storage for uploads.
            overlay = self.tmp / "overlay"
            overlay.mkdir()
            backend = repr(media_storage)
            (overlay / "faults_settings.py").write_text(
                "from config.settings import *  # noqa: F403\n"
                f"STORAGES = {{**STORAGES, 'default': {{'BACKEND': {backend}}}}}  # noqa: F405\n"
            )
            self.web_env_extra = {
                "DJANGO_SETTINGS_MODULE": "faults_settings",
                "PYTHONPATH": f"{overlay}:{ROOT}",
            }
        else:
            self.web_env_extra = {}
        self.token = ""
        self.session_key = ""
        self.partnership = ""

    def cp(self, *args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
        return run([str(BIN / "citypeers"), *args], env=env or self.env, check=check)

    def shell(self, code: str) -> str:
        return self.cp("shell", "-c", code)

    def prepare(self) -> None:
        t0 = time.monotonic()
        psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", database="postgres")
        redis.Redis.from_url(REDIS_URL).flushdb()
        self.cp("create-database")
        self.cp("migrate", "--noinput", "-v", "0")
        self.cp("collectstatic", "--noinput", "-v", "0")
        out = self.shell(
            "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY\n"
            "from django.contrib.sessions.backends.db import SessionStore\n"
            "from citypeers.accounts.models import User\n"
            "from citypeers.directory.models import ActorType\n"
            "from citypeers.directory.tests.factories import OrganisationFactory\n"
            "from citypeers.partnerships.tests.factories import PartnershipFactory\n"
            "u = User.objects.create_user(username='faults', email='faults@example.org',"
            " password=None, is_staff=True, is_superuser=True)\n"
            "orgs = [OrganisationFactory(country=None, actor_type=ActorType.NETWORK)"
            " for _ in range(2)]\n"
            "p = PartnershipFactory(members=orgs)\n"
            "s = SessionStore()\n"
            "s[SESSION_KEY] = str(u.pk)\n"
            "s[BACKEND_SESSION_KEY] = 'citypeers.accounts.backends.UsernameOrEmailBackend'\n"
            "s[HASH_SESSION_KEY] = u.get_session_auth_hash()\n"
            "s.create()\n"
            "print(p.slug, s.session_key)\n"
        )
        self.partnership, self.session_key = out.split()[-2:]
        self.token = self.cp("create-api-token", "faults", "--name", "faults").strip()
        print(
            f"set-up: database {DB_NAME} migrated, Redis db {REDIS_DB}, "
            f"{time.monotonic() - t0:.0f} s; logs in {self.logs}",
            flush=True,
        )

    def web(self, name: str, workers: int = 2, **extra: str) -> tuple[subprocess.Popen[bytes], str]:
        port = free_port()
        env = {**self.env, **self.web_env_extra, **extra}
        proc = self.procs.start(
            name,
            [
                str(BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
            ],
            env,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    return proc, base
            if proc.poll() is not None:
                break
            time.sleep(0.3)
        raise RuntimeError(f"web process {name} did not start; see {self.logs / name}.log")

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        return self.procs.start(
            name,
            [
                str(BIN / "citypeers"),
                "rqworker",
                "default",
                "--job-class",
                "django_tasks_rq.Job",
                "--name",
                f"{name}-{uuid.uuid4().hex[:6]}",
            ],
            self.env,
        )

    def close(self) -> None:
        self.procs.stop_all()
        if self.keep:
            print(f"kept: database {DB_NAME}, Redis db {REDIS_DB}, {self.tmp}")
            return
        with contextlib.suppress(Exception):
            psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", database="postgres")
        with contextlib.suppress(Exception):
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
        shutil.rmtree(self.tmp, ignore_errors=True)


def api_headers(bench: Bench) -> dict[str, str]:
    return {"Authorization": f"Bearer {bench.token}", "Content-Type": "application/json"}


def new_organisation(bench: Bench, base: str, name: str) -> requests.Response:
    return requests.post(
        f"{base}/api/v1/organisations",
        data=json.dumps({"name": name, "actor_type": "network"}),
        headers=api_headers(bench),
        timeout=60,
    )


def no_trace(text: str) -> bool:
    return "Traceback" not in text and "OperationalError" not in text


# --- upload: a full or read-only media folder ------------------------------------------------

PDF_BIG = b"%PDF-1.4\n" + b"0" * 200_000 + b"\n%%EOF"  # larger than the 64 KB media folder
PDF_SMALL = b"%PDF-1.4\n" + b"0" * 8_000 + b"\n%%EOF"


def media_files(root: Path) -> list[str]:
    return sorted(
        f"{p.relative_to(root)} ({p.stat().st_size} B)" for p in root.rglob("*") if p.is_file()
    )


def post_agreement(bench: Bench, base: str, title: str, content: bytes) -> requests.Response:
    session = requests.Session()
    session.cookies.set("sessionid", bench.session_key)
    url = f"{base}/en/partnerships/{bench.partnership}/agreements/new/"
    form = session.get(url, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token, f"no CSRF token on {url} ({form.status_code})"
    return session.post(
        url,
        data={"csrfmiddlewaretoken": token.group(1), "title": title},
        files={"document": ("agreement.pdf", content, "application/pdf")},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=60,
    )


def field_error(page: str) -> str:
    match = re.search(r'id="id_document_error"[^>]*>(.*?)</', page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""


def agreements(title: str) -> int:
    # nosec B608: ``title`` is one of this file's fixed titles
    sql = f"SELECT count(*) FROM partnerships_agreement WHERE title = '{title}'"  # nosec B608
    return int(psql(sql))


def check_upload(bench: Bench, report: Report) -> None:
    media = bench.tmp / "media-small"
    media.mkdir()
    mounted = (
        subprocess.run(  # nosec B603 B607 - a fixed command
            ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(media)],
            capture_output=True,
        ).returncode
        == 0
    )
    web = None
    try:
        if mounted:
            report.see(f"MEDIA_ROOT is a 64 KB tmpfs at {media}")
            root = media
        else:
            blocker = media / "file"
            blocker.write_text("a regular file where the media folder should be")
            root = blocker / "media"
            report.see(f"mount not allowed: MEDIA_ROOT {root} lies under a regular file")
        web, base = bench.web("web-upload", workers=1, MEDIA_ROOT=str(root))
        storage = "--media-storage overlay" if bench.web_env_extra else "project settings"
        report.see(f"web process up ({storage})")

        if mounted:
            ok = post_agreement(bench, base, "small", PDF_SMALL)
            report.see(f"8 KB PDF: HTTP {ok.status_code}; files: {media_files(media)}")
            report.check(
                ok.status_code == 302 and agreements("small") == 1,
                "an upload that fits is stored (the media folder works)",
            )
            full = post_agreement(bench, base, "too big", PDF_BIG)
            error = field_error(full.text)
            report.see(
                f"200 KB PDF on the full folder: HTTP {full.status_code}, "
                f"error on the file field: {error!r}"
            )
            files = media_files(media)
            report.see(f"files in the media folder now: {files}")
            report.check(
                full.status_code == 400 and bool(error) and no_trace(full.text),
                "disk full: a 400 form error on the file field, no stack trace",
            )
            report.check(agreements("too big") == 0, "disk full: no agreement row written")
            report.check(
                len(files) == 1,
                "disk full: nothing half-written (only the earlier, complete file is there)",
            )
            subprocess.run(  # nosec B603 B607 - a fixed command
                ["mount", "-o", "remount,ro", str(media)], check=True
            )
            report.see("media folder remounted read-only")
        before = media_files(media)
        ro = post_agreement(bench, base, "read only", PDF_SMALL)
        error = field_error(ro.text)
        report.see(
            f"8 KB PDF on the read-only folder: HTTP {ro.status_code}, "
            f"error on the file field: {error!r}"
        )
        report.check(
            ro.status_code == 400 and bool(error) and no_trace(ro.text),
            "read-only: a 400 form error on the file field, no stack trace",
        )
        report.check(
            agreements("read only") == 0 and media_files(media) == before,
            "read-only: no row and no file written",
        )
    finally:
        if web is not None:
            bench.procs.stop(web)
        if mounted:
            subprocess.run(["umount", str(media)], check=False)  # nosec B603 B607


# --- redis: the site without Redis -----------------------------------------------------------


def redis_up() -> bool:
    try:
        # no retry: redis-py's default retries would keep a refused ping 4 s, and Redis down
        return bool(redis.Redis(socket_connect_timeout=1, retry=Retry(NoBackoff(), 0)).ping())
    except redis.RedisError:
        return False


def start_redis() -> None:
    if redis_up():
        return
    subprocess.run(REDIS_START, check=True, capture_output=True)  # nosec B603 B607
    deadline = time.monotonic() + 20
    while not redis_up() and time.monotonic() < deadline:
        time.sleep(0.1)


PAGES = ["/en/", "/en/directory/", "/en/partnerships/", "/fr/directory/", "/api/v1/organisations"]


def get_all(base: str) -> list[tuple[str, int, float]]:
    seen = []
    for path in PAGES:
        t0 = time.monotonic()
        response = requests.get(f"{base}{path}", timeout=60)
        seen.append((path, response.status_code, time.monotonic() - t0))
    return seen


def pending_tasks() -> int:
    return int(psql("SELECT count(*) FROM core_pendingtask"))


def check_redis(bench: Bench, report: Report) -> None:
    web_run, base_run = bench.web("web-redis-run", workers=1, TASKS_WHEN_QUEUE_DOWN="run")
    web_wait, base_wait = bench.web("web-redis-wait", workers=1, TASKS_WHEN_QUEUE_DOWN="wait")
    queue = redis.Redis.from_url(REDIS_URL)
    try:
        for base in (base_run, base_wait):
            get_all(base)  # warm: caches filled, connections open
        before = [s for base in (base_run, base_wait) for _p, s, _t in get_all(base)]
        report.see(f"Redis up: {len(before)} requests, statuses {dict(Counter(before))}")
        queued_before = queue.llen("rq:queue:default")
        name_run, name_wait = (
            f"redis-run-{uuid.uuid4().hex[:6]}",
            f"redis-wait-{uuid.uuid4().hex[:6]}",
        )
        statuses: list[int] = []
        down_at = time.monotonic()
        subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True)  # nosec
        try:
            report.check(not redis_up(), "Redis stopped (redis-cli shutdown nosave)")
            timings = []
            for _round in range(2):
                for base in (base_run, base_wait):
                    for _path, status, seconds in get_all(base):
                        statuses.append(status)
                        timings.append(seconds)
            created_run = new_organisation(bench, base_run, name_run)
            created_wait = new_organisation(bench, base_wait, name_wait)
            statuses += [created_run.status_code, created_wait.status_code]
            report.see(
                f"Redis down: {len(timings)} page/API reads, statuses {dict(Counter(statuses))}, "
                f"median {statistics.median(timings) * 1000:.0f} ms, "
                f"max {max(timings) * 1000:.0f} ms"
            )
            report.see(
                f"POST /api/v1/organisations: run -> {created_run.status_code} "
                f"({created_run.elapsed.total_seconds():.1f} s), wait -> "
                f"{created_wait.status_code} ({created_wait.elapsed.total_seconds():.1f} s)"
            )
            waiting = pending_tasks()
        finally:
            start_redis()
            outage = time.monotonic() - down_at
        report.see(
            f"Redis started again (redis-server --daemonize yes ...) after an outage of "
            f"{outage:.1f} s: {'up' if redis_up() else 'DOWN'}"
        )
        report.check(
            all(s < 500 for s in statuses) and statuses.count(200) >= len(statuses) - 2,
            "while Redis was down: every page and API call answered, no 5xx",
        )
        report.check(
            created_run.status_code == 201 and created_wait.status_code == 201,
            "writes during the outage were answered 201 by both web processes",
        )
        run_log = (bench.logs / "web-redis-run.log").read_text(errors="replace")
        ran_here = len(re.findall(r"Queue unavailable: running \S+ in this process", run_log))
        report.see(f"run mode: {ran_here} task(s) ran inside the web process (its log)")
        report.check(ran_here >= 1, "TASKS_WHEN_QUEUE_DOWN=run: the tasks ran in-process")
        report.see(f"wait mode: {waiting} task(s) kept in core_pendingtask")
        report.check(waiting >= 1, "TASKS_WHEN_QUEUE_DOWN=wait: the tasks waited in the database")
        report.check(
            "Traceback" not in run_log
            and "Traceback" not in (bench.logs / "web-redis-wait.log").read_text(errors="replace"),
            "no traceback in the web logs",
        )

        after = [s for base in (base_run, base_wait) for _p, s, _t in get_all(base)]
        report.check(
            all(s == 200 for s in after), f"Redis back: pages answer {dict(Counter(after))}"
        )
        out = bench.cp("scheduler", "--once")
        moved = queue.llen("rq:queue:default") - queued_before
        report.see(
            f"`citypeers scheduler --once`: {out.strip().splitlines()[-1]!r}; "
            f"queue grew by {moved}; pending now {pending_tasks()}"
        )
        report.check(pending_tasks() == 0 and moved >= waiting, "waiting tasks moved to the queue")
        worker = bench.procs.start(
            "worker-burst",
            [
                str(BIN / "citypeers"),
                "rqworker",
                "default",
                "--job-class",
                "django_tasks_rq.Job",
                "--burst",
            ],
            bench.env,
        )
        worker.wait(300)
        failed = queue.zcard("rq:failed:default")
        report.see(
            f"a burst worker ran the queue: {queue.llen('rq:queue:default')} left, {failed} failed"
        )
        report.check(
            queue.llen("rq:queue:default") == 0 and failed == 0,
            "the tasks that waited ran on a worker",
        )
    finally:
        start_redis()
        bench.procs.stop(web_run)
        bench.procs.stop(web_wait)


# --- worker: killed in the middle of a task --------------------------------------------------


def enqueue_probe(bench: Bench, key: str, seconds: float) -> str:
    out = bench.shell(
        "from citypeers.core.tests.fault_tasks import slow_effect\n"
        f"print(slow_effect.enqueue({key!r}, {seconds}).id)\n"
    )
    return out.split()[-1]


def wait_for(predicate: Callable[[], bool], timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def probe_state(connection: redis.Redis, key: str) -> tuple[list[int], int, int]:
    attempts = [int(p) for p in connection.lrange(f"cp-faults:{key}:attempts", 0, -1)]
    effects = int(connection.get(f"cp-faults:{key}:effects") or 0)
    finished = connection.llen(f"cp-faults:{key}:finished")
    return attempts, effects, finished


def attempts_reach(connection: redis.Redis, key: str, n: int) -> Callable[[], bool]:
    return lambda: len(probe_state(connection, key)[0]) >= n


def job_state(connection: redis.Redis, job_id: str) -> str:
    from rq.job import Job

    job = Job.fetch(job_id, connection=connection)
    status = job.get_status()
    return f"status {getattr(status, 'value', status)}, retries left {job.retries_left}"


def check_worker(bench: Bench, report: Report) -> None:
    connection = redis.Redis.from_url(REDIS_URL)
    started: list[subprocess.Popen[bytes]] = []
    try:
        # 1. The work horse (the child that runs the task) is killed: the worker re-queues.
        worker = bench.worker("worker-1")
        started.append(worker)
        key = f"horse-{uuid.uuid4().hex[:6]}"
        job = enqueue_probe(bench, key, 6)
        assert wait_for(lambda: len(probe_state(connection, key)[0]) == 1, 60), "never started"
        horse = probe_state(connection, key)[0][0]
        report.see(f"[horse] task {job} running in work horse {horse} of worker {worker.pid}")
        os.kill(horse, signal.SIGKILL)
        killed = time.monotonic()
        wait_for(lambda: probe_state(connection, key)[2] >= 1, 60)
        attempts, effects, finished = probe_state(connection, key)
        report.see(
            f"[horse] SIGKILL; then attempts {len(attempts)} (pids {attempts}), "
            f"effects {effects}, finished {finished}, "
            f"{time.monotonic() - killed:.1f} s; job {job_state(connection, job)}"
        )
        report.check(
            len(attempts) == 2 and effects == 1 and finished == 1 and worker.poll() is None,
            "horse killed: the task ran again once, by the same worker, one effect",
        )

        # 2. The same, twice: the second death is final (runs again once, not forever).
        key2 = f"twice-{uuid.uuid4().hex[:6]}"
        job2 = enqueue_probe(bench, key2, 6)
        for n in (1, 2):
            assert wait_for(attempts_reach(connection, key2, n), 60)
            os.kill(probe_state(connection, key2)[0][-1], signal.SIGKILL)
        time.sleep(3)
        attempts, effects, finished = probe_state(connection, key2)
        report.see(
            f"[twice] horse killed in both runs: attempts {len(attempts)}, "
            f"effects {effects}, finished {finished}; job {job_state(connection, job2)}"
        )
        report.check(
            len(attempts) == 2 and effects == 1 and "failed" in job_state(connection, job2),
            "killed again: no third run, the job is in the failed registry",
        )

        # 3. The whole worker dies (main process and horse): nobody re-queues the job until its
        #    heartbeat deadline has passed and the scheduler's clean-up finds it.
        key3 = f"worker-{uuid.uuid4().hex[:6]}"
        job3 = enqueue_probe(bench, key3, 6)
        assert wait_for(lambda: len(probe_state(connection, key3)[0]) == 1, 60)
        horse = probe_state(connection, key3)[0][0]
        os.kill(worker.pid, signal.SIGKILL)
        os.kill(horse, signal.SIGKILL)
        killed = time.monotonic()
        worker.wait(10)
        report.see(
            f"[worker] worker {worker.pid} and its horse {horse} killed (SIGKILL) "
            f"mid-task; job {job_state(connection, job3)}"
        )
        replacement = bench.worker("worker-2")
        scheduler = bench.procs.start(
            "scheduler", [str(BIN / "citypeers"), "scheduler", "--interval", "5"], bench.env
        )
        started += [replacement, scheduler]
        report.see(
            f"a replacement worker {replacement.pid} and the scheduler "
            f"{scheduler.pid} (tick 5 s) started"
        )
        requeued = wait_for(lambda: len(probe_state(connection, key3)[0]) >= 2, 200, step=1)
        rerun_after = time.monotonic() - killed
        wait_for(lambda: probe_state(connection, key3)[2] >= 1, 30)
        time.sleep(12)  # two more scheduler ticks: nothing may run it a third time
        attempts, effects, finished = probe_state(connection, key3)
        scheduler_log = (bench.logs / "scheduler.log").read_text(errors="replace")
        report.see(
            f"[worker] ran again {rerun_after:.0f} s after the kill; attempts "
            f"{len(attempts)}, effects {effects}, finished {finished}; "
            f"job {job_state(connection, job3)}"
        )
        report.see(
            "[worker] scheduler log: "
            + "; ".join(line.strip() for line in scheduler_log.splitlines() if "abandoned" in line)[
                :300
            ]
        )
        report.check(
            requeued and len(attempts) == 2 and effects == 1 and finished == 1,
            "worker killed: the task ran again once, on another worker, one effect",
        )
    finally:
        for proc in started:
            bench.procs.stop(proc)


# --- postgres: restarted under load ----------------------------------------------------------


@dataclass
class Hit:
    at: float
    kind: str
    status: int
    retry_after: str
    content_type: str
    traced: bool
    name: str = ""


def load(bench: Bench, base: str, stop: threading.Event, hits: list[Hit], run_id: str) -> None:
    n = 0
    session = requests.Session()
    while not stop.is_set():
        n += 1
        for kind in ("page", "api-read", "api-write"):
            name = ""
            try:
                if kind == "page":
                    # a query of its own: no page cache can answer it without the database
                    r = session.get(f"{base}/en/directory/?q=load{run_id}{n}", timeout=20)
                elif kind == "api-read":
                    r = session.get(f"{base}/api/v1/organisations?limit=5", timeout=20)
                else:
                    name = f"fault-load-{run_id}-{threading.get_ident()}-{n}"
                    r = new_organisation(bench, base, name)
                status = r.status_code
                hits.append(
                    Hit(
                        time.monotonic(),
                        kind,
                        status,
                        r.headers.get("Retry-After", ""),
                        r.headers.get("Content-Type", ""),
                        not no_trace(r.text),
                        name,
                    )
                )
            except requests.RequestException:
                hits.append(Hit(time.monotonic(), kind, 0, "", "", False, name))


def backends() -> list[tuple[str, str]]:
    rows = psql(
        "SELECT pid, backend_start FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend' ORDER BY pid"
    )
    return [tuple(line.split("|")) for line in rows.splitlines() if line]  # type: ignore[misc]


def pg_ctl(action: str) -> None:
    subprocess.run(  # nosec B603 B607 - a fixed command
        ["pg_ctlcluster", "--skip-systemctl-redirect", *PG_CLUSTER, action],
        check=True,
        capture_output=True,
        timeout=120,
    )


def pg_ready() -> bool:
    return (
        subprocess.run(  # nosec B603 B607 - a fixed command
            ["pg_isready", "-q", "-h", "127.0.0.1"], check=False
        ).returncode
        == 0
    )


def summary(hits: list[Hit]) -> str:
    by = Counter(f"{h.kind} {h.status}" for h in hits)
    return ", ".join(f"{k}: {v}" for k, v in sorted(by.items()))


def check_postgres(bench: Bench, report: Report) -> None:
    web, base = bench.web("web-postgres", workers=2)
    master = web.pid
    workers_before = sorted(children(master))
    for _ in range(10):
        requests.get(f"{base}/api/v1/organisations?limit=5", timeout=20)
    before_conns = backends()
    report.see(
        f"gunicorn {master} with workers {workers_before}; database connections {before_conns}"
    )
    stop = threading.Event()
    hits: list[Hit] = []
    run_id = uuid.uuid4().hex[:6]
    threads = [
        threading.Thread(target=load, args=(bench, base, stop, hits, run_id)) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    down_at = stopped = starting = up_at = ready_at = 0.0
    try:
        time.sleep(3)
        down_at = time.monotonic()
        pg_ctl("stop")
        stopped = time.monotonic()
        time.sleep(3)
    finally:
        starting = time.monotonic()
        try:
            pg_ctl("start")
        finally:
            up_at = time.monotonic()
            wait_for(pg_ready, 60)
            ready_at = time.monotonic()
    report.see(
        f"PostgreSQL stopped in {stopped - down_at:.1f} s, down for "
        f"{ready_at - down_at:.1f} s in all (pg_ctlcluster stop, 3 s, start)"
    )
    time.sleep(6)
    stop.set()
    for thread in threads:
        thread.join(60)

    before = [h for h in hits if h.at < down_at]
    # answered while the server was stopped (half a second after the stop: a request that had
    # done its queries just before may still be rendering)
    during = [h for h in hits if stopped + 0.5 <= h.at <= starting]
    after = [h for h in hits if h.at > ready_at + 1]
    report.see(f"before: {summary(before)}")
    report.see(f"down:   {summary(during)}")
    report.see(f"after:  {summary(after)}")
    report.check(
        all(h.status in (200, 201) for h in before) and bool(before),
        "before the stop: every request answered 200/201",
    )
    report.check(
        not any(h.status == 500 or h.traced for h in hits),
        "no 500 and no stack trace in any answer, whole run",
    )
    pages = [h for h in during if h.kind == "page"]
    api = [h for h in during if h.kind != "page"]
    report.check(
        bool(pages)
        and all(h.status == 503 and h.retry_after and "text/html" in h.content_type for h in pages),
        "while down: pages answer 503 (HTML, Retry-After)",
    )
    report.check(
        bool(api)
        and all(
            h.status == 503 and h.retry_after and h.content_type == "application/problem+json"
            for h in api
        ),
        "while down: the API answers a 503 problem document with Retry-After",
    )
    first_ok = min((h.at for h in hits if h.at > up_at and h.status in (200, 201)), default=0.0)
    report.see(
        f"first success {first_ok - up_at:.1f} s after `pg_ctlcluster start` returned"
        if first_ok
        else "no success after the restart"
    )
    report.check(
        bool(after) and all(h.status in (200, 201) for h in after),
        "after the restart: every request answered 200/201",
    )
    workers_after = sorted(children(master))
    report.check(
        web.poll() is None and workers_after == workers_before,
        f"the same web processes served on (workers {workers_after}), none restarted",
    )
    conns_1 = backends()
    for _ in range(20):
        requests.get(f"{base}/api/v1/organisations?limit=5", timeout=20)
    conns_2 = backends()
    report.see(f"database connections after: {conns_1}; after 20 more requests: {conns_2}")
    report.check(
        len(conns_2) <= len(workers_after)
        and conns_1 == conns_2
        and not set(conns_2) & set(before_conns),
        "new connections opened once per worker, then reused (CONN_MAX_AGE)",
    )
    acked = {h.name for h in hits if h.kind == "api-write" and h.status == 201}
    refused = {h.name for h in hits if h.kind == "api-write" and h.status != 201}
    stored = set(
        psql(
            # nosec B608: ``run_id`` is this run's hex id
            f"SELECT name FROM directory_organisation WHERE name LIKE 'fault-load-{run_id}-%'"  # nosec B608
        ).splitlines()
    )
    report.see(
        f"writes: {len(acked)} answered 201, {len(refused)} refused; "
        f"{len(stored)} rows in the database after the restart "
        f"({len(stored & refused)} of the refused ones committed anyway)"
    )
    report.check(acked <= stored, "nothing committed is lost: every 201 write is in the database")
    bench.procs.stop(web)


# --- main ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help=f"comma-separated checks among {', '.join(CHECKS)}")
    parser.add_argument("--all", action="store_true", help="all four checks, PostgreSQL last")
    parser.add_argument("--keep", action="store_true", help="keep the database, Redis db, logs")
    parser.add_argument(
        "--media-storage",
        help="run the web processes with this STORAGES['default'] backend (dotted path)",
    )
    args = parser.parse_args()
    chosen = (
        CHECKS
        if args.all
        else [c.strip() for c in args.only.split(",")]
        if args.only
        else ["upload", "redis", "worker"]
    )
    unknown = set(chosen) - set(CHECKS)
    if unknown:
        parser.error(f"unknown check(s): {', '.join(sorted(unknown))}")
    chosen = [c for c in CHECKS if c in chosen]  # PostgreSQL always last
    titles = {
        "upload": "a full or read-only media folder on upload",
        "redis": "Redis down under running web processes",
        "worker": "a worker killed in the middle of a task",
        "postgres": "PostgreSQL restarted during load",
    }
    functions: dict[str, Callable[[Bench, Report], None]] = {
        "upload": check_upload,
        "redis": check_redis,
        "worker": check_worker,
        "postgres": check_postgres,
    }
    bench = Bench(keep=args.keep, media_storage=args.media_storage)
    reports: list[Report] = []
    try:
        bench.prepare()
        for name in chosen:
            report = Report(name, titles[name])
            reports.append(report)
            print(f"\n== {name}: {titles[name]}", flush=True)
            t0 = time.monotonic()
            try:
                functions[name](bench, report)
            except Exception as error:  # the check failed; the next one still runs
                report.check(False, f"the check stopped: {type(error).__name__}: {error}")
            print(f"  ({time.monotonic() - t0:.0f} s)", flush=True)
    finally:
        start_redis()
        if not pg_ready():
            with contextlib.suppress(Exception):
                pg_ctl("start")
        bench.close()
    print("\n== summary")
    for report in reports:
        print(f"  {'PASS' if report.passed else 'FAIL'} {report.name}: {report.title}")
    return 0 if reports and all(r.passed for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
