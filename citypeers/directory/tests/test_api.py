"""The directory API over HTTP: reads, writes with their permission outcomes, token and session
authentication, RFC 7807 problem documents and the query count of the list."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from citypeers.accounts.models import AuditEvent, OrganisationRole
from citypeers.accounts.services import api_token_create, api_token_revoke
from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.models import ActorType, Membership, Organisation
from citypeers.directory.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    OrganisationRoleFactory,
    city,
    country,
    theme,
)
from citypeers.places.models import City, Sdg

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
LYON = 2996944
DAKAR = 2253354


def problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """Assert an RFC 7807 problem document with this status (and field, when given)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert body["status"] == status
    assert body["title"] and body["detail"]
    assert body["type"].startswith("/api/v1/problems/")
    assert body["instance"] == response.request["PATH_INFO"]
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


@pytest.fixture
def organisation() -> Any:
    return OrganisationFactory(
        name="Lyon Water Solidarity",
        country=country("FRA"),
        themes=[theme("water-sanitation")],
        sdgs=[Sdg.objects.get(number=6)],
    )


def user_with(role: str, organisation: Organisation) -> Any:
    return OrganisationRoleFactory(organisation=organisation, role=role).user


# --- reads -----------------------------------------------------------------------------------


class TestRead:
    def test_one_organisation_by_id(self, client, organisation):
        body = client.get(f"/api/v1/organisations/{organisation.pk}").json()

        assert body["id"] == organisation.pk
        assert body["slug"] == organisation.slug
        assert body["name"] == "Lyon Water Solidarity"
        assert body["country"] == "FRA"
        assert body["global_south"] is False
        assert body["themes"] == ["water-sanitation"]
        assert body["sdgs"] == [6]
        assert body["url"] == organisation.get_absolute_url()
        assert body["city"] is None
        assert set(body) >= {"descriptions", "languages", "updated_at", "is_demo", "actor_type"}

    def test_an_unknown_id_is_a_404_problem(self, client):
        problem(client.get("/api/v1/organisations/999999"), 404)

    def test_the_list_is_paginated_and_ordered_by_name(self, client):
        for name in ("Charlie", "Alpha", "Bravo"):
            OrganisationFactory(name=name)

        body = client.get("/api/v1/organisations?limit=2").json()

        assert body["count"] == 3
        assert [o["name"] for o in body["items"]] == ["Alpha", "Bravo"]
        body = client.get("/api/v1/organisations?limit=2&offset=2").json()
        assert [o["name"] for o in body["items"]] == ["Charlie"]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("country=SEN", {"Dakar Municipal Lab"}),
            ("actor_type=academia", {"Dakar Municipal Lab"}),
            ("south=true", {"Dakar Municipal Lab"}),
            ("south=false", {"Lyon Water Solidarity"}),
            ("theme=water-sanitation", {"Lyon Water Solidarity"}),
            ("q=dakar", {"Dakar Municipal Lab"}),
            ("region=150", {"Lyon Water Solidarity"}),
            ("population=250k-1m", {"Dakar Municipal Lab"}),
        ],
    )
    def test_filters(self, client, organisation, query, expected):
        OrganisationFactory(
            name="Dakar Municipal Lab",
            actor_type=ActorType.ACADEMIA,
            country=country("SEN"),
            population_served=300_000,
        )

        body = client.get(f"/api/v1/organisations?{query}").json()

        assert {o["name"] for o in body["items"]} == expected
        assert body["count"] == len(expected)

    def test_an_unknown_actor_type_is_a_422_problem_naming_it(self, client):
        problem(client.get("/api/v1/organisations?actor_type=wizard"), 422, "actor_type")

    def test_an_unknown_population_band_is_a_422_problem_naming_it(self, client):
        problem(client.get("/api/v1/organisations?population=huge"), 422, "population")

    def test_the_list_runs_a_bounded_number_of_queries(self, client, django_assert_max_num_queries):
        water, six = theme("water-sanitation"), Sdg.objects.get(number=6)
        for n in range(30):
            OrganisationFactory(name=f"Org {n:02}", themes=[water], sdgs=[six])

        with django_assert_max_num_queries(5):
            body = client.get("/api/v1/organisations?limit=100").json()

        assert body["count"] == 30
        assert all(o["themes"] == ["water-sanitation"] and o["sdgs"] == [6] for o in body["items"])

    def test_themes(self, client):
        body = client.get("/api/v1/themes").json()

        water = next(t for t in body if t["slug"] == "water-sanitation")
        assert water["labels"] == {
            "en": "Water and sanitation",
            "fr": "Eau et assainissement",
            "es": "Agua y saneamiento",
        }


# --- organisation writes ---------------------------------------------------------------------


