"""The discussions, follows and digest preference over the API: 401 anonymous, 403 not allowed,
404 hidden, 409 conflicts, 400 naming the field, 429 past the rate limit, and list query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from citypeers.accounts.models import OrganisationRole
from citypeers.accounts.services import api_token_create
from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.models import ActorType
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    theme,
)
from citypeers.learning.models import DiscussionBan, Follow, Report, Thread
from citypeers.learning.tests.checks import HOSTILE, assert_inert
from citypeers.learning.tests.factories import (
    EventFactory,
    NetworkCommunityFactory,
    ReplyFactory,
    ThreadFactory,
    theme_community,
)
from citypeers.notifications.models import DigestPreference

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
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
def client() -> Client:
    return Client()


def moderator():
    return UserFactory(is_moderator=True)


class TestCommunitiesAndThreads:
    def test_list_and_open_a_thread(self, client, django_assert_max_num_queries):
        community = theme_community()
        listed = client.get("/api/v1/communities?limit=100").json()
        assert any(c["id"] == community.pk and c["kind"] == "theme" for c in listed["items"])
        user = UserFactory()
        created = send(
            client,
            "post",
            f"/api/v1/communities/{community.pk}/threads",
            {"title": "Tariffs", "body": "How **low**?", "language": "fr"},
            **bearer(user),
        )
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["following"] is True and body["language"] == "fr"
        assert "<strong>low</strong>" in body["body_html"]
        for _n in range(4):
            ThreadFactory(community=community)
        with django_assert_max_num_queries(4):
            page = client.get(f"/api/v1/communities/{community.pk}/threads")
        assert page.json()["count"] == 5

    def test_anonymous_writes_are_401_and_outsiders_of_a_network_403(self, client):
        community = NetworkCommunityFactory()
        url = f"/api/v1/communities/{community.pk}/threads"
        problem(send(client, "post", url, {"title": "x", "body": "y"}), 401)
        problem(
            send(client, "post", url, {"title": "x", "body": "y"}, **bearer(UserFactory())), 403
        )
        problem(
            send(
                client,
                "post",
                "/api/v1/communities/999999/threads",
                {"title": "x", "body": "y"},
                **bearer(UserFactory()),
            ),
            404,
        )

    def test_bad_input_names_the_field(self, client):
        community = theme_community()
        headers = bearer(UserFactory())
        url = f"/api/v1/communities/{community.pk}/threads"
        problem(send(client, "post", url, {"title": "", "body": "y"}, **headers), 400, "title")
        problem(
            send(client, "post", url, {"title": "x", "body": "y", "language": "french"}, **headers),
            400,
            "language",
        )
        problem(send(client, "post", url, {"title": "x"}, **headers), 422, "body")

    def test_a_hostile_reply_comes_back_inert(self, client):
        thread = ThreadFactory()
        created = send(
            client,
            "post",
            f"/api/v1/threads/{thread.pk}/replies",
            {"body": HOSTILE},
            **bearer(UserFactory()),
        )
        assert created.status_code == 201
        elements = assert_inert(created.json()["body_html"])
        assert (
            "a",
            [("href", "https://example.org/"), ("rel", "noopener noreferrer nofollow")],
        ) in elements
        assert created.json()["body"] == HOSTILE  # stored as written, rendered safe

    def test_the_rate_limit_answers_429_with_retry_after(self, client, settings):
        settings.CITYPEERS_DISCUSSION_POSTS_PER_MINUTE = 1
        thread = ThreadFactory()
        headers = bearer(UserFactory())
        url = f"/api/v1/threads/{thread.pk}/replies"
        assert send(client, "post", url, {"body": "one"}, **headers).status_code == 201
        body = problem(send(client, "post", url, {"body": "two"}, **headers), 429)
        assert 1 <= body["retry_after"] <= 60
        assert thread.replies.count() == 1


class TestHiddenAndLocked:
    def test_hidden_is_404_for_others_and_visible_to_author_and_moderators(self, client):
        mod = moderator()
        thread = ThreadFactory()
        reply = ReplyFactory(thread=thread)
        hidden = send(
            client,
            "post",
            f"/api/v1/replies/{reply.pk}/moderation",
            {"action": "hide", "reason": "Abuse."},
            **bearer(mod),
        )
        assert hidden.status_code == 200 and hidden.json()["is_hidden"]
        assert client.get(f"/api/v1/threads/{thread.pk}/replies").json()["count"] == 0
        own = client.get(f"/api/v1/threads/{thread.pk}/replies", headers=bearer(reply.author))
        assert own.json()["count"] == 1
        moderated = send(
            client,
            "post",
            f"/api/v1/threads/{thread.pk}/moderation",
            {"action": "hide", "reason": "Spam."},
            **bearer(mod),
        )
        assert moderated.json()["hidden_reason"] == "Spam."
        problem(client.get(f"/api/v1/threads/{thread.pk}"), 404)
        problem(client.get(f"/api/v1/threads/{thread.pk}", headers=bearer(UserFactory())), 404)
        assert (
            client.get(f"/api/v1/threads/{thread.pk}", headers=bearer(thread.author)).status_code
            == 200
        )

    def test_only_moderators_moderate_and_a_locked_thread_is_409(self, client):
        thread = ThreadFactory()
        url = f"/api/v1/threads/{thread.pk}/moderation"
        problem(send(client, "post", url, {"action": "lock", "reason": "x"}), 401)
        problem(
            send(client, "post", url, {"action": "lock", "reason": "x"}, **bearer(thread.author)),
            403,
        )
        mod = bearer(moderator())
        problem(send(client, "post", url, {"action": "lock", "reason": ""}, **mod), 400, "reason")
        problem(
            send(client, "post", url, {"action": "explode", "reason": "x"}, **mod), 400, "action"
        )
        assert send(client, "post", url, {"action": "lock", "reason": "Solved."}, **mod).json()[
            "is_locked"
        ]
        problem(send(client, "post", url, {"action": "lock", "reason": "Again."}, **mod), 409)
        problem(
            send(
                client,
                "post",
                f"/api/v1/threads/{thread.pk}/replies",
                {"body": "hey"},
                **bearer(thread.author),
            ),
            409,
        )


class TestHelpfulAndReports:
    def test_helpful_by_the_author_only(self, client):
        reply = ReplyFactory()
        url = f"/api/v1/replies/{reply.pk}/helpful"
        problem(send(client, "put", url, {"helpful": True}, **bearer(UserFactory())), 403)
        done = send(client, "put", url, {"helpful": True}, **bearer(reply.thread.author))
        assert done.status_code == 200 and done.json()["helpful"] is True

    def test_report_then_queue_then_dismiss(self, client):
        reply = ReplyFactory()
        reader = bearer(UserFactory())
        url = f"/api/v1/replies/{reply.pk}/reports"
        problem(send(client, "post", url, {"reason": "rude"}, **reader), 422, "reason")
        made = send(client, "post", url, {"reason": "abuse", "details": "Insults."}, **reader)
        assert made.status_code == 201 and made.json()["reply"] == reply.pk
        problem(send(client, "post", url, {"reason": "spam"}, **reader), 409)
        problem(client.get("/api/v1/moderation/reports", headers=reader), 403)
        mod = bearer(moderator())
        queue = client.get("/api/v1/moderation/reports", headers=mod).json()
        assert [r["id"] for r in queue["items"]] == [made.json()["id"]]
        report_id = made.json()["id"]
        problem(
            send(
                client,
                "post",
                f"/api/v1/moderation/reports/{report_id}/dismiss",
                {"reason": "x"},
                **reader,
            ),
            404,
        )
        dismissed = send(
            client,
            "post",
            f"/api/v1/moderation/reports/{report_id}/dismiss",
            {"reason": "Fine."},
            **mod,
        )
        assert dismissed.json()["status"] == "dismissed"
        assert Report.objects.get(pk=report_id).resolution == "Fine."


class TestBans:
    def test_ban_and_lift(self, client):
        person = UserFactory()
        mod = bearer(moderator())
        payload = {"user": person.username, "reason": "Spam."}
        problem(
            send(client, "post", "/api/v1/moderation/bans", payload, **bearer(UserFactory())), 403
        )
        problem(
            send(
                client, "post", "/api/v1/moderation/bans", {**payload, "user": "nobody-here"}, **mod
            ),
            400,
            "user",
        )
        made = send(client, "post", "/api/v1/moderation/bans", payload, **mod)
        assert made.status_code == 201 and made.json()["user"] == person.username
        problem(send(client, "post", "/api/v1/moderation/bans", payload, **mod), 409)
        assert client.get("/api/v1/moderation/bans", headers=mod).json()["count"] == 1
        thread = ThreadFactory()
        problem(
            send(
                client,
                "post",
                f"/api/v1/threads/{thread.pk}/replies",
                {"body": "hi"},
                **bearer(person),
            ),
            403,
        )
        lifted = send(
            client,
            "post",
            f"/api/v1/moderation/bans/{person.username}/lift",
            {"reason": "OK."},
            **mod,
        )
        assert lifted.status_code == 200 and lifted.json()["lifted_at"]
        assert not DiscussionBan.objects.filter(user=person, lifted_at__isnull=True).exists()


class TestFollowsAndDigest:
    def test_follow_unfollow(self, client):
        user = UserFactory()
        headers = bearer(user)
        problem(send(client, "post", "/api/v1/follows", {"theme": "water-sanitation"}), 401)
        first = send(client, "post", "/api/v1/follows", {"theme": "water-sanitation"}, **headers)
        assert first.status_code == 201 and first.json()["kind"] == "theme"
        assert (
            send(
                client, "post", "/api/v1/follows", {"theme": "water-sanitation"}, **headers
            ).status_code
            == 200
        )
        problem(send(client, "post", "/api/v1/follows", {"theme": "nope"}, **headers), 400, "theme")
        problem(send(client, "post", "/api/v1/follows", {}, **headers), 400, "target")
        problem(
            send(
                client, "post", "/api/v1/follows", {"theme": "waste", "organisation": 1}, **headers
            ),
            400,
            "target",
        )
        members = EventFactory(visibility="members")
        problem(
            send(client, "post", "/api/v1/follows", {"event": members.pk}, **headers), 400, "event"
        )
        org = OrganisationFactory()
        assert (
            send(client, "post", "/api/v1/follows", {"organisation": org.pk}, **headers).status_code
            == 201
        )
        mine = client.get("/api/v1/follows", headers=headers).json()
        assert mine["count"] == 2
        other = bearer(UserFactory())
        follow_id = first.json()["id"]
        problem(send(client, "delete", f"/api/v1/follows/{follow_id}", **other), 404)
        assert send(client, "delete", f"/api/v1/follows/{follow_id}", **headers).status_code == 204
        assert not Follow.objects.filter(pk=follow_id).exists()

    def test_digest_preference(self, client):
        user = UserFactory()
        headers = bearer(user)
        problem(client.get("/api/v1/digest-preference"), 401)
        assert (
            client.get("/api/v1/digest-preference", headers=headers).json()["frequency"] == "none"
        )
        done = send(client, "put", "/api/v1/digest-preference", {"frequency": "weekly"}, **headers)
        assert done.status_code == 200 and done.json()["frequency"] == "weekly"
        assert DigestPreference.objects.get(user=user).frequency == "weekly"
        problem(
            send(client, "put", "/api/v1/digest-preference", {"frequency": "hourly"}, **headers),
            400,
            "frequency",
        )


def test_a_network_editor_opens_its_community(client):
    network = OrganisationFactory(actor_type=ActorType.NETWORK)
    editor = OrganisationRoleFactory(organisation=network, role=OrganisationRole.Role.EDITOR).user
    payload = {"organisation": network.pk, "description": "For the **members**."}
    problem(send(client, "post", "/api/v1/communities", payload, **bearer(UserFactory())), 403)
    made = send(client, "post", "/api/v1/communities", payload, **bearer(editor))
    assert made.status_code == 201 and made.json()["organisation"]["id"] == network.pk
    problem(send(client, "post", "/api/v1/communities", payload, **bearer(editor)), 409)
    assert Thread.objects.count() == 0
    assert theme("water-sanitation")
