"""The public API at /api/v1/: countries, place search, cities, SDGs, errors and the description."""

from __future__ import annotations

import json

import pytest

from citypeers.places.models import City, Country

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, instance: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert body["status"] == status
    assert body["instance"] == instance
    assert body["type"].startswith("/api/v1/problems/")
    assert body["title"] and body["detail"]
    return body


class TestCountry:
    def test_one_country(self, client):
        response = client.get("/api/v1/countries/FRA")

        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {
            "iso3": "FRA",
            "iso2": "FR",
            "name": "France",
            "names": {"en": "France", "fr": "France", "es": "Francia"},
            "region": {"m49": "150", "name": "Europe"},
            "subregion": {"m49": "155", "name": "Western Europe"},
            "intermediate_region": None,
            "income_group": "high",
            "wesp_status": None,
            "global_south": False,
            "south_basis": "world_bank",
            "city_count": Country.objects.get(iso3="FRA").city_count,
        }

    def test_lower_case_code_and_a_country_of_the_south(self, client):
        body = client.get("/api/v1/countries/nga").json()

        assert (body["iso3"], body["income_group"], body["global_south"]) == (
            "NGA",
            "lower_middle",
            True,
        )
        assert body["intermediate_region"] == {"m49": "011", "name": "Western Africa"}

    @pytest.mark.parametrize(
        ("iso3", "income_group"),
        [("AFG", "low"), ("NGA", "lower_middle"), ("BRA", "upper_middle"), ("DEU", "high")],
    )
    def test_income_groups_are_readable_words(self, client, iso3, income_group):
        assert client.get(f"/api/v1/countries/{iso3}").json()["income_group"] == income_group

    def test_a_country_no_source_classifies_has_nulls(self, client):
        body = client.get("/api/v1/countries/ATA").json()

        assert body["region"] is None
        assert (body["income_group"], body["global_south"], body["south_basis"]) == (
            None,
            None,
            None,
        )

    def test_unknown_country_is_a_404_problem(self, client):
        body = assert_problem(client.get("/api/v1/countries/ZZZ"), 404, "/api/v1/countries/ZZZ")

        assert body["type"] == "/api/v1/problems/not-found"
        assert body["title"] == "Not Found"
        assert "ZZZ" in body["detail"]

    @pytest.mark.parametrize(
        ("language", "country", "region"),
        [("fr", "Allemagne", "Europe de l’Ouest"), ("es", "Alemania", "Europa occidental")],
    )
    def test_accept_language_gives_translated_names(self, client, language, country, region):
        body = client.get("/api/v1/countries/DEU", HTTP_ACCEPT_LANGUAGE=language).json()

        assert (body["name"], body["subregion"]["name"]) == (country, region)
        assert body["names"] == {"en": "Germany", "fr": "Allemagne", "es": "Alemania"}

    def test_an_unsupported_language_falls_back_to_english(self, client):
        body = client.get("/api/v1/countries/DEU", HTTP_ACCEPT_LANGUAGE="de").json()

        assert body["name"] == "Germany"


