"""Practices as JSON Lines: one JSON object a line, read by ``citypeers import-practices`` and
written by ``citypeers export-practices`` (the format is in ``docs/import-export.md``).

The import reads bytes and decodes each line on its own, so a line that is not UTF-8 is refused
with its number instead of failing the whole file at an unknown place. The whole file runs in one
transaction; each line runs in a savepoint and through the knowledge base's services
(``practice_create`` / ``practice_update`` / ``practice_translate`` / ``practice_set_status``),
so it is checked by exactly the rules the web form and the API apply. Every error is collected
with its line and field. Unless ``skip_invalid`` is set, one bad line rolls the whole file back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from citypeers.core.errors import ApplicationError, NotFound, PermissionDenied
from citypeers.directory import permissions as directory_permissions
from citypeers.directory import selectors as directory_selectors
from citypeers.directory.models import Organisation
from citypeers.knowledge import services as knowledge_services
from citypeers.knowledge.models import (
    TEXT_FIELDS,
    Practice,
    PracticeOrganisation,
    PracticeText,
    Status,
)

from .references import FieldError, InvalidInput, References

CHUNK = 500
MAX_EXTERNAL_ID = 120

#: Keys a line may have. ``translations`` (language → template fields) is what
#: ``export-practices --all-languages`` adds; an import adds or replaces those translations.
FACT_KEYS = (
    "themes",
    "sdgs",
    "country",
    "city",
    "owner",
    "organisations",
    "period_start",
    "period_end",
    "status",
)
KEYS = ("external_id", "language", *TEXT_FIELDS, *FACT_KEYS, "translations")


# --- export ----------------------------------------------------------------------------------


def export_queryset() -> QuerySet[Practice]:
    """Every practice, in a stable order, with what a record shows prefetched."""
    return (
        Practice.objects.select_related("country", "city", "owner")
        .prefetch_related(
            Prefetch("texts", queryset=PracticeText.objects.order_by("-is_original", "language")),
            "themes",
            "sdgs",
            Prefetch(
                "organisation_roles",
                queryset=PracticeOrganisation.objects.select_related("organisation").order_by("pk"),
            ),
        )
        .order_by("pk")
    )


def external_id_of(practice: Practice) -> str:
    """The practice's external id; ``citypeers:<slug>`` for one that was never imported."""
    return practice.external_id or f"citypeers:{practice.slug}"


def practice_line(practice: Practice, *, all_languages: bool = False) -> dict[str, Any]:
    """One practice as an import line: the original text and the facts (and translations)."""
    original = practice.original_text
    record: dict[str, Any] = {
        "external_id": external_id_of(practice),
        "language": practice.original_language,
    }
    record.update(original.as_dict() if original else dict.fromkeys(TEXT_FIELDS, ""))
    record.update(
        {
            "themes": [t.slug for t in practice.themes.all()],
            "sdgs": [s.number for s in practice.sdgs.all()],
            "country": practice.country.iso3 if practice.country else None,
            "city": practice.city.geonameid if practice.city else None,
            "owner": practice.owner.slug if practice.owner else None,
            "organisations": [
                {"organisation": r.organisation.slug, "role": r.role}
                for r in practice.organisation_roles.all()
            ],
            "period_start": practice.period_start,
            "period_end": practice.period_end,
            "status": practice.status,
        }
    )
    if all_languages:
        record["translations"] = {
            t.language: t.as_dict() for t in practice.texts.all() if not t.is_original
        }
    return record


