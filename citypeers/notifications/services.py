"""Writes of notifications. Other apps call :func:`notify`; only the recipient marks them read.

Digest preferences: a person chooses none, daily or weekly (:func:`digest_preference_set`); the
digest batches claim the people they send to (:func:`digest_claim`) so that a period's digest goes
out once; an unsubscribe link sets the preference to none (:func:`digest_unsubscribe`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citypeers.accounts.audit import audit
from citypeers.core.errors import ApplicationError, PermissionDenied

from .models import DigestFrequency, DigestPreference, Notification

MESSAGE_MAX = 500


def _language_of(user: Any) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    preferred = getattr(user, "preferred_language", "") or ""
    return preferred if preferred in codes else settings.LANGUAGE_CODE.split("-")[0]


def notify(
    recipients: Iterable[Any],
    *,
    kind: str,
    message: Callable[[], str],
    url: str = "",
    actor: Any = None,
    target: tuple[str, Any] | None = None,
    email: bool = False,
) -> list[Notification]:
    """Notify each recipient (users; duplicates and the actor themselves are skipped).

    ``message`` is called once per recipient inside that recipient's language, so it should use
    ``gettext`` (not the lazy variant) and build the text when called. With ``email=True`` the
    message is also e-mailed right after the transaction commits.
    """
    if url and not url.startswith("/"):
        raise ValueError("A notification links only inside the site.")
    seen: set[int] = set()
    made: list[Notification] = []
    actor_id = getattr(actor, "pk", None)
    for user in recipients:
        if user is None or user.pk in seen or user.pk == actor_id or not user.is_active:
            continue
        seen.add(user.pk)
        with translation.override(_language_of(user)):
            text = str(message())[:MESSAGE_MAX]
        made.append(
            Notification(
                recipient=user,
                actor=actor if actor_id else None,
                kind=kind,
                message=text,
                url=url,
                target_type=target[0] if target else "",
                target_id=str(target[1]) if target else "",
            )
        )
    Notification.objects.bulk_create(made)
    if email and made:
        ids = [n.pk for n in made if n.pk]
        transaction.on_commit(lambda: send_emails(ids))
    return made


def send_emails(notification_ids: list[int]) -> int:
    """E-mail these notifications (each once) to recipients with an address; return the count."""
    sent = 0
    site = getattr(settings, "CITYPEERS_SITE_URL", "").rstrip("/")
    rows = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
    for note in rows.select_related("recipient"):
        if not note.recipient.email:
            continue
        link = f"\n\n{site}{note.url}" if note.url else ""
        send_mail(
            subject=note.message[:120],
            message=f"{note.message}{link}",
            from_email=None,
            recipient_list=[note.recipient.email],
            fail_silently=False,
        )
        Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def mark_read(*, user: Any, notification: Notification) -> Notification:
    if not getattr(user, "is_authenticated", False) or notification.recipient_id != user.pk:
        raise PermissionDenied(_("Only its recipient may mark a notification read."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to read your notifications."))
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- digest preferences ----------------------------------------------------------------------


def digest_preference_set(*, actor: Any, frequency: str) -> DigestPreference:
    """Choose how often ``actor`` receives the e-mail digest: none, daily or weekly."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to choose your e-mail digest."))
    if frequency not in DigestFrequency.values:
        raise ApplicationError(_("Choose none, daily or weekly."), field="frequency")
    with transaction.atomic():
        preference, _created = DigestPreference.objects.update_or_create(
            user=actor, defaults={"frequency": frequency}
        )
        audit(actor=actor, verb="digest.preference", target=preference, data={"to": frequency})
    return preference


def digest_unsubscribe(*, user_id: int) -> bool:
    """Stop the e-mail digest of a person (from a signed unsubscribe link: nobody is signed in).

    Returns whether anything changed; a second click changes nothing and is not an error."""
    with transaction.atomic():
        changed = (
            DigestPreference.objects.filter(user_id=user_id)
            .exclude(frequency=DigestFrequency.NONE)
            .update(frequency=DigestFrequency.NONE, updated_at=timezone.now())
        )
        if changed:
            preference = DigestPreference.objects.select_related("user").get(user_id=user_id)
            audit(actor=None, verb="digest.unsubscribe", target=preference)
    return bool(changed)


def digest_claim(
    *, user_ids: Sequence[int], frequency: str, period: dt.date, now: dt.datetime
) -> dict[int, dt.datetime | None]:
    """Claim, for the digest of ``period``, those of ``user_ids`` who want this frequency and were
    not sent this period yet; return each claimed person's previous ``last_sent_at``.

    The claim is written before anything is sent (at most once: a failure afterwards loses that
    period's digest for the batch, it never sends one twice). On PostgreSQL the rows are locked
    and rows another worker holds are skipped, so two runs of the same batch share nobody.
    """
    with transaction.atomic():
        due = (
            DigestPreference.objects.select_for_update(skip_locked=True)
            .filter(user_id__in=list(user_ids), frequency=frequency)
            .exclude(last_period__gte=period)
            .values_list("user_id", "last_sent_at")
        )
        claimed = dict(due)
        if claimed:
            DigestPreference.objects.filter(user_id__in=list(claimed)).update(
                last_period=period, last_sent_at=now
            )
    return claimed
