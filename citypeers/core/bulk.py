"""Synchronising a table with a list of records in a few bulk statements.

Reference loads run on every ``make run``; they must be fast on tens of thousands of rows
and must change nothing when nothing changed. :func:`bulk_sync` reads the stored values once,
then creates the missing rows and updates the changed ones in batches.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass
class SyncCount:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def bulk_sync(
    model: type[models.Model],
    key: str | tuple[str, ...],
    records: Mapping[Any, Mapping[str, Any]],
    *,
    batch_size: int = 1000,
) -> SyncCount:
    """Make ``model`` hold ``records`` (key value → field values); rows not listed are kept.

    ``key`` names the field (or fields, for a tuple key) that identifies a row; the record's field
    mapping must not repeat it.
    """
    keys = (key,) if isinstance(key, str) else key
    fields = sorted({name for values in records.values() for name in values})
    existing: dict[Hashable, dict[str, Any]] = {}
    for row in model._default_manager.values("pk", *keys, *fields).iterator(chunk_size=5000):
        row_key = row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys)
        existing[row_key] = row
    count = SyncCount()
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    for record_key, values in records.items():
        key_values = (record_key,) if len(keys) == 1 else tuple(record_key)
        stored = existing.get(record_key)
        if stored is None:
            to_create.append(model(**dict(zip(keys, key_values, strict=True)), **values))
            count.created += 1
        elif any(stored[name] != value for name, value in values.items()):
            instance = model(pk=stored["pk"], **dict(zip(keys, key_values, strict=True)))
            for name in fields:
                setattr(instance, name, values.get(name, stored[name]))
            to_update.append(instance)
            count.updated += 1
        else:
            count.unchanged += 1
    model._default_manager.bulk_create(to_create, batch_size=batch_size)
    if to_update and fields:
        model._default_manager.bulk_update(to_update, fields, batch_size=batch_size)
    return count
