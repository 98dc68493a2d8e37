"""The partnership API over HTTP: a partnership proposed, accepted, run and ended with every step
in its history; permission outcomes like the directory's; the stats against the database; the
query count of the list; RFC 7807 problem documents naming the field."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

import pytest
from django.test import Client

from citypeers.accounts.models import OrganisationRole
from citypeers.accounts.services import api_token_create
from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.models import ActorType, Organisation
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    city,
    theme,
)
from citypeers.partnerships.models import (
    Activity,
    Geography,
    Modality,
    Partnership,
    PartnershipEvent,
    PartnershipMember,
    Status,
)
from citypeers.partnerships.tests.factories import (
    ActivityFactory,
    CapacityAssessmentFactory,
    PartnershipFactory,
    ResultFactory,
)

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
LYON, DAKAR, ACCRA = 2996944, 2253354, 2306104


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


def municipality(name: str, geonameid: int) -> Any:
    place = city(geonameid)
    return OrganisationFactory(
        name=name, actor_type=ActorType.MUNICIPALITY, country=place.country, city=place
    )


def editor_of(organisation: Organisation) -> Any:
    return OrganisationRoleFactory(
        organisation=organisation, role=OrganisationRole.Role.EDITOR
    ).user


@pytest.fixture
def lyon() -> Organisation:
    return municipality("Ville de Lyon", LYON)


@pytest.fixture
def dakar() -> Organisation:
    return municipality("Ville de Dakar", DAKAR)


@pytest.fixture
def partnership(lyon, dakar) -> Any:
    return PartnershipFactory(title="Lyon–Dakar water", members=[lyon, dakar])


# --- the whole life of a partnership over the API --------------------------------------------


class TestLifecycle:
    def test_propose_accept_run_and_end_with_every_step_in_history(self, client, lyon, dakar):
        lyon_editor, dakar_editor = editor_of(lyon), editor_of(dakar)
        as_lyon, as_dakar = bearer(lyon_editor), bearer(dakar_editor)

        # given Lyon proposes a partnership to Dakar
        created = send(
            client,
            "post",
            "/api/v1/partnerships",
            {
                "title": "Lyon–Dakar water",
                "modality": "c2c",
                "members": [
                    {"organisation": lyon.pk, "role": "lead"},
                    {"organisation": dakar.pk, "role": "partner"},
                ],
                "started_on": "2024-01-01",
                "original_language": "fr",
                "descriptions": {"fr": "Réduire les pertes d'eau.", "en": "Cut water losses."},
                "themes": ["water-sanitation"],
                "sdgs": [6, 11],
                "objectives": ["Halve non-revenue water."],
            },
            **as_lyon,
        )
        assert created.status_code == 201, created.content
        body = created.json()
        pk = body["id"]
        assert body["status"] == "proposed"
        assert body["geography"] == "north_south"
        assert body["themes"] == ["water-sanitation"]
        assert body["sdgs"] == [6, 11]
        assert {m["organisation"]["id"]: m["accepted"] for m in body["members"]} == {
            lyon.pk: True,
            dakar.pk: False,
        }
        assert body["members"][0]["role"] == "lead"

        # Lyon cannot answer for Dakar; Dakar accepts
        problem(
            send(
                client,
                "post",
                f"/api/v1/partnerships/{pk}/answer",
                {"organisation": dakar.pk, "accept": True},
                **as_lyon,
            ),
            403,
        )
        accepted = send(
            client,
            "post",
            f"/api/v1/partnerships/{pk}/answer",
            {"organisation": dakar.pk, "accept": True, "note": "With pleasure."},
            **as_dakar,
        )
        assert accepted.status_code == 200, accepted.content
        assert accepted.json()["status"] == "active"

        # both run it: an activity, a result with indicators, one more indicator
        activity = send(
            client,
            "post",
            f"/api/v1/partnerships/{pk}/activities",
            {
                "kind": "study_tour",
                "title": "Dakar engineers in Lyon",
                "start_date": "2024-03-04",
                "end_date": "2024-03-08",
                "city": LYON,
                "participant_count": 8,
                "participants": [dakar.pk],
            },
            **as_dakar,
        )
        assert activity.status_code == 201, activity.content
        assert activity.json()["city"] == {"geonameid": LYON, "name": "Lyon"}
        assert activity.json()["participants"] == [dakar.pk]
        objective_id = body["objectives"][0]["id"]
        result = send(
            client,
            "post",
            f"/api/v1/partnerships/{pk}/results",
            {
                "title": "Losses fell",
                "objective": objective_id,
                "achieved_on": "2025-06-30",
                "indicators": [
                    {
                        "name": "Non-revenue water",
                        "unit": "%",
                        "baseline": 42,
                        "target": 25,
                        "actual": "31.5",
                        "baseline_on": "2024-01-01",
                        "measured_on": "2025-06-30",
                    }
                ],
            },
            **as_lyon,
        )
        assert result.status_code == 201, result.content
        assert result.json()["objective"] == objective_id
        (indicator,) = result.json()["indicators"]
        assert indicator["name"] == "Non-revenue water"
        assert float(indicator["actual"]) == 31.5
        more = send(
            client,
            "post",
            f"/api/v1/results/{result.json()['id']}/indicators",
            {"name": "Leaks repaired", "unit": "leaks", "actual": 120},
            **as_dakar,
        )
        assert more.status_code == 201, more.content
        results = client.get(f"/api/v1/partnerships/{pk}/results").json()
        assert results["count"] == 1
        assert [i["name"] for i in results["items"][0]["indicators"]] == [
            "Non-revenue water",
            "Leaks repaired",
        ]
        activities = client.get(f"/api/v1/partnerships/{pk}/activities").json()
        assert [a["title"] for a in activities["items"]] == ["Dakar engineers in Lyon"]

        # a pause, then the end
        dormant = send(
            client, "post", f"/api/v1/partnerships/{pk}/status", {"status": "dormant"}, **as_lyon
        )
        assert dormant.json()["status"] == "dormant"
        ended = send(
            client,
            "post",
            f"/api/v1/partnerships/{pk}/status",
            {"status": "ended", "on": "2026-01-31", "reason": "Objectives reached."},
            **as_dakar,
        )
        assert ended.status_code == 200, ended.content
        assert (ended.json()["status"], ended.json()["ended_on"], ended.json()["end_reason"]) == (
            "ended",
            "2026-01-31",
            "Objectives reached.",
        )

        # then every step is in the history, in order
        history = client.get(f"/api/v1/partnerships/{pk}/history").json()
        steps = [(e["kind"], e["from_status"], e["to_status"]) for e in history["items"]]
        assert steps == [
            ("proposed", "", "proposed"),
            ("accepted", "", ""),
            ("status", "proposed", "active"),
            ("activity_added", "", ""),
            ("result_added", "", ""),
            ("indicator_set", "", ""),
            ("indicator_set", "", ""),
            ("status", "active", "dormant"),
            ("status", "dormant", "ended"),
        ]
        assert history["count"] == len(steps)
        assert history["items"][1]["note"] == "With pleasure."
        assert history["items"][-1]["note"] == "Objectives reached."

    def test_an_editor_of_every_member_records_an_active_partnership(self, client, lyon, dakar):
        user = editor_of(lyon)
        OrganisationRoleFactory(user=user, organisation=dakar, role=OrganisationRole.Role.EDITOR)

        response = send(
            client,
            "post",
            "/api/v1/partnerships",
            {
                "title": "Twinning",
                "modality": "twinning",
                "members": [{"organisation": lyon.pk}, {"organisation": dakar.pk}],
                "started_on": "1990-05-01",
            },
            **bearer(user),
        )

        assert response.status_code == 201, response.content
        assert response.json()["status"] == "active"
        assert response.json()["started_on"] == "1990-05-01"

    def test_declining_a_two_member_proposal_declines_it_and_hides_it(self, client, lyon, dakar):
        lyon_editor = editor_of(lyon)
        as_lyon = bearer(lyon_editor)
        pk = send(
            client,
            "post",
            "/api/v1/partnerships",
            {
                "title": "Proposal",
                "modality": "c2c",
                "members": [{"organisation": lyon.pk}, {"organisation": dakar.pk}],
            },
            **as_lyon,
        ).json()["id"]

        declined = send(
            client,
            "post",
            f"/api/v1/partnerships/{pk}/answer",
            {"organisation": dakar.pk, "accept": False, "note": "Not now."},
            **bearer(editor_of(dakar)),
        )

        assert declined.json()["status"] == "declined"
        problem(client.get(f"/api/v1/partnerships/{pk}"), 404)
        assert pk not in [p["id"] for p in client.get("/api/v1/partnerships").json()["items"]]
        # its members still see it
        client.force_login(lyon_editor)
        assert client.get(f"/api/v1/partnerships/{pk}").json()["status"] == "declined"

    def test_patch_changes_only_what_is_sent(self, client, partnership, lyon):
        response = send(
            client,
            "patch",
            f"/api/v1/partnerships/{partnership.pk}",
            {"title": "Renamed", "themes": ["water-sanitation"], "sdgs": [6]},
            **bearer(editor_of(lyon)),
        )

        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["title"], body["modality"], body["themes"], body["sdgs"]) == (
            "Renamed",
            "c2c",
            ["water-sanitation"],
            [6],
        )
        assert PartnershipEvent.objects.filter(partnership=partnership, kind="updated").exists()

    def test_members_added_and_removed(self, client, partnership, lyon):
        accra = municipality("Accra Metropolitan Assembly", ACCRA)
        as_lyon = bearer(editor_of(lyon))

        added = send(
            client,
            "post",
            f"/api/v1/partnerships/{partnership.pk}/members",
            {"organisation": accra.pk, "role": "partner"},
            **as_lyon,
        )

        assert added.status_code == 201, added.content
        assert added.json()["organisation"]["id"] == accra.pk
        assert added.json()["accepted"] is False  # Lyon's editor does not edit for Accra: invited
        # Lyon with Dakar and Accra: two Southern members and a Northern one
        assert client.get(f"/api/v1/partnerships/{partnership.pk}").json()["geography"] == (
            Geography.TRIANGULAR
        )
        problem(
            send(
                client,
                "post",
                f"/api/v1/partnerships/{partnership.pk}/members",
                {"organisation": accra.pk},
                **as_lyon,
            ),
            409,
            "organisation",
        )
        removed = send(
            client, "delete", f"/api/v1/partnerships/{partnership.pk}/members/{accra.pk}", **as_lyon
        )
        assert removed.status_code == 204
        assert not partnership.members.filter(organisation=accra).exists()
        problem(
            send(
                client,
                "delete",
                f"/api/v1/partnerships/{partnership.pk}/members/{lyon.pk}",
                **as_lyon,
            ),
            400,
            "organisation",
        )

    def test_activity_deleted(self, client, partnership, lyon):
        activity = ActivityFactory(partnership=partnership)

        response = send(
            client, "delete", f"/api/v1/activities/{activity.pk}", **bearer(editor_of(lyon))
        )

        assert response.status_code == 204
        assert not Activity.objects.filter(pk=activity.pk).exists()
        assert PartnershipEvent.objects.filter(kind="activity_removed").count() == 1

    def test_capacity_assessed_and_linked(self, client, partnership, lyon):
        as_lyon = bearer(editor_of(lyon))

        assessed = send(
            client,
            "post",
            f"/api/v1/organisations/{lyon.pk}/capacity",
            {
                "assessed_on": "2024-01-15",
                "scores": {
                    "strategic-planning": {"level": 2, "evidence": "No written plan."},
                    "local-finance": {"level": 3},
                },
            },
            **as_lyon,
        )
        assert assessed.status_code == 201, assessed.content
        assert {s["dimension"]: s["level"] for s in assessed.json()["scores"]} == {
            "strategic-planning": 2,
            "local-finance": 3,
        }
        listed = client.get(f"/api/v1/organisations/{lyon.pk}/capacity").json()
        assert [a["id"] for a in listed["items"]] == [assessed.json()["id"]]

        linked = send(
            client,
            "post",
            f"/api/v1/partnerships/{partnership.pk}/capacity-links",
            {"assessment": assessed.json()["id"], "kind": "baseline"},
            **as_lyon,
        )
        assert linked.status_code == 201, linked.content
        assert linked.json()["kind"] == "baseline"
        assert linked.json()["assessment"]["organisation"] == lyon.pk
        outsider = CapacityAssessmentFactory()
        problem(
            send(
                client,
                "post",
                f"/api/v1/partnerships/{partnership.pk}/capacity-links",
                {"assessment": outsider.pk, "kind": "follow_up"},
                **as_lyon,
            ),
            400,
            "assessment",
        )
        dimensions = client.get("/api/v1/capacity/dimensions").json()
        assert "strategic-planning" in [d["slug"] for d in dimensions]


# --- permission outcomes ---------------------------------------------------------------------


def write_requests(partnership: Partnership, organisation: Organisation) -> list[tuple]:
    pk = partnership.pk
    result: Any = ResultFactory(partnership=partnership)
    activity: Any = ActivityFactory(partnership=partnership)
    return [
        ("patch", f"/api/v1/partnerships/{pk}", {"title": "New"}),
        ("post", f"/api/v1/partnerships/{pk}/status", {"status": "dormant"}),
        (
            "post",
            f"/api/v1/partnerships/{pk}/activities",
            {"kind": "training", "title": "A", "start_date": "2024-01-01"},
        ),
        ("delete", f"/api/v1/activities/{activity.pk}", None),
        ("post", f"/api/v1/partnerships/{pk}/results", {"title": "R"}),
        ("post", f"/api/v1/results/{result.pk}/indicators", {"name": "I"}),
        ("post", f"/api/v1/partnerships/{pk}/objectives", {"text": "O"}),
        (
            "post",
            f"/api/v1/partnerships/{pk}/members",
            {"organisation": organisation.pk, "role": "funder"},
        ),
        (
            "post",
            f"/api/v1/partnerships/{pk}/agreements",
            {"title": "MoU", "url": "https://example.org/mou.pdf"},
        ),
    ]


class TestPermissions:
    def test_anonymous_writes_are_401(self, client, partnership, lyon):
        outsider = OrganisationFactory()
        for method, url, data in write_requests(partnership, outsider):
            problem(send(client, method, url, data), 401)
        problem(
            send(
                client,
                "post",
                "/api/v1/partnerships",
                {"title": "T", "modality": "c2c", "members": []},
            ),
            401,
        )
        problem(
            send(client, "post", f"/api/v1/organisations/{lyon.pk}/capacity", {}),
            401,
        )

    def test_a_stranger_is_refused_403(self, client, partnership):
        outsider = OrganisationFactory()
        headers = bearer(UserFactory())
        for method, url, data in write_requests(partnership, outsider):
            problem(send(client, method, url, data, **headers), 403)

    def test_a_member_organisation_s_plain_member_is_refused_403(self, client, partnership, lyon):
        user = OrganisationRoleFactory(organisation=lyon, role=OrganisationRole.Role.MEMBER).user

        problem(
            send(
                client,
                "patch",
                f"/api/v1/partnerships/{partnership.pk}",
                {"title": "New"},
                **bearer(user),
            ),
            403,
        )

    @pytest.mark.parametrize("kind", ["editor", "admin", "moderator"])
    def test_editors_admins_and_moderators_are_allowed(self, client, partnership, lyon, kind):
        outsider = OrganisationFactory()
        if kind == "moderator":
            user = UserFactory(is_moderator=True)
        else:
            user = OrganisationRoleFactory(organisation=lyon, role=kind).user
        headers = bearer(user)
        for method, url, data in write_requests(partnership, outsider):
            response = send(client, method, url, data, **headers)
            assert response.status_code in {200, 201, 204}, (url, response.content)

    def test_only_moderators_delete(self, client, partnership, lyon):
        problem(
            send(
                client,
                "delete",
                f"/api/v1/partnerships/{partnership.pk}",
                **bearer(editor_of(lyon)),
            ),
            403,
        )
        response = send(
            client,
            "delete",
            f"/api/v1/partnerships/{partnership.pk}",
            **bearer(UserFactory(is_moderator=True)),
        )
        assert response.status_code == 204
        assert not Partnership.objects.filter(pk=partnership.pk).exists()

    def test_proposing_needs_an_organisation_one_edits_for(self, client, lyon, dakar):
        response = send(
            client,
            "post",
            "/api/v1/partnerships",
            {
                "title": "T",
                "modality": "c2c",
                "members": [{"organisation": lyon.pk}, {"organisation": dakar.pk}],
            },
            **bearer(UserFactory()),
        )

        problem(response, 403)

    def test_session_writes_need_the_csrf_token(self, lyon, partnership):
        client = Client(enforce_csrf_checks=True)
        client.force_login(editor_of(lyon))

        response = send(client, "patch", f"/api/v1/partnerships/{partnership.pk}", {"title": "X"})

        problem(response, 403)


# --- errors ----------------------------------------------------------------------------------


class TestErrors:
    def test_rule_errors_are_400_naming_the_field(self, client, lyon, dakar, partnership):
        headers = bearer(editor_of(lyon))
        base = {
            "title": "T",
            "modality": "c2c",
            "members": [{"organisation": lyon.pk}, {"organisation": dakar.pk}],
        }

        problem(
            send(client, "post", "/api/v1/partnerships", {**base, "themes": ["nope"]}, **headers),
            400,
            "themes",
        )
        problem(
            send(client, "post", "/api/v1/partnerships", {**base, "sdgs": [18]}, **headers),
            400,
            "sdgs",
        )
        problem(
            send(
                client,
                "post",
                "/api/v1/partnerships",
                {**base, "members": [{"organisation": lyon.pk}]},
                **headers,
            ),
            400,
            "members",
        )
        problem(
            send(
                client,
                "post",
                "/api/v1/partnerships",
                {**base, "members": [{"organisation": lyon.pk}, {"organisation": 999999}]},
                **headers,
            ),
            400,
            "members",
        )
        problem(
            send(
                client,
                "post",
                "/api/v1/partnerships",
                {**base, "original_language": "fr", "descriptions": {"en": "Only English."}},
                **headers,
            ),
            400,
            "original_language",
        )
        problem(
            send(
                client,
                "post",
                f"/api/v1/partnerships/{partnership.pk}/status",
                {"status": "ended"},
                **headers,
            ),
            400,
            "reason",
        )
        problem(
            send(
                client,
                "post",
                f"/api/v1/partnerships/{partnership.pk}/activities",
                {
                    "kind": "training",
                    "title": "A",
                    "start_date": "2024-02-01",
                    "end_date": "2024-01-01",
                },
                **headers,
            ),
            400,
            "end_date",
        )

    def test_a_forbidden_transition_is_409(self, client, partnership, lyon):
        headers = bearer(editor_of(lyon))
        send(
            client,
            "post",
            f"/api/v1/partnerships/{partnership.pk}/status",
            {"status": "ended", "reason": "Done."},
            **headers,
        )

        response = send(
            client,
            "post",
            f"/api/v1/partnerships/{partnership.pk}/status",
            {"status": "active"},
            **headers,
        )

        problem(response, 409, "status")

    def test_wrong_shapes_are_422_naming_the_field(self, client, lyon):
        headers = bearer(editor_of(lyon))

        problem(
            send(
                client,
                "post",
                "/api/v1/partnerships",
                {"title": "T", "modality": "telepathy", "members": []},
                **headers,
            ),
            422,
            "modality",
        )
        problem(
            send(
                client,
                "post",
                f"/api/v1/organisations/{lyon.pk}/capacity",
                {"assessed_on": "2024-01-01", "scores": {"local-finance": {"level": 7}}},
                **headers,
            ),
            422,
            "level",
        )
        problem(client.get("/api/v1/partnerships", {"geography": "east_west"}), 422, "geography")

    def test_missing_records_are_404(self, client, lyon):
        problem(client.get("/api/v1/partnerships/999999"), 404)
        problem(client.get("/api/v1/partnerships/999999/history"), 404)
        problem(send(client, "delete", "/api/v1/activities/999999", **bearer(editor_of(lyon))), 404)


# --- reads: list, filters, stats -------------------------------------------------------------


class TestRead:
    def test_list_filters(self, client, partnership, lyon):
        other = PartnershipFactory(modality=Modality.TWINNING, themes=[theme("water-sanitation")])

        def ids(**params: Any) -> list[int]:
            return [p["id"] for p in client.get("/api/v1/partnerships", params).json()["items"]]

        assert set(ids()) == {partnership.pk, other.pk}
        assert ids(modality="twinning") == [other.pk]
        assert ids(geography="north_south") == [partnership.pk]
        assert ids(country="SEN") == [partnership.pk]
        assert ids(region="002") == [partnership.pk]  # Africa
        assert ids(organisation=lyon.pk) == [partnership.pk]
        assert ids(theme="water-sanitation") == [other.pk]
        assert ids(q="dakar") == [partnership.pk]
        assert ids(international_only=True) == [partnership.pk]  # other is all in France
        assert ids(status="ended") == []

    def test_list_runs_a_fixed_number_of_queries(self, client, django_assert_max_num_queries, lyon):
        for _n in range(30):
            PartnershipFactory(
                members=[lyon, OrganisationFactory()],
                themes=[theme("water-sanitation")],
                sdgs=[],
            )

        with django_assert_max_num_queries(8):
            response = client.get("/api/v1/partnerships", {"limit": 100})

        assert response.json()["count"] == 30
        assert len(response.json()["items"]) == 30
        assert all(len(p["members"]) == 2 for p in response.json()["items"])

    def test_stats_match_the_database(self, client, lyon, dakar):
        accra = municipality("Accra Metropolitan Assembly", ACCRA)
        PartnershipFactory(members=[lyon, dakar])
        PartnershipFactory(members=[dakar, accra], modality=Modality.TWINNING)
        PartnershipFactory(members=[lyon, dakar, accra], status=Status.DORMANT)
        PartnershipFactory(members=[lyon, OrganisationFactory()], status=Status.ENDED)
        PartnershipFactory(members=[lyon, accra], status=Status.DECLINED)

        stats = client.get("/api/v1/partnerships/stats").json()

        visible = Partnership.objects.exclude(status=Status.DECLINED)
        assert stats["total"] == visible.count() == 4
        assert {k: v for k, v in stats["by_geography"].items() if v} == dict(
            Counter(visible.values_list("geography", flat=True))
        )
        assert stats["by_geography"]["triangular"] == 1
        assert stats["by_geography"]["south_south"] == 1
        assert {k: v for k, v in stats["by_modality"].items() if v} == dict(
            Counter(visible.values_list("modality", flat=True))
        )
        assert {k: v for k, v in stats["by_status"].items() if v} == dict(
            Counter(visible.values_list("status", flat=True))
        )
        assert stats["by_status"]["declined"] == 0
        for code, entry in stats["by_region"].items():
            in_region = (
                visible.filter(members__organisation__country__region__m49=code).distinct().count()
            )
            assert entry["count"] == in_region, code
        assert stats["by_region"]["002"] == {"name": "Africa", "count": 3}
        assert stats["by_region"]["150"] == {"name": "Europe", "count": 3}

    def test_stats_take_the_filters(self, client, lyon, dakar):
        PartnershipFactory(members=[lyon, dakar])
        PartnershipFactory(members=[lyon, dakar], modality=Modality.TWINNING)

        stats = client.get("/api/v1/partnerships/stats", {"modality": "twinning"}).json()

        assert stats["total"] == 1
        assert stats["by_modality"] == {
            **dict.fromkeys(Modality.values, 0),
            "twinning": 1,
        }

    def test_one_partnership(self, client, partnership, lyon, dakar):
        body = client.get(f"/api/v1/partnerships/{partnership.pk}").json()

        assert body["title"] == "Lyon–Dakar water"
        assert body["url"] == partnership.get_absolute_url()
        assert {m["organisation"]["country"] for m in body["members"]} == {"FRA", "SEN"}
        assert {m["organisation"]["actor_type"] for m in body["members"]} == {"municipality"}
        assert dt.date.fromisoformat(body["started_on"]) == partnership.started_on
        assert PartnershipMember.objects.filter(partnership=partnership).count() == 2