class TestCreate:
    def test_anonymous_is_refused_with_401(self, client):
        problem(
            send(client, "post", "/api/v1/organisations", {"name": "X", "actor_type": "ngo"}), 401
        )
        assert not Organisation.objects.filter(name="X").exists()

    def test_a_signed_in_person_creates_and_becomes_its_admin(self, client):
        user = UserFactory()
        payload = {
            "name": "Dakar Water Forum",
            "actor_type": "ngo",
            "country": "sen",
            "admin_area": "01",
            "population_served": 1000,
            "languages": ["fr", "wo"],
            "website": "https://forum.example.org",
            "acronym": "DWF",
            "original_language": "fr",
            "descriptions": {"fr": "Un forum de l'eau."},
            "themes": ["water-sanitation", "climate-resilience"],
            "sdgs": [6, 13],
        }

        response = send(client, "post", "/api/v1/organisations", payload, **bearer(user))

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["country"] == "SEN"
        assert body["admin_area"] == "Dakar"
        assert body["global_south"] is True
        assert body["themes"] == ["water-sanitation", "climate-resilience"]
        assert body["sdgs"] == [6, 13]
        assert body["descriptions"] == {"fr": "Un forum de l'eau."}
        organisation = Organisation.objects.get(pk=body["id"])
        assert organisation.created_by == user
        assert OrganisationRole.objects.get(organisation=organisation).user == user

    def test_a_city_government_by_geonames_id_takes_the_city_s_place(self, client):
        response = send(
            client,
            "post",
            "/api/v1/organisations",
            {"name": "Ville de Lyon", "actor_type": "municipality", "city": LYON},
            **bearer(UserFactory()),
        )

        body = response.json()
        assert body["city"] == {"geonameid": LYON, "name": "Lyon"}
        assert body["country"] == "FRA"

    @pytest.mark.parametrize(
        ("change", "status", "field"),
        [
            ({"themes": ["water-sanitation", "astrology"]}, 400, "themes"),
            ({"country": "XXX"}, 400, "country"),
            ({"sdgs": [18]}, 400, "sdgs"),
            ({"city": 1}, 400, "city"),
            ({"admin_area": "nowhere"}, 400, "admin_area"),
            ({"name": ""}, 422, "name"),
            ({"actor_type": "guild"}, 422, "actor_type"),
            ({"languages": ["french"]}, 400, "languages"),
            ({"actor_type": "municipality"}, 400, "city"),
        ],
    )
    def test_invalid_input_is_a_problem_naming_the_field(self, client, change, status, field):
        payload = {"name": "Any", "actor_type": "ngo", "country": "FRA", **change}

        response = send(client, "post", "/api/v1/organisations", payload, **bearer(UserFactory()))

        problem(response, status, field)
        assert not Organisation.objects.filter(name="Any").exists()

    def test_a_second_government_for_the_same_city_is_a_409(self, client):
        headers = bearer(UserFactory())
        payload = {"name": "Lyon", "actor_type": "municipality", "city": LYON}
        assert send(client, "post", "/api/v1/organisations", payload, **headers).status_code == 201

        body = problem(
            send(client, "post", "/api/v1/organisations", {**payload, "name": "Lyon 2"}, **headers),
            409,
        )
        assert body["field"] == "city"


