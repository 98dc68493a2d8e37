"""E-mail digests: content (what one follows since the last digest, unread notifications, in the
reader's language), batching (a batch's query count does not grow with its size), one digest per
period, and the unsubscribe link that works without signing in."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.tests.factories import theme
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.learning import digests, tasks
from citypeers.learning.models import FeedItem
from citypeers.learning.tests.factories import FollowFactory, ThreadFactory
from citypeers.notifications.models import DigestPreference
from citypeers.notifications.services import notify

pytestmark = pytest.mark.django_db

TODAY = dt.date(2031, 3, 12)  # a Wednesday


def subscriber(frequency="daily", **kwargs):
    user = UserFactory(**kwargs)
    DigestPreference.objects.create(user=user, frequency=frequency)
    return user


def practice_item(*, themes=(), title="Kiosks", titles=None, **kwargs):
    practice = PracticeFactory(title=title)
    with translation.override("en"):
        path = practice.get_absolute_url()
    item = FeedItem.objects.create(
        kind="practice",
        target_type="knowledge.practice",
        target_id=str(practice.pk),
        titles=titles or {"en": title},
        language="en",
        path=path,
        **kwargs,
    )
    item.themes.set(themes)
    return item


def send(frequency="daily", day=TODAY):
    out = StringIO()
    call_command("send-digests", "--frequency", frequency, "--date", day.isoformat(), stdout=out)
    return out.getvalue()


def to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


class TestPeriods:
    def test_a_day_or_the_monday_of_its_week(self):
        assert digests.period_start("daily", TODAY) == TODAY
        assert digests.period_start("weekly", TODAY) == dt.date(2031, 3, 10)
        assert digests.period_start("weekly", dt.date(2031, 3, 16)) == dt.date(2031, 3, 10)


class TestContent:
    def test_what_one_follows_in_ones_language_and_nothing_else(self):
        water, waste = theme("water-sanitation"), theme("waste")
        fr = subscriber(preferred_language="fr")
        en = subscriber(preferred_language="en")
        for user in (fr, en):
            FollowFactory(user=user, theme=water)
        practice_item(themes=[water], titles={"en": "Kiosks", "fr": "Des kiosques"})
        practice_item(themes=[waste], title="Not followed")
        send()
        (to_fr,), (to_en,) = to(fr), to(en)
        assert "Des kiosques" in to_fr.body and "Pratique" in to_fr.body
        assert "/fr/" in to_fr.body and "Not followed" not in to_fr.body
        assert "Kiosks" in to_en.body and "Practice" in to_en.body and "/en/" in to_en.body
        html = to_fr.alternatives[0][0]
        assert "Des kiosques" in html and "<a href=" in html

    def test_ones_own_items_and_hidden_threads_are_left_out(self):
        water = theme("water-sanitation")
        user = subscriber()
        FollowFactory(user=user, theme=water)
        practice_item(themes=[water], title="Mine", actor=user)
        hidden = ThreadFactory(is_hidden=True, title="Spam thread")
        FollowFactory(user=user, thread=hidden)
        FeedItem.objects.create(
            kind="thread",
            target_type="learning.thread",
            target_id=str(hidden.pk),
            titles={"en": hidden.title},
            path=hidden.get_absolute_url(),
            thread=hidden,
        )
        practice_item(themes=[water], title="Theirs")
        send()
        (message,) = to(user)
        assert "Theirs" in message.body
        assert "Mine" not in message.body and "Spam thread" not in message.body

    def test_unread_notifications_are_listed_and_follow_notifications_not_twice(self):
        user = subscriber()
        notify([user], kind="matching.invited", message=lambda: "You are invited to match.")
        notify([user], kind="learning.follow.news", message=lambda: "News: followed")
        send()
        (message,) = to(user)
        assert "You are invited to match." in message.body
        assert "News: followed" not in message.body

    def test_nothing_new_means_no_email(self):
        quiet = subscriber()
        out = send()
        assert "1 people due, 1 batches" in out
        assert to(quiet) == []
        # The period counts as done all the same.
        assert DigestPreference.objects.get(user=quiet).last_period == TODAY

    def test_replies_in_one_thread_are_summed_up(self):
        user = subscriber()
        thread = ThreadFactory(title="Prepaid meters")
        FollowFactory(user=user, thread=thread)
        for n in range(3):
            reply = thread.replies.create(author=UserFactory(), body=f"Answer {n}")
            FeedItem.objects.create(
                kind="reply",
                target_type="learning.reply",
                target_id=str(reply.pk),
                titles={"en": thread.title},
                path=reply.get_absolute_url(),
                thread=thread,
                reply=reply,
            )
        send()
        (message,) = to(user)
        assert "3 new replies in “Prepaid meters”" in message.body


class TestOncePerPeriod:
    def test_running_twice_sends_nothing_new_and_the_next_period_only_whats_new(self):
        water = theme("water-sanitation")
        users = [subscriber() for _n in range(3)]
        for user in users:
            FollowFactory(user=user, theme=water)
        practice_item(themes=[water], title="First news")
        assert "3 people due" in send()
        assert len(mail.outbox) == 3
        assert "0 people due, 0 batches" in send()
        ids = [u.pk for u in users]
        tasks.send_digest_batch.enqueue("daily", TODAY.isoformat(), ids)  # a task run twice
        assert len(mail.outbox) == 3
        practice_item(themes=[water], title="Second news")
        send(day=TODAY + dt.timedelta(days=1))
        latest = to(users[0])[-1]
        assert len(mail.outbox) == 6
        assert "Second news" in latest.body and "First news" not in latest.body

    def test_weekly_people_are_not_sent_the_daily_digest(self):
        water = theme("water-sanitation")
        weekly = subscriber("weekly")
        FollowFactory(user=weekly, theme=water)
        practice_item(themes=[water])
        assert "0 people due" in send("daily")
        assert "1 people due" in send("weekly")
        assert "0 people due" in send("weekly", TODAY + dt.timedelta(days=2))  # same week
        assert len(to(weekly)) == 1
        assert DigestPreference.objects.get(user=weekly).last_period == dt.date(2031, 3, 10)


class TestBatching:
    def test_the_command_queues_one_task_per_batch(self, settings):
        settings.CITYPEERS_DIGEST_BATCH_SIZE = 2
        water = theme("water-sanitation")
        for _n in range(5):
            FollowFactory(user=subscriber(), theme=water)
        subscriber(email="")  # no address: not due
        practice_item(themes=[water])
        assert "5 people due, 3 batches queued" in send()
        assert len(mail.outbox) == 5

    def test_a_batchs_query_count_does_not_grow_with_its_size(self):
        water, waste = theme("water-sanitation"), theme("waste")
        practice_item(themes=[water])
        practice_item(themes=[waste])
        thread = ThreadFactory()

        def measure(n):
            users = []
            for i in range(n):
                user = subscriber(preferred_language=["en", "fr", "es"][i % 3])
                FollowFactory(user=user, theme=water if i % 2 else waste)
                FollowFactory(user=user, thread=thread)
                notify([user], kind="matching.invited", message=lambda: "Invited.")
                users.append(user)
            before = len(mail.outbox)
            with CaptureQueriesContext(connection) as queries:
                result = digests.send_batch(
                    frequency="daily", period=TODAY, user_ids=[u.pk for u in users]
                )
            assert result.sent == n == len(mail.outbox) - before
            return len(queries)

        assert measure(3) == measure(30)


class TestUnsubscribe:
    def digest_for(self, user):
        water = theme("water-sanitation")
        FollowFactory(user=user, theme=water)
        practice_item(themes=[water])
        send()
        (message,) = to(user)
        return message

    def test_one_click_without_signing_in_and_a_get_changes_nothing(self):
        user = subscriber(preferred_language="es")
        message = self.digest_for(user)
        link = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link in message.body and "/es/learning/unsubscribe/" in link
        path = re.sub(r"^https?://[^/]+", "", link)
        browser = Client(enforce_csrf_checks=True)
        page = browser.get(path)
        assert page.status_code == 200 and b'<form method="post"' in page.content
        assert DigestPreference.objects.get(user=user).frequency == "daily"
        # The mail client's one-click POST (RFC 8058): no session, no CSRF token.
        done = browser.post(path, {"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200 and b"data-unsubscribed" in done.content
        assert DigestPreference.objects.get(user=user).frequency == "none"
        assert browser.post(path).status_code == 200  # a second click is harmless

    def test_a_forged_token_fails(self):
        victim = subscriber()
        forged = [
            digests.unsubscribe_token(victim.pk)[:-2] + "xx",
            signing.dumps({"u": victim.pk}),  # signed, but not for this purpose
            signing.dumps({"u": victim.pk}, salt=digests.UNSUBSCRIBE_SALT, key="guessed-key"),
            "nonsense",
        ]
        client = Client()
        for token in forged:
            assert digests.unsubscribe_user_id(token) is None
            response = client.post(f"/en/learning/unsubscribe/{token}/")
            assert response.status_code == 400
        assert DigestPreference.objects.get(user=victim).frequency == "daily"

    def test_the_token_names_its_person(self):
        user = UserFactory()
        assert digests.unsubscribe_user_id(digests.unsubscribe_token(user.pk)) == user.pk


def test_the_period_is_recorded_when_sent():
    user = subscriber()
    DigestPreference.objects.filter(user=user).update(
        last_sent_at=timezone.now() - dt.timedelta(days=1)
    )
    result = digests.send_batch(frequency="daily", period=TODAY, user_ids=[user.pk])
    assert result.claimed == 1 and result.empty == 1
    preference = DigestPreference.objects.get(user=user)
    assert preference.last_period == TODAY and preference.last_sent_at is not None
