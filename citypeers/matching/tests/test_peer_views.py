"""The "Find peers" pages over HTTP: public, with mode tabs, reasons in words and figures, the
contributions bar, the engine's refusals shown on the page, and htmx fragments."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    ProfileItemFactory,
    city,
    theme,
)
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

DAKAR, LYON, ACCRA, PORTO = 2253354, 2996944, 2306104, 2735943


def municipality(geonameid: int, **kwargs: Any):
    place = city(geonameid)
    return OrganisationFactory(
        name=f"City of {place.name}",
        slug=f"city-of-{place.geonameid}",
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
    PartnershipFactory(members=[dakar, accra])
    return {"dakar": dakar, "lyon": lyon, "accra": accra, "porto": porto}


def test_organisation_page_is_public(client: Client, orgs):
    lyon = orgs["lyon"]
    response = client.get(f"/en/peers/organisations/{lyon.slug}/?mode=partners")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Find peers for City of Lyon" in html
    assert 'aria-current="page">Likely partners' in html  # the mode tab in force
    assert "City of Accra" in html
    assert "1 shared partner (City of Porto)" in html  # a reason in words and figures
    assert "km away" in html
    assert 'class="contrib-bar"' in html and "<rect" in html
    assert "Ruled out" in html and "Already a partner" in html


def test_bar_coordinates_are_not_localised(client: Client, orgs):
    response = client.get(f"/fr/peers/organisations/{orgs['lyon'].slug}/?mode=partners")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'x="0,' not in html and 'width="' in html


def test_refusal_is_shown_on_the_page(client: Client, orgs):
    response = client.get(f"/en/peers/organisations/{orgs['lyon'].slug}/?mode=south-south")
    assert response.status_code == 200
    assert "not classified in the Global South" in response.content.decode()


def test_triangular_offers_southern_partners_to_pair_with(client: Client, orgs):
    response = client.get(f"/en/peers/organisations/{orgs['dakar'].slug}/?mode=triangular")
    html = response.content.decode()
    assert f'<option value="{orgs["accra"].pk}">City of Accra</option>' in html
    response = client.get(
        f"/en/peers/organisations/{orgs['dakar'].slug}/?mode=triangular&pair_with={orgs['accra'].pk}"
    )
    html = response.content.decode()
    assert "City of Lyon" in html or "City of Porto" in html
    assert "not classified" not in html


def test_unknown_organisation_is_404(client: Client, orgs):
    assert client.get("/en/peers/organisations/nowhere/").status_code == 404


def test_htmx_gets_the_fragment(client: Client, orgs):
    response = client.get(
        f"/en/peers/organisations/{orgs['lyon'].slug}/?mode=peers", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html and "peer-list" in html


def test_invalid_filter_is_reported_not_fatal(client: Client, orgs):
    response = client.get(
        f"/en/peers/organisations/{orgs['lyon'].slug}/?mode=peers&min_population=10&max_population=5"
    )
    assert response.status_code == 200
    assert "The upper bound is below the lower one." in response.content.decode()


def test_challenge_page(client: Client, orgs):
    ProfileItemFactory(
        organisation=orgs["accra"],
        theme=theme("waste"),
        text="Waste collection in informal settlements.",
    )
    PracticeFactory(title="Neighbourhood waste collection groups", owner=orgs["dakar"])
    response = client.get("/en/peers/")
    assert response.status_code == 200
    assert "Describe a challenge" in response.content.decode()
    response = client.get("/es/peers/?q=recogida+de+residuos+en+barrios+informales&mode=peers")
    html = response.content.decode()
    assert response.status_code == 200
    assert "City of Accra" in html
    assert "Neighbourhood waste collection groups" in html


def test_challenge_page_offers_the_users_organisations(client, orgs):
    user = UserFactory()
    OrganisationRoleFactory(user=user, organisation=orgs["porto"])
    client.force_login(user)
    response = client.get("/en/peers/?q=waste&mode=partners&requester=" + str(orgs["porto"].pk))
    html = response.content.decode()
    assert f'<option value="{orgs["porto"].pk}" selected>City of Porto</option>' in html
    # Porto itself and its partners are ruled out.
    results = html.split('id="results"')[1]
    suggested = [
        f'<h3><a href="/en/directory/{orgs[k].slug}/">' for k in ("accra", "lyon", "porto")
    ]
    assert not any(link in results for link in suggested)
    assert f'<h3><a href="/en/directory/{orgs["dakar"].slug}/">' in results
