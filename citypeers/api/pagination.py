"""``{"count", "items"}`` pagination with ``limit`` and ``offset`` (limit capped at 100)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase


class LimitOffset(PaginationBase):
    class Input(Schema):
        limit: int = Field(20, ge=1, le=100, description="Items per page (at most 100).")
        # Bounded: an offset past what a database integer holds would fail in the SQL.
        offset: int = Field(0, ge=0, le=1_000_000_000, description="Items to skip.")

    class Output(Schema):
        count: int
        items: list[Any]

    items_attribute = "items"

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        page = queryset[pagination.offset : pagination.offset + pagination.limit]
        return {"count": count, "items": list(page)}
