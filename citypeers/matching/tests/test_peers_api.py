"""The peers API over HTTP: public reads, 404 for an unknown organisation, 400 naming the field,
and nothing private in the answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from citypeers.directory.tests.factories import OrganisationFactory, ProfileItemFactory, city, theme
from citypeers.knowledge.models import Status as PracticeStatus
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.partnerships.models import Status
from citypeers.partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

DAKAR, LYON, ACCRA, PORTO = 2253354, 2996944, 2306104, 2735943


def municipality(geonameid: int, **kwargs: Any):
    place = city(geonameid)
    return OrganisationFactory(
        name=f"City of {place.name}",
        actor_type="municipality",
        city=place,
        country=place.country,
        **kwargs,
    )


@pytest.fixture
def orgs():
    dakar, lyon, accra, porto = (municipality(g) for g in (DAKAR, LYON, ACCRA, PORTO))
    PartnershipFactory(members=[lyon, porto])
    PartnershipFactory(members=[porto, accra])
    PartnershipFactory(members=[lyon, dakar], status=Status.DECLINED)
    return {"dakar": dakar, "lyon": lyon, "accra": accra, "porto": porto}


def get(client: Client, url: str, status: int = 200) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == status, response.content
    return json.loads(response.content)


def test_peers_are_public_with_reasons(client, orgs):
    lyon = orgs["lyon"]
    body = get(client, f"/api/v1/organisations/{lyon.pk}/peers?mode=partners&k=3")
    assert body["organisation"]["id"] == lyon.pk and body["mode"] == "partners"
    items = body["items"]
    assert 0 < body["count"] == len(items) <= 3
    assert [i["rank"] for i in items] == list(range(1, len(items) + 1))
    first = items[0]
    assert first["organisation"]["id"] == orgs["accra"].pk  # partner of its partner
    assert first["organisation"]["url"].endswith(f"/{orgs['accra'].slug}/")
    assert {"signal", "value", "contribution", "text"} <= set(first["reasons"][0])
    assert any("shared partner" in r["text"] for r in first["reasons"])
    ids = {i["organisation"]["id"] for i in items}
    assert lyon.pk not in ids and orgs["porto"].pk not in ids


def test_declined_partnership_is_not_a_partnership(client, orgs):
    lyon = orgs["lyon"]
    body = get(
        client, f"/api/v1/organisations/{lyon.pk}/peers?mode=partners&k=10&include_excluded=true"
    )
    excluded = {i["organisation"]["id"] for i in body["items"] if i["excluded"]}
    assert excluded == {orgs["porto"].pk}
    dakar = next(i for i in body["items"] if i["organisation"]["id"] == orgs["dakar"].pk)
    assert not dakar["excluded"]
    assert all(
        "Dakar" not in r["text"]
        for i in body["items"]
        for r in i["reasons"]
        if r["signal"] == "network"
    )


def test_filters_in_the_query_string(client, orgs):
    lyon = orgs["lyon"]
    body = get(
        client, f"/api/v1/organisations/{lyon.pk}/peers?mode=partners&country=sen&country=gha"
    )
    assert {i["organisation"]["id"] for i in body["items"]} == {orgs["dakar"].pk, orgs["accra"].pk}
    body = get(client, f"/api/v1/organisations/{lyon.pk}/peers?mode=peers&south_only=true")
    assert {i["organisation"]["id"] for i in body["items"]} <= {orgs["dakar"].pk, orgs["accra"].pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [("mode=nearby", "mode"), ("k=0", "k"), ("k=1000", "k"), ("mode=south-south", "mode")],
)
def test_bad_input_is_400_naming_the_field(client, orgs, query, field):
    body = get(client, f"/api/v1/organisations/{orgs['lyon'].pk}/peers?{query}", status=400)
    assert body["field"] == field and body["detail"]


def test_unknown_organisation_is_404(client, orgs):
    get(client, "/api/v1/organisations/999999/peers", status=404)


def test_challenge_post_and_get(client, orgs):
    ProfileItemFactory(
        organisation=orgs["accra"],
        theme=theme("waste"),
        text="Waste collection in informal settlements.",
    )
    published = PracticeFactory(title="Neighbourhood waste collection groups", owner=orgs["dakar"])
    draft = PracticeFactory(
        title="Waste collection in informal settlements",
        owner=orgs["dakar"],
        status=PracticeStatus.DRAFT,
    )
    response = client.post(
        "/api/v1/matching/challenge",
        data={"text": "Collecte des déchets dans les quartiers informels", "k": 3},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body["peers"][0]["organisation"]["id"] == orgs["accra"].pk
    practice_ids = [p["id"] for p in body["practices"]]
    assert published.pk in practice_ids and draft.pk not in practice_ids
    body = get(
        client, f"/api/v1/matching/challenge?q=waste&requester_id={orgs['porto'].pk}&mode=partners"
    )
    ids = {p["organisation"]["id"] for p in body["peers"]}
    assert (
        orgs["porto"].pk not in ids and orgs["accra"].pk not in ids and orgs["lyon"].pk not in ids
    )


def test_challenge_errors(client, orgs):
    response = client.post(
        "/api/v1/matching/challenge", data={"text": " "}, content_type="application/json"
    )
    assert response.status_code == 400 and json.loads(response.content)["field"] == "q"
    body = get(client, "/api/v1/matching/challenge?q=water&requester_id=999999", status=404)
    assert body["status"] == 404
    body = get(client, "/api/v1/matching/challenge?q=water&mode=triangular", status=400)
    assert body["field"] == "requester_id"