class TestUpdateAndDelete:
    def test_anonymous_patch_and_delete_are_401(self, client, organisation):
        url = f"/api/v1/organisations/{organisation.pk}"
        problem(send(client, "patch", url, {"name": "Hijacked"}), 401)
        problem(client.delete(url), 401)
        organisation.refresh_from_db()
        assert organisation.name == "Lyon Water Solidarity"

    @pytest.mark.parametrize("kind", ["stranger", "member", "admin of another organisation"])
    def test_people_without_a_role_to_edit_get_403(self, client, organisation, kind):
        if kind == "stranger":
            user = UserFactory()
        elif kind == "member":
            user = user_with("member", organisation)
        else:
            user = user_with("admin", OrganisationFactory())
        url = f"/api/v1/organisations/{organisation.pk}"

        problem(send(client, "patch", url, {"name": "Hijacked"}, **bearer(user)), 403)
        problem(client.delete(url, headers=bearer(user)), 403)
        assert Organisation.objects.get(pk=organisation.pk).name == "Lyon Water Solidarity"

    def test_an_editor_patches_only_the_fields_sent(self, client, organisation):
        editor = user_with("editor", organisation)

        response = send(
            client,
            "patch",
            f"/api/v1/organisations/{organisation.pk}",
            {"acronym": "LWS", "themes": ["waste"], "sdgs": []},
            **bearer(editor),
        )

        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["acronym"], body["themes"], body["sdgs"]) == ("LWS", ["waste"], [])
        assert body["name"] == "Lyon Water Solidarity"
        assert body["country"] == "FRA"
        assert AuditEvent.objects.filter(verb="organisation.update", actor=editor).exists()

    def test_an_editor_cannot_delete(self, client, organisation):
        editor = user_with("editor", organisation)
        problem(
            client.delete(f"/api/v1/organisations/{organisation.pk}", headers=bearer(editor)), 403
        )
        assert Organisation.objects.filter(pk=organisation.pk).exists()

    @pytest.mark.parametrize("kind", ["admin", "moderator", "staff"])
    def test_org_admins_moderators_and_staff_delete(self, client, organisation, kind):
        if kind == "admin":
            user = user_with("admin", organisation)
        else:
            user = UserFactory(is_moderator=kind == "moderator", is_staff=kind == "staff")

        response = client.delete(f"/api/v1/organisations/{organisation.pk}", headers=bearer(user))

        assert response.status_code == 204
        assert response.content == b""
        assert not Organisation.objects.filter(pk=organisation.pk).exists()

    @pytest.mark.parametrize("kind", ["moderator", "staff"])
    def test_moderators_and_staff_patch(self, client, organisation, kind):
        user = UserFactory(is_moderator=kind == "moderator", is_staff=kind == "staff")

        response = send(
            client,
            "patch",
            f"/api/v1/organisations/{organisation.pk}",
            {"name": "Lyon Water Solidarity Fund"},
            **bearer(user),
        )

        assert response.json()["name"] == "Lyon Water Solidarity Fund"

    def test_a_patch_that_breaks_a_rule_names_the_field(self, client, organisation):
        admin = user_with("admin", organisation)
        url = f"/api/v1/organisations/{organisation.pk}"

        problem(send(client, "patch", url, {"country": None}, **bearer(admin)), 400, "country")
        problem(send(client, "patch", url, {"name": None}, **bearer(admin)), 400, "name")
        problem(send(client, "patch", url, {"city": DAKAR}, **bearer(admin)), 400, "city")

    def test_moving_to_a_city_moves_the_country(self, client, organisation):
        admin = user_with("admin", organisation)

        body = send(
            client,
            "patch",
            f"/api/v1/organisations/{organisation.pk}",
            {"country": "SEN", "city": DAKAR},
            **bearer(admin),
        ).json()

        assert (body["country"], body["city"]["geonameid"], body["global_south"]) == (
            "SEN",
            DAKAR,
            True,
        )


# --- authentication --------------------------------------------------------------------------


class TestAuthentication:
    URL = "/api/v1/organisations"
    PAYLOAD = {"name": "Token Test", "actor_type": "ngo", "country": "FRA"}

    def test_a_valid_token_acts_as_its_user_and_records_its_use(self, client):
        user = UserFactory()
        token, raw = api_token_create(user=user, name="ci")

        response = send(client, "post", self.URL, self.PAYLOAD, Authorization=f"Bearer {raw}")

        assert response.status_code == 201
        assert Organisation.objects.get(name="Token Test").created_by == user
        token.refresh_from_db()
        assert token.last_used_at is not None

    def test_a_revoked_token_is_401(self, client):
        user = UserFactory()
        token, raw = api_token_create(user=user, name="ci")
        api_token_revoke(actor=user, token=token)

        problem(send(client, "post", self.URL, self.PAYLOAD, Authorization=f"Bearer {raw}"), 401)

    @pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "Token abc", "Basic eDp5"])
    def test_a_wrong_token_is_401(self, client, header):
        UserFactory()
        problem(send(client, "post", self.URL, self.PAYLOAD, Authorization=header), 401)

    def test_the_token_of_a_deactivated_account_is_401(self, client):
        user = UserFactory()
        _token, raw = api_token_create(user=user, name="ci")
        user.is_active = False
        user.save()

        problem(send(client, "post", self.URL, self.PAYLOAD, Authorization=f"Bearer {raw}"), 401)

    def test_a_browser_session_writes_with_its_csrf_token(self):
        user = UserFactory()
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)

        refused = send(browser, "post", self.URL, self.PAYLOAD)
        problem(refused, 403)
        assert "CSRF" in refused.json()["detail"]

        browser.get("/en/")  # any page sets the CSRF cookie
        csrf = browser.cookies["csrftoken"].value
        response = send(browser, "post", self.URL, self.PAYLOAD, **{"X-CSRFToken": csrf})
        assert response.status_code == 201, response.content

    def test_an_anonymous_write_is_401_even_when_csrf_is_enforced(self):
        problem(send(Client(enforce_csrf_checks=True), "post", self.URL, self.PAYLOAD), 401)

    def test_a_token_needs_no_csrf_token_even_with_a_session(self):
        user = UserFactory()
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)

        response = send(browser, "post", self.URL, self.PAYLOAD, **bearer(user))

        assert response.status_code == 201


