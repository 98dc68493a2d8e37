from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import selectors


def unread(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's unread count for the header (one indexed count query, lazily)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": lambda: selectors.unread_count(user)}
