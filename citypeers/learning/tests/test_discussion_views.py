"""The discussion, moderation and follow pages over HTTP: forms, statuses, htmx fragments, hidden
content, and no script from a user or inline anywhere."""

from __future__ import annotations

import re

import pytest

from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.tests.factories import OrganisationFactory, theme
from citypeers.learning.models import DiscussionBan, Follow, Reply, Report, Thread
from citypeers.learning.tests.checks import HOSTILE, assert_inert, assert_no_inline_script
from citypeers.learning.tests.factories import (
    EventFactory,
    ReplyFactory,
    ThreadFactory,
    theme_community,
)
from citypeers.notifications.models import DigestPreference

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def signed_in(client, user=None):
    user = user or UserFactory()
    client.force_login(user)
    return user


class TestReading:
    def test_communities_then_a_community_then_a_thread(self, client):
        thread = ThreadFactory(title="Kiosk tariffs")
        html = page(client.get("/fr/learning/discussions/"))
        assert theme("water-sanitation").label_fr in html
        assert_no_inline_script(html)
        html = page(client.get(thread.community.get_absolute_url()))
        from django.utils import translation

        with translation.override("fr"):  # the pages stay in French after the first one
            log_in = translation.gettext("Log in to take part.")
        assert "Kiosk tariffs" in html and log_in in html
        html = page(client.get(thread.get_absolute_url()))
        assert "Kiosk tariffs" in html and "<em>finance</em>" in html

    def test_the_search_answers_htmx_with_the_results_only(self, client):
        community = theme_community()
        ThreadFactory(community=community, title="Prepaid meters")
        ThreadFactory(community=community, title="Street lighting")
        fragment = page(client.get(f"{community.get_absolute_url()}?q=meters", headers=HTMX))
        assert "<html" not in fragment
        assert "Prepaid meters" in fragment and "Street lighting" not in fragment

    def test_a_hostile_post_renders_inert(self, client):
        thread = ThreadFactory(body=HOSTILE)
        ReplyFactory(thread=thread, body=HOSTILE)
        html = page(client.get(thread.get_absolute_url()))
        bodies = re.findall(r'<div class="markdown post-body">(.*?)</div>', html, re.S)
        assert len(bodies) == 2
        for body in bodies:
            assert_inert(body)
        assert_no_inline_script(html)

    def test_hidden_is_not_found_for_others(self, client):
        thread = ThreadFactory(is_hidden=True, hidden_reason="Spam.")
        assert client.get(thread.get_absolute_url()).status_code == 404
        signed_in(client)
        assert client.get(thread.get_absolute_url()).status_code == 404
        signed_in(client, thread.author)
        assert "Spam." in page(client.get(thread.get_absolute_url()))
        visible = ThreadFactory()
        hidden = ReplyFactory(thread=visible, is_hidden=True, body="Rude words")
        signed_in(client)
        assert "Rude words" not in page(client.get(visible.get_absolute_url()))
        signed_in(client, hidden.author)
        assert "Rude words" in page(client.get(visible.get_absolute_url()))


class TestWriting:
    def test_start_a_thread(self, client):
        community = theme_community()
        url = f"/en/learning/discussions/{community.slug}/new/"
        assert client.get(url).status_code == 302  # to the log-in page
        user = signed_in(client)
        assert client.get(url).status_code == 200
        refused = client.post(url, {"title": "", "body": "x", "language": "en"})
        assert refused.status_code == 400
        done = client.post(url, {"title": "Tariffs", "body": "How?", "language": "es"})
        thread = Thread.objects.get(author=user)
        assert done.status_code == 302 and done["Location"] == thread.get_absolute_url()
        assert thread.language == "es"

    def test_the_rate_limit_shows_on_the_form_with_429(self, client, settings):
        settings.CITYPEERS_DISCUSSION_POSTS_PER_MINUTE = 1
        community = theme_community()
        signed_in(client)
        url = f"/en/learning/discussions/{community.slug}/new/"
        client.post(url, {"title": "One", "body": "x", "language": "en"})
        refused = client.post(url, {"title": "Two", "body": "x", "language": "en"})
        assert refused.status_code == 429
        assert 1 <= int(refused["Retry-After"]) <= 60
        assert "too fast" in refused.content.decode()

    def test_reply_and_locked(self, client):
        thread = ThreadFactory()
        user = signed_in(client)
        done = client.post(f"/en/learning/discussions/threads/{thread.pk}/reply/", {"body": "Yes"})
        reply = Reply.objects.get(author=user)
        assert done["Location"].endswith(f"#reply-{reply.pk}")
        assert (
            client.post(
                f"/en/learning/discussions/threads/{thread.pk}/reply/", {"body": ""}
            ).status_code
            == 400
        )
        Thread.objects.filter(pk=thread.pk).update(is_locked=True)
        locked = client.post(
            f"/en/learning/discussions/threads/{thread.pk}/reply/", {"body": "More"}
        )
        assert locked.status_code == 409

    def test_helpful_swaps_the_reply_with_htmx(self, client):
        reply = ReplyFactory()
        signed_in(client, reply.thread.author)
        fragment = page(
            client.post(
                f"/en/learning/discussions/replies/{reply.pk}/helpful/",
                {"helpful": "1"},
                headers=HTMX,
            )
        )
        assert fragment.startswith("<article") and "Not helpful after all" in fragment
        signed_in(client)
        assert (
            client.post(f"/en/learning/discussions/replies/{reply.pk}/helpful/").status_code == 403
        )

    def test_report_a_reply(self, client):
        reply = ReplyFactory()
        reader = signed_in(client)
        url = f"/en/learning/discussions/threads/{reply.thread_id}/report/?reply={reply.pk}"
        assert "<strong>revolving fund</strong>" in page(client.get(url))
        assert client.post(url, {"reason": "other", "details": ""}).status_code == 400
        done = client.post(url, {"reason": "abuse", "reply": reply.pk})
        assert done.status_code == 302
        assert Report.objects.get(reporter=reader).reply == reply


