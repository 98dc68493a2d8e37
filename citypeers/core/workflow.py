"""The editorial workflow that practices and news articles share.

Draft → submitted → published → archived, with the way back to draft (withdrawn for changes)
and from the archive to publication. Who may move a piece of content is decided by its app
(``can_publish`` for publication, ``can_edit`` for every other step, each asked only when
needed); this module checks the step, stamps the first publication and writes the audit entry,
in one transaction with the app's own follow-up (``then``: re-indexing, announcements).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citypeers.accounts.audit import audit

from .errors import Conflict, PermissionDenied


class EditorialStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    SUBMITTED = "submitted", gettext_lazy("Submitted for review")
    PUBLISHED = "published", gettext_lazy("Published")
    ARCHIVED = "archived", gettext_lazy("Archived")


#: The steps allowed from each status.
TRANSITIONS: dict[str, set[str]] = {
    EditorialStatus.DRAFT: {EditorialStatus.SUBMITTED, EditorialStatus.PUBLISHED},
    EditorialStatus.SUBMITTED: {EditorialStatus.DRAFT, EditorialStatus.PUBLISHED},
    EditorialStatus.PUBLISHED: {EditorialStatus.ARCHIVED, EditorialStatus.DRAFT},
    EditorialStatus.ARCHIVED: {EditorialStatus.PUBLISHED},
}


def set_status(
    *,
    actor: Any,
    content: Any,
    status: str,
    verb: str,
    can_publish: Callable[[], bool],
    can_edit: Callable[[], bool],
    refused_step: str,
    note: str | None = None,
    then: Callable[[], None] | None = None,
) -> str:
    """Move ``content`` (a model with ``status``, ``published_at`` and ``updated_at``) to
    ``status``; return the status it had.

    ``refused_step`` is the translated message of a step the workflow does not allow, with
    ``%(from)s`` and ``%(to)s``; ``verb`` prefixes the audit entry (``"practice"`` →
    ``practice.published``).
    """
    if status not in TRANSITIONS.get(content.status, set()):
        raise Conflict(
            refused_step % {"from": content.get_status_display(), "to": status}, field="status"
        )
    if status == EditorialStatus.PUBLISHED:
        if not can_publish():
            raise PermissionDenied(
                _("Only moderators (and, if so configured, the organisation's editors) publish.")
            )
    elif not can_edit():
        raise PermissionDenied(
            _("Only the author and the editors of the organisation responsible can do this.")
        )
    with transaction.atomic():
        previous = content.status
        content.status = status
        if status == EditorialStatus.PUBLISHED and content.published_at is None:
            content.published_at = timezone.now()
        content.save(update_fields=["status", "published_at", "updated_at"])
        data: dict[str, Any] = {"from": previous}
        if note is not None:
            data["note"] = note[:500]
        audit(actor=actor, verb=f"{verb}.{status}", target=content, data=data)
        if then is not None:
            then()
    return previous
