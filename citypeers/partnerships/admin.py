"""Read-only admin of the partnership registry: changes go through the web pages, the API or the
CLI, whose services check permissions, keep the derived geography current and record the history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    CapacityAssessment,
    CapacityDimension,
    CapacityScore,
    Partnership,
    PartnershipEvent,
    PartnershipMember,
)


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MemberInline(ReadOnly, admin.TabularInline):
    model = PartnershipMember
    fields = ("organisation", "role", "accepted", "joined_on")
    extra = 0


class EventInline(ReadOnly, admin.TabularInline):
    model = PartnershipEvent
    fields = ("at", "actor", "kind", "from_status", "to_status", "note")
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("title", "modality", "geography", "status", "started_on", "source", "is_demo")
    list_filter = ("geography", "modality", "status", "single_country", "source", "is_demo")
    search_fields = ("title", "slug", "external_id")
    inlines = [MemberInline, EventInline]
    view_on_site = True


class ScoreInline(ReadOnly, admin.TabularInline):
    model = CapacityScore
    fields = ("dimension", "level", "evidence")
    extra = 0


@admin.register(CapacityAssessment)
class CapacityAssessmentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("organisation", "assessed_on", "created_at")
    search_fields = ("organisation__name",)
    list_select_related = ("organisation",)
    inlines = [ScoreInline]


@admin.register(CapacityDimension)
class CapacityDimensionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("slug", "applies_to", "label_en", "label_fr", "label_es", "position")
