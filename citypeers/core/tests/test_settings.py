"""The settings profiles, each read in a fresh interpreter from its environment variables."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
READ = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "tasks": s.TASKS["default"]["BACKEND"],
    "when_down": s.TASKS["default"].get("OPTIONS", {}).get("WHEN_QUEUE_DOWN"),
    "cache": s.CACHES["default"]["BACKEND"],
    "rq": "django_rq" in s.INSTALLED_APPS,
    "db": s.DATABASES["default"]["ENGINE"],
    "conn_max_age": s.DATABASES["default"]["CONN_MAX_AGE"],
    "health_checks": s.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "hsts": s.SECURE_HSTS_SECONDS, "redirect": s.SECURE_SSL_REDIRECT,
    "secure_cookies": s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE,
}))
"""
PRODUCTION = {
    "CITYPEERS_ENV": "production",
    "ALLOWED_HOSTS": "peers.example.org",
    "DATABASE_URL": "postgres://citypeers@db.internal:5432/citypeers",
    "REDIS_URL": "redis://redis.internal:6379/0",
}


def _run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CITYPEERS", "DJANGO"))}
    for name in ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CACHE_URL", "TASKS_BACKEND"]:
        clean.pop(name, None)
    clean.update(
        {"DJANGO_SETTINGS_MODULE": "config.settings", "CITYPEERS_VAR_DIR": str(tmp_path), **env}
    )
    return subprocess.run(
        args, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def _read(env: dict[str, str], tmp_path: Path) -> dict[str, object]:
    done = _run([sys.executable, "-c", READ], env, tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_embedded_default_is_unchanged(tmp_path):
    seen = _read({}, tmp_path)
    assert seen["tasks"] == "django_tasks.backends.immediate.ImmediateBackend"
    assert seen["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert seen["db"] == "django.db.backends.sqlite3"
    assert seen["rq"] is False and seen["hsts"] == 0 and seen["redirect"] is False


def test_production_reads_postgres_redis_and_https_from_the_environment(tmp_path):
    seen = _read({**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)}, tmp_path)
    assert seen["tasks"] == "citypeers.core.task_backend.QueueBackend"
    assert seen["when_down"] == "run"
    assert seen["cache"] == "citypeers.core.cache.ResilientRedisCache"
    assert seen["rq"] is True
    assert seen["db"] == "django.db.backends.postgresql"
    assert seen["conn_max_age"] == 60 and seen["health_checks"] is True
    assert seen["hsts"] == 31536000 and seen["redirect"] is True and seen["secure_cookies"] is True


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    done = _run([sys.executable, "-c", READ], PRODUCTION, tmp_path)
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)}
    done = _run(
        [sys.executable, "-m", "citypeers.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env,
        tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
