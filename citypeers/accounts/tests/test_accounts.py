"""Accounts over HTTP: sign-up, log-in, log-out, password reset, throttling, password hashing."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import check_password, identify_hasher, make_password

from citypeers.accounts.models import User
from citypeers.accounts.services import user_sign_up

from .factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGN_UP = "/en/accounts/sign-up/"
LOG_IN = "/en/accounts/log-in/"
LOG_OUT = "/en/accounts/log-out/"
RESET = "/en/accounts/password-reset/"
NEW_PASSWORD = "a-new-and-long-passphrase"
SETTINGS_FILE = Path(settings.BASE_DIR) / "config" / "settings.py"


def signed_in_user_id(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


def log_in(client, username: str, password: str):
    return client.post(LOG_IN, {"username": username, "password": password})


def sign_up_data(**overrides: str) -> dict[str, str]:
    return {
        "username": "amina",
        "email": "Amina.Diallo@Example.org",
        "display_name": "Amina Diallo",
        "password1": "a-long-enough-passphrase",
        "password2": "a-long-enough-passphrase",
        **overrides,
    }


class TestSignUp:
    def test_creates_an_account_and_logs_in(self, client):
        response = client.post(SIGN_UP, sign_up_data())

        assert response.status_code == 302
        assert response["Location"] == "/en/"
        user = User.objects.get(username="amina")
        assert user.email == "amina.diallo@example.org"
        assert user.display_name == "Amina Diallo"
        assert user.preferred_language == "en"
        assert user.check_password("a-long-enough-passphrase")
        assert signed_in_user_id(client) == user.pk
        assert "Amina Diallo" in client.get("/en/").content.decode()

    def test_records_the_language_of_the_page(self, client):
        client.post("/fr/accounts/sign-up/", sign_up_data())

        assert User.objects.get(username="amina").preferred_language == "fr"

    def test_refuses_an_e_mail_address_already_used_whatever_its_case(self, client):
        UserFactory(username="other", email="amina.diallo@example.org")

        response = client.post(SIGN_UP, sign_up_data(email="AMINA.DIALLO@example.org"))

        assert response.status_code == 200
        assert "An account with this e-mail address already exists." in response.content.decode()
        assert not User.objects.filter(username="amina").exists()
        assert signed_in_user_id(client) is None

    def test_refuses_a_username_already_taken(self, client):
        UserFactory(username="amina")

        response = client.post(SIGN_UP, sign_up_data(username="Amina"))

        assert response.status_code == 200
        assert User.objects.filter(email="amina.diallo@example.org").count() == 0

    @pytest.mark.parametrize(
        "overrides",
        [
            {"password2": "something-else-entirely"},
            {"password1": "123", "password2": "123"},
            {"email": "not-an-address"},
        ],
    )
    def test_refuses_bad_input(self, client, overrides):
        response = client.post(SIGN_UP, sign_up_data(**overrides))

        assert response.status_code == 200
        assert 'class="error" role="alert"' in response.content.decode()
        assert not User.objects.filter(username="amina").exists()

    def test_a_signed_in_user_is_sent_home(self, client):
        client.force_login(UserFactory())

        response = client.get(SIGN_UP)

        assert response.status_code == 302
        assert response["Location"] == "/en/"


class TestLogInAndOut:
    def test_logs_in_with_the_username(self, client):
        user = UserFactory(username="lucia")

        response = log_in(client, "lucia", DEFAULT_PASSWORD)

        assert response.status_code == 302
        assert response["Location"] == "/en/"
        assert signed_in_user_id(client) == user.pk

    @pytest.mark.parametrize("typed", ["lucia@example.org", "Lucia@EXAMPLE.org"])
    def test_logs_in_with_the_e_mail_address(self, client, typed):
        user = UserFactory(username="lucia", email="lucia@example.org")

        response = log_in(client, typed, DEFAULT_PASSWORD)

        assert response.status_code == 302
        assert signed_in_user_id(client) == user.pk

    @pytest.mark.parametrize("typed", ["lucia", "lucia@example.org", "nobody@example.org"])
    def test_refuses_a_wrong_password(self, client, typed):
        UserFactory(username="lucia", email="lucia@example.org")

        response = log_in(client, typed, "not-the-password")

        assert response.status_code == 200
        assert signed_in_user_id(client) is None

    def test_refuses_an_inactive_account(self, client):
        UserFactory(username="lucia", is_active=False)

        log_in(client, "lucia", DEFAULT_PASSWORD)

        assert signed_in_user_id(client) is None

    def test_follows_next(self, client):
        UserFactory(username="lucia")

        response = client.post(
            LOG_IN,
            {"username": "lucia", "password": DEFAULT_PASSWORD, "next": "/en/places/sdgs/"},
        )

        assert response["Location"] == "/en/places/sdgs/"

    def test_logs_out_with_post_only(self, client):
        client.force_login(UserFactory())

        assert client.get(LOG_OUT).status_code == 405
        assert signed_in_user_id(client) is not None

        response = client.post(LOG_OUT)

        assert response.status_code == 302
        assert response["Location"] == "/en/"
        assert signed_in_user_id(client) is None


class TestPasswordReset:
    def test_mails_a_link_that_sets_a_new_password(self, client, mailoutbox):
        user = UserFactory(username="lucia", email="lucia@example.org")

        # When the user asks for a reset
        response = client.post(RESET, {"email": "lucia@example.org"})

        assert response["Location"] == "/en/accounts/password-reset/sent/"
        assert len(mailoutbox) == 1
        message = mailoutbox[0]
        assert message.to == ["lucia@example.org"]
        link = re.search(r"http://testserver(/en/accounts/password-reset/\S+/\S+/)", message.body)
        assert link is not None

        # And follows the link and chooses a new password
        form = client.get(link.group(1), follow=True)
        assert form.context["validlink"] is True
        done = client.post(
            form.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )

        # Then the new password works, the old one and the link no longer do
        assert done["Location"] == "/en/accounts/password-reset/done/"
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD)
        assert not user.check_password(DEFAULT_PASSWORD)
        assert log_in(client, "lucia", NEW_PASSWORD).status_code == 302
        client.logout()
        again = client.get(link.group(1), follow=True)
        assert again.context["validlink"] is False

    def test_says_nothing_about_unknown_addresses(self, client, mailoutbox):
        response = client.post(RESET, {"email": "nobody@example.org"})

        assert response["Location"] == "/en/accounts/password-reset/sent/"
        assert mailoutbox == []

    def test_the_plain_text_e_mail_is_not_html_escaped(self, client, mailoutbox):
        UserFactory(username="ann", email="ann@example.org", display_name="Ann O'Brien")

        client.post(RESET, {"email": "ann@example.org"})

        assert "Ann O'Brien" in mailoutbox[0].body


class TestLoginThrottling:
    def test_locks_the_account_after_five_failures_even_with_the_right_password(self, client):
        user = UserFactory(username="lucia")
        for _attempt in range(4):
            assert log_in(client, "lucia", "wrong").status_code == 200

        fifth = log_in(client, "lucia", "wrong")
        right = log_in(client, "lucia", DEFAULT_PASSWORD)

        assert fifth.status_code == 429
        assert right.status_code == 429
        assert "<h1>Too many attempts</h1>" in right.content.decode()
        assert signed_in_user_id(client) is None
        user.refresh_from_db()
        assert user.is_active  # locked out for a while, not deactivated

    def test_four_failures_do_not_lock(self, client):
        UserFactory(username="lucia")
        for _attempt in range(4):
            log_in(client, "lucia", "wrong")

        assert log_in(client, "lucia", DEFAULT_PASSWORD).status_code == 302

    def test_the_lock_is_per_account(self, client):
        UserFactory(username="lucia")
        other = UserFactory(username="amina")
        for _attempt in range(5):
            log_in(client, "lucia", "wrong")

        assert log_in(client, "amina", DEFAULT_PASSWORD).status_code == 302
        assert signed_in_user_id(client) == other.pk

    def test_the_lock_holds_when_the_e_mail_address_is_typed(self, client):
        UserFactory(username="lucia", email="lucia@example.org")
        for _attempt in range(5):
            log_in(client, "lucia", "wrong")

        response = log_in(client, "LUCIA@example.org", DEFAULT_PASSWORD)

        assert response.status_code == 429
        assert signed_in_user_id(client) is None


class TestPasswordHashing:
    def test_argon2_is_configured_and_verifies(self):
        assert "django.contrib.auth.hashers.Argon2PasswordHasher" in settings.PASSWORD_HASHERS

        encoded = make_password("a-secret-passphrase", hasher="argon2")

        assert encoded.startswith("argon2$argon2id$")
        assert identify_hasher(encoded).algorithm == "argon2"
        assert check_password("a-secret-passphrase", encoded)
        assert not check_password("another-passphrase", encoded)

    def test_an_argon2_hashed_account_logs_in_over_http(self, client):
        user = UserFactory(username="lucia", password=None)
        User.objects.filter(pk=user.pk).update(
            password=make_password(NEW_PASSWORD, hasher="argon2")
        )

        assert log_in(client, "lucia", NEW_PASSWORD).status_code == 302
        assert signed_in_user_id(client) == user.pk

    def test_sign_up_stores_a_salted_hash_not_the_password(self):
        user = user_sign_up(username="amina", email="a@example.org", password="a-long-passphrase")

        assert "a-long-passphrase" not in user.password
        assert (
            identify_hasher(user.password).algorithm
            == identify_hasher(make_password("x")).algorithm
        )

    @pytest.mark.parametrize(
        ("environment", "first"),
        [
            ("development", "django.contrib.auth.hashers.Argon2PasswordHasher"),
            ("production", "django.contrib.auth.hashers.Argon2PasswordHasher"),
            ("test", "django.contrib.auth.hashers.MD5PasswordHasher"),
        ],
    )
    def test_argon2_is_the_default_outside_tests(self, monkeypatch, tmp_path, environment, first):
        # Given the settings module evaluated afresh in that environment
        monkeypatch.setenv("CITYPEERS_ENV", environment)
        monkeypatch.setenv("CITYPEERS_VAR_DIR", str(tmp_path))
        monkeypatch.setenv("SECRET_KEY", "x" * 50)
        monkeypatch.setenv("ALLOWED_HOSTS", "citypeers.example.org")

        evaluated = runpy.run_path(str(SETTINGS_FILE))

        hashers = evaluated["PASSWORD_HASHERS"]
        assert hashers[0] == first
        assert "django.contrib.auth.hashers.Argon2PasswordHasher" in hashers
