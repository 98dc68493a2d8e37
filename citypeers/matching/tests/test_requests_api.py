"""The match-request API over HTTP: a request posted, its suggestions read, an organisation invited
and accepting into a proposed partnership; 401 for anonymous writes, 403 for strangers, 404 for
what the caller may not see, 409 for double answers, 400 naming the field; list filters and their
query count."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from citypeers.accounts.services import api_token_create
from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.models import ActorType, ProfileItem
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    ProfileItemFactory,
    city,
    theme,
)
from citypeers.matching.models import InvitationStatus, MatchInvitation, MatchRequest, RequestStatus
from citypeers.matching.tests.factories import (
    MatchInvitationFactory,
    MatchRequestFactory,
    person,
)
from citypeers.partnerships.models import Partnership, Status

pytestmark = pytest.mark.django_db


PROBLEM = "application/problem+json"
DAKAR, LYON, ACCRA = 2253354, 2996944, 2306104


def problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """Assert an RFC 7807 problem document with this status (and field, when given)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert body["status"] == status and body["detail"]
    if field is not None:
        fields = {body.get("field")} | {e["field"] for e in body.get("errors", [])}
        assert any(f and f.split(".")[-1] == field for f in fields), body
    return body


def bearer(user: Any) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def send(client: Client, method: str, url: str, data: Any = None, **headers: Any) -> Any:
    return getattr(client, method)(
        url,
        data=json.dumps(data) if data is not None else None,
        content_type="application/json",
        headers=headers,
    )


def municipality(name: str, geonameid: int, languages: tuple[str, ...] = ("fr", "en")) -> Any:
    place = city(geonameid)
    return OrganisationFactory(
        name=name,
        actor_type=ActorType.MUNICIPALITY,
        country=place.country,
        city=place,
        population_served=place.population,
        languages=list(languages),
        themes=[theme("water-sanitation")],
    )


@pytest.fixture
def world():
    dakar = municipality("Ville de Dakar", DAKAR)
    lyon = municipality("Lyon", LYON)
    ProfileItemFactory(
        organisation=lyon,
        kind=ProfileItem.Kind.EXPERTISE,
        theme=theme("water-sanitation"),
        text="District metering and active leak detection halved our water losses.",
    )
    accra = municipality("Accra", ACCRA)
    return {
        "dakar": dakar,
        "lyon": lyon,
        "accra": accra,
        "amina": person(dakar, "admin", "fr"),
        "lucia": person(lyon, "editor", "es"),
        "stranger": UserFactory(),
    }


