"""Every page a reader can reach from the home page answers, and every link on it leads somewhere.

The demo is loaded (organisations, partnerships, practices, events, news, discussions, match
requests) with the insights computed, then the site is crawled from /en/, /fr/ and /es/ by an
anonymous reader, an organisation member and a staff member, following the links of each page.
A page answering 5xx, or a link that leads to a 404, fails the test with the page it was found
on. To stay fast, at most two pages of each URL shape are opened in English and one in French
and in Spanish (e.g. two organisation pages), which is enough to render every template.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from citypeers.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=False)

LINK = re.compile(r'href="(/[^"#]*)"')
#: Links followed but not opened: files, feeds and downloads (tested by their own apps), the
#: admin, and actions that change state on GET-less forms or end the session.
SKIP = re.compile(
    r"/static/|/media/|/admin/|/logout|/log-out|/feed|\.ics|\.csv|\.json|\.geojson|\.xml|\.png"
    r"|/export|unsubscribe|/delete/|/api/"
)
#: Pages opened per URL shape and language: enough to render every template in each language.
PER_SHAPE = {"en": 2, "fr": 1, "es": 1}


def route_words() -> set[str]:
    """The literal words of the site's URL patterns (``directory``, ``edit``, ``people``, …)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    words: set[str] = set()

    def walk(patterns: list) -> None:
        for pattern in patterns:
            text = str(pattern.pattern)
            words.update(w for w in re.split(r"<[^>]*>|[/^$?.\\()\[\]+*]", text) if w)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif not isinstance(pattern, URLPattern):
                continue

    walk(get_resolver().url_patterns)
    return words


def shape(url: str, words: set[str]) -> tuple[str, str]:
    """``/fr/directory/ville-de-paris/people/?page=2`` → (``fr``, ``/directory/*/people/?``):
    every part of the path that is not a word of the URL patterns is a value."""
    path = url.split("?")[0]
    parts = [p for p in path.split("/") if p]
    language = parts.pop(0) if parts and parts[0] in PER_SHAPE else "en"
    generic = [p if p in words else "*" for p in parts]
    return language, "/" + "/".join(generic) + ("?" if "?" in url else "")


def crawl(client: Client, limit: int = 1500) -> tuple[int, list[str]]:
    queue: deque[tuple[str, str]] = deque((f"/{lang}/", "start") for lang in ("en", "fr", "es"))
    seen: set[str] = set()
    per_shape: Counter[tuple[str, str]] = Counter()
    words = route_words()
    problems: list[str] = []
    opened = 0
    while queue and opened < limit:
        url, found_on = queue.popleft()
        if url in seen or SKIP.search(url):
            continue
        seen.add(url)
        kind = shape(url, words)
        per_shape[kind] += 1
        if per_shape[kind] > PER_SHAPE[kind[0]]:
            continue
        response = client.get(url)
        opened += 1
        if response.status_code >= 500 or response.status_code == 404:
            problems.append(f"{response.status_code} {url} (linked from {found_on})")
            continue
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            for link in LINK.findall(response.content.decode()):
                link = link.replace("&amp;", "&")
                if link not in seen:
                    queue.append((link, url))
    return opened, problems


@pytest.fixture
def demo(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("load-demo", stdout=StringIO())
    call_command("insights-refresh", stdout=StringIO())


def test_every_reachable_page_answers_and_every_link_leads_somewhere(demo):
    # One demo for the three readers: loading it is most of the test's time.
    for who in (None, "amina", "demo-admin"):
        client = Client()
        if who:
            client.force_login(User.objects.get(username=who))

        opened, problems = crawl(client)

        assert opened > 100, who  # the crawl really went through the site
        assert problems == [], who
