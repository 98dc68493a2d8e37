"""Imports: organisations from CSV rows, every row through the directory's own services.

The whole file runs in one transaction. Each row runs in a savepoint and through
``organisation_create`` / ``organisation_update``, so it is checked by exactly the rules the web
form and the API apply, including the ones that need the database (duplicates of the same place
and type). Every error is collected with its row and field. Unless ``skip_invalid`` is set, a
single bad row rolls the whole file back; with it, the bad rows' savepoints are rolled back and
the good rows kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from citypeers.core.errors import ApplicationError, PermissionDenied
from citypeers.directory import permissions
from citypeers.directory import selectors as directory_selectors
from citypeers.directory import services as directory_services
from citypeers.directory.models import ActorType, Organisation

from .organisations import EXPORT_ONLY_COLUMNS, IMPORT_COLUMNS, LIST_SEPARATOR
from .references import FieldError, InvalidInput, References, resolve_place

#: The first data row of a file, counting the header as row 1 as a spreadsheet does.
FIRST_ROW = 2
REQUIRED_COLUMNS = ("name", "actor_type")


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)d, %(field)s: %(message)s") % {
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class RejectedRow:
    row: int
    values: Mapping[str, str]
    errors: list[RowError]

    @property
    def error_text(self) -> str:
        return "; ".join(f"{e.field}: {e.message}" for e in self.errors)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    committed: bool = False

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rejected for e in r.errors]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def _row_changes(
    refs: References, row: Mapping[str, str], existing: Organisation | None
) -> dict[str, Any]:
    """Service keyword arguments for the columns the file has; all field errors at once."""
    errors: list[FieldError] = []
    changes: dict[str, Any] = {}

    def given(column: str) -> str | None:
        return None if column not in row else (row[column] or "").strip()

    name = given("name") or ""
    if not name:
        errors.append(FieldError("name", _("Give the organisation's name.")))
    changes["name"] = name
    actor_type = given("actor_type") or ""
    if actor_type not in ActorType.values:
        errors.append(
            FieldError(
                "actor_type",
                _("%(value)r is not an actor type; use one of: %(types)s.")
                % {"value": actor_type, "types": ", ".join(ActorType.values)},
            )
        )
    changes["actor_type"] = actor_type

    city = None
    city_id = given("city_geonameid")
    if city_id:
        if city_id.isdigit():
            try:
                city = refs.city(int(city_id), field="city_geonameid")
            except ApplicationError as exc:
                errors.append(FieldError("city_geonameid", exc.message))
        else:
            errors.append(FieldError("city_geonameid", _("A GeoNames id is a whole number.")))
    try:
        country_code = given("country")
        place = resolve_place(
            refs,
            country=country_code,
            admin_area=given("admin_area"),
            city=city,
            default_country=existing.country if existing else None,
        )
        city_name = given("city")
        if city is None and city_name:
            country = place.get("country") or (existing.country if existing else None)
            place["city"] = refs.city_named(country, city_name)
        elif city is None and (city_id is not None or city_name is not None):
            place["city"] = None  # the file has a city column, empty on this row
        changes.update(place)
    except InvalidInput as exc:
        errors += exc.errors
    except ApplicationError as exc:
        errors.append(FieldError(exc.field or "city", exc.message))

    population = given("population_served")
    if population is not None:
        digits = population.replace(",", "").replace(" ", "").replace("_", "")
        if digits and not digits.isdigit():
            errors.append(
                FieldError("population_served", _("Population served is a whole number."))
            )
        else:
            changes["population_served"] = int(digits) if digits else None
    for column in ("website", "acronym"):
        value = given(column)
        if value is not None:
            changes[column] = value
    languages = given("languages")
    if languages is not None:
        changes["languages"] = [code.lower() for code in _split(languages)]
    original_language = given("original_language")
    if original_language is not None or existing is None:
        changes["original_language"] = (original_language or "en").lower()
    description = given("description")
    if description is not None:
        lang = changes.get("original_language") or (
            existing.original_language if existing else "en"
        )
        descriptions = dict(existing.descriptions) if existing else {}
        descriptions[lang] = description
        changes["descriptions"] = descriptions
    for column, resolve in (("themes", refs.themes), ("sdgs", refs.sdgs)):
        value = given(column)
        if value is not None:
            try:
                changes[column] = resolve(_split(value))
            except ApplicationError as exc:
                errors.append(FieldError(column, exc.message))
    if errors:
        raise InvalidInput(errors)
    return changes


def _import_row(
    *, actor: Any, refs: References, row: Mapping[str, str]
) -> tuple[Organisation, bool]:
    for column, value in row.items():
        if isinstance(value, str) and "\x00" in value:
            # PostgreSQL cannot store it; the web forms and the API refuse it too.
            raise ApplicationError(
                _("Text may not contain the NUL character (U+0000)."), field=str(column)
            )
    external_id = (row.get("external_id") or "").strip()
    if len(external_id) > 100:
        raise ApplicationError(_("An external id is at most 100 characters."), field="external_id")
    existing = directory_selectors.organisation_find_by_external_id(external_id=external_id)
    changes = _row_changes(refs, row, existing)
    if existing is not None:
        organisation = directory_services.organisation_update(
            actor=actor, organisation=existing, **changes
        )
        return organisation, False
    organisation = directory_services.organisation_create(
        actor=actor, external_id=external_id, make_admin=False, **changes
    )
    return organisation, True


def check_columns(columns: Sequence[str]) -> None:
    """Refuse a file whose header lacks a required column or has one the import does not know
    (a misspelt column would otherwise be ignored without a word)."""
    known = set(IMPORT_COLUMNS) | set(EXPORT_ONLY_COLUMNS)
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ApplicationError(
            _("Unknown columns: %(columns)s. Known columns: %(known)s.")
            % {"columns": ", ".join(unknown), "known": ", ".join(IMPORT_COLUMNS)},
            field=unknown[0],
        )
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            raise ApplicationError(
                _("The file needs a %(column)r column.") % {"column": column}, field=column
            )


def organisations_import(
    *,
    actor: Any,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, str]],
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import organisations from rows of the documented columns (``docs/import-export.md``).

    Runs as ``actor``, who must be staff or a platform moderator: a bulk import writes records
    that nobody in their organisations has vouched for, so it is a platform operation, and the
    audit log names the person who ran it. Imported organisations get no organisation admin.

    A row whose ``external_id`` matches an organisation updates it (only the columns the file
    has); other rows create organisations. Nothing is written if any row is invalid, unless
    ``skip_invalid``; nothing at all with ``dry_run``. ``report.committed`` says which happened.
    """
    if not permissions.is_platform_moderator(actor):
        raise PermissionDenied(_("Only staff and platform moderators can import organisations."))
    check_columns(columns)
    refs = References()
    report = ImportReport()
    with transaction.atomic():
        for number, row in enumerate(rows, start=FIRST_ROW):
            try:
                with transaction.atomic():
                    _organisation, created = _import_row(actor=actor, refs=refs, row=row)
            except InvalidInput as exc:
                errors = [RowError(number, e.field, e.message) for e in exc.errors]
                report.rejected.append(RejectedRow(number, row, errors))
                continue
            except ApplicationError as exc:
                error = RowError(number, exc.field or "row", exc.message)
                report.rejected.append(RejectedRow(number, row, [error]))
                continue
            if created:
                report.created += 1
            else:
                report.updated += 1
        report.committed = not dry_run and (skip_invalid or not report.rejected)
        if not report.committed:
            transaction.set_rollback(True)
    return report
