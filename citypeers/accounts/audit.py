"""Writing the audit log: one call per change, from the service that made it.

Each event is also linked to the organisations it concerns (:class:`AuditEventOrganisation`), so
the admins of an organisation can read every change to it, its partnerships, practices, events,
news, notes, match requests and invitations on its audit page. Which organisations a record
concerns is decided here, per record type, from the record as it is when the change is written
(services write the event before a deletion, so a deleted record still has its organisations).
Record types not listed (API tokens, calendar tokens, insights runs) concern no organisation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models

from .models import AuditEvent, AuditEventOrganisation


def _ids(manager: Any, field: str = "organisation_id") -> list[int]:
    return list(manager.values_list(field, flat=True))


#: For each record type (``app_label.model``), the ids of the organisations it concerns.
RESOLVERS: dict[str, Callable[[Any], Iterable[int | None]]] = {
    "directory.organisation": lambda t: [t.pk],
    "directory.membership": lambda t: [t.member_id, t.parent_id],
    "accounts.invitation": lambda t: [t.organisation_id],
    "partnerships.partnership": lambda t: _ids(t.members),
    "knowledge.practice": lambda t: [t.owner_id, *_ids(t.organisation_roles)],
    "learning.event": lambda t: _ids(t.organisers, "pk"),
    "learning.registration": lambda t: _ids(t.event.organisers, "pk"),
    "learning.learningnote": lambda t: [t.organisation_id, *_ids(t.event.organisers, "pk")],
    "learning.newsarticle": lambda t: [t.owner_id, *_ids(t.organisations, "pk")],
    "matching.matchrequest": lambda t: [t.organisation_id],
    "matching.matchinvitation": lambda t: [t.organisation_id, t.request.organisation_id],
}


def organisations_of(target: models.Model) -> set[int]:
    """The ids of the organisations whose audit log shows changes to ``target``."""
    resolver = RESOLVERS.get(target._meta.label_lower)
    if resolver is None or target.pk is None:
        return set()
    return {pk for pk in resolver(target) if pk}


def audit(
    *, actor: Any, verb: str, target: models.Model, data: dict[str, Any] | None = None
) -> AuditEvent:
    event = AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:200],
        data=data or {},
    )
    AuditEventOrganisation.objects.bulk_create(
        [
            AuditEventOrganisation(event=event, organisation_id=pk, at=event.at)
            for pk in sorted(organisations_of(target))
        ]
    )
    return event
