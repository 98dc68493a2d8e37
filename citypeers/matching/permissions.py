"""Who may do what with match requests. Services call these; interfaces never decide on their own.

"Editors" below means the people holding the editor or organisation-admin role in that
organisation; a plain member of it is, for these rules, like any signed-in person.

| action | anonymous | signed in | requester's editors | invited org's editors | moderator |
| --- | --- | --- | --- | --- | --- |
| read an open request and its suggestions | yes | yes | yes | yes | yes |
| read a closed request | no | no | yes | yes (if ever invited) | yes |
| post a request for an organisation | no | no | yes | – | no |
| edit it, invite, withdraw an invitation | no | no | yes (while open) | no | no |
| close it | no | no | yes | no | yes |
| see its invitations | no | no | all of them | their own | all of them |
| accept or decline an invitation | no | no | no | yes | no |

Moderators may close any request (a spam post, a stale one) but do not act for organisations:
they neither post, invite nor answer on anyone's behalf.
"""

from __future__ import annotations

from typing import Any

from citypeers.directory import permissions as directory_permissions
from citypeers.directory.models import Organisation

from .models import MatchInvitation, MatchRequest, RequestStatus


def edits_for(user: Any, organisation: Organisation) -> bool:
    """The user holds the editor or admin role in the organisation (moderators do not count)."""
    return directory_permissions.role_in(user, organisation) in directory_permissions.EDIT_ROLES


def can_post_for(user: Any, organisation: Organisation) -> bool:
    return edits_for(user, organisation)


def can_manage(user: Any, match_request: MatchRequest) -> bool:
    """Edit the request, invite organisations and withdraw invitations."""
    return edits_for(user, match_request.organisation)


def can_close(user: Any, match_request: MatchRequest) -> bool:
    return can_manage(user, match_request) or directory_permissions.is_platform_moderator(user)


def can_answer(user: Any, invitation: MatchInvitation) -> bool:
    return edits_for(user, invitation.organisation)


def can_view(user: Any, match_request: MatchRequest) -> bool:
    if match_request.status == RequestStatus.OPEN:
        return True
    if not directory_permissions.is_signed_in(user):
        return False
    if directory_permissions.is_platform_moderator(user) or can_manage(user, match_request):
        return True
    return any(edits_for(user, i.organisation) for i in match_request.invitations.all())


def can_view_invitation(user: Any, invitation: MatchInvitation) -> bool:
    return (
        directory_permissions.is_platform_moderator(user)
        or edits_for(user, invitation.request.organisation)
        or edits_for(user, invitation.organisation)
    )


def sees_all_invitations(user: Any, match_request: MatchRequest) -> bool:
    return directory_permissions.is_platform_moderator(user) or can_manage(user, match_request)
