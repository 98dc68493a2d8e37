"""Benchmark: the directory list with 50,000 organisations, on SQLite and PostgreSQL.

Usage: ``.venv/bin/python bench/directory.py [--postgres URL] [--organisations 50000]
[--requests 30] [--sqlite-only]``

For each database it creates a fresh one, migrates it, loads the reference data, then writes
``--organisations`` organisations spread over real cities, countries, actor types and themes
(``bulk_create``, a data generator's shortcut; the search text is computed with the same function
the services use). It then requests the first page of the directory over HTTP with the Django
test client (full middleware): unfiltered, with each filter, as the htmx fragment, and the API
list if it exists. It prints the median and 95th percentile of ``--requests`` requests each.
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

WORDS = [
    "water",
    "sanitation",
    "waste",
    "mobility",
    "housing",
    "land",
    "finance",
    "climate",
    "resilience",
    "culture",
    "migration",
    "gender",
    "participation",
    "digital",
    "health",
    "education",
    "food",
    "energy",
    "markets",
    "drainage",
    "transport",
    "heritage",
    "youth",
    "budget",
    "planning",
    "floods",
    "drought",
    "informal",
    "settlements",
    "services",
    "training",
]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def generate(total: int, seed: int = 11) -> float:
    """Write ``total`` organisations; return the seconds it took."""
    from django.db import transaction

    from citypeers.directory.models import ActorType, Organisation, Theme
    from citypeers.directory.services import organisation_search_text
    from citypeers.places.models import AdminArea, City

    t = time.perf_counter()
    rng = random.Random(seed)
    themes = list(Theme.objects.all())
    cities = list(City.objects.select_related("country", "admin_area").order_by("-population"))
    areas = list(AdminArea.objects.select_related("country"))
    rng.shuffle(areas)
    municipalities = iter(cities)  # one municipality per city (a constraint), largest first
    metropolitans = iter(cities[:3000])
    regional = iter(areas)
    other_types = [
        ActorType.LGA,
        ActorType.NETWORK,
        ActorType.INTERNATIONAL,
        ActorType.NGO,
        ActorType.NGO,
        ActorType.ACADEMIA,
        ActorType.PRIVATE,
        ActorType.NATIONAL_AGENCY,
    ]
    rows: list[tuple[Organisation, list[Theme]]] = []
    for n in range(total):
        pick = rng.random()
        city = area = None
        if pick < 0.45:
            kind, city = ActorType.MUNICIPALITY, next(municipalities, None)
        elif pick < 0.50:
            kind, city = ActorType.METROPOLITAN, next(metropolitans, None)
        elif pick < 0.53:
            kind, area = ActorType.REGIONAL, next(regional, None)
        else:
            kind, city = rng.choice(other_types), rng.choice(cities[:20000])
        if city is None and area is None:
            kind, city = ActorType.NGO, rng.choice(cities)
        if kind == ActorType.MUNICIPALITY:
            name = city.name
        elif kind == ActorType.METROPOLITAN:
            name = f"Metropolitan area of {city.name}"
        elif kind == ActorType.REGIONAL:
            name = f"Government of {area.name}"
        else:
            name = f"{rng.choice(WORDS).title()} {kind.label.split()[0]} of {city.name} {n}"
        chosen = rng.sample(themes, rng.randint(1, 3))
        organisation = Organisation(
            name=name,
            slug=f"bench-{n}",
            actor_type=kind,
            city=city,
            admin_area=area if area is not None else city.admin_area,
            country=area.country if area is not None else city.country,
            population_served=city.population if kind in ("municipality", "metropolitan") else None,
            original_language="en",
            descriptions={"en": " ".join(rng.choices(WORDS, k=30))},
            languages=["en"],
            external_id=f"bench:{n}",
        )
        labels = [label for t in chosen for label in (t.label_en, t.label_fr, t.label_es)]
        organisation.search_text = organisation_search_text(organisation, labels)
        rows.append((organisation, chosen))
    Through = Organisation.themes.through
    with transaction.atomic():
        for start in range(0, len(rows), 2000):
            chunk = rows[start : start + 2000]
            created = Organisation.objects.bulk_create([o for o, _ in chunk])
            Through.objects.bulk_create(
                [
                    Through(organisation_id=o.pk, theme_id=t.pk)
                    for o, (_, chosen) in zip(created, chunk, strict=True)
                    for t in chosen
                ]
            )
    return time.perf_counter() - t


CASES = [
    # label, path, query
    ("list, no filter", "/en/directory/", {}),
    ("list, page 50", "/en/directory/", {"page": "50"}),
    ("q=water", "/en/directory/", {"q": "water"}),
    ("q=two words", "/en/directory/", {"q": "drainage lagos"}),
    ("q=rare word", "/en/directory/", {"q": "zzzz"}),
    ("actor_type=academia", "/en/directory/", {"actor_type": "academia"}),
    ("country=BRA", "/en/directory/", {"country": "BRA"}),
    ("region=002", "/en/directory/", {"region": "002"}),
    ("south=true", "/en/directory/", {"south": "south"}),
    ("theme=housing", "/en/directory/", {"theme": "housing"}),
    ("population=1m-5m", "/en/directory/", {"population": "1m-5m"}),
    ("all filters", "/en/directory/", {"q": "water", "south": "south", "theme": "housing"}),
    ("htmx fragment", "/en/directory/", {"q": "water", "country": "IND", "_htmx": "1"}),
    ("API list", "/api/v1/organisations", {}),
    ("API list, q + country", "/api/v1/organisations", {"q": "water", "country": "BRA"}),
]


def measure(total: int, requests: int) -> dict[str, object]:
    """Runs inside a process whose environment selects the database."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from citypeers.directory.models import Organisation
    from citypeers.directory.services import theme_sync
    from citypeers.places.services import reference_load

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages name hashed assets
    reference_load()
    theme_sync()
    setup_s = time.perf_counter() - t
    generate_s = generate(total)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # both databases plan with fresh statistics, as in production

    client = Client(HTTP_HOST="127.0.0.1")
    results: dict[str, object] = {
        "setup_s": setup_s,
        "generate_s": generate_s,
        "organisations": Organisation.objects.count(),
        "requests": requests,
        "cases": [],
    }
    for label, path, query in CASES:
        params = {k: v for k, v in query.items() if k != "_htmx"}
        headers = {"HTTP_HX_REQUEST": "true"} if "_htmx" in query else {}
        first = client.get(path, params, **headers)
        if first.status_code == 404 and path.startswith("/api/"):
            results["cases"].append({"label": label, "skipped": "404: not there yet"})  # type: ignore[union-attr]
            continue
        assert first.status_code == 200, (label, first.status_code)
        timings = []
        for _ in range(requests):
            t = time.perf_counter()
            response = client.get(path, params, **headers)
            timings.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        results["cases"].append(  # type: ignore[union-attr]
            {
                "label": label,
                "p50": statistics.median(timings),
                "p95": _percentile(timings, 0.95),
                "bytes": len(first.content),
            }
        )
    return results


