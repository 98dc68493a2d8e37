"""The insights API: status, dashboards, lists, the map's JSON and GeoJSON layers, the refresh."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from citypeers.accounts.services import api_token_create
from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.tests.factories import OrganisationFactory, city
from citypeers.insights import services
from citypeers.insights.models import RefreshRun
from citypeers.partnerships.models import Partnership
from citypeers.partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def body(response: Any) -> Any:
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    data = json.loads(response.content)
    if field is not None:
        fields = {e["field"].split(".")[-1] for e in data.get("errors", [])} | {data.get("field")}
        assert field in fields, data
    return data


def bearer(user: Any) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_status_before_and_after(client, net):
    status = body(client.get("/api/v1/insights/status"))
    assert status["computed_at"] is None and status["running"] is False
    services.insights_refresh()
    status = body(client.get("/api/v1/insights/status"))
    assert status["computed_at"] and status["rows"]["figures"] > 0


def test_platform_dashboard(client, net):
    services.insights_refresh()
    data = body(client.get("/api/v1/insights/platform"))
    totals = {t["key"]: t["value"] for t in data["totals"]}
    assert totals["partnerships"] == Partnership.objects.visible().count()
    charts = {c["key"]: c for c in data["charts"]}
    assert {
        "geography",
        "geography-over-time",
        "regions",
        "themes",
        "representation",
        "synergies",
    } <= set(charts)
    geography = {r["key"]: r["values"]["partnerships"] for r in charts["geography"]["rows"]}
    assert geography["triangular"] == 1
    assert (
        geography["south_south"]
        == Partnership.objects.visible().filter(geography="south_south").count()
    )


def test_theme_and_organisation_dashboards(client, net):
    services.insights_refresh()
    theme = body(client.get("/api/v1/insights/themes/water-sanitation"))
    assert {t["key"]: t["value"] for t in theme["totals"]}["partnerships"] == 1
    problem(client.get("/api/v1/insights/themes/nothing"), 404)
    dakar = body(client.get(f"/api/v1/insights/organisations/{net.dakar.pk}"))
    assert dakar["title"] == "Dakar"
    assert {t["key"]: t["value"] for t in dakar["totals"]}["partners"] == 4
    problem(client.get("/api/v1/insights/organisations/999999"), 404)


def test_actors_synergies_and_figures(client, net):
    services.insights_refresh()
    actors = body(client.get("/api/v1/insights/actors?order=betweenness&limit=3"))
    assert actors["count"] >= 8 and len(actors["items"]) == 3
    scores = [a["betweenness"] for a in actors["items"]]
    assert scores == sorted(scores, reverse=True)
    africa = body(client.get("/api/v1/insights/actors?region=002"))
    assert {a["region"] for a in africa["items"]} == {"002"}
    problem(client.get("/api/v1/insights/actors?order=size"), 422, "order")
    synergies = body(client.get(f"/api/v1/insights/synergies?organisation={net.paris.pk}"))
    assert synergies["count"] >= 1
    first = synergies["items"][0]
    assert net.paris.pk in {first["organisation_a_id"], first["organisation_b_id"]}
    assert first["suggest_url"].startswith("/en/peers/organisations/")
    assert body(client.get("/api/v1/insights/synergies?theme=housing"))["count"] == 0
    figures = body(client.get("/api/v1/insights/figures?name=total&scope_type=platform&limit=100"))
    assert {f["subgroup"] for f in figures["items"]} >= {"partnerships", "organisations"}


def test_map_countries_with_filters(client, net):
    services.insights_refresh()
    every = {c["iso3"]: c for c in body(client.get("/api/v1/insights/map/countries"))["items"]}
    assert every["SEN"]["numeric"] == "686"
    assert every["SEN"]["partnerships"] == 2
    assert every["SEN"]["south_south_share"] == 0.5
    south = {
        c["iso3"]: c
        for c in body(client.get("/api/v1/insights/map/countries?geography=south_south"))["items"]
    }
    assert south["SEN"]["partnerships"] == 1 and south["SEN"]["south_south_share"] == 1.0
    assert south["FRA"]["partnerships"] == 0
    dated = {
        c["iso3"]: c
        for c in body(client.get("/api/v1/insights/map/countries?year_from=2019&year_to=2019"))[
            "items"
        ]
    }
    assert dated["FRA"]["partnerships"] == 0  # the 2015 one and the undated twinning
    assert dated["GHA"]["partnerships"] == 2
    problem(client.get("/api/v1/insights/map/countries?geography=east_west"), 422, "geography")
    problem(client.get("/api/v1/insights/map/countries?year_from=10"), 422, "year_from")


def test_map_points_and_links_are_geojson(client, net):
    services.insights_refresh()
    points = body(client.get("/api/v1/insights/map/points"))
    assert points["type"] == "FeatureCollection"
    by_key = {f["properties"]["key"]: f for f in points["features"]}
    senegal = by_key["SEN"]
    lng, lat = senegal["geometry"]["coordinates"]
    assert -20 < lng < -10 and 10 < lat < 20  # Dakar, the anchor of Senegal, as [lng, lat]
    assert senegal["properties"]["partnerships"] == 2
    links = body(client.get("/api/v1/insights/map/links"))
    pairs = {(f["properties"]["a"], f["properties"]["b"]): f for f in links["features"]}
    assert pairs[("FRA", "SEN")]["properties"]["geography"] == "north_south"
    assert pairs[("FRA", "SEN")]["geometry"]["type"] == "LineString"
    cities = body(client.get("/api/v1/insights/map/points?level=city"))
    names = {f["properties"]["name"] for f in cities["features"]}
    assert {"Lyon", "Dakar", "Accra"} <= names


def test_map_layers_are_thinned_and_boxed(client, db):
    hub_city = city(2996944)  # Lyon
    hub = OrganisationFactory(city=hub_city, country=hub_city.country)
    for geonameid, weight in ((2253354, 3), (2306104, 2), (184745, 1)):  # Dakar, Accra, Nairobi
        place = city(geonameid)
        partner = OrganisationFactory(city=place, country=place.country)
        for _ in range(weight):
            PartnershipFactory(members=[hub, partner])
    services.insights_refresh()
    links = body(client.get("/api/v1/insights/map/links?level=city&limit=2"))
    assert links["total"] == 3 and len(links["features"]) == 2
    assert [f["properties"]["partnerships"] for f in links["features"]] == [3, 2]
    # Only the links with an end in West Africa.
    boxed = body(client.get("/api/v1/insights/map/links?level=city&bbox=-20,0,5,20"))
    assert {f["properties"]["partnerships"] for f in boxed["features"]} == {3, 2}
    points = body(client.get("/api/v1/insights/map/points?level=city&bbox=-20,0,5,20"))
    assert {f["properties"]["name"] for f in points["features"]} == {"Dakar", "Accra"}
    problem(client.get("/api/v1/insights/map/points?bbox=1,2,3"), 422, "bbox")
    problem(client.get("/api/v1/insights/map/points?bbox=0,95,10,100"), 422, "bbox")
    problem(client.get("/api/v1/insights/map/points?level=street"), 422, "level")
    zipped = client.get("/api/v1/insights/map/links?level=city", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.content))["type"] == "FeatureCollection"


def test_refresh_endpoint_permissions(client, net, django_capture_on_commit_callbacks):
    problem(client.post("/api/v1/insights/refresh"), 401)
    problem(client.post("/api/v1/insights/refresh", **bearer(UserFactory())), 403)
    assert not RefreshRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/insights/refresh", **bearer(UserFactory(is_moderator=True)))
    assert response.status_code == 202, response.content
    run = RefreshRun.objects.get()
    assert run.state == "finished" and run.trigger.startswith("api:")
