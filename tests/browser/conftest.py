"""A real server for browser tests: gunicorn on a fresh SQLite database with the reference data.

The server runs in its own process with its own ``var/`` folder, exactly as ``make run`` serves the
platform, so browser tests see what a person would see.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server_var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
def demo_passwords(server_url: str, server_var: Path) -> dict[str, str]:
    """The demo accounts' random passwords, as ``load-demo`` wrote them for the test server."""
    lines = (server_var / "demo-credentials.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines if "\t" in line)


@pytest.fixture(scope="session")
def server_url(server_var: Path) -> Iterator[str]:
    var = server_var
    env = {
        **os.environ,
        "CITYPEERS_ENV": "development",
        "CITYPEERS_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'browser.sqlite3'}",
        "DEBUG": "0",
    }
    bin_dir = Path(sys.executable).parent
    citypeers = str(bin_dir / "citypeers")
    for args in (
        ["migrate", "--noinput", "-v", "0"],
        ["load-reference"],
        ["load-demo"],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        subprocess.run([citypeers, *args], env=env, cwd=ROOT, check=True, capture_output=True)
    port = _free_port()
    process = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the test server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run 'make browser-deps' (apt install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    yield page
    context.close()
