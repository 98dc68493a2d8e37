"""In a real Chromium: a practice written in French, reviewed and published by the city's editor,
translated into Spanish, and found by a search in English."""

from __future__ import annotations

import re

import pytest

from .test_partnership_flow import log_in

pytestmark = pytest.mark.browser

TITLE = "Fontaines publiques gérées par les comités de quartier"


def test_write_submit_publish_translate_and_find_a_practice(page, server_url, demo_passwords):
    log_in(page, server_url, "amina", demo_passwords["amina"])

    # Amina writes the practice in French for the Ville de Dakar.
    page.goto(f"{server_url}/en/practices/new/")
    page.get_by_label("Language of the text").select_option("fr")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill(
        "Des comités de quartier gèrent les bornes-fontaines et l’eau potable du quartier."
    )
    page.get_by_label("Context").fill("Les quartiers périphériques n’ont pas d’eau courante.")
    page.get_by_label("Lessons learned").fill(
        "**Confier la caisse** au comité a réduit les pannes."
    )
    page.get_by_label("Organisation responsible").select_option(label="Ville de Dakar")
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(re.compile(r"/en/practices/[\w-]+/(edit/)?$"))
    slug = re.search(r"/en/practices/([\w-]+)/", page.url).group(1)
    detail = f"{server_url}/en/practices/{slug}/"

    # She submits it for review, then publishes it as an editor of the city.
    page.goto(detail)
    page.get_by_role("button", name="Submit for review").click()
    page.goto(detail)
    page.get_by_role("button", name="Publish").click()
    page.goto(detail)
    main = page.locator("main").inner_text()
    assert TITLE in main
    assert "Draft" not in main and "Submitted" not in main
    assert page.locator("main strong", has_text="Confier la caisse").count() == 1

    # She adds a Spanish translation.
    page.goto(f"{detail}translate/?lang=es")
    page.get_by_label("Title").fill("Fuentes públicas gestionadas por comités de barrio")
    page.get_by_label("Summary").fill(
        "Comités de barrio gestionan las fuentes y el agua potable del barrio."
    )
    page.get_by_role("button", name="Save the translation").click()
    page.goto(f"{server_url}/es/practices/{slug}/")
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Fuentes públicas gestionadas por comités de barrio"
    )

    # A reader searching in English finds it.
    page.goto(f"{server_url}/en/search/?q=neighbourhood+committees+running+drinking+water+taps")
    results = page.locator("main").inner_text()
    assert TITLE in results or "Fuentes públicas gestionadas por comités de barrio" in results
