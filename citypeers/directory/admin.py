"""Read-only admin of the directory: changes go through the web pages, the API or the CLI, whose
services check permissions, keep the search text current and write the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ManagementClaim, Membership, Organisation, ProfileItem, Theme


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProfileItemInline(admin.TabularInline):
    model = ProfileItem
    fields = ("kind", "theme", "text", "language")
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "actor_type", "country", "city", "population_served", "is_demo")
    list_filter = ("actor_type", "is_demo", "country__region")
    search_fields = ("name", "acronym", "slug", "external_id")
    list_select_related = ("country", "city")
    inlines = [ProfileItemInline]
    view_on_site = True


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("member", "parent", "role", "start_date", "end_date")
    list_filter = ("role",)
    search_fields = ("member__name", "parent__name")
    list_select_related = ("member", "parent")


@admin.register(Theme)
class ThemeAdmin(ReadOnlyAdmin):
    list_display = ("slug", "label_en", "label_fr", "label_es", "position")


@admin.register(ManagementClaim)
class ManagementClaimAdmin(ReadOnlyAdmin):
    """Read-only: moderators decide claims on /directory/claims/, which grants the role."""

    list_display = ("organisation", "requester", "position", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("organisation__name", "requester__username", "requester__email")
    list_select_related = ("organisation", "requester")
