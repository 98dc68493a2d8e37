"""Schemathesis against the live API: every operation, anonymous and with a token, no 5xx and no
answer outside the schema.

    .venv/bin/python bench/api_fuzz.py [--examples 30] [--modes positive,negative]
                                       [--only REGEX] [--database-url URL] [--keep]

What it does, all on this machine:

1. A fresh database in a temporary folder (SQLite, or ``--database-url`` for PostgreSQL: that
   database is wiped), migrated, with the reference data and the demo data set (so identifiers
   in paths sometimes name real records), and an API token with write scope for ``demo-admin``
   (staff: every permission check lets it through, so the writes go deep).
2. The platform served by gunicorn on a free loopback port, with the rate limits off (they would
   answer 429 to a fuzzer, which is their job, not a finding).
3. For each operation of ``/api/v1/openapi.json``, as an anonymous caller and with the token:
   Hypothesis-generated requests valid under the schema (``positive``) and, unless left out,
   requests that break it (``negative``); each answer is checked with schemathesis'
   ``not_a_server_error`` and ``response_schema_conformance`` (plus, for negative requests,
   that they are rejected with a 4xx: ``negative_data_rejection``).
4. A table per operation and mode: cases sent, failing cases, the status codes seen; every
   distinct failure with a curl command to reproduce it goes to ``api-fuzz-failures.json`` in the
   temporary folder (kept with ``--keep``). Exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BASE_URL = [""]
VALUES: dict[tuple[str, str], list[Any]] = {}


@dataclass
class Tally:
    cases: int = 0
    failing: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)
    accepted_invalid: int = 0
    advisories: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: str = ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(BIN / "citypeers"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"citypeers {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare(env: dict[str, str], database_url: str | None) -> str:
    """Migrate, load the reference and demo data, and return a write token for demo-admin."""
    started = time.perf_counter()
    run(["migrate", "--noinput", "-v", "0"], env)
    if database_url:
        run(["flush", "--noinput"], env)  # the database named is the fuzzer's to wipe
    run(["load-reference"], env)
    run(["load-demo"], env)
    token = run(["create-api-token", "demo-admin", "--name", "api-fuzz"], env).strip()
    print(f"database ready in {time.perf_counter() - started:.0f} s", flush=True)
    return token


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "120",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(env["CITYPEERS_VAR_DIR"]) / "gunicorn.log", "wb"),  # noqa: SIM115
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                sys.exit("the server did not start (see gunicorn.log)")
            time.sleep(0.3)


#: Path parameters, by the path segment before them, and where real values for them are found:
#: half the generated requests use a real one, so the fuzzer gets past the 404 into the endpoint.
PATH_VALUES = {
    ("activities", "id"): ("partnerships.Activity", "pk"),
    ("bans", "username"): ("accounts.User", "username"),
    ("cities", "geonameid"): ("places.City", "geonameid"),
    ("communities", "id"): ("learning.Community", "pk"),
    ("countries", "iso3"): ("places.Country", "iso3"),
    ("events", "id"): ("learning.Event", "pk"),
    ("follows", "id"): ("learning.Follow", "pk"),
    ("learning-notes", "id"): ("learning.LearningNote", "pk"),
    ("match-invitations", "id"): ("matching.MatchInvitation", "pk"),
    ("match-requests", "id"): ("matching.MatchRequest", "pk"),
    ("members", "organisation_id"): ("directory.Organisation", "pk"),
    ("memberships", "id"): ("directory.Membership", "pk"),
    ("news", "id"): ("learning.NewsArticle", "pk"),
    ("notifications", "id"): ("notifications.Notification", "pk"),
    ("organisations", "id"): ("directory.Organisation", "pk"),
    ("organisations", "organisation_id"): ("directory.Organisation", "pk"),
    ("partnerships", "id"): ("partnerships.Partnership", "pk"),
    ("practices", "id"): ("knowledge.Practice", "pk"),
    ("registrations", "id"): ("learning.Registration", "pk"),
    ("replies", "id"): ("learning.Reply", "pk"),
    ("reports", "id"): ("learning.Report", "pk"),
    ("results", "id"): ("partnerships.Result", "pk"),
    ("revisions", "id"): ("knowledge.Revision", "pk"),
    ("sdg-suggestions", "id"): ("knowledge.SdgSuggestion", "pk"),
    ("themes", "slug"): ("directory.Theme", "slug"),
    ("threads", "id"): ("learning.Thread", "pk"),
}
LANGUAGES = ["en", "fr", "es", "pt"]


def real_values(env: dict[str, str]) -> dict[tuple[str, str], list[Any]]:
    """Values of :data:`PATH_VALUES` read from the fuzzer's database (at most 200 of each)."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.apps import apps

    values: dict[tuple[str, str], list[Any]] = {("translations", "lang"): LANGUAGES}
    for key, (label, column) in PATH_VALUES.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        values[key] = list(model._base_manager.values_list(column, flat=True)[:200])
    return values


