"""Writing the audit log: one call per change, from the service that made it."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent


def audit(
    *, actor: Any, verb: str, target: models.Model, data: dict[str, Any] | None = None
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:200],
        data=data or {},
    )
