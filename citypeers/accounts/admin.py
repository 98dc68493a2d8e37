from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (None, {"fields": ("display_name", "preferred_language")}),
    )
    list_display = ("username", "email", "display_name", "is_staff", "is_active", "date_joined")
