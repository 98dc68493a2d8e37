"""A person's own data: everything the platform holds about them, found generically.

The export follows every model with a foreign key to the user model (``apps.get_models()``),
so a model added later is exported without a change here. Records that are *about* the person
(their roles, tokens, notifications, registrations, the audit events they caused …) are exported
in full, less any secret (hashes, passwords); records they *wrote* for an organisation
(practices, partnerships, notes …) by id, title and dates. Deleting an account is a write:
``services.account_delete``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from citypeers.core.backup import encode_value

from .models import OrganisationRole, User

FORMAT = "citypeers-personal-data/1"

#: Relations (``app_label.model.field``) whose rows are about the person and exported in full,
#: besides those deleted with the account (``services.PERSONAL_RELATIONS``).
ABOUT_THE_PERSON = frozenset({"accounts.auditevent.actor", "accounts.invitation.accepted_by"})
#: Column names never exported, whatever the model: secrets and their hashes.
SECRET_SUFFIXES = ("_hash", "password", "secret")
TITLE_FIELDS = ("title", "name", "label", "kind", "verb")
DATE_FIELDS = ("created_at", "updated_at", "published_at", "at")
ACCOUNT_FIELDS = (
    "id",
    "username",
    "email",
    "display_name",
    "first_name",
    "last_name",
    "preferred_language",
    "is_moderator",
    "is_staff",
    "is_active",
    "date_joined",
    "last_login",
)


def user_relations() -> Iterator[tuple[type[models.Model], models.ForeignKey[Any, Any]]]:
    """Every concrete foreign key (or one-to-one) to the user model, models in label order."""
    for model in sorted(
        apps.get_models(include_auto_created=True), key=lambda m: m._meta.label_lower
    ):
        if model._meta.proxy or not model._meta.managed:
            continue
        for f in model._meta.local_concrete_fields:
            if isinstance(f, models.ForeignKey) and f.related_model is User:
                yield model, f


def relation_key(model: type[models.Model], f: models.Field[Any, Any]) -> str:
    return f"{model._meta.label_lower}.{f.name}"


def _exportable(f: models.Field[Any, Any]) -> bool:
    return not any(f.name.endswith(suffix) for suffix in SECRET_SUFFIXES)


def _full_rows(model: type[models.Model], f: models.Field[Any, Any], user: User) -> list[Any]:
    names = [c.attname for c in model._meta.concrete_fields if _exportable(c)]
    rows = model._base_manager.filter(**{f.attname: user.pk}).order_by("pk").values(*names)
    return [{k: encode_value(v) for k, v in row.items()} for row in rows.iterator()]


def _summary_rows(model: type[models.Model], f: models.Field[Any, Any], user: User) -> list[Any]:
    present = {c.name for c in model._meta.concrete_fields}
    names = [
        "pk",
        *[n for n in TITLE_FIELDS if n in present][:1],
        *[n for n in DATE_FIELDS if n in present],
    ]
    rows = model._base_manager.filter(**{f.attname: user.pk}).order_by("pk").values(*names)
    return [
        {("id" if k == "pk" else k): encode_value(v) for k, v in row.items()}
        for row in rows.iterator()
    ]


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything held about ``user``, as a JSON-ready document (see the module's docstring)."""
    from .services import PERSONAL_RELATIONS

    account: dict[str, Any] = {name: encode_value(getattr(user, name)) for name in ACCOUNT_FIELDS}
    account["groups"] = sorted(user.groups.values_list("name", flat=True))
    records = []
    for model, f in user_relations():
        key = relation_key(model, f)
        full = key in ABOUT_THE_PERSON or key in PERSONAL_RELATIONS
        items = (_full_rows if full else _summary_rows)(model, f, user)
        if not items:
            continue
        records.append(
            {
                "model": model._meta.label_lower,
                "name": str(model._meta.verbose_name_plural),
                "relation": f.name,
                "kind": "about-you" if full else "written-by-you",
                "count": len(items),
                "items": items,
            }
        )
    return {
        "format": FORMAT,
        "exported_at": timezone.now().astimezone(dt.UTC).isoformat(),
        "account": account,
        "records": records,
    }


def sole_admin_of(*, user: User) -> list[Any]:
    """The organisations whose only admin ``user`` is (they would be left without one)."""
    mine = OrganisationRole.objects.filter(user=user, role=OrganisationRole.Role.ADMIN)
    lonely = []
    for role in mine.select_related("organisation"):
        others = OrganisationRole.objects.filter(
            organisation_id=role.organisation_id, role=OrganisationRole.Role.ADMIN
        ).exclude(user=user)
        if not others.exists():
            lonely.append(role.organisation)
    return lonely
