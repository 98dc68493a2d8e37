"""In a real Chromium: the world map of the insights draws the demo network from stored figures,
pans on drag, zooms with the buttons and the keyboard, and loads without a console error (a CSP
violation would be one). A screenshot goes to the test's temporary folder; the bytes the page
loaded over the wire are printed (``-s`` shows them)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def refreshed(server_url, server_var):
    """The stored figures of the test server's database (the demo network)."""
    env = {
        **os.environ,
        "CITYPEERS_ENV": "development",
        "CITYPEERS_VAR_DIR": str(server_var),
        "DATABASE_URL": f"sqlite:///{server_var / 'browser.sqlite3'}",
    }
    citypeers = str(Path(sys.executable).parent / "citypeers")
    done = subprocess.run(
        [citypeers, "insights-refresh"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    assert "Insights refreshed" in done.stdout
    return server_url


def _transform(page) -> tuple[float, float, float]:
    value = page.locator("svg.map-svg g.viewport").get_attribute("transform") or ""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", value)]
    return (numbers[0], numbers[1], numbers[2]) if len(numbers) == 3 else (0.0, 0.0, 1.0)


def test_world_map_draws_pans_and_zooms(page, refreshed, tmp_path):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    received: dict[str, int] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: received.__setitem__(e["requestId"], e["encodedDataLength"]),
    )

    page.set_viewport_size({"width": 1280, "height": 900})
    response = page.goto(f"{refreshed}/en/insights/map/")
    assert response is not None and response.status == 200
    page.wait_for_selector("#world-map[data-level=country]", timeout=15000)

    # Countries from world-atlas, arcs and points from the stored figures.
    assert page.locator("svg.map-svg path.country").count() > 150
    shaded = page.locator("svg.map-svg path.country:not(.nodata)").count()
    assert shaded > 5, "no country is shaded by its partnerships"
    assert page.locator("svg.map-svg path.link").count() > 0
    assert page.locator("svg.map-svg circle.point").count() > 0
    # The accessible fallback: the same figures as a table.
    assert page.locator("#chart-countries table tbody tr").count() >= shaded

    shot = tmp_path / "insights-map.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000

    # Drag pans the map.
    x0, y0, k0 = _transform(page)
    box = page.locator("svg.map-svg").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    # At the whole-world view the map cannot move; zoom first with the button.
    page.mouse.up()
    page.get_by_role("button", name="Zoom in").click()
    page.wait_for_timeout(100)
    x1, y1, k1 = _transform(page)
    assert k1 > k0
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(
            box["x"] + box["width"] / 2 + 6 * step, box["y"] + box["height"] / 2 + 2 * step
        )
    page.mouse.up()
    page.wait_for_timeout(100)
    x2, y2, k2 = _transform(page)
    assert (x2, y2) != (x1, y1) and k2 == k1, "the map did not pan on drag"

    # The keyboard pans too, and the wheel zooms down to cities.
    page.locator("svg.map-svg").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(100)
    assert _transform(page)[0] != x2
    page.keyboard.press("0")
    page.wait_for_timeout(100)
    assert _transform(page) == (0.0, 0.0, 1.0)
    # Over Europe.
    page.mouse.move(box["x"] + box["width"] * 0.52, box["y"] + box["height"] * 0.27)
    for _ in range(4):
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(50)
    page.wait_for_selector("#world-map[data-level=city]", timeout=15000)
    assert page.locator("svg.map-svg circle.point").count() > 0
    page.screenshot(path=str(tmp_path / "insights-map-cities.png"))
    total = sum(received.values())
    print(f"\ninsights map: {total} bytes over the wire; screenshot {shot}")
    assert 0 < total < 1_000_000
    assert errors == [], f"console errors: {errors}"