class TestCountryList:
    def test_first_page(self, client, django_assert_max_num_queries):
        with django_assert_max_num_queries(2):
            response = client.get("/api/v1/countries", {"limit": 100})

        body = response.json()
        assert response.status_code == 200
        assert set(body) == {"count", "items"}
        assert body["count"] == 249
        assert len(body["items"]) == 100
        assert all(item["region"] is None or item["region"]["name"] for item in body["items"])

    def test_default_page_is_the_first_20_in_english_name_order(self, client):
        items = client.get("/api/v1/countries", HTTP_ACCEPT_LANGUAGE="fr").json()["items"]

        expected = Country.objects.order_by("name_en").values_list("iso3", flat=True)[:20]
        assert [i["iso3"] for i in items] == list(expected)
        assert items[0]["names"]["en"] == "Afghanistan"

    def test_limit_and_offset_walk_the_pages_without_gaps(self, client):
        whole = [i["iso3"] for i in client.get("/api/v1/countries", {"limit": 30}).json()["items"]]
        pages = [
            client.get("/api/v1/countries", {"limit": 10, "offset": offset}).json()
            for offset in (0, 10, 20)
        ]

        assert [i["iso3"] for page in pages for i in page["items"]] == whole
        assert {page["count"] for page in pages} == {249}

    def test_an_offset_past_the_end_gives_an_empty_page(self, client):
        body = client.get("/api/v1/countries", {"offset": 1000}).json()

        assert body == {"count": 249, "items": []}

    @pytest.mark.parametrize(
        ("params", "field"),
        [({"limit": 101}, "limit"), ({"limit": 0}, "limit"), ({"offset": -1}, "offset")],
    )
    def test_out_of_range_paging_is_a_422_problem_naming_the_field(self, client, params, field):
        body = assert_problem(client.get("/api/v1/countries", params), 422, "/api/v1/countries")

        assert body["type"] == "/api/v1/problems/validation"
        assert [e["field"] for e in body["errors"]] == [f"query.{field}"]
        assert field in body["detail"]

    def test_filters_by_region_and_by_side(self, client):
        western = client.get("/api/v1/countries", {"region": "155", "limit": 100}).json()
        south = client.get("/api/v1/countries", {"global_south": "true", "limit": 1}).json()
        north = client.get("/api/v1/countries", {"global_south": "false", "limit": 1}).json()

        assert {"FRA", "DEU"} <= {c["iso3"] for c in western["items"]}
        assert all(c["subregion"]["m49"] == "155" for c in western["items"])
        assert south["items"][0]["global_south"] is True
        assert south["count"] + north["count"] == 248  # Antarctica is neither
        assert south["count"] == Country.objects.filter(global_south=True).count()


class TestPlaceSearch:
    def test_finds_cities_and_countries(self, client):
        response = client.get("/api/v1/places/search", {"q": "Londres"})

        body = response.json()
        assert response.status_code == 200
        assert body["count"] == len(body["items"]) >= 1
        assert body["items"][0] == {
            "kind": "city",
            "id": "2643743",
            "name": "London",
            "detail": "England, United Kingdom",
            "population": City.objects.get(geonameid=2643743).population,
            "url": "/en/places/cities/2643743/",
        }

    def test_country_hits_follow_accept_language(self, client):
        body = client.get(
            "/api/v1/places/search", {"q": "germany"}, HTTP_ACCEPT_LANGUAGE="es"
        ).json()

        country = next(i for i in body["items"] if i["kind"] == "country")
        assert (country["name"], country["url"]) == ("Alemania", "/es/places/countries/deu/")

    def test_restricted_to_a_country(self, client):
        body = client.get("/api/v1/places/search", {"q": "san", "country": "ESP"}).json()

        assert body["count"] == 10
        assert all(i["kind"] == "city" and i["detail"].endswith("Spain") for i in body["items"])

    def test_missing_query_is_a_422_problem(self, client):
        body = assert_problem(client.get("/api/v1/places/search"), 422, "/api/v1/places/search")

        assert [e["field"] for e in body["errors"]] == ["query.q"]

    def test_limit_above_50_is_a_422_problem(self, client):
        body = assert_problem(
            client.get("/api/v1/places/search", {"q": "san", "limit": 51}),
            422,
            "/api/v1/places/search",
        )

        assert [e["field"] for e in body["errors"]] == ["query.limit"]

    def test_limit_caps_the_items(self, client):
        body = client.get("/api/v1/places/search", {"q": "sa", "limit": 1}).json()

        assert len(body["items"]) <= 1