def new_request(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {
        "organisation": world["dakar"].pk,
        "title": "Reducing water losses",
        "text": "We lose a third of our water through leaks and look for a city that fixed it.",
        "language": "en",
        "themes": ["water-sanitation"],
        "regions": ["150"],
        "languages": ["fr", "en"],
        "modality": "c2c",
        "mode": "partners",
    }
    body.update(changes)
    return body


def test_the_whole_flow_over_the_api(client, world):
    from citypeers.knowledge.tests.factories import PracticeFactory

    practice = PracticeFactory(owner=world["lyon"], title="District metering in Lyon")
    amina, lucia = bearer(world["amina"]), bearer(world["lucia"])

    # post
    response = send(client, "post", "/api/v1/match-requests", new_request(world), **amina)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["organisation"]["id"] == world["dakar"].pk
    assert created["status"] == "open" and created["regions"] == ["150"]
    assert created["url"] == f"/en/peers/requests/{created['id']}/"
    pk = created["id"]

    # read, anonymously
    assert client.get(f"/api/v1/match-requests/{pk}").json()["title"] == "Reducing water losses"

    # suggestions: Lyon (Europe, region 150) with reasons; Accra (Africa) filtered out
    response = client.get(f"/api/v1/match-requests/{pk}/suggestions?k=5")
    assert response.status_code == 200, response.content
    suggestions = response.json()
    ids = [s["organisation"]["id"] for s in suggestions["items"]]
    assert world["lyon"].pk in ids and world["accra"].pk not in ids
    assert suggestions["count"] == len(ids) <= 5
    lyon = suggestions["items"][ids.index(world["lyon"].pk)]
    assert lyon["reasons"] and {"signal", "value", "contribution", "text"} <= set(
        lyon["reasons"][0]
    )
    assert lyon["invitation"] is None
    assert [p["id"] for p in suggestions["practices"]] == [practice.pk]
    assert suggestions["practices"][0]["url"] == practice.get_absolute_url()

    # invite
    response = send(
        client,
        "post",
        f"/api/v1/match-requests/{pk}/invitations",
        {"organisation": world["lyon"].pk, "message": "Would you share how?"},
        **amina,
    )
    assert response.status_code == 201, response.content
    invitation = response.json()
    assert invitation["status"] == "pending" and invitation["suggested_rank"] == lyon["rank"]
    assert invitation["requester"]["id"] == world["dakar"].pk

    # the invited see it among theirs
    received = client.get("/api/v1/match-invitations?direction=received", headers=lucia).json()
    assert [i["id"] for i in received["items"]] == [invitation["id"]]

    # accept
    response = send(
        client,
        "post",
        f"/api/v1/match-invitations/{invitation['id']}/answer",
        {"accept": True, "note": "With pleasure."},
        **lucia,
    )
    assert response.status_code == 200, response.content
    answered = response.json()
    assert answered["status"] == "accepted" and answered["partnership"]

    # a proposed partnership with both members
    partnership = client.get(f"/api/v1/partnerships/{answered['partnership']}").json()
    assert partnership["status"] == "proposed"
    members = {m["organisation"]["id"]: (m["role"], m["accepted"]) for m in partnership["members"]}
    assert members == {world["dakar"].pk: ("lead", False), world["lyon"].pk: ("partner", True)}

    # answering again is a conflict
    response = send(
        client,
        "post",
        f"/api/v1/match-invitations/{invitation['id']}/answer",
        {"accept": False, "note": "Changed our mind."},
        **lucia,
    )
    problem(response, 409)
    assert Partnership.objects.count() == 1

    # the suggestions now show the invitation
    items = client.get(f"/api/v1/match-requests/{pk}/suggestions").json()["items"]
    lyon = next(s for s in items if s["organisation"]["id"] == world["lyon"].pk)
    assert (lyon["invitation"], lyon["invitation_status"]) == (invitation["id"], "accepted")

    # close
    response = send(
        client, "post", f"/api/v1/match-requests/{pk}/close", {"reason": "Found one."}, **amina
    )
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert response.json()["close_reason"] == "Found one."
    problem(client.get(f"/api/v1/match-requests/{pk}"), 404)  # anonymous: closed is private
    stranger = bearer(world["stranger"])
    problem(client.get(f"/api/v1/match-requests/{pk}", headers=stranger), 404)
    assert client.get(f"/api/v1/match-requests/{pk}", headers=lucia).status_code == 200
    client.force_login(world["lucia"])  # the invited see it by session too
    assert client.get(f"/api/v1/match-requests/{pk}").status_code == 200


def test_declining_over_the_api_needs_a_note(client, world):
    invitation = MatchInvitationFactory(
        request=MatchRequestFactory(organisation=world["dakar"]), organisation=world["lyon"]
    )
    url = f"/api/v1/match-invitations/{invitation.pk}/answer"
    problem(send(client, "post", url, {"accept": False}, **bearer(world["lucia"])), 400, "note")
    response = send(
        client, "post", url, {"accept": False, "note": "Not now."}, **bearer(world["lucia"])
    )
    assert response.json()["status"] == "declined" and response.json()["partnership"] is None


def test_withdrawing_over_the_api(client, world):
    invitation = MatchInvitationFactory(
        request=MatchRequestFactory(organisation=world["dakar"]), organisation=world["lyon"]
    )
    url = f"/api/v1/match-invitations/{invitation.pk}/withdraw"
    problem(send(client, "post", url, **bearer(world["lucia"])), 403)
    assert send(client, "post", url, **bearer(world["amina"])).json()["status"] == "withdrawn"
    problem(send(client, "post", url, **bearer(world["amina"])), 409)


def test_patch_changes_only_what_is_sent(client, world):
    match_request = MatchRequestFactory(organisation=world["dakar"], title="Old title")
    url = f"/api/v1/match-requests/{match_request.pk}"
    response = send(
        client, "patch", url, {"title": "New title", "countries": ["fra"]}, **bearer(world["amina"])
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["countries"], body["themes"]) == (
        "New title",
        ["FRA"],
        ["water-sanitation"],
    )
    problem(send(client, "patch", url, {"title": None}, **bearer(world["amina"])), 400, "title")


# Permissions


def write_calls(world: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    match_request: Any = MatchRequestFactory(organisation=world["dakar"])
    invitation: Any = MatchInvitationFactory(request=match_request, organisation=world["lyon"])
    r, i = match_request.pk, invitation.pk
    return [
        ("post", "/api/v1/match-requests", new_request(world)),
        ("patch", f"/api/v1/match-requests/{r}", {"title": "Changed"}),
        ("post", f"/api/v1/match-requests/{r}/close", {}),
        (
            "post",
            f"/api/v1/match-requests/{r}/invitations",
            {"organisation": world["accra"].pk, "message": "Hello"},
        ),
        ("post", f"/api/v1/match-invitations/{i}/answer", {"accept": True}),
        ("post", f"/api/v1/match-invitations/{i}/withdraw", None),
    ]


def test_anonymous_writes_are_401(client, world):
    for method, url, body in write_calls(world):
        problem(send(client, method, url, body), 401)


def test_strangers_writes_are_403(client, world):
    headers = bearer(world["stranger"])
    for method, url, body in write_calls(world):
        problem(send(client, method, url, body, **headers), 403)
    assert MatchRequest.objects.count() == 1
    assert MatchInvitation.objects.get().status == InvitationStatus.PENDING
    assert MatchRequest.objects.get().status == RequestStatus.OPEN


def test_the_requester_cannot_answer_and_the_invited_cannot_invite(client, world):
    match_request = MatchRequestFactory(organisation=world["dakar"])
    invitation = MatchInvitationFactory(request=match_request, organisation=world["lyon"])
    problem(
        send(
            client,
            "post",
            f"/api/v1/match-invitations/{invitation.pk}/answer",
            {"accept": True},
            **bearer(world["amina"]),
        ),
        403,
    )
    problem(
        send(
            client,
            "post",
            f"/api/v1/match-requests/{match_request.pk}/invitations",
            {"organisation": world["accra"].pk, "message": "Hi"},
            **bearer(world["lucia"]),
        ),
        403,
    )


def test_invitations_are_read_by_the_two_sides_only(client, world):
    match_request = MatchRequestFactory(organisation=world["dakar"])
    invitation = MatchInvitationFactory(request=match_request, organisation=world["lyon"])
    other = MatchInvitationFactory(request=match_request, organisation=world["accra"])
    url = f"/api/v1/match-requests/{match_request.pk}/invitations"
    problem(client.get(url), 401)
    assert client.get(url, headers=bearer(world["stranger"])).json() == {"count": 0, "items": []}
    mine = client.get(url, headers=bearer(world["lucia"])).json()
    assert [i["id"] for i in mine["items"]] == [invitation.pk]
    all_ = client.get(url, headers=bearer(world["amina"])).json()
    assert {i["id"] for i in all_["items"]} == {invitation.pk, other.pk}
    problem(client.get(f"/api/v1/match-invitations/{invitation.pk}"), 401)
    problem(
        client.get(f"/api/v1/match-invitations/{other.pk}", headers=bearer(world["lucia"])), 404
    )
    response = client.get(f"/api/v1/match-invitations/{other.pk}", headers=bearer(world["amina"]))
    assert response.json()["message"] == other.message


def test_unknown_ids_are_404(client, world):
    problem(client.get("/api/v1/match-requests/999999"), 404)
    problem(client.get("/api/v1/match-requests/999999/suggestions"), 404)
    headers = bearer(world["amina"])
    problem(send(client, "post", "/api/v1/match-requests/999999/close", {}, **headers), 404)
    problem(
        send(
            client, "post", "/api/v1/match-invitations/999999/answer", {"accept": True}, **headers
        ),
        404,
    )


# Bad input


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"text": "   "}, "text"),
        ({"themes": []}, "themes"),
        ({"themes": ["no-such-theme"]}, "themes"),
        ({"regions": ["999"]}, "regions"),
        ({"countries": ["XYZ"]}, "countries"),
        ({"languages": ["xx"]}, "languages"),
        ({"modality": "pen-pals"}, "modality"),
        ({"mode": "anything"}, "mode"),
        ({"organisation": 999999}, "organisation"),
    ],
)
def test_bad_input_is_400_naming_the_field(client, world, changes, field):
    response = send(
        client,
        "post",
        "/api/v1/match-requests",
        new_request(world, **changes),
        **bearer(world["amina"]),
    )
    problem(response, 400, field)
    assert not MatchRequest.objects.exists()


