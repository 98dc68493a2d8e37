"""Follows, and the in-app notifications of what is new in what one follows: who is told (and
who not), once, and with a query count that does not grow with the number of followers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citypeers.accounts.models import OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import ApplicationError, NotFound, PermissionDenied
from citypeers.directory import services as directory_services
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    theme,
)
from citypeers.knowledge import services as knowledge_services
from citypeers.learning import discussions, follows, services, tasks
from citypeers.learning.models import FeedItem, Follow, Visibility
from citypeers.learning.tests.factories import (
    EventFactory,
    FollowFactory,
    NewsArticleFactory,
    ThreadFactory,
)
from citypeers.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_our_callbacks(monkeypatch):
    """The knowledge and directory callbacks of this app only (not the encoder's, nor search)."""
    assert tasks.enqueue_practice_announcement in knowledge_services.AFTER_TEXT_SAVED
    assert tasks.enqueue_organisation_announcement in directory_services.AFTER_SAVED
    monkeypatch.setattr(
        knowledge_services, "AFTER_TEXT_SAVED", [tasks.enqueue_practice_announcement]
    )
    monkeypatch.setattr(
        directory_services, "AFTER_SAVED", [tasks.enqueue_organisation_announcement]
    )


def told(kind):
    return sorted(
        Notification.objects.filter(kind=f"learning.follow.{kind}").values_list(
            "recipient__username", flat=True
        )
    )


class TestFollowing:
    def test_follow_is_idempotent_and_unfollow_says_if_it_did(self):
        user, water = UserFactory(), theme("water-sanitation")
        first, created = follows.follow(actor=user, theme=water)
        again, created_again = follows.follow(actor=user, theme=water)
        assert created and not created_again and first == again
        assert follows.unfollow(actor=user, theme=water) is True
        assert follows.unfollow(actor=user, theme=water) is False

    def test_one_target_at_a_time_and_signed_in(self):
        user = UserFactory()
        with pytest.raises(ApplicationError) as caught:
            follows.follow(
                actor=user, theme=theme("water-sanitation"), organisation=OrganisationFactory()
            )
        assert caught.value.field == "target"
        with pytest.raises(PermissionDenied):
            follows.follow(actor=None, theme=theme("water-sanitation"))

    def test_what_one_may_not_see_cannot_be_followed(self):
        user = UserFactory()
        members_only = EventFactory(visibility=Visibility.MEMBERS)
        with pytest.raises(NotFound):
            follows.follow(actor=user, event=members_only)
        thread = ThreadFactory(is_hidden=True)
        with pytest.raises(NotFound):
            follows.follow(actor=user, thread=thread)
        assert follows.follow(actor=thread.author, thread=thread)[0].pk

    def test_someone_elses_follow_is_not_found(self):
        mine = FollowFactory(theme=theme("water-sanitation"))
        with pytest.raises(NotFound):
            follows.follow_delete(actor=UserFactory(), follow=mine)
        follows.follow_delete(actor=mine.user, follow=mine)
        assert not Follow.objects.filter(pk=mine.pk).exists()


class TestTold:
    def test_a_published_news_article_reaches_followers_of_its_themes_and_organisations(
        self, django_capture_on_commit_callbacks
    ):
        water, owner = theme("water-sanitation"), OrganisationFactory()
        FollowFactory(theme=water, user=UserFactory(username="by-theme"))
        by_org = FollowFactory(organisation=owner, user=UserFactory(username="by-org")).user
        FollowFactory(user=by_org, theme=water)  # follows both: told once
        FollowFactory(theme=theme("mobility"), user=UserFactory(username="elsewhere"))
        author = FollowFactory(theme=water, user=UserFactory(username="author")).user
        article = NewsArticleFactory(
            status="draft", themes=[water], created_by=author, title="Kiosks", language="en"
        )
        article.owner = owner
        article.save()
        services.news_translate(
            actor=author, article=article, language="fr", texts={"title": "Des kiosques"}
        )
        mod = UserFactory(is_moderator=True)
        with django_capture_on_commit_callbacks(execute=True):
            services.news_set_status(actor=mod, article=article, status="published")
        assert told("news") == ["by-org", "by-theme"]  # not the author, not elsewhere
        assert FeedItem.objects.get(kind="news").titles == {"en": "Kiosks", "fr": "Des kiosques"}
        # Published again after archiving: nobody is told twice.
        with django_capture_on_commit_callbacks(execute=True):
            services.news_set_status(actor=mod, article=article, status="archived")
            services.news_set_status(actor=mod, article=article, status="published")
        assert len(told("news")) == 2

    def test_the_title_is_in_each_followers_language(self, django_capture_on_commit_callbacks):
        water = theme("water-sanitation")
        fr = FollowFactory(theme=water, user=UserFactory(preferred_language="fr")).user
        en = FollowFactory(theme=water, user=UserFactory(preferred_language="en")).user
        article = NewsArticleFactory(status="draft", themes=[water], title="Kiosks")
        services.news_translate(
            actor=article.created_by, article=article, language="fr", texts={"title": "Kiosques"}
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.news_set_status(
                actor=UserFactory(is_moderator=True), article=article, status="published"
            )
        assert "Kiosques" in Notification.objects.get(recipient=fr).message
        assert "Kiosks" in Notification.objects.get(recipient=en).message

    def test_public_events_are_announced_members_only_ones_not(
        self, django_capture_on_commit_callbacks
    ):
        org = OrganisationFactory()
        editor = OrganisationRoleFactory(organisation=org, role=OrganisationRole.Role.EDITOR).user
        FollowFactory(organisation=org, user=UserFactory(username="fan"))
        public = EventFactory(organisers=[org], status="draft")
        members = EventFactory(organisers=[org], status="draft", visibility=Visibility.MEMBERS)
        with django_capture_on_commit_callbacks(execute=True):
            services.event_publish(actor=editor, event=public)
            services.event_publish(actor=editor, event=members)
        assert told("event") == ["fan"]
        assert not FeedItem.objects.filter(event=members).exists()

    def test_a_reply_reaches_the_threads_followers_but_not_its_author(
        self, django_capture_on_commit_callbacks
    ):
        author, replier = UserFactory(username="asker"), UserFactory(username="answerer")
        watcher = UserFactory(username="watcher")
        with django_capture_on_commit_callbacks(execute=True):
            thread = discussions.thread_create(
                actor=author,
                community=ThreadFactory().community,
                title="Prepaid meters?",
                body="Anyone?",
            )
        follows.follow(actor=watcher, thread=thread)
        with django_capture_on_commit_callbacks(execute=True):
            discussions.reply_create(actor=replier, thread=thread, body="Yes, @watcher knows.")
        assert told("reply") == ["asker"]  # the watcher had the mention instead, not both
        assert Notification.objects.filter(recipient=watcher).count() == 1
        assert Notification.objects.get(recipient=watcher).kind == "learning.mention"

    def test_a_new_thread_reaches_the_followers_of_the_theme(
        self, django_capture_on_commit_callbacks
    ):
        water = theme("water-sanitation")
        FollowFactory(theme=water, user=UserFactory(username="water-fan"))
        community = ThreadFactory().community
        assert community.theme == water
        with django_capture_on_commit_callbacks(execute=True):
            discussions.thread_create(
                actor=UserFactory(), community=community, title="Tariffs", body="How?"
            )
        assert told("thread") == ["water-fan"]

    def test_a_hidden_thread_is_not_announced(self):
        thread = ThreadFactory()
        FollowFactory(theme=thread.community.theme)
        item = follows.announce_thread(thread)
        thread.is_hidden = True
        thread.save()
        assert item is not None and follows.fan_out(item.pk) == 0
        assert not Notification.objects.exists()

    def test_a_published_practice_through_the_knowledge_callback(
        self, django_capture_on_commit_callbacks
    ):
        from citypeers.knowledge.tests.factories import PracticeFactory

        water = theme("water-sanitation")
        FollowFactory(theme=water, user=UserFactory(username="reader"))
        practice = PracticeFactory(status="submitted")
        practice.themes.set([water])
        with django_capture_on_commit_callbacks(execute=True):
            knowledge_services.practice_set_status(
                actor=UserFactory(is_moderator=True), practice=practice, status="published"
            )
        assert told("practice") == ["reader"]

    def test_a_new_organisation_on_a_followed_theme_through_the_directory_callback(
        self, django_capture_on_commit_callbacks
    ):
        water = theme("water-sanitation")
        FollowFactory(theme=water, user=UserFactory(username="reader"))
        organisation = OrganisationFactory(themes=[water])
        with django_capture_on_commit_callbacks(execute=True):
            directory_services._after_saved(organisation.pk)
            directory_services._after_saved(organisation.pk)  # a later edit: not again
        assert told("organisation") == ["reader"]


class TestFanOutCost:
    def test_the_fan_out_runs_once_and_its_queries_do_not_grow_with_followers(self):
        water = theme("water-sanitation")

        def measure(followers):
            article = NewsArticleFactory(themes=[water])
            for _n in range(followers):
                FollowFactory(theme=water)
            item = follows.announce_news(article, None)
            assert item is not None
            with CaptureQueriesContext(connection) as queries:
                count = follows.fan_out(item.pk)
            assert follows.fan_out(item.pk) == 0  # a second run does nothing
            Follow.objects.filter(theme=water).delete()
            return count, len(queries)

        few, few_queries = measure(3)
        many, many_queries = measure(40)
        assert (few, many) == (3, 40)
        assert many_queries == few_queries
