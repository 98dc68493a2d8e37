"""Reads of notifications: a user sees only their own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber

from .models import DigestFrequency, DigestPreference, Notification


def for_user(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows


def unread_count(user: Any) -> int:
    return for_user(user, unread_only=True).count()


def digest_frequency_of(user: Any) -> str:
    """The user's digest choice (``none`` when never chosen)."""
    if not getattr(user, "is_authenticated", False):
        return DigestFrequency.NONE
    value = DigestPreference.objects.filter(user=user).values_list("frequency", flat=True).first()
    return value or DigestFrequency.NONE


def digest_due(*, frequency: str, period: dt.date) -> QuerySet[DigestPreference]:
    """People who chose ``frequency``, have an e-mail address and were not sent ``period`` yet,
    in the order of their id (one query; the batches are cut from it)."""
    return (
        DigestPreference.objects.filter(
            frequency=frequency, user__is_active=True, user__email__gt=""
        )
        .exclude(last_period__gte=period)
        .order_by("user_id")
    )


def unread_for_digest(
    *, user_ids: Sequence[int], limit: int, exclude_kind_prefix: str = ""
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, int]]:
    """The newest ``limit`` unread notifications of each of ``user_ids`` and how many each has
    unread in all, in two queries whatever the number of people (a window function ranks each
    person's notifications)."""
    rows = Notification.objects.filter(recipient_id__in=list(user_ids), read_at__isnull=True)
    if exclude_kind_prefix:
        rows = rows.exclude(kind__startswith=exclude_kind_prefix)
    ranked = (
        rows.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("recipient_id")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=limit)
        .values("recipient_id", "kind", "message", "url", "created_at")
    )
    newest: dict[int, list[dict[str, Any]]] = {}
    for row in ranked:
        newest.setdefault(row["recipient_id"], []).append(dict(row))
    for items in newest.values():
        items.sort(key=lambda r: r["created_at"], reverse=True)
    counts = {
        row["recipient_id"]: row["n"]
        for row in rows.order_by().values("recipient_id").annotate(n=Count("id"))
    }
    return newest, counts


def digest_preference_record(user: Any) -> dict[str, Any]:
    """The user's digest choice as data (``none`` and no dates when never chosen)."""
    row = (
        DigestPreference.objects.filter(user=user)
        .values("frequency", "last_period", "last_sent_at")
        .first()
    )
    if row is not None:
        return dict(row)
    return {"frequency": DigestFrequency.NONE, "last_period": None, "last_sent_at": None}
