"""Login throttling keys: one lock per account, however its identifier is typed.

django-axes locks on the username it is given. People sign in with a username or an e-mail address
in any letter case, so the lock is keyed on the account's canonical username when the typed text
names an account, and on the lower-cased text otherwise.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from .models import User


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    typed = str((credentials or {}).get("username") or "").strip()
    if not typed and request is not None:
        typed = str(request.POST.get("username", "")).strip()
    if not typed:
        return ""
    user = (
        User.objects.filter(Q(username=typed) | Q(email__iexact=typed) | Q(username__iexact=typed))
        .only("username")
        .order_by("pk")
        .first()
    )
    return user.username if user is not None else typed.lower()
