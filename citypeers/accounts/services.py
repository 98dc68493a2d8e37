"""Account writes: sign-up and API tokens. Password reset and log-in are Django's own (urls.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from citypeers.core.errors import ApplicationError, PermissionDenied

from .audit import audit
from .models import ApiToken, User, hash_token, new_token

TOKEN_MARK = "cp_"  # noqa: S105 - a public marker, not a secret

#: ``last_used_at`` is written at most this often per token, so reads stay reads.
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)


def user_sign_up(*, username: str, email: str, password: str, display_name: str = "") -> User:
    """Create an active account with an argon2-hashed password in the reader's language."""
    with transaction.atomic():
        user = User(
            username=username,
            email=User.objects.normalize_email(email).lower(),
            display_name=display_name,
            preferred_language=(get_language() or "en")[:2],
        )
        user.set_password(password)
        user.full_clean()
        user.save()
    return user


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a personal API token; return it and the raw secret, which is never stored.

    Only the SHA-256 hash and the first eight characters (to recognise the token in a list)
    are kept, so the raw value must be shown to its owner now or never.
    """
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the token a name, e.g. what it is used for."), field="name")
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ApplicationError(_("A token name is at most 100 characters."), field="name")
    if not user.is_active:
        raise ApplicationError(_("This account is not active."), field="user")
    # "cp_" marks CityPeers tokens (for secret scanners) and keeps the prefix from starting
    # with "-", which command-line parsers would take for an option.
    raw = TOKEN_MARK + new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, key_hash=hash_token(raw), prefix=raw[:8]
        )
        audit(actor=user, verb="token.create", target=token)
    return token, raw


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token for good: its owner or staff may. Revoking twice is harmless."""
    if not (
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and (actor.pk == token.user_id or actor.is_staff)
    ):
        raise PermissionDenied(_("Only the owner of a token or staff can revoke it."))
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(actor=actor, verb="token.revoke", target=token)
    return token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user holding this live token, or ``None``.

    Looks the token up by hash (the raw value is never compared), refuses revoked tokens and
    inactive accounts, and records the use at most once per :data:`TOKEN_TOUCH_INTERVAL`.
    """
    if not raw:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user
