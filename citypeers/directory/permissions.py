"""Who may do what in the directory. Services call these; interfaces never decide on their own.

| action | anonymous | member | editor | org admin | moderator | staff |
| --- | --- | --- | --- | --- | --- | --- |
| view an organisation | yes | yes | yes | yes | yes | yes |
| create an organisation | no | yes (any signed-in person) | yes | yes | yes | yes |
| edit it, its profile and its memberships as the parent | no | no | yes | yes | yes | yes |
| delete it | no | no | no | yes | yes | yes |
| invite, remove people and change their roles | no | no | no | yes | no | yes |
| ask to manage it while it has no admin (a claim) | no | yes | yes | yes | yes | yes |
| see claims; approve or reject them | no | own; no | own; no | own; no | all; yes | all; yes |

Roles count only for the organisation they are held in: the admin of another organisation is,
for this one, like any signed-in person.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from citypeers.accounts.models import OrganisationRole
from citypeers.core.errors import PermissionDenied

from .models import Organisation

Role = OrganisationRole.Role
EDIT_ROLES = {Role.EDITOR, Role.ADMIN}


def is_signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_platform_moderator(user: Any) -> bool:
    return is_signed_in(user) and bool(user.is_staff or getattr(user, "is_moderator", False))


def role_in(user: Any, organisation: Organisation) -> str | None:
    if not is_signed_in(user) or organisation.pk is None:
        return None
    cache: dict[int, str | None] = user.__dict__.setdefault("_organisation_roles", {})
    if organisation.pk not in cache:
        cache[organisation.pk] = (
            OrganisationRole.objects.filter(user=user, organisation=organisation)
            .values_list("role", flat=True)
            .first()
        )
    return cache[organisation.pk]


def forget_roles(user: Any) -> None:
    if user is not None:
        user.__dict__.pop("_organisation_roles", None)


def can_create(user: Any) -> bool:
    return is_signed_in(user)


def can_edit(user: Any, organisation: Organisation) -> bool:
    return is_platform_moderator(user) or role_in(user, organisation) in EDIT_ROLES


def can_delete(user: Any, organisation: Organisation) -> bool:
    return is_platform_moderator(user) or role_in(user, organisation) == Role.ADMIN


def can_manage_people(user: Any, organisation: Organisation) -> bool:
    return (is_signed_in(user) and user.is_staff) or role_in(user, organisation) == Role.ADMIN


def can_claim(user: Any) -> bool:
    """Ask to manage an organisation (whether it has admins is a rule of the service: 409)."""
    return is_signed_in(user)


def can_decide_claims(user: Any) -> bool:
    """See every management claim and approve or reject it: platform moderators."""
    return is_platform_moderator(user)


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You are not allowed to do this."))
