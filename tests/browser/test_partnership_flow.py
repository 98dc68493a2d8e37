"""In a real Chromium: a partnership proposed, accepted, run and ended, as two people would do it.

Amina edits for the Ville de Dakar and Lucía for the Ayuntamiento de Sevilla (demo accounts). Every
step goes through the pages and ends up in the partnership's history.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

TITLE = "Browser check: coastal resilience exchange"


def log_in(page, server_url: str, username: str, password: str) -> None:
    page.goto(f"{server_url}/en/accounts/log-in/")
    page.get_by_label("Username or e-mail address").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server_url}/en/")


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()


def test_propose_accept_run_and_end_a_partnership(page, server_url, demo_passwords):
    # Amina proposes a partnership from Dakar to Sevilla.
    log_in(page, server_url, "amina", demo_passwords["amina"])
    page.goto(f"{server_url}/en/partnerships/new/?with=ayuntamiento-de-sevilla")
    page.get_by_label("Your organisation").select_option("ville-de-dakar")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Modality").select_option("c2c")
    page.get_by_label("Objectives").fill("Share early-warning practice for coastal flooding")
    page.get_by_role("button", name="Propose the partnership").click()
    page.wait_for_url(re.compile(r"/en/partnerships/[\w-]+/$"))
    detail_url = page.url
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    assert "Proposed" in page.locator("main").inner_text()
    log_out(page)

    # Lucía sees the invitation and accepts for Sevilla.
    log_in(page, server_url, "lucia", demo_passwords["lucia"])
    page.goto(f"{server_url}/en/partnerships/invitations/")
    invitation = page.locator("li, article, tr, section").filter(has_text=TITLE).last
    invitation.get_by_role("button", name=re.compile("^Accept for")).click()
    page.goto(detail_url)
    assert "Active" in page.locator("main").inner_text()

    # She records an exchange visit.
    page.get_by_role("link", name="Add an activity").click()
    page.get_by_label("Kind").select_option("exchange_visit")
    page.get_by_label("Title", exact=False).first.fill(
        "Study visit to the Dakar flood-warning unit"
    )
    page.get_by_label("Start date").fill("2026-03-02")
    page.get_by_role("button", name="Add the activity").click()
    page.wait_for_url(detail_url)
    assert "Study visit to the Dakar flood-warning unit" in page.locator("main").inner_text()

    # And ends the partnership, giving the reason.
    page.get_by_role("link", name="Change the status").click()
    page.get_by_label("New status").select_option("ended")
    page.get_by_label("Reason").fill("The exchange reached its objective.")
    page.get_by_role("button", name="Change the status").click()
    page.wait_for_url(detail_url)
    text = page.locator("main").inner_text()
    assert "Ended" in text
    assert "The exchange reached its objective." in text

    # Every step is in the history, in order: proposed, accepted, active, activity, ended.
    entries = page.locator("ol.timeline > li").all_inner_texts()
    assert len(entries) >= 5, entries
    assert "Amina" in entries[0]
    assert any("Lucía" in e for e in entries[1:])
    assert "The exchange reached its objective." in entries[-1]
