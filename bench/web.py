"""Speed under load: the main pages under ``wrk``, each as a ratio to an empty Django view.

Usage::

    .venv/bin/python bench/web.py                 # build the data (about 15–30 min), then measure
    .venv/bin/python bench/web.py --reuse         # measure again on the database already built
    .venv/bin/python bench/web.py --reuse --duration 5 --connections 1,16   # a quick look
    .venv/bin/python bench/web.py --drop          # drop the bench database at the end

Needs ``wrk`` (a bench-only tool, Debian package ``wrk``: ``apt-get install -y wrk``), the local
PostgreSQL (``postgres@127.0.0.1:5432``, trust) and Redis (``127.0.0.1:6379``).

**Data** (a PostgreSQL database of its own, ``citypeers_bench_web``): reference data, the demo,
the full twinning import, 100,000 published practices from ``bench/practice_corpus.py`` (one text
each, led by a random organisation, indexed for search with real-encoder vectors of their title and
summary — shared with ``bench/search.py`` through ``var/bench-cache/``, so only the first run of
either encodes them), then ``insights-refresh``. The database is kept after the run (``--reuse``
skips the build; ``--drop`` drops it at the end).

**Server**: the production profile as in the ``Procfile`` (gunicorn, ``--workers``, access log on),
``CITYPEERS_ENV=production``, ``DEBUG`` off, a secret generated for the run, ``ALLOWED_HOSTS``
``127.0.0.1``, plain HTTP on a loopback port of its own (8765), the Redis cache in a Redis
database of its own (13) so that no other server on this machine shares its keys.

**Load**: for each number of connections (1, 16, 64), first the empty view ``/livez`` and then each
page: a warm-up, then ``--duration`` seconds of ``wrk``; requests/s, p50 and p99 latency, and the
throughput as a ratio to ``/livez`` at the same number of connections. Two passes: anonymous
visitors (no cookie: what the page cache serves) and visitors carrying a session cookie (never
served from the page cache: the cost of computing the page). Tables printed and written to
``var/bench-web.json``. wrk and gunicorn share the machine's cores, so the figures are a
comparison, not a capacity.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import random
import re
import secrets
import shutil
import signal

# runs this project's own commands and wrk
import subprocess  # nosec B404
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
TWINNINGS = ROOT.parent / "shared" / "data" / "twinning" / "twinnings_known.csv"
VAR = ROOT / "var"
WORK = VAR / "bench-web"
OUT = VAR / "bench-web.json"
SEED = 7  # the seed of bench/search.py: the same corpus, the same cached vectors
SEARCH_QUERY = "participatory budgeting with neighbourhood committees"
WRK_MISSING = (
    "wrk is not installed. It is a bench-only tool (not needed to run CityPeers):\n"
    "    apt-get install -y wrk        # Debian / Ubuntu package 'wrk'\n"
    "then run bench/web.py again."
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- environment ----------------------------------------------------------------------------------


def server_env(args: argparse.Namespace, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYPEERS_")}
    env.update(
        {
            "CITYPEERS_ENV": "production",
            "DEBUG": "0",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
            "REDIS_URL": args.redis,
            "SECRET_KEY": secret,
            "ALLOWED_HOSTS": "127.0.0.1",
            "CITYPEERS_HTTPS": "0",
            "CITYPEERS_VAR_DIR": str(WORK),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    return env


def build_env(env: dict[str, str]) -> dict[str, str]:
    # The build runs every task in-process (no task worker is running) and rate limits are moot.
    return {**env, "TASKS_BACKEND": "immediate", "LOG_LEVEL": "WARNING"}


def cp(env: dict[str, str], *command: str) -> None:
    t = time.perf_counter()
    subprocess.run([str(BIN / "citypeers"), *command], env=env, cwd=ROOT, check=True)  # nosec B603
    log(f"  citypeers {' '.join(command)}: {time.perf_counter() - t:.0f} s")


def psql(sql: str, db: str = "postgres") -> str:
    # fixed command, the bench's own database name
    result = subprocess.run(  # nosec B603 B607
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-tAc", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def published_practices(db: str) -> int:
    if not database_exists(db):
        return -1
    return int(psql("SELECT count(*) FROM knowledge_practice WHERE status='published'", db) or -1)


def database_exists(db: str) -> bool:
    # db is checked against [a-z_][a-z0-9_]* in main()
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == "1"  # nosec B608


# --- data -----------------------------------------------------------------------------------------

PHASES = ("base", "practices", "insights")


def phases_done(db: str) -> set[str]:
    """The build phases finished in ``db`` (a small table of the bench's own records them)."""
    if not database_exists(db):
        return set()
    return set(psql("SELECT phase FROM bench_web_state", db).split())


def build(args: argparse.Namespace, env: dict[str, str], reuse: bool) -> None:
    """Build what is missing (``reuse``) or everything, phase by phase."""
    benv = build_env(env)
    done = phases_done(args.db) if reuse else set()
    if "base" not in done:
        log(f"building database {args.db} (dropped first if it exists)")
        psql(f'DROP DATABASE IF EXISTS "{args.db}"')
        shutil.rmtree(WORK / "search", ignore_errors=True)
        done = set()
        cp(benv, "create-database")
        cp(benv, "migrate", "--noinput", "-v", "0")
        cp(benv, "load-reference")
        cp(benv, "load-demo")
        cp(benv, "import-twinnings", str(TWINNINGS))
        psql("CREATE TABLE bench_web_state (phase text PRIMARY KEY)", args.db)
        mark(args.db, "base")
    if args.stop_after == "base":
        return
    if "practices" not in done and args.practices > 0:
        psql("DELETE FROM bench_web_state WHERE phase = 'insights'", args.db)
        t = time.perf_counter()
        # this file, in a process of its own with the build settings
        subprocess.run(  # nosec B603
            [sys.executable, __file__, "--add-practices", str(args.practices)],
            env=benv,
            cwd=ROOT,
            check=True,
        )
        log(f"  {args.practices:,} practices added and indexed: {time.perf_counter() - t:.0f} s")
        mark(args.db, "practices")
        done.discard("insights")
    if "insights" not in done:
        cp(benv, "insights-refresh")
        psql("VACUUM ANALYZE", args.db)
        mark(args.db, "insights")


def mark(db: str, phase: str) -> None:
    # phase is one of PHASES
    psql(f"INSERT INTO bench_web_state VALUES ('{phase}') ON CONFLICT DO NOTHING", db)  # nosec B608


def add_practices(count: int) -> None:
    """Write ``count`` published practices (in this process: DJANGO_SETTINGS_MODULE is set)."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from citypeers.directory.models import Organisation
    from citypeers.knowledge.models import Practice, PracticeOrganisation, PracticeText, Status
    from citypeers.search import indexing, semantic
    from citypeers.search.models import SearchDocument

    spec = importlib.util.spec_from_file_location("bench_search", ROOT / "bench" / "search.py")
    assert spec and spec.loader
    bench_search = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_search)
    import practice_corpus

    rng = random.Random(SEED)
    generated = [practice_corpus.practice(rng) for _ in range(count)]
    rows = [(p.language, p.title, p.summary, p.body) for p in generated]
    vectors = bench_search.encoded(rows, SEED)  # the cache of bench/search.py, or the encoder

    # A build stopped half-way is started again from the first practice.
    stale = Practice.objects.filter(slug__startswith="bench-")
    if stale.exists():
        ids = list(stale.values_list("pk", flat=True))
        SearchDocument.objects.filter(doc_type="practice", object_id__in=ids).delete()
        stale.delete()
    organisations = list(Organisation.objects.values_list("pk", "country_id", "city_id"))
    pick = random.Random(SEED + 1)
    now = timezone.now()
    batch = 2000
    for start in range(0, count, batch):
        chunk = generated[start : start + batch]
        with transaction.atomic():
            practices = []
            owners = []
            for i, p in enumerate(chunk, start):
                org, country, city = pick.choice(organisations)
                owners.append(org)
                practices.append(
                    Practice(
                        slug=f"bench-{i + 1}",
                        status=Status.PUBLISHED,
                        original_language=p.language,
                        owner_id=org,
                        country_id=country,
                        city_id=city,
                        published_at=now - dt.timedelta(minutes=count - i),
                    )
                )
            Practice.objects.bulk_create(practices, batch_size=1000)
            PracticeText.objects.bulk_create(
                [
                    PracticeText(
                        practice=practice,
                        language=p.language,
                        is_original=True,
                        title=p.title[:250],
                        summary=p.summary,
                        context=p.context,
                        objectives=p.objectives,
                        results=p.results,
                        challenges=p.challenges,
                        lessons=p.lessons,
                    )
                    for practice, p in zip(practices, chunk, strict=True)
                ],
                batch_size=1000,
            )
            PracticeOrganisation.objects.bulk_create(
                [
                    PracticeOrganisation(practice=practice, organisation_id=org, role="lead")
                    for practice, org in zip(practices, owners, strict=True)
                ],
                batch_size=1000,
            )
            # The product's own search documents (facts, text), with the cached vectors.
            docs = indexing._practice_docs([p.pk for p in practices])
            SearchDocument.objects.bulk_create(
                [
                    SearchDocument(
                        doc_type="practice",
                        object_id=practice.pk,
                        language=doc.language,
                        title=doc.title[:300],
                        body=doc.body,
                        external_id=doc.external_id,
                        url=doc.url,
                        themes=doc.themes,
                        sdgs=doc.sdgs,
                        countries=doc.countries,
                        regions=doc.regions,
                        south=doc.south,
                        date=doc.date,
                        embedding=semantic.to_bytes(vectors[i]),
                    )
                    for i, practice in enumerate(practices, start)
                    for doc in docs.get(practice.pk, [])
                ],
                batch_size=1000,
            )
        if (start // batch) % 10 == 0:
            log(f"  practices: {start + len(chunk):,} / {count:,}")
    t = time.perf_counter()
    indexing.rebuild_ann_index()
    log(f"  ANN index rebuilt in {time.perf_counter() - t:.0f} s")


# --- server ---------------------------------------------------------------------------------------


def start_server(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    WORK.mkdir(parents=True, exist_ok=True)
    server_log = (WORK / "gunicorn.log").open("wb")
    # As in the Procfile: gunicorn, N workers, the access log on stdout (here into the log file).
    command = [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        "--forwarded-allow-ips=127.0.0.1",
    ]
    process = subprocess.Popen(  # nosec B603
        command, env=env, cwd=ROOT, stdout=server_log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}); see {WORK / 'gunicorn.log'}")
        try:
            if fetch(args, "/livez")[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(process)
    raise SystemExit("gunicorn did not answer /livez within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fetch(args: argparse.Namespace, path: str, cookie: str = "") -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(f"http://127.0.0.1:{args.port}{path}")
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # nosec B310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), ""


def pages(db: str) -> dict[str, str]:
    """The measured addresses: an organisation and a practice with content, a realistic query."""
    org = psql(
        "SELECT o.slug FROM directory_organisation o JOIN partnerships_partnershipmember m "
        "ON m.organisation_id = o.id GROUP BY o.slug ORDER BY count(*) DESC, o.slug LIMIT 1",
        db,
    )
    practice = psql(
        "SELECT slug FROM knowledge_practice WHERE status='published' "
        "ORDER BY slug LIKE 'bench-%' DESC, id DESC LIMIT 1",
        db,
    )
    query = urllib.parse.urlencode({"q": SEARCH_QUERY})
    return {
        "empty view (/livez)": "/livez",
        "home": "/en/",
        "directory list": "/en/directory/",
        "organisation page": f"/en/directory/{org}/",
        "practice page": f"/en/practices/{practice}/",
        "search": f"/en/search/?{query}",
        "partnership list": "/en/partnerships/",
        "dashboard (insights)": "/en/insights/",
    }


# --- load -----------------------------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url: str, connections: int, seconds: float, cookie: str = "") -> dict[str, Any]:
    threads = min(2, connections)
    duration = f"{max(1, round(seconds))}s"
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", duration, "--latency"]
    command += ["--timeout", "30s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    # wrk on a loopback address
    out = subprocess.run(  # nosec B603 B607
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50_ms": _ms(latency["50"]) if "50" in latency else None,  # None: no request finished
        "p99_ms": _ms(latency["99"]) if "99" in latency else None,
        "requests": total,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def measure(
    args: argparse.Namespace, urls: dict[str, str], cookie: str, label: str
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    base = f"http://127.0.0.1:{args.port}"
    for connections in args.connections:
        empty: float | None = None
        for name, path in urls.items():
            wrk(base + path, connections, args.warmup, cookie)
            result = wrk(base + path, connections, args.duration, cookie)
            if empty is None:
                empty = result["rps"]
            result.update(
                {
                    "pass": label,
                    "page": name,
                    "path": path,
                    "connections": connections,
                    "ratio": result["rps"] / empty if empty else 0.0,
                }
            )
            rows.append(result)
            print(format_row(result), flush=True)
    return rows


def format_row(row: dict[str, Any]) -> str:
    flag = "" if row["ratio"] >= 0.4 or row["path"] == "/livez" else "  < 40 %"
    bad = f"  non-2xx {row['non_2xx']}" if row["non_2xx"] else ""
    errors = f"  socket errors: {row['socket_errors']}" if row["socket_errors"] else ""
    p50, p99 = (
        f"{v:>8.1f}" if v is not None else f"{'-':>8}" for v in (row["p50_ms"], row["p99_ms"])
    )
    return (
        f"| {row['page']:<22} | {row['connections']:>3} | {row['rps']:>8.0f} | "
        f"{p50} | {p99} | {row['ratio']:>6.2f} |{flag}{bad}{errors}"
    )


HEADER = (
    "| page                   | conn |    req/s | p50 (ms) | p99 (ms) | ratio |\n"
    "| ---------------------- | ---: | -------: | -------: | -------: | ----: |"
)


def check_pages(args: argparse.Namespace, urls: dict[str, str]) -> dict[str, str]:
    """Every page answers 200; say what the page cache does with each (second request)."""
    seen = {}
    for name, path in urls.items():
        status, _headers, body = fetch(args, path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}: fix that before measuring")
        status, headers, _body = fetch(args, path)
        seen[name] = headers.get("X-Page-Cache", "-")
        log(f"  {name:<22} {path}  {len(body) / 1024:.0f} KiB, page cache: {seen[name]}")
    return seen


# --- main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--reuse", action="store_true", help="measure on the database built before")
    parser.add_argument("--drop", action="store_true", help="drop the bench database at the end")
    parser.add_argument("--db", default="citypeers_bench_web")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--practices", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (Procfile: 3)")
    parser.add_argument("--connections", default="1,16,64")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up before each")
    parser.add_argument(
        "--passes", default="anonymous,session", help="anonymous (page cache), session (no cache)"
    )
    parser.add_argument(
        "--serve", action="store_true", help="only start the server (until Ctrl-C), to look around"
    )
    parser.add_argument("--add-practices", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stop-after", choices=PHASES, help="build up to this phase, then stop")
    args = parser.parse_args()
    if args.add_practices is not None:
        add_practices(args.add_practices)
        return
    if not shutil.which("wrk"):
        raise SystemExit(WRK_MISSING)
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.db):
        raise SystemExit("--db: lower-case letters, digits and _ only")
    args.connections = [int(c) for c in args.connections.split(",") if c]
    env = server_env(args, secrets.token_urlsafe(50))

    done = phases_done(args.db)
    if args.reuse and done >= set(PHASES):
        log(f"reusing database {args.db}: {published_practices(args.db):,} published practices")
    else:
        if args.reuse:
            log(f"reusing what is built in {args.db}: {sorted(done) or 'nothing'}")
        build(args, env, reuse=args.reuse)
        if args.stop_after:
            return
    subprocess.run(  # nosec B603
        [str(BIN / "citypeers"), "collectstatic", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    # empties the bench's own Redis database
    subprocess.run(  # nosec B603 B607
        ["redis-cli", "-u", args.redis, "FLUSHDB"], capture_output=True, check=False
    )
    log(f"starting gunicorn ({args.workers} workers) on 127.0.0.1:{args.port}")
    # SIGTERM ends the run like Ctrl-C: the finally clause below stops gunicorn.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    server = start_server(args, env)
    try:
        if args.serve:
            log(f"serving on http://127.0.0.1:{args.port}/ until Ctrl-C")
            server.wait()
            return
        urls = pages(args.db)
        cache_seen = check_pages(args, urls)
        counts = {
            "organisations": int(psql("SELECT count(*) FROM directory_organisation", args.db)),
            "partnerships": int(psql("SELECT count(*) FROM partnerships_partnership", args.db)),
            "published_practices": published_practices(args.db),
            "search_documents": int(psql("SELECT count(*) FROM search_searchdocument", args.db)),
        }
        log(f"data: {counts}")
        results: list[dict[str, Any]] = []
        load_at_start = os.getloadavg()
        for label in args.passes.split(","):
            cookie = "sessionid=bench-no-such-session" if label == "session" else ""
            what = "a session cookie: no page cache" if cookie else "no cookie"
            print(f"\n{label} visitors ({what})")
            print(HEADER, flush=True)
            results += measure(args, urls, cookie, label)
        machine = {
            "cores": os.cpu_count(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": os.getloadavg(),
            "note": "wrk and gunicorn on the same cores, machine shared with other work",
        }
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(
            json.dumps(
                {
                    "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "workers": args.workers,
                    "duration_s": args.duration,
                    "warmup_s": args.warmup,
                    "data": counts,
                    "page_cache_on_second_request": cache_seen,
                    "machine": machine,
                    "results": results,
                },
                indent=2,
            )
        )
        print(f"\nwritten to {OUT.relative_to(ROOT)}")
        below = [r for r in results if r["pass"] == "anonymous" and r["ratio"] < 0.4]
        print(
            "target (anonymous pages ≥ 40 % of /livez): "
            + ("met" if not below else f"missed by {len(below)} measurement(s)")
        )
    except KeyboardInterrupt:
        pass
    finally:
        stop_server(server)
        log("gunicorn stopped")
        if args.drop:
            psql(f'DROP DATABASE IF EXISTS "{args.db}"')
            log(f"database {args.db} dropped")


if __name__ == "__main__":
    main()
