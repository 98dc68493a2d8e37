"""Reads of the accounts app: the audit log of an organisation."""

from __future__ import annotations

from django.apps import apps
from django.db.models import QuerySet

from .models import AuditEventOrganisation


def audit_log_for_organisation(organisation_id: int) -> QuerySet[AuditEventOrganisation]:
    """Every audit event concerning the organisation, newest first, with its actor."""
    return (
        AuditEventOrganisation.objects.filter(organisation_id=organisation_id)
        .select_related("event", "event__actor")
        .order_by("-at", "-event_id")
    )


def record_type_name(target_type: str) -> str:
    """The translated name of a record type (``partnerships.partnership`` → "partnership")."""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type
