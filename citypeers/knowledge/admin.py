"""Read-only admin of the knowledge base: every change goes through the services (and the pages),
so the admin shows practices, their texts and revisions without offering to change them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AdoptionReport, Practice, PracticeText, Revision, SdgSuggestion


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TextInline(ReadOnly, admin.StackedInline[PracticeText, Practice]):
    model = PracticeText
    extra = 0
    fields = ("language", "is_original", "title", "summary", "translated_by")
    readonly_fields = fields


@admin.register(Practice)
class PracticeAdmin(ReadOnly, admin.ModelAdmin[Practice]):
    list_display = ("__str__", "status", "original_language", "country", "owner", "published_at")
    list_filter = ("status", "original_language", "is_demo")
    search_fields = ("slug", "texts__title", "external_id")
    list_select_related = ("country", "owner")
    inlines = [TextInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("texts")


@admin.register(Revision)
class RevisionAdmin(ReadOnly, admin.ModelAdmin[Revision]):
    list_display = ("practice", "language", "number", "author", "created_at")
    list_filter = ("language",)
    list_select_related = ("practice", "author")


@admin.register(SdgSuggestion)
class SdgSuggestionAdmin(ReadOnly, admin.ModelAdmin[SdgSuggestion]):
    list_display = ("practice", "sdg", "score", "state")
    list_filter = ("state",)


@admin.register(AdoptionReport)
class AdoptionReportAdmin(ReadOnly, admin.ModelAdmin[AdoptionReport]):
    list_display = ("practice", "organisation", "adopted_on")
    list_select_related = ("practice", "organisation")