# --- memberships -----------------------------------------------------------------------------


@pytest.fixture
def network() -> Any:
    return OrganisationFactory(name="Water Cities Network", actor_type=ActorType.NETWORK)


class TestMemberships:
    def test_an_editor_of_the_parent_records_a_member(self, client, organisation, network):
        editor = user_with("editor", network)
        payload = {
            "member": organisation.pk,
            "parent": network.pk,
            "role": "founding_member",
            "start_date": "2019-05-01",
        }

        response = send(client, "post", "/api/v1/memberships", payload, **bearer(editor))

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["member"] == {
            "id": organisation.pk,
            "slug": organisation.slug,
            "name": organisation.name,
        }
        assert body["parent"]["id"] == network.pk
        assert (body["role"], body["start_date"], body["end_date"]) == (
            "founding_member",
            "2019-05-01",
            None,
        )
        assert body["is_current"] is True

    def test_an_editor_of_the_member_only_cannot_record_it(self, client, organisation, network):
        editor = user_with("editor", organisation)
        payload = {"member": organisation.pk, "parent": network.pk}

        problem(send(client, "post", "/api/v1/memberships", payload, **bearer(editor)), 403)
        problem(send(client, "post", "/api/v1/memberships", payload), 401)
        assert not Membership.objects.exists()

    @pytest.mark.parametrize(
        ("payload", "status", "field"),
        [
            ({"member": 999999}, 400, "member"),
            ({"parent": 999999}, 400, "parent"),
            ({"role": "emperor"}, 400, "role"),
            ({"start_date": "2020-01-01", "end_date": "2019-01-01"}, 400, "end_date"),
            ({"start_date": "not a date"}, 422, "start_date"),
        ],
    )
    def test_invalid_memberships_name_the_field(
        self, client, organisation, network, payload, status, field
    ):
        moderator = UserFactory(is_moderator=True)
        data = {"member": organisation.pk, "parent": network.pk, **payload}

        problem(
            send(client, "post", "/api/v1/memberships", data, **bearer(moderator)), status, field
        )

    def test_the_same_membership_twice_is_a_409(self, client, organisation, network):
        MembershipFactory(member=organisation, parent=network)
        payload = {"member": organisation.pk, "parent": network.pk}

        problem(
            send(
                client,
                "post",
                "/api/v1/memberships",
                payload,
                **bearer(user_with("admin", network)),
            ),
            409,
        )

    def test_lists_on_both_sides(self, client, organisation, network):
        membership = MembershipFactory(member=organisation, parent=network)
        MembershipFactory()

        of_member = client.get(f"/api/v1/organisations/{organisation.pk}/memberships").json()
        of_parent = client.get(f"/api/v1/memberships?organisation={network.pk}").json()
        every = client.get("/api/v1/memberships").json()

        assert [m["id"] for m in of_member["items"]] == [membership.pk]
        assert [m["id"] for m in of_parent["items"]] == [membership.pk]
        assert every["count"] == 2

    def test_current_only(self, client, organisation, network):
        MembershipFactory(member=organisation, parent=network, end_date=dt.date(2001, 1, 1))
        body = client.get(f"/api/v1/memberships?organisation={network.pk}&current=true").json()
        assert body["count"] == 0

    def test_the_membership_list_runs_a_bounded_number_of_queries(
        self, client, network, django_assert_max_num_queries
    ):
        for _ in range(30):
            MembershipFactory(parent=network)

        with django_assert_max_num_queries(3):
            body = client.get("/api/v1/memberships?limit=100").json()

        assert body["count"] == 30

    def test_patch_and_delete(self, client, organisation, network):
        membership = MembershipFactory(member=organisation, parent=network)
        url = f"/api/v1/memberships/{membership.pk}"

        problem(send(client, "patch", url, {"role": "observer"}, **bearer(UserFactory())), 403)
        body = send(
            client, "patch", url, {"role": "observer"}, **bearer(user_with("editor", network))
        ).json()
        assert body["role"] == "observer"

        problem(client.delete(url), 401)
        leaving = user_with("editor", organisation)  # the member may leave
        assert client.delete(url, headers=bearer(leaving)).status_code == 204
        assert not Membership.objects.filter(pk=membership.pk).exists()
        problem(client.delete(url, headers=bearer(leaving)), 404)


def test_city_fixtures_are_the_real_cities():
    """The GeoNames ids the tests use name the cities they claim to."""
    assert city(LYON).name == "Lyon"
    assert City.objects.get(geonameid=DAKAR).country.iso3 == "SEN"
