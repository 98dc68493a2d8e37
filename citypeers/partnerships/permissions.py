"""Who may do what with partnerships.

- Anyone may view partnerships (except declined proposals, visible to their members only).
- Editors (or admins) of a member organisation may propose a partnership for it, edit it, change
  its status, add activities, results, agreements and capacity links.
- Only editors of an *invited* organisation may accept or decline on its behalf — and platform
  moderators and staff, so that a proposal left without an answer can be settled.
- Platform moderators and staff may do everything members' editors may; only they may delete.
"""

from __future__ import annotations

from typing import Any

from citypeers.directory import permissions as directory_permissions
from citypeers.directory.models import Organisation

from .models import Partnership, Status


def editable_member_ids(user: Any, partnership: Partnership) -> set[int]:
    """Ids of the partnership's organisations the user edits for."""
    return {
        m.organisation_id
        for m in partnership.members.all()
        if directory_permissions.can_edit(user, m.organisation)
    }


def can_view(user: Any, partnership: Partnership) -> bool:
    if partnership.status != Status.DECLINED:
        return True
    return directory_permissions.is_platform_moderator(user) or bool(
        editable_member_ids(user, partnership)
    )


def can_propose_for(user: Any, organisation: Organisation) -> bool:
    return directory_permissions.can_edit(user, organisation)


def can_edit(user: Any, partnership: Partnership) -> bool:
    if directory_permissions.is_platform_moderator(user):
        return True
    return any(
        m.accepted and directory_permissions.can_edit(user, m.organisation)
        for m in partnership.members.all()
    )


def can_answer_for(user: Any, organisation: Organisation) -> bool:
    return directory_permissions.can_edit(user, organisation)


def can_delete(user: Any, partnership: Partnership) -> bool:
    return directory_permissions.is_platform_moderator(user)