def run_one(label: str, database_url: str, args: argparse.Namespace, var_dir: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CITYPEERS_ENV": "development",
        "CITYPEERS_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, __file__, "--measure"]
    command += ["--organisations", str(args.organisations), "--requests", str(args.requests)]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{label}: measurement failed")
    r = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\n== {label}")
    print(f"migrate + reference data         {r['setup_s']:8.2f} s")
    print(
        f"generate organisations           {r['generate_s']:8.2f} s   ({r['organisations']} rows)"
    )
    print(f"first page, {r['requests']} requests each      p50 ms    p95 ms    bytes")
    for case in r["cases"]:
        if "skipped" in case:
            print(f"  {case['label']:<28} skipped ({case['skipped']})")
        else:
            print(
                f"  {case['label']:<28} {case['p50']:8.1f}  {case['p95']:8.1f}  {case['bytes']:7d}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description="Directory list benchmark")
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a server URL; a database citypeers_bench_directory is created on it and dropped",
    )
    parser.add_argument("--organisations", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.organisations, args.requests)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        run_one("SQLite", f"sqlite:///{var / 'bench.sqlite3'}", args, var)
        if args.sqlite_only:
            return
        import psycopg

        admin_url = args.postgres.replace("postgres://", "postgresql://", 1)
        try:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
                conn.execute("DROP DATABASE IF EXISTS citypeers_bench_directory")
                conn.execute("CREATE DATABASE citypeers_bench_directory")
        except psycopg.OperationalError as exc:
            print(f"\n== PostgreSQL not reachable ({exc}); skipped")
            return
        try:
            run_one(
                "PostgreSQL",
                args.postgres.rsplit("/", 1)[0] + "/citypeers_bench_directory",
                args,
                var,
            )
        finally:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS citypeers_bench_directory (FORCE)")


if __name__ == "__main__":
    main()