def export_lines(queryset: QuerySet[Practice], *, all_languages: bool = False) -> Iterator[str]:
    """JSON Lines, read from the database a chunk at a time."""
    for practice in queryset.iterator(chunk_size=CHUNK):
        line = practice_line(practice, all_languages=all_languages)
        yield json.dumps(line, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n"


# --- import ----------------------------------------------------------------------------------


@dataclass
class LineError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("line %(line)d, %(field)s: %(message)s") % {
            "line": self.line,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class RejectedLine:
    line: int
    text: str
    errors: list[LineError]

    def as_record(self) -> dict[str, Any]:
        """What the rejects file holds for the line: its number, errors and the text itself."""
        return {
            "line": self.line,
            "errors": [{"field": e.field, "message": e.message} for e in self.errors],
            "source": self.text,
        }


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[RejectedLine] = field(default_factory=list)
    committed: bool = False

    @property
    def errors(self) -> list[LineError]:
        return [e for r in self.rejected for e in r.errors]


@dataclass
class _Line:
    number: int
    text: str
    data: dict[str, Any]


class _LineRefused(Exception):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def _parse(number: int, raw: bytes) -> _Line | None:
    """The line's JSON object, or None for a blank line; ``_LineRefused`` names what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _LineRefused(
            "line", _("Not UTF-8 text (byte %(at)d).") % {"at": exc.start + 1}
        ) from None
    text = text.lstrip("\ufeff").rstrip("\r\n")
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _LineRefused("line", _("Not JSON: %(error)s") % {"error": exc.msg}) from None
    if not isinstance(data, dict):
        raise _LineRefused("line", _("A line holds one JSON object."))
    return _Line(number, text, data)


def _string(data: dict[str, Any], key: str, errors: list[FieldError]) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        errors.append(FieldError(key, _("This field takes text.")))
        return None
    return value.strip()


def _list(data: dict[str, Any], key: str, errors: list[FieldError]) -> list[Any] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        errors.append(FieldError(key, _("This field takes a list.")))
        return None
    return value


def _date(data: dict[str, Any], key: str, errors: list[FieldError]) -> dt.date | None:
    value = _string(data, key, errors)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(
            FieldError(key, _("%(value)r is not a date (YYYY-MM-DD).") % {"value": value})
        )
        return None


def _organisation(value: Any, key: str) -> Organisation:
    """An organisation named by its id or slug."""
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            return directory_selectors.organisation_get_by_id(pk=value)
        if isinstance(value, str) and value.strip():
            if value.strip().isdigit():
                return directory_selectors.organisation_get_by_id(pk=int(value))
            return directory_selectors.organisation_get(slug=value.strip())
    except NotFound:
        pass
    raise ApplicationError(
        _("No organisation with the id or slug %(value)r.") % {"value": value}, field=key
    )


def _organisations(values: list[Any]) -> list[tuple[Organisation, str]]:
    out = []
    for value in values:
        role = PracticeOrganisation.Role.PARTNER.value
        if isinstance(value, dict):
            role = value.get("role") or role
            if role not in PracticeOrganisation.Role.values:
                raise ApplicationError(
                    _("Unknown role %(role)r; use one of: %(roles)s.")
                    % {"role": role, "roles": ", ".join(PracticeOrganisation.Role.values)},
                    field="organisations",
                )
            value = value.get("organisation")
        out.append((_organisation(value, "organisations"), role))
    return out


def _detect(texts: dict[str, str]) -> str | None:
    try:
        from citypeers.knowledge.language import detect_language
    except ImportError:  # pragma: no cover - the detector ships with the knowledge base
        return None
    return detect_language("\n".join(texts.get(name, "") for name in TEXT_FIELDS))


def _texts(
    data: dict[str, Any], current: dict[str, str] | None, errors: list[FieldError]
) -> dict[str, str] | None:
    """The template fields of the line over the current ones (a field left out is kept)."""
    texts = dict(current or {})
    for name in TEXT_FIELDS:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            errors.append(FieldError(name, _("This field takes text.")))
        elif value is not None or current is None:
            texts[name] = value or ""
    if current is None and not texts.get("title", "").strip():
        errors.append(FieldError("title", _("Give the practice a title.")))
        return None
    try:
        return knowledge_services.clean_texts(texts)
    except ApplicationError as exc:
        errors.append(FieldError(exc.field or "title", exc.message))
        return None


def _facts(
    refs: References, data: dict[str, Any], existing: Practice | None, errors: list[FieldError]
) -> knowledge_services.PracticeFacts:
    """Facts of the line; a key left out keeps the existing practice's value."""
    facts = knowledge_services.PracticeFacts(
        owner=existing.owner if existing else None,
        period_start=existing.period_start if existing else None,
        period_end=existing.period_end if existing else None,
        country=existing.country if existing else None,
        city=existing.city if existing else None,
    )
    if "period_start" in data:
        facts.period_start = _date(data, "period_start", errors)
    if "period_end" in data:
        facts.period_end = _date(data, "period_end", errors)
    if "country" in data:
        code = _string(data, "country", errors)
        try:
            facts.country = refs.country(code) if code else None
        except ApplicationError as exc:
            errors.append(FieldError("country", exc.message))
        if "city" not in data and facts.city is not None and facts.city.country != facts.country:
            facts.city = None
    if "city" in data:
        value = data["city"]
        try:
            if value is None or value == "":
                facts.city = None
            elif isinstance(value, int) and not isinstance(value, bool):
                facts.city = refs.city(value)
            elif isinstance(value, str) and value.strip().isdigit():
                facts.city = refs.city(int(value))
            elif isinstance(value, str):
                facts.city = refs.city_named(facts.country, value)
            else:
                errors.append(FieldError("city", _("Give a GeoNames id or a city name.")))
        except ApplicationError as exc:
            errors.append(FieldError("city", exc.message))
    if "owner" in data:
        try:
            facts.owner = _organisation(data["owner"], "owner") if data["owner"] else None
        except ApplicationError as exc:
            errors.append(FieldError("owner", exc.message))
    for key, resolve in (("themes", refs.themes), ("sdgs", refs.sdgs)):
        values = _list(data, key, errors)
        if values is not None:
            try:
                setattr(facts, key, resolve(values))
            except ApplicationError as exc:
                errors.append(FieldError(key, exc.message))
    organisations = _list(data, "organisations", errors)
    if organisations is not None:
        try:
            facts.organisations = _organisations(organisations)
        except ApplicationError as exc:
            errors.append(FieldError("organisations", exc.message))
    return facts


def _status_path(current: str, wanted: str) -> list[str]:
    """The shortest way through the editorial workflow from ``current`` to ``wanted``."""
    paths: deque[list[str]] = deque([[current]])
    seen = {current}
    while paths:
        path = paths.popleft()
        if path[-1] == wanted:
            return path[1:]
        for step in sorted(knowledge_services.TRANSITIONS.get(path[-1], set())):
            if step not in seen:
                seen.add(step)
                paths.append([*path, step])
    return []  # pragma: no cover - every status reaches every other one


def _translations(
    data: dict[str, Any], errors: list[FieldError]
) -> dict[str, dict[str, str]] | None:
    value = data.get("translations")
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        errors.append(
            FieldError("translations", _("Give translations as language → template fields."))
        )
        return None
    out = {}
    for language, texts in value.items():
        try:
            out[language] = knowledge_services.clean_texts(texts)
        except ApplicationError as exc:
            errors.append(FieldError(f"translations.{language}.{exc.field}", exc.message))
    return out


def _import_line(*, actor: Any, refs: References, data: dict[str, Any]) -> bool:
    """Create or update the practice of one line; True when it was created."""
    errors: list[FieldError] = []
    unknown = sorted(set(data) - set(KEYS))
    for key in unknown:
        errors.append(FieldError(key, _("Unknown field.")))
    external_id = _string(data, "external_id", errors) or ""
    if not external_id:
        errors.append(FieldError("external_id", _("Give the practice's external id.")))
    elif len(external_id) > MAX_EXTERNAL_ID:
        errors.append(
            FieldError(
                "external_id",
                _("An external id is at most %(n)d characters.") % {"n": MAX_EXTERNAL_ID},
            )
        )
    existing = (
        Practice.objects.prefetch_related("texts")
        .select_related("owner", "country", "city")
        .filter(external_id=external_id)
        .first()
        if external_id
        else None
    )
    current = existing.original_text if existing else None
    texts = _texts(data, current.as_dict() if current else None, errors)
    facts = _facts(refs, data, existing, errors)
    translations = _translations(data, errors)
    status = _string(data, "status", errors) or (existing.status if existing else Status.PUBLISHED)
    if status not in Status.values:
        errors.append(
            FieldError(
                "status",
                _("%(value)r is not a status; use one of: %(values)s.")
                % {"value": status, "values": ", ".join(Status.values)},
            )
        )
    language = _string(data, "language", errors)
    if not language and existing is not None:
        language = existing.original_language
    elif not language and texts is not None:
        language = _detect(texts)
        if language is None:
            errors.append(
                FieldError(
                    "language",
                    _("Say which language the text is in: it is too short or too mixed to tell."),
                )
            )
    elif existing is not None and language != existing.original_language:
        errors.append(
            FieldError(
                "language",
                _("The practice was written in %(original)s; add other languages as translations.")
                % {"original": existing.original_language},
            )
        )
    if errors:
        raise InvalidInput(errors)
    assert texts is not None and language is not None
    if existing is None:
        practice = knowledge_services.practice_create(
            actor=actor, language=language, texts=texts, facts=facts, external_id=external_id
        )
    else:
        practice = knowledge_services.practice_update(
            actor=actor,
            practice=existing,
            facts=facts,
            texts=texts,
            language=existing.original_language,
            note=_("Imported"),
        )
    for translation_language, translation in (translations or {}).items():
        knowledge_services.practice_translate(
            actor=actor,
            practice=practice,
            language=translation_language,
            texts=translation,
            note=_("Imported"),
        )
    for step in _status_path(practice.status, status):
        knowledge_services.practice_set_status(
            actor=actor, practice=practice, status=step, note=_("Imported")
        )
    return existing is None


def split_lines(content: bytes) -> Iterable[tuple[int, bytes]]:
    """Numbered raw lines of a file (from 1), split on LF only so each decodes on its own."""
    return enumerate(content.split(b"\n"), start=1)


def practices_import(
    *,
    actor: Any,
    lines: Iterable[tuple[int, bytes]],
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import practices from numbered raw JSON Lines (``docs/import-export.md``).

    Runs as ``actor``, who must be staff or a platform moderator: an import publishes practices
    nobody reviewed on the platform, so it is a platform operation, and the audit log names the
    person who ran it. A line whose ``external_id`` matches a practice updates its original text
    (a new revision) and the facts the line gives; other lines create practices. Nothing is
    written if any line is invalid, unless ``skip_invalid``; nothing at all with ``dry_run``.
    ``report.committed`` says which happened.
    """
    if not directory_permissions.is_platform_moderator(actor):
        raise PermissionDenied(_("Only staff and platform moderators can import practices."))
    refs = References()
    report = ImportReport()
    seen: dict[str, int] = {}
    with transaction.atomic():
        for number, raw in lines:
            text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            try:
                parsed = _parse(number, raw)
                if parsed is None:
                    continue
                external_id = parsed.data.get("external_id")
                if isinstance(external_id, str) and external_id.strip() in seen:
                    raise _LineRefused(
                        "external_id",
                        _("The same external id is on line %(line)d.")
                        % {"line": seen[external_id.strip()]},
                    )
                with transaction.atomic():
                    created = _import_line(actor=actor, refs=refs, data=parsed.data)
                if isinstance(external_id, str):
                    seen[external_id.strip()] = number
            except _LineRefused as exc:
                error = LineError(number, exc.field, exc.message)
                report.rejected.append(RejectedLine(number, text, [error]))
                continue
            except InvalidInput as exc:
                errors = [LineError(number, e.field, e.message) for e in exc.errors]
                report.rejected.append(RejectedLine(number, text, errors))
                continue
            except ApplicationError as exc:
                error = LineError(number, exc.field or "line", exc.message)
                report.rejected.append(RejectedLine(number, text, [error]))
                continue
            if created:
                report.created += 1
            else:
                report.updated += 1
        report.committed = not dry_run and (skip_invalid or not report.rejected)
        if not report.committed:
            transaction.set_rollback(True)
    return report