def test_a_body_of_the_wrong_shape_is_422_naming_the_field(client, world):
    body = new_request(world)
    del body["title"]
    problem(
        send(client, "post", "/api/v1/match-requests", body, **bearer(world["amina"])), 422, "title"
    )


def test_bad_invitations_are_400_and_409(client, world):
    match_request = MatchRequestFactory(organisation=world["dakar"])
    url = f"/api/v1/match-requests/{match_request.pk}/invitations"
    headers = bearer(world["amina"])
    problem(
        send(client, "post", url, {"organisation": world["lyon"].pk, "message": ""}, **headers),
        400,
        "message",
    )
    problem(
        send(client, "post", url, {"organisation": world["dakar"].pk, "message": "Hi"}, **headers),
        400,
        "organisation",
    )
    assert (
        send(
            client, "post", url, {"organisation": world["lyon"].pk, "message": "Hi"}, **headers
        ).status_code
        == 201
    )
    problem(
        send(client, "post", url, {"organisation": world["lyon"].pk, "message": "Hi"}, **headers),
        409,
        "organisation",
    )


# The list


def test_the_list_filters_and_hides_closed_requests(client, world):
    water = MatchRequestFactory(organisation=world["dakar"], languages=["fr"])
    waste = MatchRequestFactory(organisation=world["lyon"], themes=[theme("waste")])
    MatchRequestFactory(organisation=world["accra"], status=RequestStatus.CLOSED)

    def ids(query: str = "", **headers: Any) -> set[int]:
        response = client.get(f"/api/v1/match-requests{query}", headers=headers)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["items"]}

    assert ids() == {water.pk, waste.pk}
    assert ids("?theme=waste") == {waste.pk}
    assert ids("?country=SEN") == {water.pk}
    assert ids("?region=150") == {waste.pk}  # Europe
    assert ids("?language=fr") == {water.pk}
    assert ids(f"?organisation={world['lyon'].pk}") == {waste.pk}
    assert ids("?q=dakar") == {water.pk}  # the requester's name
    assert ids("?q=Réducing") == {water.pk, waste.pk}  # accents folded: "reducing water losses"
    assert ids("?status=closed") == set()
    problem(client.get("/api/v1/match-requests?status=nonsense"), 400, "status")


