"""In a real Chromium: the home page in each language, the language switcher, the place search."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

ENGLISH_HEADING = "Cities learning from cities"


def _expected_heading(language: str) -> str:
    """The heading as the catalogue translates it, so the test follows the translation."""
    from django.utils import translation

    with translation.override(language):
        return str(translation.gettext("Cities learning from cities"))


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_home_page_in_each_language(page, server_url, language):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = page.goto(f"{server_url}/{language}/")
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == language
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == _expected_heading(language)
    if language != "en":
        assert heading.inner_text() != ENGLISH_HEADING, "the home page heading is not translated"
    # Real reference data is there: the figures are not zero.
    assert page.locator(".figures dd").first.inner_text().strip() not in {"", "0"}
    assert errors == [], f"console errors: {errors}"


def test_language_switcher_keeps_the_page(page, server_url):
    page.goto(f"{server_url}/en/places/countries/deu/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Germany")
    page.get_by_role("navigation", name="Language").get_by_role(
        "link", name=re.compile("^FR")
    ).click()
    page.wait_for_url(f"{server_url}/fr/places/countries/deu/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Allemagne")
    page.get_by_role("navigation", name=re.compile("Langue")).get_by_role(
        "link", name=re.compile("^ES")
    ).click()
    page.wait_for_url(f"{server_url}/es/places/countries/deu/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Alemania")


def test_place_autocomplete_with_keyboard(page, server_url):
    page.goto(f"{server_url}/en/")
    box = page.locator("#home-search-q")
    box.fill("sao pau")
    option = page.locator("#home-search-results [role=option]").first
    option.wait_for(timeout=5000)
    assert "São Paulo" in option.inner_text()
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/en/places/cities/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "São Paulo"