def path_keys(path: str) -> dict[str, tuple[str, str]]:
    """``{parameter: (segment before it, parameter)}`` for the parameters of a path."""
    found = re.finditer(r"/([a-z0-9-]+)/\{(\w+)\}", path)
    return {m.group(2): (m.group(1), m.group(2)) for m in found}


def make_probe(
    operation: Any,
    generation: Any,
    examples: int,
    tally: Tally,
    headers: dict[str, str],
    checks: list[Any],
    advisory: list[Any],
) -> Any:
    """A Hypothesis test sending ``examples`` generated requests to one operation."""
    import requests
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from schemathesis.core.failures import FailureGroup

    session = requests.Session()
    keys = path_keys(operation.path)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=generation), data=st.data())
    def probe(case: Any, data: Any) -> None:
        for name, key in keys.items():
            if VALUES.get(key) and data.draw(st.booleans(), label=f"real {name}"):
                case.path_parameters[name] = data.draw(st.sampled_from(VALUES[key]), label=name)
        response = case.call(base_url=BASE_URL[0], session=session, headers=headers, timeout=60)
        tally.cases += 1
        tally.statuses[response.status_code] += 1
        if advisory:
            try:
                case.validate_response(response, checks=advisory, headers=headers)
            except FailureGroup as group:
                tally.accepted_invalid += 1
                for failure in group.exceptions:
                    tally.advisories.setdefault(
                        failure.title, {"message": str(failure.message)[:600]}
                    )
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except FailureGroup as group:
            tally.failing += 1
            for failure in group.exceptions:
                key = f"{type(failure).__name__}: {failure.title}"
                tally.failures.setdefault(
                    key,
                    {
                        "title": failure.title,
                        "message": str(failure.message)[:1500],
                        "status": response.status_code,
                        "body": response.text[:800],
                        "curl": case.as_curl_command(headers=headers)[:3000],
                    },
                )

    return probe


def fuzz(
    base_url: str, token: str, examples: int, modes: list[str], only: str | None
) -> dict[tuple[str, str, str], Tally]:
    import schemathesis
    from hypothesis.errors import Unsatisfiable
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        negative_data_rejection,
        response_schema_conformance,
    )

    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")
    callers = {"anonymous": {}, "token": {"Authorization": f"Bearer {token}"}}
    results: dict[tuple[str, str, str], Tally] = {}
    BASE_URL[0] = base_url
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if only and not re.search(only, label):
            continue
        for mode in modes:
            generation = schemathesis.GenerationMode(mode)
            checks = [not_a_server_error, response_schema_conformance]
            # Reported apart: an invalid request answered 2xx (often pydantic's lax coercion,
            # "1" → 1, or an unknown filter value ignored) is worth a look, not a failure.
            advisory = [negative_data_rejection] if mode == "negative" else []
            for caller, headers in callers.items():
                tally = Tally()
                results[(label, mode, caller)] = tally

                probe = make_probe(
                    operation, generation, examples, tally, headers, checks, advisory
                )
                try:
                    probe()
                except Unsatisfiable:
                    # Nothing to break: no parameters, or only free strings (negative mode).
                    tally.skipped = "no invalid request possible"
                except Exception as exc:  # a generation problem is a finding too
                    tally.failures.setdefault(
                        f"error: {type(exc).__name__}",
                        {"title": "could not generate or send", "message": str(exc)[:1500]},
                    )
                mark = "FAIL" if tally.failing or tally.failures else "ok"
                print(
                    f"{mark:4} {label:58} {mode:8} {caller:9} cases {tally.cases:4} "
                    f"failing {tally.failing:3} invalid-accepted {tally.accepted_invalid:3} "
                    f"statuses {dict(sorted(tally.statuses.items()))} {tally.skipped}",
                    flush=True,
                )
    return results