class TestModeration:
    def test_the_queue_is_for_moderators_and_acts_on_reports(self, client):
        reply = ReplyFactory(body="Buy cheap watches")
        Report.objects.create(
            reporter=UserFactory(), thread=reply.thread, reply=reply, reason="spam"
        )
        signed_in(client)
        assert client.get("/en/learning/discussions/moderation/").status_code == 403
        mod = signed_in(client, UserFactory(is_moderator=True))
        html = page(client.get("/en/learning/discussions/moderation/"))
        assert "Buy cheap watches" in html
        report = Report.objects.get()
        client.post(
            f"/en/learning/discussions/moderation/reports/{report.pk}/",
            {"action": "hide", "reason": ""},
        )
        reply.refresh_from_db()
        assert not reply.is_hidden  # no reason, no action
        client.post(
            f"/en/learning/discussions/moderation/reports/{report.pk}/",
            {"action": "hide", "reason": "Advertising."},
        )
        reply.refresh_from_db()
        report.refresh_from_db()
        assert reply.is_hidden and reply.hidden_reason == "Advertising."
        assert report.status == "resolved" and report.resolved_by == mod

    def test_lock_with_a_reason(self, client):
        thread = ThreadFactory()
        url = f"/en/learning/discussions/threads/{thread.pk}/moderate/lock/"
        signed_in(client, thread.author)
        assert client.get(url).status_code == 403
        signed_in(client, UserFactory(is_moderator=True))
        assert client.post(url, {"reason": ""}).status_code == 400
        assert client.post(url, {"reason": "Solved."}).status_code == 302
        thread.refresh_from_db()
        assert thread.is_locked and thread.locked_reason == "Solved."
        assert (
            client.get(
                f"/en/learning/discussions/threads/{thread.pk}/moderate/explode/"
            ).status_code
            == 404
        )

    def test_ban_and_lift_from_the_page(self, client):
        person = UserFactory()
        url = f"/en/learning/discussions/moderation/people/{person.pk}/ban/"
        signed_in(client)
        assert client.get(url).status_code == 403
        signed_in(client, UserFactory(is_moderator=True))
        assert client.post(url, {"reason": "Spam.", "until": "2001-01-01T00:00"}).status_code == 400
        assert client.post(url, {"reason": "Spam.", "until": ""}).status_code == 302
        ban = DiscussionBan.objects.get(user=person)
        assert ban.until is None and ban.reason == "Spam."
        assert "Lift the ban" in page(client.get(url))
        client.post(url, {"reason": "Apologised."})
        ban.refresh_from_db()
        assert ban.lifted_at is not None


class TestFollowing:
    def test_digest_themes_and_an_organisation(self, client):
        user = signed_in(client)
        url = "/en/learning/following/"
        assert "E-mail digest" in page(client.get(url))
        assert client.post(url, {"action": "digest", "frequency": "hourly"}).status_code == 400
        client.post(url, {"action": "digest", "frequency": "weekly"})
        assert DigestPreference.objects.get(user=user).frequency == "weekly"
        client.post(url, {"action": "themes", "themes": ["water-sanitation", "waste"]})
        client.post(url, {"action": "themes", "themes": ["waste"]})
        assert list(Follow.objects.filter(user=user).values_list("theme__slug", flat=True)) == [
            "waste"
        ]
        org = OrganisationFactory()
        client.post(
            url,
            {
                "action": "organisation",
                "organisation": f"https://x.example/en/directory/{org.slug}/",
            },
        )
        assert Follow.objects.filter(user=user, organisation=org).exists()
        assert (
            client.post(url, {"action": "organisation", "organisation": "no-such-org"}).status_code
            == 400
        )
        assert org.name in page(client.get(url))

    def test_the_follow_button(self, client):
        event = EventFactory()
        user = signed_in(client)
        html = page(client.get(event.get_absolute_url()))
        assert "Follow this event" in html
        fragment = page(
            client.post(
                "/en/learning/follow/",
                {
                    "kind": "event",
                    "id": event.pk,
                    "action": "follow",
                    "next": event.get_absolute_url(),
                },
                headers=HTMX,
            )
        )
        assert fragment.startswith("<form") and 'value="unfollow"' in fragment
        assert Follow.objects.filter(user=user, event=event).exists()
        back = client.post(
            "/en/learning/follow/",
            {
                "kind": "event",
                "id": event.pk,
                "action": "unfollow",
                "next": "https://evil.example/",
            },
        )
        assert back["Location"] == "/en/learning/following/"
        assert not Follow.objects.filter(user=user, event=event).exists()
        hidden = ThreadFactory(is_hidden=True)
        refused = client.post(
            "/en/learning/follow/", {"kind": "thread", "id": hidden.pk, "action": "follow"}
        )
        assert refused.status_code == 404
