"""Notifications: made in the recipient's language, seen only by them, marked read by them, on
the page and over the API."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.utils.translation import gettext as _

from citypeers.accounts.services import api_token_create
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import PermissionDenied
from citypeers.notifications import selectors, services
from citypeers.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _notify(users, **kwargs):
    return services.notify(users, kind="test.hello", message=lambda: _("Log in"), **kwargs)


def test_message_is_rendered_in_each_recipients_language():
    fr = UserFactory(preferred_language="fr")
    es = UserFactory(preferred_language="es")
    plain = UserFactory(preferred_language="")
    made = _notify([fr, es, plain, fr], url="/en/directory/")
    assert len(made) == 3  # the duplicate is skipped
    by_user = {n.recipient_id: n.message for n in Notification.objects.all()}
    assert by_user[fr.pk] != by_user[plain.pk] == "Log in"
    assert by_user[es.pk] not in {"Log in", by_user[fr.pk]}


def test_actor_is_not_notified_of_their_own_action_and_links_stay_inside():
    actor, other = UserFactory(), UserFactory()
    assert [n.recipient for n in _notify([actor, other], actor=actor)] == [other]
    with pytest.raises(ValueError):
        _notify([other], url="https://evil.example/")


def test_email_is_sent_once_after_commit(django_capture_on_commit_callbacks):
    user = UserFactory(email="officer@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        made = _notify([user], email=True, url="/en/")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["officer@example.org"]
    assert services.send_emails([made[0].pk]) == 0  # already e-mailed


def test_only_the_recipient_marks_read():
    owner, stranger = UserFactory(), UserFactory()
    note = _notify([owner])[0]
    with pytest.raises(PermissionDenied):
        services.mark_read(user=stranger, notification=note)
    services.mark_read(user=owner, notification=note)
    assert selectors.unread_count(owner) == 0
    _notify([owner])
    assert services.mark_all_read(user=owner) == 1


def test_page_lists_own_notifications_and_opens_them():
    owner, stranger = UserFactory(), UserFactory()
    note = _notify([owner], url="/en/directory/")[0]
    client = Client()
    assert client.get("/en/notifications/").status_code == 302  # log in first
    client.force_login(stranger)
    assert "Log in" not in client.get("/en/notifications/").content.decode().split("<main")[-1]
    assert client.post(f"/en/notifications/{note.pk}/open/").status_code == 404
    client.force_login(owner)
    page = client.get("/en/notifications/").content.decode()
    assert "1 unread notification" in page
    response = client.post(f"/en/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/en/directory/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_api_lists_and_marks_read_with_a_token():
    owner, stranger = UserFactory(), UserFactory()
    note = _notify([owner])[0]
    client = Client()
    assert client.get("/api/v1/notifications").status_code == 401
    _t, raw = api_token_create(user=stranger, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/notifications", **auth).json()["count"] == 0
    assert client.post(f"/api/v1/notifications/{note.pk}/read", **auth).status_code == 404
    _t, raw = api_token_create(user=owner, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    body = client.get("/api/v1/notifications?unread=true", **auth).json()
    assert body["count"] == 1 and body["items"][0]["kind"] == "test.hello"
    assert client.post(f"/api/v1/notifications/{note.pk}/read", **auth).json()["read_at"]
    assert client.post("/api/v1/notifications/read-all", **auth).json() == {"marked": 0}


def test_header_shows_the_unread_count():
    owner = UserFactory()
    _notify([owner, UserFactory()])
    _notify([owner])
    client = Client()
    client.force_login(owner)
    page = client.get("/en/directory/").content.decode()
    assert 'class="badge">2<' in page
    services.mark_all_read(user=owner)
    assert 'class="badge"' not in client.get("/en/directory/").content.decode()
