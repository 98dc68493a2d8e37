"""Exports and feeds stay whole when stored text holds control characters or script: every
export streams to its end, XML parses, and the JSON is JSON (the API fuzzer stored a title with
an ESC character and the IATI export then stopped half-way)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from icalendar import Calendar
from lxml import etree

from citypeers.directory.tests.factories import OrganisationFactory
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.learning.tests.factories import EventFactory, NewsArticleFactory
from citypeers.partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

NASTY = "Caf\x1b\x01\x0b\x0c\x7f <script>alert('x')</script> \U0001f600 ]]> &amp; end"

EXPORTS = {
    "/api/v1/organisations/export.csv": "csv",
    "/api/v1/organisations/export.json": "json",
    "/api/v1/organisations/popolo.json": "json",
    "/api/v1/partnerships/export.csv": "csv",
    "/api/v1/partnerships/export.json": "json",
    "/api/v1/partnerships/export.geojson": "json",
    "/api/v1/partnerships/iati.xml": "xml",
    "/en/practices/feed/rss/": "xml",
    "/en/practices/feed/atom/": "xml",
    "/en/learning/news/feed/rss/": "xml",
    "/en/learning/news/feed/atom/": "xml",
}


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_export_survives_control_characters():
    organisation = OrganisationFactory(name=f"Org {NASTY}", descriptions={"en": NASTY})
    PartnershipFactory(
        title=f"Partnership {NASTY}",
        descriptions={"en": NASTY},
        members=[organisation, OrganisationFactory(name=NASTY)],
    )
    PracticeFactory(title=f"Practice {NASTY}", texts={"summary": NASTY}, owner=organisation)
    NewsArticleFactory(title=f"News {NASTY}", summary=NASTY, body=NASTY)
    event = EventFactory(title=f"Event {NASTY}", summary=NASTY, organisers=[organisation])
    client = Client()
    exports = {**EXPORTS, f"/en/learning/events/{event.slug}/calendar.ics": "ics"}
    for url, kind in exports.items():
        response = client.get(url)
        assert response.status_code == 200, url
        body = _body(response)  # the whole stream: an error half-way raises here
        if kind == "json":
            json.loads(body)
        elif kind == "xml":
            etree.fromstring(body)
        elif kind == "ics":
            calendar = Calendar.from_ical(body)
            assert "<script>" in str(calendar.walk("VEVENT")[0]["SUMMARY"])  # text, not markup
        else:
            assert body.count(b"\n") >= 2, url
