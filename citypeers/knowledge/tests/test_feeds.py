"""RSS and Atom feeds of new practices: valid XML, newest first, in the feed's language where a
translation exists, plain-text summaries, theme categories, per theme and per language."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from citypeers.directory.tests.factories import theme
from citypeers.knowledge.models import Status
from citypeers.knowledge.tests.factories import PracticeFactory, PracticeTextFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def practices() -> dict[str, object]:
    now = timezone.now()
    water = PracticeFactory(
        title="Water kiosks",
        texts={"summary": "Kiosks <script>alert(1)</script> **sell** clean water."},
        themes=[theme("water-sanitation")],
        published_at=now,
    )
    PracticeTextFactory(practice=water, language="fr", title="Kiosques à eau", summary="De l'*eau*")
    older = PracticeFactory(title="Older practice", published_at=now - dt.timedelta(days=3))
    PracticeFactory(title="Hidden draft", status=Status.DRAFT)
    return {"water": water, "older": older}


def rss_items(client: Client, url: str) -> list[ET.Element]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    return root.findall("./channel/item")


def test_rss_lists_new_published_practices_newest_first(client, practices):
    items = rss_items(client, "/en/practices/feed/rss/")
    assert [i.findtext("title") for i in items] == ["Water kiosks", "Older practice"]
    first = items[0]
    assert first.findtext("link").endswith(practices["water"].get_absolute_url())
    assert first.findtext("pubDate")
    assert [c.text for c in first.findall("category")] == [theme("water-sanitation").label]
    description = first.findtext("description")
    # plain text, escaped for readers that take a description as HTML
    assert description == "Kiosks &lt;script&gt;alert(1)&lt;/script&gt; sell clean water."


def test_the_feed_language_shows_translations(client, practices):
    response = client.get("/fr/practices/feed/rss/")
    root = ET.fromstring(response.content)
    assert root.findtext("./channel/language") == "fr"
    titles = [i.findtext("title") for i in root.findall("./channel/item")]
    assert titles == ["Kiosques à eau", "Older practice"]
    assert root.findall("./channel/item")[0].findtext("description") == "De l'eau"
    assert root.findall("./channel/item")[0].findtext("link").startswith("http://testserver/fr/")


def test_per_theme_by_path_or_query(client, practices):
    for url in (
        "/en/practices/feed/rss/water-sanitation/",
        "/en/practices/feed/rss/?theme=water-sanitation",
    ):
        assert [i.findtext("title") for i in rss_items(client, url)] == ["Water kiosks"]
    assert client.get("/en/practices/feed/rss/no-such-theme/").status_code == 404


def test_per_language(client, practices):
    items = rss_items(client, "/en/practices/feed/rss/?language=fr")
    assert [i.findtext("title") for i in items] == ["Water kiosks"]


def test_atom(client, practices):
    response = client.get("/es/practices/feed/atom/water-sanitation/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Water kiosks"]
    entry = entries[0]
    assert entry.find(f"{ATOM}link").get("href").endswith(practices["water"].get_absolute_url())
    assert entry.findtext(f"{ATOM}published")
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == [
        theme("water-sanitation").label_es
    ]
