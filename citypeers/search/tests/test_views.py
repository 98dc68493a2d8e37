"""The search page over HTTP, against the real engine: the page and its htmx fragment, facets as
links that add a filter, highlighted snippets that stay escaped, the header's search box."""

from __future__ import annotations

import re
from html import unescape
from io import StringIO
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.utils import translation

from citypeers.directory.tests.factories import OrganisationFactory
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.partnerships.tests.factories import PartnershipFactory
from citypeers.search.templatetags.search_tags import highlight

pytestmark = pytest.mark.django_db

URL = "/en/search/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def reindex() -> None:
    call_command("reindex", stdout=StringIO(), stderr=StringIO())


def text(response) -> str:
    return response.content.decode()


def hits(response) -> list[tuple[str, str]]:
    """(type, title) of each hit, in order."""
    return [
        (kind, unescape(title))
        for kind, title in re.findall(
            r'<li class="hit hit-(\w+)".*?<a href="[^"]+" lang="\w+">([^<]+)</a>',
            text(response),
            flags=re.S,
        )
    ]


def facet_links(response, facet: str) -> dict[str, str]:
    """value → href of each link of a facet."""
    return {
        value: unescape(href)
        for href, value in re.findall(
            rf'<a href="([^"]*)" data-facet="{facet}" data-value="([^"]*)"', text(response)
        )
    }


@pytest.fixture
def corpus():
    rain = PracticeFactory(
        title="Recogida de agua de lluvia en las escuelas",
        language="es",
        texts={
            "summary": "Las escuelas públicas recogen el agua de lluvia de sus tejados en "
            "cisternas para los baños y el riego de los huertos escolares."
        },
    )
    kiosks = PracticeFactory(
        title="Water kiosks",
        texts={
            "summary": '<script>alert("x")</script> Water kiosks sell clean water '
            '<img src=x onerror="alert(1)"> in informal settlements.'
        },
    )
    utility = OrganisationFactory(
        name="Harbour Water Utility",
        descriptions={"en": "The public water utility of the harbour district."},
    )
    twinning = PartnershipFactory(
        title="Harbour cities water partnership",
        descriptions={"en": "Two harbour cities exchange on water supply and drainage."},
    )
    reindex()
    return {"rain": rain, "kiosks": kiosks, "utility": utility, "twinning": twinning}


class TestHighlightFilter:
    def test_escapes_before_marking(self):
        out = highlight('<script>alert("x")</script> clean \x02water\x03 <b>')

        assert out == (
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; clean <mark>water</mark> &lt;b&gt;"
        )

    def test_marker_inside_markup_cannot_open_a_tag(self):
        out = highlight("\x02<img src=x onerror=alert(1)>\x03")

        assert out == "<mark>&lt;img src=x onerror=alert(1)&gt;</mark>"

    def test_unbalanced_markers_stay_well_formed(self):
        assert highlight("a \x02cut") == "a <mark>cut</mark>"
        assert highlight("stray\x03 end") == "stray end"
        assert highlight("") == ""


class TestPage:
    def test_without_query_shows_the_form(self, client):
        response = client.get(URL)

        assert response.status_code == 200
        page = text(response)
        assert 'role="search"' in page
        assert 'id="search-status"' in page and 'aria-live="polite"' in page
        assert '<label for="id_q">' in page
        assert not hits(response)

    def test_results_with_types_language_and_timing(self, client, corpus):
        response = client.get(URL, {"q": "harbour water"})

        assert response.status_code == 200
        found = hits(response)
        assert ("organisation", "Harbour Water Utility") in found
        assert ("partnership", "Harbour cities water partnership") in found
        page = text(response)
        assert '<span class="tag type type-organisation">Organisation</span>' in page
        assert re.search(r"took \d+ ms", page)
        assert re.search(r'id="search-status"[^>]*>\d+ results? for “harbour water”', page)

    def test_french_query_finds_spanish_practice_and_says_its_language(self, client, corpus):
        response = client.get(
            URL, {"q": "récupération des eaux de pluie dans les écoles", "types": "practice"}
        )

        assert hits(response)[0] == ("practice", "Recogida de agua de lluvia en las escuelas")
        assert "in Spanish" in text(response)

    def test_hostile_snippet_stays_escaped(self, client, corpus):
        response = client.get(URL, {"q": "water kiosks", "types": "practice"})

        page = text(response)
        assert ("practice", "Water kiosks") in hits(response)
        assert "<script>alert" not in page
        assert "onerror=" not in page.replace("onerror=&quot;", "")
        assert "<img" not in page
        assert re.search(r'<p class="snippet" lang="en">[^<]*(<mark>[^<]+</mark>[^<]*)+</p>', page)

    def test_invalid_filter_is_reported_and_ignored(self, client, corpus):
        response = client.get(URL, {"q": "harbour water", "sdg": "99", "types": "event"})

        assert response.status_code == 200
        page = text(response)
        assert 'id="id_sdg_error"' in page and 'id="id_types_error"' in page
        assert ("organisation", "Harbour Water Utility") in hits(response)

    def test_header_box_searches_everything(self, client):
        page = text(client.get("/en/directory/"))

        assert re.search(r'<form class="site-search" role="search" action="/en/search/"', page)
        assert 'id="site-search-q"' in page
        # The place autocomplete stays on the home page and on places pages.
        assert 'id="home-search-q"' in text(client.get("/en/"))
        assert 'class="place-search"' in text(client.get("/en/places/"))