def test_the_list_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(12):
        MatchRequestFactory(organisation=world["dakar"], countries=[world["lyon"].country])
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/match-requests?limit=50")
    assert response.json()["count"] == 12


def test_no_suggestions_for_a_closed_request(client, world):
    match_request = MatchRequestFactory(organisation=world["dakar"], status=RequestStatus.CLOSED)
    client.force_login(world["amina"])
    response = client.get(f"/api/v1/match-requests/{match_request.pk}/suggestions")
    assert response.json() == {"count": 0, "items": [], "practices": []}


def test_partnership_made_from_an_acceptance_can_be_confirmed(client, world):
    invitation = MatchInvitationFactory(
        request=MatchRequestFactory(organisation=world["dakar"]), organisation=world["lyon"]
    )
    answered = send(
        client,
        "post",
        f"/api/v1/match-invitations/{invitation.pk}/answer",
        {"accept": True},
        **bearer(world["lucia"]),
    ).json()
    response = send(
        client,
        "post",
        f"/api/v1/partnerships/{answered['partnership']}/answer",
        {"organisation": world["dakar"].pk, "accept": True},
        **bearer(world["amina"]),
    )
    assert response.status_code == 200, response.content
    assert Partnership.objects.get(pk=answered["partnership"]).status == Status.ACTIVE
