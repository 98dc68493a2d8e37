"""``GET /api/v1/search`` over HTTP, against the real engine and a real index.

Documents are made with the apps' factories (which write rows directly) and indexed with the
``reindex`` command, as an operator would after an import.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from citypeers.directory.tests.factories import OrganisationFactory, theme
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/search"


def reindex() -> None:
    call_command("reindex", stdout=StringIO(), stderr=StringIO())


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def fields(body: dict) -> list[str]:
    return [e["field"].split(".")[-1] for e in body.get("errors", [])]


@pytest.fixture
def corpus():
    """A small multilingual corpus: practices, an organisation and a partnership."""
    rain = PracticeFactory(
        title="Recogida de agua de lluvia en las escuelas",
        language="es",
        external_id="rain-es",
        texts={
            "summary": "Las escuelas públicas recogen el agua de lluvia de sus tejados en "
            "cisternas para los baños y el riego de los huertos escolares."
        },
    )
    budget = PracticeFactory(
        title="Participatory budgeting",
        external_id="pb-en",
        texts={"summary": "Residents decide how to spend part of the city budget."},
    )
    youth = PracticeFactory(
        title="Youth councils",
        texts={
            "summary": "Young people run a participatory budgeting round every year; "
            "participatory budgeting for youth, participatory budgeting in schools."
        },
    )
    bikes = PracticeFactory(
        title="Protected bike lanes downtown",
        texts={"summary": "Separated cycle tracks on the main avenues cut cyclist injuries."},
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
    return {
        "rain": rain,
        "budget": budget,
        "youth": youth,
        "bikes": bikes,
        "utility": utility,
        "twinning": twinning,
    }


class TestShape:
    def test_items_and_facets(self, client, corpus):
        response = client.get(URL, {"q": "participatory budgeting"})

        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"count", "items", "facets", "took_ms"}
        assert body["count"] >= 2
        item = body["items"][0]
        assert set(item) == {
            "type",
            "id",
            "external_id",
            "title",
            "language",
            "score",
            "snippet",
            "highlights",
            "url",
        }
        assert (item["type"], item["id"], item["external_id"]) == (
            "practice",
            corpus["budget"].pk,
            "pb-en",
        )
        assert item["language"] == "en"
        assert corpus["budget"].slug in item["url"]
        assert set(body["facets"]) == {"type", "theme", "country", "language"}
        by_type = {f["value"]: f["count"] for f in body["facets"]["type"]}
        assert sum(by_type.values()) == body["count"]
        assert body["took_ms"] >= 0

    def test_snippet_is_plain_text_with_offsets(self, client, corpus):
        body = client.get(URL, {"q": "cycle tracks", "types": "practice"}).json()

        hit = next(i for i in body["items"] if i["id"] == corpus["bikes"].pk)
        assert "\x02" not in hit["snippet"] and "\x03" not in hit["snippet"]
        assert hit["highlights"], hit
        words = [hit["snippet"][start:end].lower() for start, end in hit["highlights"]]
        assert all(start < end <= len(hit["snippet"]) for start, end in hit["highlights"])
        assert set(words) == {"cycle", "tracks"}, words

    def test_pages_do_not_overlap(self, client, corpus):
        for n in range(5):
            PracticeFactory(
                title=f"Harbour clean-up {n}",
                texts={"summary": "Volunteers clean the harbour quays and beaches."},
            )
        reindex()

        first = client.get(URL, {"q": "harbour clean-up", "limit": 2, "offset": 0}).json()
        second = client.get(URL, {"q": "harbour clean-up", "limit": 2, "offset": 2}).json()
        third = client.get(URL, {"q": "harbour clean-up", "limit": 2, "offset": 4}).json()

        assert len(first["items"]) == len(second["items"]) == 2
        assert first["count"] == second["count"] == third["count"] >= 5
        seen = [(i["type"], i["id"]) for b in (first, second, third) for i in b["items"]]
        assert len(seen) == len(set(seen))
        titles = [i["title"] for b in (first, second, third) for i in b["items"]]
        assert sum(t.startswith("Harbour clean-up") for t in titles) == 5

    def test_limit_is_capped(self, client, corpus):
        assert fields(problem(client.get(URL, {"q": "water", "limit": 101}), 422)) == ["limit"]


class TestFilters:
    def test_types_filter(self, client, corpus):
        body = client.get(URL, {"q": "harbour water", "types": "organisation"}).json()

        assert body["items"]
        assert {i["type"] for i in body["items"]} == {"organisation"}
        assert corpus["utility"].pk in [i["id"] for i in body["items"]]

    def test_two_types(self, client, corpus):
        body = client.get(URL, {"q": "harbour water", "types": "organisation,partnership"}).json()

        types = {i["type"] for i in body["items"]}
        assert types == {"organisation", "partnership"}

    def test_unknown_type_is_422_naming_types(self, client, corpus):
        body = problem(client.get(URL, {"q": "water", "types": "practice,event"}), 422)

        assert fields(body) == ["types"]
        assert "event" in body["detail"]

    def test_theme_filter_applies_before_ranking(self, client, corpus):
        water = theme("water-sanitation")
        corpus["youth"].themes.set([water])
        reindex()

        body = client.get(URL, {"q": "participatory budgeting", "theme": water.slug}).json()

        assert [(i["type"], i["id"]) for i in body["items"]] == [("practice", corpus["youth"].pk)]

    def test_language_filter(self, client, corpus):
        body = client.get(URL, {"q": "agua lluvia escuelas", "language": "es"}).json()

        assert body["items"]
        assert {i["language"] for i in body["items"]} == {"es"}

    def test_dates_in_the_wrong_order_are_422(self, client, corpus):
        response = client.get(
            URL, {"q": "water", "date_from": "2024-01-01", "date_to": "2023-01-01"}
        )
        assert fields(problem(response, 422)) == ["date_to"]


class TestQuery:
    @pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}])
    def test_empty_query_is_422_naming_q(self, client, params):
        assert fields(problem(client.get(URL, params), 422)) == ["q"]

    def test_french_query_finds_spanish_practice(self, client, corpus):
        body = client.get(
            URL, {"q": "récupération des eaux de pluie dans les écoles", "types": "practice"}
        ).json()

        assert body["items"][0]["id"] == corpus["rain"].pk
        assert body["items"][0]["language"] == "es"

    def test_exact_title_comes_first(self, client, corpus):
        body = client.get(URL, {"q": "Participatory budgeting"}).json()

        assert body["items"][0]["id"] == corpus["budget"].pk
        assert corpus["youth"].pk in [i["id"] for i in body["items"]]

    def test_hostile_text_comes_back_as_json_text(self, client, corpus):
        PracticeFactory(
            title="Water kiosks",
            texts={"summary": '<script>alert("x")</script> Water kiosks <b onmouseover=x>sell</b>'},
        )
        reindex()

        response = client.get(URL, {"q": "water kiosks", "types": "practice"})

        assert response["Content-Type"] == "application/json; charset=utf-8"
        hit = next(i for i in response.json()["items"] if i["title"] == "Water kiosks")
        assert "<mark>" not in hit["snippet"]
        assert "\x02" not in hit["snippet"] and "\x03" not in hit["snippet"]
