"""Discussions through the services: who posts where, mentions, helpful replies, rate limits,
bans, locks, hiding (invisible to others), reports and the record of every moderation step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from citypeers.accounts.models import AuditEvent, OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    TooManyRequests,
)
from citypeers.directory.models import ActorType
from citypeers.directory.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    OrganisationRoleFactory,
)
from citypeers.learning import discussions, selectors
from citypeers.learning.models import (
    Community,
    Follow,
    ModerationAction,
    Report,
    ReportStatus,
    Thread,
)
from citypeers.learning.tests.factories import (
    NetworkCommunityFactory,
    ReplyFactory,
    ThreadFactory,
    theme_community,
)
from citypeers.notifications.models import Notification

pytestmark = pytest.mark.django_db


def moderator():
    return UserFactory(is_moderator=True)


def post(actor, community=None, **kwargs):
    return discussions.thread_create(
        actor=actor,
        community=community or theme_community(),
        title=kwargs.pop("title", "Kiosks or house connections?"),
        body=kwargs.pop("body", "What worked for you?"),
        **kwargs,
    )


class TestCommunities:
    def test_every_theme_has_one_and_ensuring_twice_makes_none(self):
        from citypeers.directory.models import Theme

        discussions.theme_communities_ensure()
        assert Community.objects.filter(kind="theme").count() == Theme.objects.count()
        assert discussions.theme_communities_ensure() == 0

    def test_a_network_opens_its_community_once(self):
        network = OrganisationFactory(actor_type=ActorType.NETWORK)
        editor = OrganisationRoleFactory(organisation=network, role=OrganisationRole.Role.EDITOR)
        with pytest.raises(PermissionDenied):
            discussions.community_open(actor=UserFactory(), organisation=network)
        community = discussions.community_open(actor=editor.user, organisation=network)
        assert community.kind == "network" and community.slug == network.slug
        with pytest.raises(Conflict):
            discussions.community_open(actor=editor.user, organisation=network)
        ngo = OrganisationFactory(actor_type=ActorType.NGO)
        with pytest.raises(ApplicationError) as caught:
            discussions.community_open(actor=moderator(), organisation=ngo)
        assert caught.value.field == "organisation"


class TestPosting:
    def test_anyone_signed_in_posts_in_a_theme_and_follows_what_they_write(self):
        author, replier = UserFactory(), UserFactory()
        thread = post(author)
        reply = discussions.reply_create(actor=replier, thread=thread, body="Kiosks, in Kisumu.")
        assert Follow.objects.filter(user=author, thread=thread).exists()
        assert Follow.objects.filter(user=replier, thread=thread).exists()
        thread.refresh_from_db()
        assert thread.last_activity_at == reply.created_at
        with pytest.raises(PermissionDenied):
            post(None)

    def test_empty_texts_are_refused_naming_the_field(self):
        with pytest.raises(ApplicationError) as caught:
            post(UserFactory(), title="  ")
        assert caught.value.field == "title"
        with pytest.raises(ApplicationError) as caught:
            post(UserFactory(), body="")
        assert caught.value.field == "body"
        with pytest.raises(ApplicationError) as caught:
            post(UserFactory(), body="x" * 20_001)
        assert caught.value.field == "body"

    def test_a_networks_community_is_written_by_its_members_only(self):
        community = NetworkCommunityFactory()
        network = community.organisation
        direct = OrganisationRoleFactory(organisation=network).user
        city = OrganisationFactory()
        MembershipFactory(member=city, parent=network)
        via_member = OrganisationRoleFactory(organisation=city).user
        former_city = OrganisationFactory()
        MembershipFactory(member=former_city, parent=network, end_date=dt.date(2001, 1, 1))
        former = OrganisationRoleFactory(organisation=former_city).user
        assert post(direct, community).pk
        assert post(via_member, community).pk
        for outsider in (UserFactory(), former):
            with pytest.raises(PermissionDenied):
                post(outsider, community)
        # Everyone reads it.
        assert list(selectors.thread_list(community=community, user=None))


class TestMentions:
    def test_the_mentioned_are_told_once(self):
        author = UserFactory(username="amina")
        lucia = UserFactory(username="lucia", preferred_language="es")
        UserFactory(username="jo.ng")
        thread = post(
            author,
            body="Ask @lucia and @jo.ng. (Not @nobody, nor mail@lucia.example, nor @amina.)",
        )
        told = Notification.objects.filter(kind="learning.mention")
        assert sorted(told.values_list("recipient__username", flat=True)) == ["jo.ng", "lucia"]
        note = told.get(recipient=lucia)
        assert note.url == thread.get_absolute_url() and str(author) in note.message
        reply = discussions.reply_create(actor=lucia, thread=thread, body="@amina sí, claro.")
        assert Notification.objects.filter(
            kind="learning.mention", recipient=author, target_id=str(reply.pk)
        ).exists()


class TestHelpful:
    def test_the_threads_author_or_a_moderator_marks_a_reply_helpful(self):
        thread = ThreadFactory()
        reply = ReplyFactory(thread=thread)
        with pytest.raises(PermissionDenied):
            discussions.reply_set_helpful(actor=reply.author, reply=reply)
        with pytest.raises(PermissionDenied):
            discussions.reply_set_helpful(actor=UserFactory(), reply=reply)
        discussions.reply_set_helpful(actor=thread.author, reply=reply)
        reply.refresh_from_db()
        assert reply.is_helpful and reply.helpful_by == thread.author
        assert Notification.objects.filter(recipient=reply.author, kind="learning.helpful").exists()
        discussions.reply_set_helpful(actor=moderator(), reply=reply, helpful=False)
        reply.refresh_from_db()
        assert not reply.is_helpful


class TestRateLimits:
    def test_at_most_n_posts_a_minute_then_429_with_the_wait(self, settings):
        settings.CITYPEERS_DISCUSSION_POSTS_PER_MINUTE = 2
        author = UserFactory()
        thread = post(author)
        discussions.reply_create(actor=author, thread=thread, body="And another thing.")
        with pytest.raises(TooManyRequests) as caught:
            discussions.reply_create(actor=author, thread=thread, body="Spam spam spam.")
        assert caught.value.status == 429
        assert 1 <= caught.value.extra["retry_after"] <= 60
        # Someone else is not slowed down; a minute later the author may post again.
        discussions.reply_create(actor=UserFactory(), thread=thread, body="Hello.")
        Thread.objects.filter(author=author).update(
            created_at=timezone.now() - dt.timedelta(minutes=2)
        )
        thread.replies.filter(author=author).update(
            created_at=timezone.now() - dt.timedelta(minutes=2)
        )
        assert discussions.reply_create(actor=author, thread=thread, body="Later.").pk

    def test_at_most_n_posts_a_day(self, settings):
        settings.CITYPEERS_DISCUSSION_POSTS_PER_MINUTE = 100
        settings.CITYPEERS_DISCUSSION_POSTS_PER_DAY = 3
        author = UserFactory()
        for n in range(3):
            post(author, title=f"Question {n}")
        with pytest.raises(TooManyRequests) as caught:
            post(author, title="Question 4")
        assert caught.value.extra["retry_after"] > 60
        assert Thread.objects.filter(author=author).count() == 3

    def test_platform_moderators_are_not_limited(self, settings):
        settings.CITYPEERS_DISCUSSION_POSTS_PER_MINUTE = 1
        mod = moderator()
        for n in range(3):
            post(mod, title=f"Announcement {n}")


class TestBans:
    def test_a_banned_person_cannot_post_reply_or_report_until_lifted(self):
        mod, person = moderator(), UserFactory()
        thread = ThreadFactory()
        ban = discussions.user_ban(actor=mod, user=person, reason="Repeated spam.")
        for attempt in (
            lambda: post(person),
            lambda: discussions.reply_create(actor=person, thread=thread, body="Hi"),
            lambda: discussions.report_create(actor=person, thread=thread, reason="spam"),
        ):
            with pytest.raises(PermissionDenied) as caught:
                attempt()
            assert "Repeated spam." in caught.value.message
        assert Notification.objects.filter(recipient=person, kind="learning.banned").exists()
        with pytest.raises(Conflict):
            discussions.user_ban(actor=mod, user=person, reason="Again.")
        discussions.user_unban(actor=mod, user=person, reason="Apologised.")
        ban.refresh_from_db()
        assert ban.lifted_at is not None and ban.lifted_by == mod
        assert post(person).pk
        verbs = list(ModerationAction.objects.filter(user=person).values_list("verb", "reason"))
        assert ("ban", "Repeated spam.") in verbs and ("unban", "Apologised.") in verbs
        assert AuditEvent.objects.filter(verb="discussion.ban", target_id=str(person.pk)).exists()

    def test_a_ban_with_an_end_expires(self):
        mod, person = moderator(), UserFactory()
        ban = discussions.user_ban(
            actor=mod, user=person, reason="Cool down.", until=timezone.now() + dt.timedelta(days=1)
        )
        with pytest.raises(PermissionDenied):
            post(person)
        type(ban).objects.filter(pk=ban.pk).update(until=timezone.now() - dt.timedelta(seconds=1))
        assert post(person).pk

    def test_who_bans_and_how(self):
        mod, person = moderator(), UserFactory()
        for actor in (UserFactory(), None):
            with pytest.raises(PermissionDenied):
                discussions.user_ban(actor=actor, user=person, reason="x")
        with pytest.raises(PermissionDenied):
            discussions.user_ban(actor=mod, user=moderator(), reason="x")
        with pytest.raises(ApplicationError) as caught:
            discussions.user_ban(actor=mod, user=person, reason="")
        assert caught.value.field == "reason"
        with pytest.raises(ApplicationError) as caught:
            discussions.user_ban(
                actor=mod, user=person, reason="x", until=timezone.now() - dt.timedelta(hours=1)
            )
        assert caught.value.field == "until"


class TestLocking:
    def test_a_locked_thread_takes_no_replies_but_from_its_moderators(self):
        mod = moderator()
        thread = ThreadFactory()
        with pytest.raises(PermissionDenied):
            discussions.thread_set_locked(
                actor=thread.author, thread=thread, locked=True, reason="Done."
            )
        with pytest.raises(ApplicationError) as caught:
            discussions.thread_set_locked(actor=mod, thread=thread, locked=True, reason=" ")
        assert caught.value.field == "reason"
        discussions.thread_set_locked(actor=mod, thread=thread, locked=True, reason="Answered.")
        with pytest.raises(Conflict):
            discussions.reply_create(actor=thread.author, thread=thread, body="One more thing")
        assert discussions.reply_create(actor=mod, thread=thread, body="Closing note.").pk
        with pytest.raises(Conflict):
            discussions.thread_set_locked(actor=mod, thread=thread, locked=True, reason="Again.")
        discussions.thread_set_locked(actor=mod, thread=thread, locked=False, reason="Reopened.")
        assert discussions.reply_create(actor=thread.author, thread=thread, body="Thanks").pk
        assert list(
            ModerationAction.objects.filter(thread=thread).values_list("verb", flat=True)
        ) == ["unlock", "lock"]

    def test_a_networks_editors_moderate_its_community_only(self):
        community = NetworkCommunityFactory()
        editor = OrganisationRoleFactory(
            organisation=community.organisation, role=OrganisationRole.Role.EDITOR
        ).user
        own = ThreadFactory(community=community)
        other = ThreadFactory()
        discussions.thread_set_locked(actor=editor, thread=own, locked=True, reason="Off topic.")
        with pytest.raises(PermissionDenied):
            discussions.thread_set_locked(
                actor=editor, thread=other, locked=True, reason="Off topic."
            )


class TestHiding:
    def test_a_hidden_thread_is_seen_by_its_author_and_moderators_only(self):
        mod, stranger = moderator(), UserFactory()
        thread = ThreadFactory()
        community = thread.community
        report = discussions.report_create(actor=stranger, thread=thread, reason="spam")
        discussions.thread_set_hidden(actor=mod, thread=thread, hidden=True, reason="Spam link.")
        for reader in (stranger, None):
            with pytest.raises(NotFound):
                selectors.thread_get(pk=thread.pk, user=reader)
            assert thread not in selectors.thread_list(community=community, user=reader)
        assert selectors.thread_get(pk=thread.pk, user=thread.author) == thread
        assert thread in selectors.thread_list(community=community, user=thread.author)
        assert selectors.thread_get(pk=thread.pk, user=mod) == thread
        report.refresh_from_db()
        assert report.status == ReportStatus.RESOLVED and report.resolution == "Spam link."
        told = Notification.objects.get(recipient=thread.author, kind="learning.moderated")
        assert "Spam link." in told.message
        with pytest.raises(Conflict):
            discussions.reply_create(actor=thread.author, thread=thread, body="Why?")
        action = ModerationAction.objects.get(thread=thread, verb="hide")
        assert action.reason == "Spam link." and action.moderator == mod
        assert AuditEvent.objects.filter(verb="discussion.hide", actor=mod).exists()
        discussions.thread_set_hidden(actor=mod, thread=thread, hidden=False, reason="Mistake.")
        assert selectors.thread_get(pk=thread.pk, user=stranger) == thread

    def test_a_hidden_reply_is_left_out_for_others(self):
        mod, stranger = moderator(), UserFactory()
        reply = ReplyFactory()
        thread = reply.thread
        visible = ReplyFactory(thread=thread)
        discussions.reply_set_hidden(actor=mod, reply=reply, hidden=True, reason="Abuse.")
        assert list(selectors.reply_list(thread=thread, user=stranger)) == [visible]
        assert list(selectors.reply_list(thread=thread, user=None)) == [visible]
        assert reply in selectors.reply_list(thread=thread, user=reply.author)
        assert reply in selectors.reply_list(thread=thread, user=mod)
        with pytest.raises(NotFound):
            selectors.reply_get(pk=reply.pk, user=stranger)
        rows = selectors.thread_list(community=thread.community, user=stranger)
        assert rows.get(pk=thread.pk).reply_count == 1
        with pytest.raises(PermissionDenied):
            discussions.reply_set_hidden(actor=stranger, reply=visible, hidden=True, reason="x")


class TestReports:
    def test_report_once_with_a_reason_then_the_queue_and_dismissal(self):
        mod, reader = moderator(), UserFactory()
        reply = ReplyFactory()
        thread = reply.thread
        with pytest.raises(ApplicationError) as caught:
            discussions.report_create(actor=reader, thread=thread, reason="rude")
        assert caught.value.field == "reason"
        with pytest.raises(ApplicationError) as caught:
            discussions.report_create(actor=reader, thread=thread, reason="other")
        assert caught.value.field == "details"
        on_reply = discussions.report_create(
            actor=reader, thread=thread, reply=reply, reason="abuse", details="Insults."
        )
        on_thread = discussions.report_create(actor=reader, thread=thread, reason="off_topic")
        with pytest.raises(Conflict):
            discussions.report_create(actor=reader, thread=thread, reply=reply, reason="spam")
        assert Notification.objects.filter(recipient=mod, kind="learning.report").count() == 2
        assert list(selectors.report_queue(user=mod)) == [on_reply, on_thread]
        assert not selectors.report_queue(user=reader).exists()
        with pytest.raises(PermissionDenied):
            discussions.report_dismiss(actor=reader, report=on_thread, reason="No.")
        discussions.report_dismiss(actor=mod, report=on_thread, reason="Within the rules.")
        assert list(selectors.report_queue(user=mod)) == [on_reply]
        with pytest.raises(Conflict):
            discussions.report_dismiss(actor=mod, report=on_thread, reason="Again.")
        assert ModerationAction.objects.get(report=on_thread).reason == "Within the rules."
        # Once dismissed, the same person may report the thread again.
        assert discussions.report_create(actor=reader, thread=thread, reason="spam").pk

    def test_a_networks_editors_see_the_reports_of_their_community(self):
        community = NetworkCommunityFactory()
        editor = OrganisationRoleFactory(
            organisation=community.organisation, role=OrganisationRole.Role.ADMIN
        ).user
        here = discussions.report_create(
            actor=UserFactory(), thread=ThreadFactory(community=community), reason="spam"
        )
        discussions.report_create(actor=UserFactory(), thread=ThreadFactory(), reason="spam")
        assert list(selectors.report_queue(user=editor)) == [here]
        assert Notification.objects.filter(recipient=editor, kind="learning.report").count() == 1

    def test_reports_a_day_are_limited(self, settings):
        settings.CITYPEERS_DISCUSSION_REPORTS_PER_DAY = 2
        reader = UserFactory()
        for _n in range(2):
            discussions.report_create(actor=reader, thread=ThreadFactory(), reason="spam")
        with pytest.raises(TooManyRequests):
            discussions.report_create(actor=reader, thread=ThreadFactory(), reason="spam")
        assert Report.objects.filter(reporter=reader).count() == 2
