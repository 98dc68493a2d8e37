"""A person's own data: the download (page and API), and deleting the account (page and API).

Content written for organisations stays when its author leaves; what is about the person goes.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client
from django.utils import timezone

from citypeers.accounts.models import ApiToken, AuditEvent, Invitation, OrganisationRole, User
from citypeers.accounts.personal_data import user_relations
from citypeers.accounts.services import (
    DELETED_USERNAME,
    KEPT_RELATIONS,
    PERSONAL_RELATIONS,
    account_delete,
    api_token_create,
)
from citypeers.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from citypeers.core.errors import ApplicationError, PermissionDenied
from citypeers.directory.tests.factories import OrganisationFactory, OrganisationRoleFactory
from citypeers.knowledge.models import Revision
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.learning.models import Registration, RegistrationStatus
from citypeers.learning.tests.factories import EventFactory, RegistrationFactory
from citypeers.notifications.models import Notification
from citypeers.notifications.services import notify

pytestmark = pytest.mark.django_db

DATA_URL = "/en/accounts/account/personal-data.json"
DELETE_URL = "/en/accounts/account/delete/"


@pytest.fixture
def person():
    """Someone with a bit of everything: a role, a token, a practice they wrote, a seat at an
    event, a notification, an invitation they accepted, an admin log entry."""
    user = UserFactory(username="amina", email="amina@example.org", display_name="Amina Diallo")
    organisation = OrganisationFactory(name="Dakar")
    OrganisationRoleFactory(user=user, organisation=organisation, role="editor")
    token, raw = api_token_create(user=user, name="my script")
    practice = PracticeFactory(
        title="Neighbourhood composting", created_by=user, owner=organisation
    )
    registration = RegistrationFactory(user=user)
    notify([user], kind="test.hello", message=lambda: "Hello Amina", url="/en/")
    Invitation.objects.create(
        organisation=organisation,
        email=user.email,
        role="editor",
        token_hash="a" * 64,
        expires_at=timezone.now() + dt.timedelta(days=7),
        accepted_at=timezone.now(),
        accepted_by=user,
    )
    log = LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr="amina",
        action_flag=ADDITION,
    )
    return {
        "user": user,
        "organisation": organisation,
        "token": token,
        "raw": raw,
        "practice": practice,
        "registration": registration,
        "log": log,
    }


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- every relation to the user model is decided ------------------------------------------------


def test_every_relation_to_the_user_model_has_a_fate():
    """A new model pointing to users must be classified: SET_NULL (content stays, unattributed),
    personal (deleted with the account) or kept (attributed to the placeholder)."""
    undecided = []
    for model, fk in user_relations():
        key = f"{model._meta.label_lower}.{fk.name}"
        on_delete = fk.remote_field.on_delete
        if on_delete in (models.SET_NULL, models.SET_DEFAULT):
            assert key not in PERSONAL_RELATIONS | KEPT_RELATIONS, key
        elif key not in PERSONAL_RELATIONS | KEPT_RELATIONS:
            undecided.append(key)
    assert undecided == []
    known = {f"{m._meta.label_lower}.{f.name}" for m, f in user_relations()}
    assert known >= (PERSONAL_RELATIONS | KEPT_RELATIONS)  # no stale names


# --- the download -------------------------------------------------------------------------------


def test_the_download_holds_everything_about_the_person_and_no_secret(person):
    other = UserFactory()
    notify([other], kind="test.other", message=lambda: "Not for Amina", url="/en/")

    response = signed_in(person["user"]).get(DATA_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["format"] == "citypeers-personal-data/1"
    assert data["account"]["email"] == "amina@example.org"
    assert data["account"]["display_name"] == "Amina Diallo"
    assert "password" not in data["account"]
    records = {(r["model"], r["relation"]): r for r in data["records"]}
    role = records[("accounts.organisationrole", "user")]
    assert role["kind"] == "about-you"
    assert role["items"][0]["organisation_id"] == person["organisation"].pk
    assert role["items"][0]["role"] == "editor"
    token = records[("accounts.apitoken", "user")]["items"][0]
    assert token["name"] == "my script" and token["prefix"] == person["raw"][:8]
    assert "key_hash" not in token
    written = records[("knowledge.practice", "created_by")]
    assert written["kind"] == "written-by-you"
    assert [item["id"] for item in written["items"]] == [person["practice"].pk]
    assert records[("learning.registration", "user")]["items"][0]["event_id"] == (
        person["registration"].event_id
    )
    messages = [n["message"] for n in records[("notifications.notification", "recipient")]["items"]]
    assert messages == ["Hello Amina"]
    verbs = {e["verb"] for e in records[("accounts.auditevent", "actor")]["items"]}
    assert "token.create" in verbs
    text = response.content.decode()
    assert person["raw"] not in text
    assert person["token"].key_hash not in text
    assert "a" * 64 not in text  # the invitation's token hash
    assert "Not for Amina" not in text


def test_the_download_needs_a_signed_in_person(client):
    response = client.get(DATA_URL)
    assert response.status_code == 302
    assert "/accounts/log-in/" in response["Location"]


def test_the_account_page_links_to_the_download_and_the_deletion(person):
    response = signed_in(person["user"]).get("/en/accounts/account/")
    assert response.status_code == 200
    page = response.content.decode()
    assert DATA_URL in page and DELETE_URL in page and "amina@example.org" in page


def test_the_api_download(person, client):
    response = client.get("/api/v1/me/data", HTTP_AUTHORIZATION=f"Bearer {person['raw']}")
    assert response.status_code == 200
    data = response.json()
    assert data["account"]["username"] == "amina"
    assert any(r["model"] == "knowledge.practice" for r in data["records"])
    assert client.get("/api/v1/me/data").status_code == 401


# --- deleting the account -----------------------------------------------------------------------


def test_deleting_keeps_the_content_and_removes_the_person(person):
    user = person["user"]
    other_session = signed_in(user)
    client = signed_in(user)
    assert client.get(DELETE_URL).status_code == 200

    response = client.post(DELETE_URL, {"password": DEFAULT_PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/en/"
    assert not User.objects.filter(pk=user.pk).exists()
    # What they wrote stays, without author; what is about them goes.
    practice = person["practice"]
    practice.refresh_from_db()
    assert practice.created_by_id is None
    assert Revision.objects.filter(practice=practice, author__isnull=True).exists()
    assert not OrganisationRole.objects.filter(user_id=user.pk).exists()
    assert not ApiToken.objects.filter(user_id=user.pk).exists()
    assert not Notification.objects.filter(recipient_id=user.pk).exists()
    assert not Registration.objects.filter(user_id=user.pk).exists()
    # A CASCADE relation that is a record, not personal data: kept, attributed to the placeholder.
    log = LogEntry.objects.get(pk=person["log"].pk)
    assert log.user.username == DELETED_USERNAME and not log.user.is_active
    assert not log.user.has_usable_password()
    # Personal data elsewhere wiped.
    assert not Invitation.objects.filter(email__iexact="amina@example.org").exists()
    assert not AuditEvent.objects.filter(target_label__contains="Amina").exists()
    # Sessions and tokens are dead.
    assert other_session.get("/en/accounts/account/").status_code == 302
    assert (
        Client().get("/api/v1/me/data", HTTP_AUTHORIZATION=f"Bearer {person['raw']}").status_code
        == 401
    )
    # One audit event records it, without personal data.
    event = AuditEvent.objects.get(verb="account.delete", target_id=str(user.pk))
    assert event.actor is None and event.target_label == ""
    assert event.data["deleted"]["accounts.apitoken.user"] == 1
    assert event.data["unattributed"]["knowledge.practice.created_by"] == 1
    assert event.data["reassigned"] == {"admin.logentry.user": 1}
    assert "amina" not in json.dumps(event.data).lower()


def test_a_freed_seat_goes_to_the_first_person_waiting(person):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, user=person["user"])
    waiting = RegistrationFactory(
        event=event, status=RegistrationStatus.WAITING, registered_at=None
    )

    account_delete(actor=person["user"], user=person["user"], password=DEFAULT_PASSWORD)

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.REGISTERED


def test_the_wrong_password_deletes_nothing(person):
    client = signed_in(person["user"])

    response = client.post(DELETE_URL, {"password": "not-my-password"})

    assert response.status_code == 400
    assert "This is not the password of the account." in response.content.decode()
    assert User.objects.filter(pk=person["user"].pk).exists()
    assert client.post(DELETE_URL, {}).status_code == 400  # no password at all


def test_only_the_owner_deletes_an_account(person):
    with pytest.raises(PermissionDenied):
        account_delete(actor=UserFactory(), user=person["user"], password=DEFAULT_PASSWORD)
    with pytest.raises(ApplicationError) as refused:
        account_delete(actor=person["user"], user=person["user"], password="")
    assert refused.value.field == "password"


def test_one_placeholder_for_every_deleted_account(person):
    second = UserFactory()
    LogEntry.objects.create(
        user=second,
        content_type=ContentType.objects.get_for_model(User),
        object_id="1",
        object_repr="x",
        action_flag=ADDITION,
    )
    account_delete(actor=person["user"], user=person["user"], password=DEFAULT_PASSWORD)
    account_delete(actor=second, user=second, password=DEFAULT_PASSWORD)

    placeholder = User.objects.get(username=DELETED_USERNAME)
    assert LogEntry.objects.filter(user=placeholder).count() == 2
    with pytest.raises(PermissionDenied):
        account_delete(actor=placeholder, user=placeholder, password="")


def test_no_one_can_sign_up_as_the_placeholder(client):
    response = client.post(
        "/en/accounts/sign-up/",
        {
            "username": DELETED_USERNAME,
            "email": "x@example.org",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 200  # the form again, with an error on the username
    assert not User.objects.filter(username=DELETED_USERNAME).exists()


def test_the_api_deletion(person, client):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {person['raw']}"}
    assert (
        client.delete("/api/v1/me", {"password": "x"}, content_type="application/json").status_code
        == 401
    )

    missing = client.delete("/api/v1/me", {}, content_type="application/json", **auth)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"].endswith("password")
    wrong = client.delete(
        "/api/v1/me", {"password": "nope"}, content_type="application/json", **auth
    )
    assert wrong.status_code == 400 and wrong.json()["field"] == "password"
    _token, read_only = api_token_create(user=person["user"], name="reader", scope="read")
    refused = client.delete(
        "/api/v1/me",
        {"password": DEFAULT_PASSWORD},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {read_only}",
    )
    assert refused.status_code == 403
    assert User.objects.filter(pk=person["user"].pk).exists()

    done = client.delete(
        "/api/v1/me", {"password": DEFAULT_PASSWORD}, content_type="application/json", **auth
    )
    assert done.status_code == 204
    assert not User.objects.filter(pk=person["user"].pk).exists()
