"""Benchmark: the reference load and the place autocomplete, on SQLite and PostgreSQL.

Usage: ``.venv/bin/python bench/places.py [--postgres URL] [--queries 300] [--sqlite-only]``

For each database it creates a fresh one, migrates it, runs ``load-reference`` twice (the second
run must change nothing) and times place search for prefixes of real city names, through the
selector, the htmx fragment and the API (Django test client, full middleware). It prints figures
from this one run: medians and 95th percentiles.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def measure(queries: int) -> dict[str, float]:
    """Runs inside a process whose environment selects the database."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from citypeers.places.models import City
    from citypeers.places.selectors import place_search
    from citypeers.places.services import reference_load

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - t
    t = time.perf_counter()
    first = reference_load()
    first_s = time.perf_counter() - t
    t = time.perf_counter()
    second = reference_load()
    second_s = time.perf_counter() - t

    rng = random.Random(7)
    names = sorted(City.objects.values_list("name", flat=True))
    sample = rng.sample(names, min(queries, len(names)))
    prefixes = [n[: rng.randint(2, max(2, min(8, len(n))))] for n in sample]
    prefixes += ["lond", "londres", "sao", "paris", "new", "san", "ber", "lagos", "mumb", "x"]
    place_search(q="warm up")

    def timed(call) -> list[float]:  # type: ignore[no-untyped-def]
        out = []
        for p in prefixes:
            t = time.perf_counter()
            call(p)
            out.append((time.perf_counter() - t) * 1000)
        return out

    client = Client(HTTP_HOST="127.0.0.1")

    def fragment(p: str) -> None:
        response = client.get("/en/places/search/", {"q": p}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200

    def api(p: str) -> None:
        assert client.get("/api/v1/places/search", {"q": p}).status_code == 200

    sel = timed(lambda p: place_search(q=p, limit=10))
    frag = timed(fragment)
    api_t = timed(api)
    return {
        "migrate_s": migrate_s,
        "first_s": first_s,
        "cities_s": first.timings["cities"],
        "second_s": second_s,
        "second_changes": sum(c.created + c.updated for c in second.counts.values()),
        "cities": City.objects.count(),
        "n": len(prefixes),
        "sel_p50": statistics.median(sel),
        "sel_p95": _percentile(sel, 0.95),
        "frag_p50": statistics.median(frag),
        "frag_p95": _percentile(frag, 0.95),
        "api_p50": statistics.median(api_t),
        "api_p95": _percentile(api_t, 0.95),
    }


def run_one(label: str, database_url: str, queries: int, var_dir: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CITYPEERS_ENV": "development",
        "CITYPEERS_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, __file__, "--measure", "--queries", str(queries)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{label}: measurement failed")
    r = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\n== {label}")
    print(f"migrate, empty database          {r['migrate_s']:8.2f} s")
    print(
        f"load-reference, first run        {r['first_s']:8.2f} s"
        f"   (cities step {r['cities_s']:.2f} s; {r['cities']} cities)"
    )
    print(
        f"load-reference, second run       {r['second_s']:8.2f} s"
        f"   ({r['second_changes']} rows created or updated)"
    )
    print(
        f"place search, selector   p50/p95 {r['sel_p50']:8.2f} / {r['sel_p95']:.2f} ms"
        f"   ({r['n']} queries)"
    )
    print(f"place search, htmx page  p50/p95 {r['frag_p50']:8.2f} / {r['frag_p95']:.2f} ms")
    print(f"place search, API        p50/p95 {r['api_p50']:8.2f} / {r['api_p95']:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description="Reference load and place search benchmark")
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a server URL; a database citypeers_bench is created on it and dropped after",
    )
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.queries)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        run_one("SQLite", f"sqlite:///{var / 'bench.sqlite3'}", args.queries, var)
        if args.sqlite_only:
            return
        import psycopg

        admin_url = args.postgres.replace("postgres://", "postgresql://", 1)
        try:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
                conn.execute("DROP DATABASE IF EXISTS citypeers_bench")
                conn.execute("CREATE DATABASE citypeers_bench")
        except psycopg.OperationalError as exc:
            print(f"\n== PostgreSQL not reachable ({exc}); skipped")
            return
        try:
            run_one(
                "PostgreSQL",
                args.postgres.rsplit("/", 1)[0] + "/citypeers_bench",
                args.queries,
                var,
            )
        finally:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS citypeers_bench (FORCE)")


if __name__ == "__main__":
    main()
