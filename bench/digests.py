"""Benchmark: the e-mail digests of 100,000 subscribers.

Usage::

    .venv/bin/python bench/digests.py [--subscribers 100000] [--batch-size 500] [--seed 7]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/citypeers_bench_digests \\
        .venv/bin/python bench/digests.py          # a database that may be emptied

Two processes on a fresh temporary SQLite database (or ``DATABASE_URL``, whose tables are
emptied first):

1. ``generate`` migrates, loads the theme taxonomy and writes, with ``bulk_create``: the
   subscribers (a daily digest each, languages en/fr/es in turn), 3,000 organisations, 300 events,
   2,000 discussion threads, their follows (1–3 themes each; 0–4 organisations, popular ones
   more often; a third follow 1–2 threads; one in ten an event), a day of activity — 3,700 feed
   items: practices, news, events, learning notes, threads, and 3,000 replies concentrated on
   the busiest threads — and unread notifications for three people in ten.
2. ``build`` runs ``citypeers send-digests --frequency daily`` as in production — with the
   in-process task backend, so every batch task runs inside the command — and an e-mail backend
   that counts the messages and their bytes after serialising each to MIME (a real Django
   backend: nothing is mocked, no SMTP server is involved). It counts every SQL query
   (``connection.execute_wrapper``), per batch too (the task signals), times the run, and reads
   the process's peak memory (``ru_maxrss``; ``--tracemalloc`` adds Python's allocation peak,
   and slows the run). Then it runs the command again: nobody is due, nothing is sent.

The build runs in its own process, so its peak memory is the build's (plus Django's baseline,
printed apart).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

from django.core.mail.backends.base import BaseEmailBackend  # noqa: E402


class CountingBackend(BaseEmailBackend):
    """Serialises each message to MIME bytes (what an SMTP backend would send), counts, keeps
    nothing."""

    messages = 0
    octets = 0
    calls = 0

    def send_messages(self, email_messages: Any) -> int:
        type(self).calls += 1
        for message in email_messages:
            type(self).octets += len(message.message().as_bytes())
        type(self).messages += len(email_messages)
        return len(email_messages)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def generate(subscribers: int, seed: int) -> dict[str, Any]:
    _setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone, translation

    from citypeers.accounts.models import User
    from citypeers.directory.models import Organisation, Theme
    from citypeers.directory.services import theme_sync
    from citypeers.learning import discussions
    from citypeers.learning.models import Community, Event, FeedItem, Follow, Thread
    from citypeers.notifications.models import DigestPreference, Notification

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if connection.vendor != "sqlite" or os.environ.get("DATABASE_URL", "").startswith("postgres"):
        call_command("flush", interactive=False, verbosity=0)
    theme_sync()
    rng = random.Random(seed)
    now = timezone.now()
    languages = ["en", "fr", "es"]

    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench organisation {i}",
            slug=f"bench-organisation-{i}",
            actor_type="ngo",
            search_text=f"bench organisation {i}",
        )
        for i in range(3000)
    )
    org_ids = [o.pk for o in organisations]
    org_weights = [1 / (rank + 1) for rank in range(len(org_ids))]  # a few popular ones
    theme_ids = list(Theme.objects.values_list("pk", flat=True))

    for start in range(0, subscribers, 10_000):
        User.objects.bulk_create(
            User(
                username=f"bench{i}",
                email=f"bench{i}@example.org",
                display_name=f"Subscriber {i}",
                preferred_language=languages[i % 3],
                password="!",
            )
            for i in range(start, min(subscribers, start + 10_000))
        )
    user_ids = list(User.objects.filter(username__startswith="bench").values_list("pk", flat=True))
    for start in range(0, len(user_ids), 20_000):
        DigestPreference.objects.bulk_create(
            DigestPreference(user_id=uid, frequency="daily")
            for uid in user_ids[start : start + 20_000]
        )

    events = Event.objects.bulk_create(
        Event(
            slug=f"bench-event-{i}",
            title=f"Bench event {i}",
            kind="webinar",
            status="published",
            attendance_mode="online",
            starts_at=now + dt.timedelta(days=i % 60 + 1),
            ends_at=now + dt.timedelta(days=i % 60 + 1, hours=2),
            time_zone="UTC",
        )
        for i in range(300)
    )
    discussions.theme_communities_ensure()
    communities = list(Community.objects.filter(kind="theme"))
    threads = Thread.objects.bulk_create(
        Thread(
            community=rng.choice(communities),
            author_id=rng.choice(user_ids),
            title=f"Bench thread {i}",
            body="How did you do it?",
            last_activity_at=now,
        )
        for i in range(2000)
    )
    thread_ids = [t.pk for t in threads]
    thread_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(thread_ids))]

    follows: list[Follow] = []
    made = 0

    def flush_follows() -> None:
        nonlocal follows, made
        Follow.objects.bulk_create(follows)
        made += len(follows)
        follows = []

    for uid in user_ids:
        for theme_id in rng.sample(theme_ids, rng.randint(1, 3)):
            follows.append(Follow(user_id=uid, theme_id=theme_id))
        for org_id in set(rng.choices(org_ids, weights=org_weights, k=rng.randint(0, 4))):
            follows.append(Follow(user_id=uid, organisation_id=org_id))
        if rng.random() < 0.33:
            chosen = set(rng.choices(thread_ids, weights=thread_weights, k=rng.randint(1, 2)))
            follows.extend(Follow(user_id=uid, thread_id=t) for t in chosen)
        if rng.random() < 0.1:
            follows.append(Follow(user_id=uid, event_id=rng.choice(events).pk))
        if len(follows) >= 20_000:
            flush_follows()
    flush_follows()

    # A day of activity.
    with translation.override("en"):
        paths = {
            "practice": lambda i: reverse("knowledge:detail", kwargs={"slug": f"bench-{i}"}),
            "news": lambda i: reverse("learning:news", kwargs={"slug": f"bench-{i}"}),
            "event": lambda i: reverse("learning:event", kwargs={"slug": f"bench-event-{i}"}),
            "note": lambda i: reverse("learning:event", kwargs={"slug": f"bench-event-{i}"}),
            "thread": lambda i: reverse("learning:thread", kwargs={"pk": i}),
        }
        plan: list[tuple[str, int]] = [
            ("practice", 150),
            ("news", 80),
            ("event", 40),
            ("note", 40),
            ("thread", 300),
            ("reply", 3000),
        ]
        items: list[FeedItem] = []
        relations: list[tuple[int, list[int], list[int]]] = []
        n = 0
        for kind, count in plan:
            for _i in range(count):
                n += 1
                event = rng.choice(events) if kind in ("event", "note") else None
                thread_id = (
                    rng.choices(thread_ids, weights=thread_weights)[0]
                    if kind in ("thread", "reply")
                    else None
                )
                path = (
                    paths["thread"](thread_id)
                    if thread_id
                    else paths[kind](event.pk if event else n)
                )
                items.append(
                    FeedItem(
                        kind=kind,
                        target_type=f"bench.{kind}",
                        target_id=str(n),
                        titles={
                            "en": f"Bench {kind} {n}",
                            "fr": f"Banc {kind} {n}",
                            "es": f"Banco {kind} {n}",
                        },
                        language="en",
                        path=path,
                        actor_id=rng.choice(user_ids),
                        event_id=event.pk if event else None,
                        thread_id=thread_id,
                        created_at=now - dt.timedelta(minutes=rng.randint(1, 23 * 60)),
                        fanned_out_at=now,
                    )
                )
                themes = rng.sample(theme_ids, rng.randint(1, 2)) if kind != "reply" else []
                orgs = (
                    list(set(rng.choices(org_ids, weights=org_weights, k=rng.randint(1, 3))))
                    if kind in ("practice", "news", "event", "note")
                    else []
                )
                relations.append((len(items) - 1, themes, orgs))
    FeedItem.objects.bulk_create(items)
    ThemeLink, OrgLink = FeedItem.themes.through, FeedItem.organisations.through
    ThemeLink.objects.bulk_create(
        ThemeLink(feeditem_id=items[i].pk, theme_id=t)
        for i, themes, _o in relations
        for t in themes
    )
    OrgLink.objects.bulk_create(
        OrgLink(feeditem_id=items[i].pk, organisation_id=o)
        for i, _t, orgs in relations
        for o in orgs
    )

    notifications: list[Notification] = []
    for uid in user_ids:
        if rng.random() < 0.3:
            for k in range(rng.randint(1, 4)):
                notifications.append(
                    Notification(
                        recipient_id=uid,
                        kind="matching.invited",
                        message=f"You are invited to a match request ({k}).",
                        url="/en/peers/",
                    )
                )
    for start in range(0, len(notifications), 20_000):
        Notification.objects.bulk_create(notifications[start : start + 20_000])
    return {
        "subscribers": len(user_ids),
        "follows": made,
        "feed_items": len(items),
        "notifications": len(notifications),
        "seconds": time.perf_counter() - started,
    }


def build(use_tracemalloc: bool) -> dict[str, Any]:
    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django_tasks.signals import task_finished, task_started

    from citypeers.notifications.models import DigestPreference

    settings.EMAIL_BACKEND = "__main__.CountingBackend"
    baseline = rss_mb()
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    per_batch: list[tuple[int, float]] = []
    marks: dict[str, tuple[int, float]] = {}

    def on_start(sender: Any, task_result: Any, **kwargs: Any) -> None:
        marks[task_result.id] = (queries, time.perf_counter())

    def on_finish(sender: Any, task_result: Any, **kwargs: Any) -> None:
        q0, t0 = marks.pop(task_result.id)
        per_batch.append((queries - q0, time.perf_counter() - t0))
        if task_result.errors:
            print(task_result.errors[0].traceback, file=sys.stderr)

    task_started.connect(on_start)
    task_finished.connect(on_finish)
    if use_tracemalloc:
        import tracemalloc

        tracemalloc.start()
    out = open(os.devnull, "w")  # noqa: SIM115
    with connection.execute_wrapper(count):
        started, cpu_started = time.perf_counter(), cpu_s()
        call_command("send-digests", "--frequency", "daily", stdout=out)
        seconds, cpu_seconds = time.perf_counter() - started, cpu_s() - cpu_started
        first_queries = queries
        again_started = time.perf_counter()
        call_command("send-digests", "--frequency", "daily", stdout=out)
        again_seconds = time.perf_counter() - again_started
    traced_peak = None
    if use_tracemalloc:
        import tracemalloc

        traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
    batch_queries = [q for q, _s in per_batch]
    sent = CountingBackend.messages
    return {
        "db": connection.vendor,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "load": os.getloadavg()[0],
        "queries": first_queries,
        "batches": len(per_batch),
        "batch_queries_min": min(batch_queries, default=0),
        "batch_queries_max": max(batch_queries, default=0),
        "batch_seconds_mean": sum(s for _q, s in per_batch) / max(1, len(per_batch)),
        "emails": sent,
        "octets": CountingBackend.octets,
        "connections": CountingBackend.calls,
        "claimed": DigestPreference.objects.filter(last_period__isnull=False).count(),
        "again_queries": queries - first_queries,
        "again_seconds": again_seconds,
        "rss_baseline_mb": baseline,
        "rss_peak_mb": rss_mb(),
        "traced_peak_mb": traced_peak,
    }


def run(phase: str, env: dict[str, str], *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--phase", phase, *extra],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        print(done.stderr[-4000:], file=sys.stderr)
        raise SystemExit(f"{phase} failed")
    if done.stderr.strip():
        print(done.stderr[-2000:], file=sys.stderr)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="E-mail digest benchmark")
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--phase", choices=["generate", "build"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "generate":
        print(json.dumps(generate(args.subscribers, args.seed)))
        return
    if args.phase == "build":
        print(json.dumps(build(args.tracemalloc)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3",
            "CITYPEERS_ENV": "development",
            "CITYPEERS_VAR_DIR": tmp,
            "CITYPEERS_DIGEST_BATCH_SIZE": str(args.batch_size),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
        }
        g = run("generate", env, "--subscribers", str(args.subscribers), "--seed", str(args.seed))
        print(
            f"generated in {g['seconds']:.1f} s: {g['subscribers']:,} subscribers, "
            f"{g['follows']:,} follows, {g['feed_items']:,} feed items of the day, "
            f"{g['notifications']:,} unread notifications"
        )
        extra = ["--tracemalloc"] if args.tracemalloc else []
        b = run("build", env, *extra)
        print(f"database                 {b['db']}")
        print(f"digests sent             {b['emails']:,} ({b['claimed']:,} people claimed)")
        print(f"batches                  {b['batches']} of up to {args.batch_size}")
        print(
            f"total time               {b['seconds']:.1f} s wall, {b['cpu_seconds']:.1f} s CPU "
            f"(load average at the end: {b['load']:.1f} on {os.cpu_count()} cores)"
        )
        print(
            f"e-mails per second       {b['emails'] / b['seconds']:.0f} "
            f"({b['emails'] / max(b['cpu_seconds'], 1e-9):.0f} per CPU second)"
        )
        print(f"mean time per batch      {b['batch_seconds_mean']:.2f} s")
        print(
            f"SQL queries              {b['queries']:,} "
            f"(per batch: {b['batch_queries_min']}–{b['batch_queries_max']})"
        )
        print(f"mail connections         {b['connections']} (one per batch)")
        print(f"average message          {b['octets'] / max(1, b['emails']) / 1024:.1f} KiB (MIME)")
        print(
            f"peak memory (RSS)        {b['rss_peak_mb']:.0f} MB "
            f"(Django baseline {b['rss_baseline_mb']:.0f} MB)"
        )
        if b["traced_peak_mb"] is not None:
            print(f"Python allocations peak  {b['traced_peak_mb']:.0f} MB (tracemalloc)")
        print(
            f"second run               {b['again_queries']} queries, "
            f"{b['again_seconds']:.2f} s, nothing sent"
        )


if __name__ == "__main__":
    main()