class TestHtmx:
    def test_form_request_gets_the_fragment_and_a_shareable_url(self, client, corpus):
        response = client.get(
            URL,
            {"q": "harbour water", "types": "organisation", "theme": ""},
            HTTP_HX_REQUEST="true",
        )

        page = text(response)
        assert response.status_code == 200
        assert "<html" not in page and "<form" not in page
        assert hits(response) == [("organisation", "Harbour Water Utility")]
        assert 'hx-swap-oob="true"' in page  # the live count outside the results
        pushed = urlparse(response["HX-Push-Url"])
        assert pushed.path == URL
        assert parse_qs(pushed.query) == {"q": ["harbour water"], "types": ["organisation"]}
        assert "HX-Request" in response["Vary"]

    def test_boosted_link_gets_the_page(self, client, corpus):
        response = client.get(
            URL, {"q": "harbour water"}, HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true"
        )

        assert "<html" in text(response) and "<form" in text(response)


class TestFacets:
    def test_each_value_is_a_link_that_adds_the_filter(self, client, corpus):
        response = client.get(URL, {"q": "harbour water"})

        links = facet_links(response, "type")
        assert {"organisation", "partnership"} <= set(links)
        query = parse_qs(urlparse(links["organisation"]).query)
        assert query == {"q": ["harbour water"], "types": ["organisation"]}

        narrowed = client.get(URL + links["organisation"])

        assert {kind for kind, _title in hits(narrowed)} == {"organisation"}
        chosen = facet_links(narrowed, "type")["organisation"]
        assert parse_qs(urlparse(chosen).query) == {"q": ["harbour water"]}  # removes it

    def test_counts_per_language(self, client, corpus):
        response = client.get(URL, {"q": "agua lluvia escuelas"})

        assert "es" in facet_links(response, "language")
        assert re.search(
            r'data-facet="language" data-value="es"><span class="label">Spanish</span> '
            r'<span class="n">\d+</span>',
            text(response),
        )

    def test_pagination_keeps_the_query(self, client, corpus):
        for n in range(23):
            PracticeFactory(title=f"Street trees {n}", texts={"summary": "Planting street trees."})
        reindex()

        first = client.get(URL, {"q": "street trees", "types": "practice"})
        assert len(hits(first)) == 20
        nxt = re.search(r'<a rel="next" href="([^"]+)"', text(first))
        assert nxt
        query = parse_qs(urlparse(unescape(nxt.group(1))).query)
        assert query == {"q": ["street trees"], "types": ["practice"], "page": ["2"]}

        second = client.get(URL + unescape(nxt.group(1)))
        assert hits(second) and not set(hits(second)) & set(hits(first))

    def test_a_full_page_costs_a_fixed_number_of_queries(
        self, client, corpus, django_assert_max_num_queries
    ):
        for n in range(25):
            PracticeFactory(title=f"Street trees {n}", texts={"summary": "Planting street trees."})
        reindex()

        with django_assert_max_num_queries(15):
            response = client.get(URL, {"q": "street trees"})

        assert len(hits(response)) == 20
