"""API tokens: issued once, stored as a hash, revoked for good, used at most once a minute."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from citypeers.accounts.models import ApiToken, AuditEvent, hash_token
from citypeers.accounts.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import ApplicationError, PermissionDenied

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_as_its_hash_and_prefix_only():
    user = UserFactory()

    token, raw = api_token_create(user=user, name="  CI pipeline ")

    assert token.name == "CI pipeline"
    assert token.key_hash == hash_token(raw) != raw
    assert token.prefix == raw[:8]
    assert raw.startswith("cp_")  # never "-…", which a command line would read as an option
    assert len(raw) >= 40
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert AuditEvent.objects.filter(verb="token.create", actor=user).exists()


def test_two_tokens_differ():
    user = UserFactory()
    assert api_token_create(user=user, name="a")[1] != api_token_create(user=user, name="b")[1]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_name(name):
    with pytest.raises(ApplicationError) as refused:
        api_token_create(user=UserFactory(), name=name)
    assert refused.value.field == "name"


def test_authentication_finds_the_user_and_refuses_anything_else():
    user = UserFactory()
    _token, raw = api_token_create(user=user, name="ci")

    assert api_token_authenticate(raw=raw) == user
    assert api_token_authenticate(raw=raw + "x") is None
    assert api_token_authenticate(raw="") is None


def test_use_is_recorded_at_most_once_a_minute():
    token, raw = api_token_create(user=UserFactory(), name="ci")
    api_token_authenticate(raw=raw)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    api_token_authenticate(raw=raw)
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    api_token_authenticate(raw=raw)
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > first - dt.timedelta(minutes=1)


def test_the_owner_revokes_and_the_token_stops_working():
    user = UserFactory()
    token, raw = api_token_create(user=user, name="ci")

    api_token_revoke(actor=user, token=token)

    assert token.revoked_at is not None and token.revoked_at <= timezone.now()
    assert api_token_authenticate(raw=raw) is None
    api_token_revoke(actor=user, token=token)  # twice is harmless
    assert AuditEvent.objects.filter(verb="token.revoke").count() == 1


def test_staff_revoke_anyone_s_token_and_others_cannot():
    token, raw = api_token_create(user=UserFactory(), name="ci")

    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=UserFactory(), token=token)
    assert api_token_authenticate(raw=raw) is not None

    api_token_revoke(actor=UserFactory(is_staff=True), token=token)
    assert api_token_authenticate(raw=raw) is None


def test_an_inactive_account_s_token_does_not_authenticate():
    user = UserFactory()
    _token, raw = api_token_create(user=user, name="ci")
    user.is_active = False
    user.save()

    assert api_token_authenticate(raw=raw) is None


def test_the_command_prints_the_token_once_and_it_works():
    user = UserFactory(username="ops")
    out, err = io.StringIO(), io.StringIO()

    call_command("create-api-token", "ops", "--name", "deploy", stdout=out, stderr=err)

    raw = out.getvalue().strip()
    assert api_token_authenticate(raw=raw) == user
    assert raw not in err.getvalue()
    assert ApiToken.objects.get(user=user).name == "deploy"


def test_the_command_refuses_an_unknown_user():
    with pytest.raises(CommandError):
        call_command("create-api-token", "nobody-here", "--name", "x", stdout=io.StringIO())


def test_the_revoke_command():
    user = UserFactory(username="ops")
    token, raw = api_token_create(user=user, name="ci")

    call_command("revoke-api-token", "ops", token.prefix, stdout=io.StringIO())

    assert api_token_authenticate(raw=raw) is None
