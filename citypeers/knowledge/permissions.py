"""Who may do what with practices.

- Anyone reads published practices; drafts, submitted and archived practices are visible to their
  author, the editors of the responsible organisation, and platform moderators.
- Any signed-in person may write a practice (a draft); its author and the editors of the
  responsible organisation may edit it, translate it and submit it for review.
- Publishing: by platform moderators, and — when ``CITYPEERS_PRACTICE_PUBLISHERS`` is
  ``editors`` (the default) — also by the editors of the responsible organisation.
- Translations are edits: the same people add them. Editors of any organisation may report that
  their organisation adopted a published practice, or start an adaptation of it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from citypeers.directory import permissions as directory_permissions

from .models import Practice, Status


def is_author(user: Any, practice: Practice) -> bool:
    return directory_permissions.is_signed_in(user) and practice.created_by_id == user.pk


def edits_for_owner(user: Any, practice: Practice) -> bool:
    return practice.owner is not None and directory_permissions.can_edit(user, practice.owner)


def can_view(user: Any, practice: Practice) -> bool:
    if practice.status == Status.PUBLISHED:
        return True
    return (
        directory_permissions.is_platform_moderator(user)
        or is_author(user, practice)
        or edits_for_owner(user, practice)
    )


def can_create(user: Any) -> bool:
    return directory_permissions.is_signed_in(user)


def can_edit(user: Any, practice: Practice) -> bool:
    return (
        directory_permissions.is_platform_moderator(user)
        or is_author(user, practice)
        or edits_for_owner(user, practice)
    )


def can_publish(user: Any, practice: Practice) -> bool:
    if directory_permissions.is_platform_moderator(user):
        return True
    publishers = getattr(settings, "CITYPEERS_PRACTICE_PUBLISHERS", "editors")
    return publishers == "editors" and edits_for_owner(user, practice)


def can_delete(user: Any, practice: Practice) -> bool:
    return directory_permissions.is_platform_moderator(user)
