"""Who may read what in the accounts app.

| action | anonymous | member | editor | org admin | moderator | staff |
| --- | --- | --- | --- | --- | --- | --- |
| read an organisation's audit log | no | no | no | yes | no | yes |
"""

from __future__ import annotations

from typing import Any

from .models import OrganisationRole


def can_view_audit_log(user: Any, organisation: Any) -> bool:
    """The organisation's admins, and staff, read its audit log."""
    if not (user is not None and getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if user.is_staff:
        return True
    return OrganisationRole.objects.filter(
        user=user, organisation=organisation, role=OrganisationRole.Role.ADMIN
    ).exists()
