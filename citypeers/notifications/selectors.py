"""Reads of notifications: a user sees only their own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Notification


def for_user(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows


def unread_count(user: Any) -> int:
    return for_user(user, unread_only=True).count()