def report(results: dict[tuple[str, str, str], Tally], out: Path) -> int:
    per_operation: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (label, _mode, _caller), tally in results.items():
        per_operation[label][0] += tally.cases
        per_operation[label][1] += tally.failing
        per_operation[label][2] += tally.accepted_invalid
    print("\nper operation (all modes and callers): cases, failing cases, invalid accepted")
    for label, (cases, failing, accepted) in sorted(per_operation.items()):
        print(f"  {label:64} {cases:5} {failing:4} {accepted:4}")
    cases = sum(t.cases for t in results.values())
    failing = sum(t.failing for t in results.values())
    statuses: Counter[int] = Counter()
    for tally in results.values():
        statuses.update(tally.statuses)
    failures = {
        f"{label} [{mode}, {caller}]": tally.failures
        for (label, mode, caller), tally in results.items()
        if tally.failures
    }
    advisories = {
        f"{label} [{mode}, {caller}]": tally.advisories
        for (label, mode, caller), tally in results.items()
        if tally.advisories
    }
    out.write_text(
        json.dumps(
            {"failures": failures, "invalid_accepted": advisories}, indent=1, ensure_ascii=False
        )
    )
    print(f"\ninvalid requests accepted (advisory) in {len(advisories)} operation runs:")
    for where, found in advisories.items():
        print(f"  {where}: {'; '.join(found)}")
    print(
        f"\n{len(per_operation)} operations, {cases} cases, {failing} failing cases, "
        f"{sum(len(f) for f in failures.values())} distinct failures; statuses "
        f"{dict(sorted(statuses.items()))}"
    )
    for where, found in failures.items():
        for key, detail in found.items():
            print(f"\n--- {where}: {key}\n{detail.get('message', '')[:600]}")
            if "curl" in detail:
                print(detail["curl"][:600])
    print(f"\nfailures written to {out}")
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=30, help="cases per operation and mode")
    parser.add_argument("--modes", default="positive,negative")
    parser.add_argument("--only", help="only the operations whose 'METHOD /path' matches")
    parser.add_argument("--database-url", help="a PostgreSQL database to use (it is wiped)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--reuse", type=Path, help="a folder kept by --keep: skip the set-up")
    args = parser.parse_args()
    var = args.reuse or Path(tempfile.mkdtemp(prefix="citypeers-fuzz-"))
    if args.reuse:
        args.keep = True
    env = {
        **os.environ,
        "CITYPEERS_ENV": "development",
        "CITYPEERS_VAR_DIR": str(var),
        "DATABASE_URL": args.database_url or f"sqlite:///{var / 'fuzz.sqlite3'}",
        "DEBUG": "0",
        "RATE_LIMITS": "0",
        "LOGIN_THROTTLING": "0",
        "CITYPEERS_ENCODER_THREADS": "1",
    }
    env.pop("CACHE_URL", None)
    server = None
    try:
        token_file = var / "fuzz-token"
        if args.reuse and token_file.exists():
            token = token_file.read_text().strip()
        else:
            token = prepare(env, args.database_url)
            token_file.write_text(token)
            token_file.chmod(0o600)
        VALUES.update(real_values(env))
        port = free_port()
        server = serve(env, port)
        started = time.perf_counter()
        results = fuzz(
            f"http://127.0.0.1:{port}",
            token,
            args.examples,
            [m.strip() for m in args.modes.split(",") if m.strip()],
            args.only,
        )
        print(f"\nfuzzing took {time.perf_counter() - started:.0f} s")
        code = report(results, var / "api-fuzz-failures.json")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if not args.keep:
            kept = Path(tempfile.gettempdir()) / "citypeers-api-fuzz-failures.json"
            if (var / "api-fuzz-failures.json").exists():
                shutil.copy(var / "api-fuzz-failures.json", kept)
                print(f"(copied to {kept})")
            shutil.rmtree(var, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
