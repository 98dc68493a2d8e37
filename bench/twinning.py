"""Benchmark: the import of the real twinning list, on SQLite (and PostgreSQL when reachable).

Usage: ``.venv/bin/python bench/twinning.py [--file PATH] [--postgres URL] [--sqlite-only]``

For each database it creates a fresh one, migrates it, runs ``load-reference`` (GeoNames cities of
15,000+ inhabitants), then times the full import of ``../shared/data/twinning/twinnings_known.csv``
three times: the first run (everything created), a second run (skipped as already imported), and a
forced run (every row matched again, nothing created). It prints the figures of this one run.
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


def measure(path: Path) -> dict[str, object]:
    """Runs inside a process whose environment selects the database."""
    import django

    django.setup()
    from django.core.management import call_command

    from citypeers.directory.models import Organisation
    from citypeers.partnerships.models import Partnership
    from citypeers.partnerships.twinning import twinnings_import
    from citypeers.places.models import City
    from citypeers.places.services import reference_load

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    reference_load()
    reference_s = time.perf_counter() - t
    cities_before = City.objects.count()

    t = time.perf_counter()
    first = twinnings_import(path=path)
    first_s = time.perf_counter() - t
    t = time.perf_counter()
    second = twinnings_import(path=path)
    second_s = time.perf_counter() - t
    t = time.perf_counter()
    forced = twinnings_import(path=path, force=True)
    forced_s = time.perf_counter() - t
    geography = {}
    for value in Partnership.objects.values_list("geography", flat=True):
        geography[value] = geography.get(value, 0) + 1
    return {
        "reference_s": reference_s,
        "cities_before": cities_before,
        "rows": first.rows,
        "resolved": first.resolved,
        "rate": first.rate,
        "created": first.partnerships_created,
        "repeated": first.repeated_pairs,
        "organisations": first.organisations_created,
        "cities_added": first.cities_added,
        "methods": dict(first.match_methods.most_common()),
        "reasons": dict(first.reasons.most_common()),
        "labels": dict(first.unresolved_labels.most_common()),
        "first_s": first_s,
        "second_s": second_s,
        "second_skipped": second.skipped_as_done is not None,
        "forced_s": forced_s,
        "forced_created": forced.partnerships_created + forced.organisations_created,
        "partnerships": Partnership.objects.count(),
        "organisations_total": Organisation.objects.count(),
        "geography": geography,
    }


def run_one(label: str, database_url: str, path: Path, var_dir: Path) -> None:
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
        [sys.executable, __file__, "--measure", "--file", str(path)],
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
    cities = r["cities_before"]
    print(f"load-reference                   {r['reference_s']:8.2f} s   ({cities} cities)")
    print(
        f"import, first run                {r['first_s']:8.2f} s   ({r['rows']} rows, "
        f"{r['resolved']} resolved = {100 * r['rate']:.1f}%)"
    )
    print(
        f"  created: {r['created']} partnerships ({r['repeated']} pairs repeated in the file), "
        f"{r['organisations']} organisations, {r['cities_added']} GeoNames places"
    )
    print(f"  cities matched by: {r['methods']}")
    print(f"  unresolved rows by reason: {r['reasons']}")
    print(f"  unresolved country labels: {r['labels']}")
    print(f"  partnerships by geography: {r['geography']}")
    print(
        f"import, second run               {r['second_s']:8.2f} s"
        f"   (skipped as already imported: {r['second_skipped']})"
    )
    print(
        f"import, forced re-match          {r['forced_s']:8.2f} s"
        f"   ({r['forced_created']} rows created)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Twinning import benchmark")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a server URL; a database citypeers_bench_twinning is created on it and dropped after",
    )
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.file)))
        return
    if not args.file.exists():
        raise SystemExit(f"{args.file} not found: pass --file")
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        run_one("SQLite", f"sqlite:///{var / 'bench.sqlite3'}", args.file, var)
        if args.sqlite_only:
            return
        import psycopg

        admin_url = args.postgres.replace("postgres://", "postgresql://", 1)
        name = "citypeers_bench_twinning"
        try:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
                conn.execute(f"CREATE DATABASE {name}")
        except psycopg.OperationalError as exc:
            print(f"\n== PostgreSQL not reachable ({exc}); skipped")
            return
        try:
            run_one("PostgreSQL", args.postgres.rsplit("/", 1)[0] + f"/{name}", args.file, var)
        finally:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} (FORCE)")


if __name__ == "__main__":
    main()