class TestCity:
    def test_one_city(self, client):
        body = client.get("/api/v1/cities/2988507").json()

        assert body == {
            "geonameid": 2988507,
            "name": "Paris",
            "country": "FRA",
            "admin_area": "Île-de-France",
            "latitude": pytest.approx(48.85341),
            "longitude": pytest.approx(2.3488),
            "population": City.objects.get(geonameid=2988507).population,
            "timezone": "Europe/Paris",
        }

    @pytest.mark.parametrize("geonameid", ["1", "99999999999999999999"])
    def test_unknown_city_is_a_404_problem(self, client, geonameid):
        url = f"/api/v1/cities/{geonameid}"

        assert_problem(client.get(url), 404, url)

    def test_a_malformed_id_is_a_422_problem(self, client):
        assert_problem(client.get("/api/v1/cities/paris"), 422, "/api/v1/cities/paris")


class TestSdgs:
    def test_lists_the_17_goals(self, client, django_assert_max_num_queries):
        with django_assert_max_num_queries(2):
            body = client.get("/api/v1/sdgs").json()

        assert [g["number"] for g in body] == list(range(1, 18))
        eleven = body[10]
        assert eleven == {
            "number": 11,
            "short": "Sustainable cities",
            "title": "Sustainable cities",  # no official text imported: the short title
            "color": "#FD9D24",
        }

    def test_in_french(self, client):
        body = client.get("/api/v1/sdgs", HTTP_ACCEPT_LANGUAGE="fr").json()

        assert body[10]["short"] == "Villes durables"


class TestOpenApi:
    def test_describes_every_path(self, client):
        response = client.get("/api/v1/openapi.json")

        assert response.status_code == 200
        schema = json.loads(response.content)
        assert schema["openapi"].startswith("3.")
        assert schema["info"]["title"] == "CityPeers API"
        assert {
            "/api/v1/countries",
            "/api/v1/countries/{iso3}",
            "/api/v1/places/search",
            "/api/v1/cities/{geonameid}",
            "/api/v1/sdgs",
        } <= set(schema["paths"])
        params = {p["name"] for p in schema["paths"]["/api/v1/countries"]["get"]["parameters"]}
        assert {"limit", "offset", "region", "global_south"} <= params
        assert "CountryOut" in schema["components"]["schemas"]

    def test_unknown_api_path_is_a_404(self, client):
        assert client.get("/api/v1/nothing-here").status_code == 404


class TestControlCharacters:
    def test_a_control_character_in_a_query_is_refused_naming_the_parameter(self, client):
        response = client.get("/api/v1/places/search", {"q": "Dak\x07ar"})

        body = assert_problem(response, 400, "/api/v1/places/search")
        assert body["field"] == "q"
        assert "U+0007" in body["detail"]

    def test_an_unpaired_surrogate_in_a_json_body_is_refused(self):
        from citypeers.api.parser import refuse_control_characters
        from citypeers.core.errors import ApplicationError

        with pytest.raises(ApplicationError) as refused:
            refuse_control_characters({"title": "ok", "translations": {"fr": "a\ud800b"}})
        assert refused.value.field == "translations.fr"

    def test_tabs_and_line_breaks_are_text(self, client):
        response = client.get("/api/v1/places/search", {"q": "Dakar\t\r\n"})

        assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/practices?status=publisehd", "status"),
        ("/api/v1/news?status=live", "status"),
        ("/api/v1/events?when=soon", "when"),
        ("/api/v1/events?kind=party", "kind"),
        ("/api/v1/organisations?population=huge", "population"),
    ],
)
def test_an_unknown_value_of_an_enumerated_filter_is_refused_not_ignored(client, path, field):
    response = client.get(path)

    body = assert_problem(response, 422, path.split("?")[0])
    assert any(error["field"].endswith(field) for error in body["errors"])
    assert "use one of" in body["errors"][0]["message"]


def test_an_empty_enumerated_filter_means_no_filter(client):
    assert client.get("/api/v1/events?when=&kind=").status_code == 200
    assert client.get("/api/v1/practices?status=").status_code == 200
