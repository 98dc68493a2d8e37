"""Account writes: sign-up. Password reset and log-in are Django's own, configured in urls.py."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import get_language

from .models import User


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
