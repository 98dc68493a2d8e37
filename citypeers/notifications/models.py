"""In-app notifications: one row per recipient and event, written by other apps' services.

The message is rendered in the recipient's language when the notification is made (their
preferred language, else the platform default), so reading it never needs the sender's context.
E-mail is sent at once only for kinds that ask for it; everything else waits for the digests.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: What happened, as a dotted code: ``matching.invited``, ``learning.promoted`` …
    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    message = models.CharField(_("message"), max_length=500)
    #: A path inside the site (never an outside address), where the reader acts on it.
    url = models.CharField(_("link"), max_length=500, blank=True)
    #: The record it is about, as in the audit log: ``("match_request", "12")``.
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.kind} · {self.message[:60]}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
