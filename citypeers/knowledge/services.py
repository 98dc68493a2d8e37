"""Writes of the knowledge base: practices, their texts and translations, the editorial workflow,
revisions, SDG suggestions, adaptations and adoption reports.

Every function takes the acting user, checks permission, validates, and runs in one transaction;
text edits keep a revision; follow-up work (SDG suggestions, search indexing) is queued on commit.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from citypeers.accounts.audit import audit
from citypeers.core import workflow
from citypeers.core.errors import ApplicationError, Conflict, PermissionDenied
from citypeers.core.text import fold
from citypeers.directory import permissions as directory_permissions
from citypeers.directory.models import Organisation, Theme
from citypeers.places.models import City, Country, Sdg

from . import permissions
from .models import (
    MAX_TEXT,
    TEXT_FIELDS,
    AdoptionReport,
    Practice,
    PracticeOrganisation,
    PracticeText,
    Resource,
    Revision,
    SdgSuggestion,
    Status,
)

#: Callbacks run after a practice's text was committed (SDG suggestions, search indexing, …).
#: Other apps register here instead of being called from this module, so the knowledge base does
#: not depend on them; each receives the practice id.
AFTER_TEXT_SAVED: list[Callable[[int], None]] = []

#: Addresses the practice pages use themselves (``/practices/new/``, ``/practices/review/``, …).
RESERVED_SLUGS = {"new", "review", "feed", "lookup"}

TRANSITIONS = workflow.TRANSITIONS


def _clean_language(language: str, field: str = "language") -> str:
    code = (language or "").strip().lower()
    if len(code) != 2 or not code.isalpha():
        raise ApplicationError(
            _("%(code)r is not a two-letter language code.") % {"code": language}, field=field
        )
    return code


def clean_texts(texts: dict[str, Any]) -> dict[str, str]:
    """Check the template's fields: a title, no field over the size limit, text only."""
    cleaned: dict[str, str] = {}
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise ApplicationError(
            _("Unknown field(s): %(fields)s") % {"fields": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    for name in TEXT_FIELDS:
        value = texts.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ApplicationError(_("This field takes text."), field=name)
        value = value.replace("\x00", "").strip()
        limit = 250 if name == "title" else MAX_TEXT
        if len(value) > limit:
            raise ApplicationError(
                _("%(field)s is too long: at most %(limit)d characters.")
                % {"field": name, "limit": limit},
                field=name,
            )
        cleaned[name] = value
    if not cleaned["title"]:
        raise ApplicationError(_("Give the practice a title."), field="title")
    return cleaned


def _unique_slug(title: str) -> str:
    base = slugify(fold(title))[:200] or "practice"
    taken = set(Practice.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken and base not in RESERVED_SLUGS:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _revise(
    practice: Practice, language: str, data: dict[str, str], actor: Any, note: str = ""
) -> Revision:
    last = (
        Revision.objects.filter(practice=practice, language=language).aggregate(n=Max("number"))[
            "n"
        ]
        or 0
    )
    return Revision.objects.create(
        practice=practice,
        language=language,
        number=last + 1,
        data=data,
        note=note[:250],
        author=actor if directory_permissions.is_signed_in(actor) else None,
    )


def _after_text_saved(practice: Practice) -> None:
    for callback in AFTER_TEXT_SAVED:
        transaction.on_commit(lambda cb=callback: cb(practice.pk))  # type: ignore[misc]


@dataclass
class PracticeFacts:
    """Everything about a practice that is not its text."""

    owner: Organisation | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    country: Country | None = None
    city: City | None = None
    themes: Sequence[Theme] | None = None
    sdgs: Sequence[Sdg] | None = None
    organisations: Sequence[tuple[Organisation, str]] | None = None
    partnership: Any = None


def _apply_facts(practice: Practice, facts: PracticeFacts, actor: Any) -> None:
    if facts.owner is not None and not (
        directory_permissions.can_edit(actor, facts.owner)
        or directory_permissions.is_platform_moderator(actor)
    ):
        raise PermissionDenied(
            _("You can make a practice the responsibility of an organisation you edit for only.")
        )
    if facts.period_start and facts.period_end and facts.period_end < facts.period_start:
        raise ApplicationError(_("The period cannot end before it starts."), field="period_end")
    if facts.city is not None:
        if facts.country is not None and facts.city.country_id != facts.country.pk:
            raise ApplicationError(
                _("%(city)s is not in %(country)s.")
                % {"city": facts.city, "country": facts.country},
                field="city",
            )
        facts.country = facts.city.country
    practice.owner = facts.owner if facts.owner is not None else practice.owner
    practice.period_start = facts.period_start
    practice.period_end = facts.period_end
    practice.country = facts.country
    practice.city = facts.city
    if facts.partnership is not None:
        practice.partnership = facts.partnership


def _apply_relations(practice: Practice, facts: PracticeFacts) -> None:
    if facts.themes is not None:
        practice.themes.set(list(facts.themes))
    if facts.sdgs is not None:
        practice.sdgs.set(list(facts.sdgs))
    if facts.organisations is not None:
        PracticeOrganisation.objects.filter(practice=practice).delete()
        seen = set()
        rows = []
        for organisation, role in facts.organisations:
            if role not in PracticeOrganisation.Role.values:
                raise ApplicationError(
                    _("Unknown role %(role)r.") % {"role": role}, field="organisations"
                )
            if organisation.pk not in seen:
                seen.add(organisation.pk)
                rows.append(
                    PracticeOrganisation(practice=practice, organisation=organisation, role=role)
                )
        PracticeOrganisation.objects.bulk_create(rows)


def practice_create(
    *,
    actor: Any,
    language: str,
    texts: dict[str, Any],
    facts: PracticeFacts | None = None,
    external_id: str = "",
    adapted_from: Practice | None = None,
    is_demo: bool = False,
) -> Practice:
    """Write a new practice as a draft in its original language."""
    if not permissions.can_create(actor):
        raise PermissionDenied(_("Sign in to share a practice."))
    language = _clean_language(language)
    cleaned = clean_texts(texts)
    facts = facts or PracticeFacts()
    if adapted_from is not None and not permissions.can_view(actor, adapted_from):
        raise PermissionDenied(_("You cannot see the practice this one would adapt."))
    with transaction.atomic():
        if external_id and Practice.objects.filter(external_id=external_id).exists():
            raise Conflict(
                _("A practice with the external id %(id)s exists already.") % {"id": external_id},
                field="external_id",
            )
        practice = Practice(
            slug=_unique_slug(cleaned["title"]),
            external_id=external_id[:120],
            original_language=language,
            adapted_from=adapted_from,
            is_demo=is_demo,
            created_by=actor,
        )
        _apply_facts(practice, facts, actor)
        practice.save()
        _apply_relations(practice, facts)
        PracticeText.objects.create(
            practice=practice, language=language, is_original=True, **cleaned
        )
        _revise(practice, language, cleaned, actor, note=_("First version"))
        audit(actor=actor, verb="practice.create", target=practice)
        _after_text_saved(practice)
    return practice


def practice_update(
    *,
    actor: Any,
    practice: Practice,
    facts: PracticeFacts | None = None,
    texts: dict[str, Any] | None = None,
    language: str | None = None,
    note: str = "",
) -> Practice:
    """Change facts and/or the text in ``language`` (default: the original); keeps a revision."""
    if not permissions.can_edit(actor, practice):
        raise PermissionDenied(
            _(
                "Only the author and the editors of the organisation responsible can edit "
                "this practice."
            )
        )
    with transaction.atomic():
        if facts is not None:
            _apply_facts(practice, facts, actor)
            practice.save()
            _apply_relations(practice, facts)
        if texts is not None:
            language = _clean_language(language or practice.original_language)
            cleaned = clean_texts(texts)
            text = PracticeText.objects.filter(practice=practice, language=language).first()
            if text is None:
                raise ApplicationError(
                    _("There is no text in %(lang)s yet: add a translation.") % {"lang": language},
                    field="language",
                )
            if text.as_dict() != cleaned:
                for name, value in cleaned.items():
                    setattr(text, name, value)
                text.save()
                _revise(practice, language, cleaned, actor, note=note)
                _after_text_saved(practice)
        practice.save(update_fields=["updated_at"])
        audit(actor=actor, verb="practice.update", target=practice)
    return practice


def practice_translate(
    *, actor: Any, practice: Practice, language: str, texts: dict[str, Any], note: str = ""
) -> PracticeText:
    """Add or replace a human translation of the practice."""
    if not permissions.can_edit(actor, practice):
        raise PermissionDenied(
            _(
                "Only the author and the editors of the organisation responsible can translate "
                "this practice."
            )
        )
    language = _clean_language(language)
    if language == practice.original_language:
        raise ApplicationError(
            _("This is the practice's original language: edit the practice instead."),
            field="language",
        )
    cleaned = clean_texts(texts)
    with transaction.atomic():
        text, _created = PracticeText.objects.update_or_create(
            practice=practice,
            language=language,
            defaults={**cleaned, "is_original": False, "translated_by": actor},
        )
        _revise(practice, language, cleaned, actor, note=note or _("Translation"))
        audit(actor=actor, verb="practice.translate", target=practice, data={"language": language})
        _after_text_saved(practice)
    return text


def practice_set_status(*, actor: Any, practice: Practice, status: str, note: str = "") -> Practice:
    """Move through the editorial workflow: draft → submitted → published → archived."""
    workflow.set_status(
        actor=actor,
        content=practice,
        status=status,
        verb="practice",
        can_publish=lambda: permissions.can_publish(actor, practice),
        can_edit=lambda: permissions.can_edit(actor, practice),
        refused_step=_("A practice cannot go from %(from)s to %(to)s."),
        note=note,
        then=lambda: _after_text_saved(practice),
    )
    return practice


def practice_delete(*, actor: Any, practice: Practice) -> None:
    if not permissions.can_delete(actor, practice):
        raise PermissionDenied(_("Only moderators delete practices; authors archive them."))
    with transaction.atomic():
        audit(actor=actor, verb="practice.delete", target=practice)
        practice.delete()


def revision_diff(older: Revision, newer: Revision) -> dict[str, list[str]]:
    """Per field, a unified diff between two revisions of the same language."""
    out = {}
    for name in TEXT_FIELDS:
        a = str(older.data.get(name, "")).splitlines()
        b = str(newer.data.get(name, "")).splitlines()
        if a != b:
            out[name] = list(
                difflib.unified_diff(a, b, f"#{older.number}", f"#{newer.number}", lineterm="")
            )
    return out


def revision_restore(*, actor: Any, revision: Revision) -> Revision:
    """Make an old revision current again (as a new revision: history is never rewritten)."""
    practice = revision.practice
    practice_update(
        actor=actor,
        practice=practice,
        texts={k: revision.data.get(k, "") for k in TEXT_FIELDS},
        language=revision.language,
        note=_("Restored revision %(n)d") % {"n": revision.number},
    )
    latest = Revision.objects.filter(practice=practice, language=revision.language).first()
    assert latest is not None
    return latest


def sdg_suggestions_store(*, practice_id: int, scores: Iterable[tuple[int, float]]) -> int:
    """Store the platform's SDG suggestions (system action, called by the suggestion task).

    Decisions already taken by an editor are kept; return how many suggestions are pending.
    """
    practice = Practice.objects.get(pk=practice_id)
    with transaction.atomic():
        decided = set(
            SdgSuggestion.objects.filter(practice=practice)
            .exclude(state=SdgSuggestion.State.PENDING)
            .values_list("sdg__number", flat=True)
        )
        already_set = set(practice.sdgs.values_list("number", flat=True))
        SdgSuggestion.objects.filter(practice=practice, state=SdgSuggestion.State.PENDING).delete()
        goals = {s.number: s for s in Sdg.objects.all()}
        rows = [
            SdgSuggestion(practice=practice, sdg=goals[number], score=float(score))
            for number, score in scores
            if number in goals and number not in decided and number not in already_set
        ]
        # A concurrent run of the same task may have written the same rows: keep theirs.
        SdgSuggestion.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def sdg_suggestion_decide(*, actor: Any, suggestion: SdgSuggestion, accept: bool) -> SdgSuggestion:
    practice = suggestion.practice
    if not permissions.can_edit(actor, practice):
        raise PermissionDenied(_("Only the practice's editors decide on suggestions."))
    with transaction.atomic():
        suggestion.state = SdgSuggestion.State.ACCEPTED if accept else SdgSuggestion.State.REJECTED
        suggestion.decided_by = actor
        suggestion.save(update_fields=["state", "decided_by"])
        if accept:
            practice.sdgs.add(suggestion.sdg)
        audit(
            actor=actor,
            verb="practice.sdg_accept" if accept else "practice.sdg_reject",
            target=practice,
            data={"sdg": suggestion.sdg.number},
        )
    return suggestion


def resource_add(
    *, actor: Any, practice: Practice, title: str, url: str = "", document: Any = None
) -> Resource:
    if not permissions.can_edit(actor, practice):
        raise PermissionDenied(_("Only the practice's editors add resources."))
    if not title.strip():
        raise ApplicationError(_("Name the resource."), field="title")
    if not url and document is None:
        raise ApplicationError(_("Give a link or upload a file."), field="url")
    with transaction.atomic():
        resource = Resource(practice=practice, title=title.strip()[:250], url=url)
        if document is not None:
            resource.document = document
        try:
            resource.full_clean()
            resource.save()
        except OSError as exc:
            raise ApplicationError(
                _("The file could not be stored: %(error)s") % {"error": exc.strerror or exc},
                field="document",
            ) from exc
        except Exception as exc:
            from django.core.exceptions import ValidationError

            if isinstance(exc, ValidationError):
                field, messages = next(iter(exc.message_dict.items()))
                raise ApplicationError(" ".join(messages), field=field) from exc
            raise
        audit(actor=actor, verb="practice.resource_add", target=practice)
    return resource


def practice_adapt(
    *, actor: Any, source: Practice, organisation: Organisation, language: str | None = None
) -> Practice:
    """Start a new practice adapted from ``source`` for ``organisation`` (a draft to rewrite)."""
    if source.status != Status.PUBLISHED:
        raise ApplicationError(_("Only a published practice can be adapted."), field="source")
    if not directory_permissions.can_edit(actor, organisation):
        raise PermissionDenied(_("You can adapt a practice for an organisation you edit for only."))
    text = source.text_in(language or source.original_language)
    if text is None:
        raise ApplicationError(_("The practice has no text to adapt."), field="source")
    texts = text.as_dict()
    texts["title"] = (_("Adapted: %(title)s") % {"title": text.title})[:250]
    return practice_create(
        actor=actor,
        language=text.language,
        texts=texts,
        facts=PracticeFacts(
            owner=organisation,
            country=organisation.country,
            city=organisation.city,
            themes=list(source.themes.all()),
            sdgs=list(source.sdgs.all()),
            organisations=[(organisation, PracticeOrganisation.Role.ADOPTER)],
        ),
        adapted_from=source,
    )


def adoption_report_add(
    *,
    actor: Any,
    practice: Practice,
    organisation: Organisation,
    adopted_on: dt.date | None = None,
    what_changed: str = "",
    outcome: str = "",
) -> AdoptionReport:
    """Report that ``organisation`` adopted ``practice`` (by an editor of that organisation)."""
    if practice.status != Status.PUBLISHED:
        raise ApplicationError(
            _("Only a published practice can be reported as adopted."), field="practice"
        )
    if not directory_permissions.can_edit(actor, organisation):
        raise PermissionDenied(
            _("You can report an adoption for an organisation you edit for only.")
        )
    for name, value in (("what_changed", what_changed), ("outcome", outcome)):
        if len(value) > MAX_TEXT:
            raise ApplicationError(_("This text is too long."), field=name)
    with transaction.atomic():
        report = AdoptionReport.objects.create(
            practice=practice,
            organisation=organisation,
            adopted_on=adopted_on,
            what_changed=what_changed.strip(),
            outcome=outcome.strip(),
            author=actor,
        )
        audit(
            actor=actor,
            verb="practice.adoption",
            target=practice,
            data={"organisation": organisation.pk},
        )
    return report
