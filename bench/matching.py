"""Benchmark: peer suggestions on the imported twinning network, and how their cost grows.

Usage: ``.venv/bin/python bench/matching.py [--file PATH] [--requests 1000] [--tenth-only]``

For each of two networks — a tenth of ``../shared/data/twinning/twinnings_known.csv`` and all of
it — it creates a fresh SQLite database, migrates it, runs ``load-reference``, the demo and
``import-twinnings``, then in a new process:

- builds the engine's snapshot (the cooperation graph, the attributes, the link model fitted on
  the network, the text vectors) and times it;
- asks for suggestions for 1,000 random organisations in the ``partners`` and ``peers`` modes
  (k = 10) and reports the median and 95th percentile per request;
- times one stamp check (what every request pays before using the snapshot);
- marks the data changed and keeps asking for ``partners`` suggestions while the rebuild runs
  in the background: how many requests were served meanwhile, and how long they took.

It prints the figures of this one run, and the ratio of the costs between the two networks next
to the ratio of their sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "twinning" / "twinnings_known.csv"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def setup(path: Path, limit: int | None) -> dict[str, object]:
    """Runs in a process whose environment selects the database: load everything."""
    import django

    django.setup()
    from django.core.management import call_command

    from citypeers.core.demo import demo_load
    from citypeers.partnerships.twinning import twinnings_import
    from citypeers.places.services import reference_load

    call_command("migrate", verbosity=0)
    reference_load()
    demo_load()
    t = time.perf_counter()
    report = twinnings_import(path=path, limit=limit)
    return {"import_s": time.perf_counter() - t, "rows": report.rows}


def measure(requests: int, seed: int) -> dict[str, object]:
    """Runs in a fresh process over a loaded database: the engine's figures."""
    import django

    django.setup()
    import random

    from citypeers.directory.models import Organisation
    from citypeers.matching import engine, snapshot
    from citypeers.partnerships.models import Partnership

    t = time.perf_counter()
    snap = snapshot.current()
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(20):
        snapshot.database_stamp()
    stamp_ms = (time.perf_counter() - t) / 20 * 1000
    ids = list(Organisation.objects.values_list("pk", flat=True))
    rng = random.Random(seed)
    chosen = rng.sample(ids, min(requests, len(ids)))
    out: dict[str, object] = {
        "organisations": len(ids),
        "partnerships": Partnership.objects.count(),
        "edges": int(len(snap.graph.indices) // 2),
        "build_s": build_s,
        "training_queries": snap.training_queries,
        "stamp_ms": stamp_ms,
        "requests": len(chosen),
    }
    # Each request checks the stamp, as a page or an API call does.
    from django.conf import settings

    settings.CITYPEERS_MATCHING_CHECK_SECONDS = 0
    for mode in ("partners", "peers"):
        times = []
        suggested = 0
        for pk in chosen:
            t = time.perf_counter()
            found = engine.suggest_for_organisation(pk, mode=mode, k=10)
            times.append((time.perf_counter() - t) * 1000)
            suggested += len(found)
        out[mode] = {
            "median_ms": _percentile(times, 0.5),
            "p95_ms": _percentile(times, 0.95),
            "max_ms": max(times),
            "mean_suggestions": suggested / max(len(chosen), 1),
        }
    # A change: the next request starts a rebuild in the background and is served from the
    # previous snapshot, as are the requests made while the rebuild runs.
    snapshot.bump_version()
    during = []
    t_rebuild = time.perf_counter()
    for pk in chosen:
        t = time.perf_counter()
        engine.suggest_for_organisation(pk, mode="partners", k=10)
        during.append((time.perf_counter() - t) * 1000)
        if not snapshot.rebuilding():
            break
    snapshot.wait_for_rebuild()
    out["rebuild"] = {
        "seconds": time.perf_counter() - t_rebuild,
        "requests": len(during),
        "median_ms": _percentile(during, 0.5),
        "max_ms": max(during),
        "replaced": snapshot.current() is not snap,
    }
    return out


def run(label: str, path: Path, limit: int | None, requests: int, var: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{var / 'bench.sqlite3'}",
        "CITYPEERS_ENV": "development",
        "CITYPEERS_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    results = {}
    for step in ("--setup", "--measure"):
        args = [sys.executable, __file__, step, "--file", str(path), "--requests", str(requests)]
        if limit is not None:
            args += ["--limit", str(limit)]
        done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{label}: {step} failed")
        results.update(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"\n== {label}")
    print(
        f"network: {results['organisations']} organisations, {results['partnerships']} "
        f"partnerships, {results['edges']} graph edges (import {results['import_s']:.0f} s)"
    )
    print(
        f"snapshot build        {results['build_s']:8.2f} s   (link model fitted on "
        f"{results['training_queries']} hidden-edge queries)"
    )
    print(f"stamp check           {results['stamp_ms']:8.2f} ms")
    for mode in ("partners", "peers"):
        r = results[mode]
        print(
            f"{mode:9} k=10  median {r['median_ms']:7.1f} ms   p95 {r['p95_ms']:7.1f} ms   "
            f"max {r['max_ms']:7.1f} ms   ({results['requests']} requests, "
            f"{r['mean_suggestions']:.1f} suggestions each)"
        )
    r = results["rebuild"]
    print(
        f"during a rebuild      {r['requests']} partners requests served from the previous "
        f"snapshot: median {r['median_ms']:.1f} ms, max {r['max_ms']:.1f} ms; the rebuild took "
        f"{r['seconds']:.2f} s in the background (new snapshot in place: {r['replaced']})"
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="Peer-matching benchmark")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--tenth-only", action="store_true", help="only the tenth network")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(setup(args.file, args.limit)))
        return
    if args.measure:
        print(json.dumps(measure(args.requests, seed=1)))
        return
    if not args.file.exists():
        raise SystemExit(f"{args.file} not found: pass --file")
    with args.file.open(encoding="utf-8") as handle:
        rows = sum(1 for _ in handle) - 1
    figures = []
    for label, limit in (("a tenth of the network", rows // 10), ("the whole network", None)):
        if args.tenth_only and limit is None:
            break
        with tempfile.TemporaryDirectory() as tmp:
            figures.append(run(label, args.file, limit, args.requests, Path(tmp)))
    if len(figures) == 2:
        small, large = figures
        size = large["edges"] / max(small["edges"], 1)
        print(f"\nnetwork grew ×{size:.1f} (graph edges)")
        for mode in ("partners", "peers"):
            ratio = large[mode]["median_ms"] / max(small[mode]["median_ms"], 1e-9)
            p95 = large[mode]["p95_ms"] / max(small[mode]["p95_ms"], 1e-9)
            print(f"{mode:9} median cost ×{ratio:.2f}, p95 ×{p95:.2f}")
        print(f"snapshot build ×{large['build_s'] / max(small['build_s'], 1e-9):.1f}")


if __name__ == "__main__":
    main()
