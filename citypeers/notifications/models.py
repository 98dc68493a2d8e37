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


class DigestFrequency(models.TextChoices):
    NONE = "none", _("No e-mail digest")
    DAILY = "daily", _("A daily digest")
    WEEKLY = "weekly", _("A weekly digest")


class DigestPreference(models.Model):
    """How often a person wants an e-mail digest, and which period they were last sent.

    ``last_period`` is the first day of the last period whose digest was sent (the day for a daily
    digest, the Monday for a weekly one): a batch claims a person only while it is earlier than the
    period being sent, so nobody gets the same period's digest twice. No row means no digest.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="digest_preference",
    )
    frequency = models.CharField(
        _("e-mail digest"),
        max_length=10,
        choices=DigestFrequency.choices,
        default=DigestFrequency.NONE,
    )
    last_period = models.DateField(_("last period sent"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last digest sent"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")
        indexes = [
            models.Index(fields=["frequency", "last_period"], name="digest_due"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.frequency}"
