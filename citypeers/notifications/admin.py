from django.contrib import admin

from .models import DigestPreference, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "message", "read_at")
    list_filter = ("kind",)
    search_fields = ("recipient__username", "message")
    raw_id_fields = ("recipient", "actor")


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "frequency", "last_period", "last_sent_at")
    list_filter = ("frequency",)
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)
