"""API of the knowledge base: practices, their translations, the editorial workflow, revisions,
SDG suggestions, adaptations and adoption reports.

Practices are addressed by numeric ``id``. Reads are public for published practices; a draft,
submitted or archived practice is answered 404 to whoever may not see it (its author, the
editors of its organisation and moderators may), whether they come with a session or a token.
Writes need a token or a signed-in session (``api/auth.py``) and go through the knowledge base's
services, which decide permission (403) and the rules (400, 409 for a workflow step that is not
allowed). Text is Markdown, stored as written; the ``html`` of a text is rendered and sanitised
by ``knowledge.markdown.render``, so no script survives in it.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeAlias

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from citypeers.accounts.services import api_token_authenticate
from citypeers.api.auth import WRITE_AUTH, acting_user
from citypeers.api.fields import choice
from citypeers.api.pagination import LimitOffset
from citypeers.core.errors import ApplicationError, NotFound
from citypeers.directory import selectors as directory_selectors
from citypeers.directory.models import Organisation
from citypeers.interop.references import References

from . import markdown, permissions, selectors, services
from .models import (
    TEXT_FIELDS,
    AdoptionReport,
    Practice,
    PracticeOrganisation,
    PracticeText,
    Revision,
    SdgSuggestion,
)
from .models import Status as PracticeStatus

router = Router(tags=["knowledge"])
MARKDOWN_FIELDS = TEXT_FIELDS[1:]


StatusChoice: TypeAlias = choice(PracticeStatus.values)  # type: ignore[valid-type]
RoleChoice: TypeAlias = choice(PracticeOrganisation.Role.values)  # type: ignore[valid-type]


# --- schemas ---------------------------------------------------------------------------------


class PracticeFilter(Schema):
    q: str = Field("", description="Words that must all appear in a title, summary or lessons.")
    theme: str = Field("", description="Theme slug (see /themes).")
    sdg: int | None = Field(None, ge=1, le=17, description="SDG number.")
    country: str = Field("", description="ISO 3166-1 alpha-3 code.")
    region: str = Field("", description="UN M49 code of a region at any level.")
    south: bool | None = Field(None, description="Global South (true) or North (false).")
    language: str = Field("", description="Only practices available in this language.")
    organisation: int | None = Field(
        None, ge=1, le=2**63 - 1, description="Id of an organisation involved."
    )
    status: choice(PracticeStatus.values, blank=True) = Field(  # type: ignore[valid-type]
        PracticeStatus.PUBLISHED.value,
        description="Workflow status; empty for every status the caller may see.",
    )
    lang: str = Field(
        "",
        description="Language of the text shown where a translation exists (default: the "
        "request's language); the original otherwise.",
    )

    def to_filters(self) -> selectors.PracticeFilters:
        return selectors.PracticeFilters(
            q=self.q,
            theme=self.theme,
            sdg=self.sdg,
            country=self.country,
            region=self.region,
            south=self.south,
            language=self.language.lower(),
            organisation=self.organisation,
            status=self.status,
        )


class PracticeCityOut(Schema):
    geonameid: int
    name: str


class PracticeSummaryOut(Schema):
    id: int
    slug: str
    external_id: str
    title: str
    summary: str = Field(description="Markdown, in the language shown.")
    language: str = Field(description="Language of the title and summary shown.")
    original_language: str
    languages: list[str] = Field(description="Languages the practice is available in.")
    themes: list[str] = Field(description="Theme slugs.")
    sdgs: list[int] = Field(description="SDG numbers.")
    country: str | None = Field(description="ISO 3166-1 alpha-3 code.")
    city: PracticeCityOut | None
    status: StatusChoice
    url: str = Field(description="Path of the practice's page.")
    published_at: dt.datetime | None


class TextOut(Schema):
    language: str
    is_original: bool = Field(description="False for a human translation.")
    title: str
    summary: str
    context: str
    objectives: str
    results: str
    challenges: str
    lessons: str
    html: dict[str, str] = Field(
        description="Each Markdown field (all but the title) rendered to sanitised HTML."
    )
    updated_at: dt.datetime


class OrganisationRefOut(Schema):
    id: int
    slug: str
    name: str


class PracticeOrganisationOut(Schema):
    organisation: OrganisationRefOut
    role: RoleChoice


class AdoptionOut(Schema):
    id: int
    practice: int
    organisation: OrganisationRefOut
    adopted_on: dt.date | None
    what_changed: str
    outcome: str
    created_at: dt.datetime


class PracticeOut(PracticeSummaryOut):
    texts: list[TextOut]
    owner: OrganisationRefOut | None
    organisations: list[PracticeOrganisationOut]
    period_start: dt.date | None
    period_end: dt.date | None
    adapted_from: int | None = Field(description="Id of the practice this one adapts.")
    adaptations: list[int] = Field(description="Ids of published practices adapted from it.")
    adoptions: list[AdoptionOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class PracticeOrganisationIn(Schema):
    id: int = Field(description="Id of the organisation.")
    role: RoleChoice = PracticeOrganisation.Role.PARTNER.value


class PracticeFactsIn(Schema):
    themes: list[str] | None = Field(None, description="Theme slugs.")
    sdgs: list[int] | None = Field(None, description="SDG numbers.")
    country: str | None = Field(None, description="ISO 3166-1 alpha-3 code.")
    city: int | None = Field(None, description="GeoNames id of the city.")
    owner: int | None = Field(
        None, description="Id of the organisation responsible (whose editors may edit it)."
    )
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    organisations: list[PracticeOrganisationIn] | None = None


class PracticePatch(PracticeFactsIn):
    """Only the fields sent are changed; text fields change the text in ``language``."""

    language: str | None = Field(
        None, description="Language of the text to change (default: the original)."
    )
    title: str | None = None
    summary: str | None = None
    context: str | None = None
    objectives: str | None = None
    results: str | None = None
    challenges: str | None = None
    lessons: str | None = None
    note: str = Field("", description="What changed, kept with the revision.")


class PracticeIn(PracticeFactsIn):
    language: str = Field(description="Two-letter code of the language it is written in.")
    title: str
    summary: str = ""
    context: str = ""
    objectives: str = ""
    results: str = ""
    challenges: str = ""
    lessons: str = ""
    external_id: str = Field("", max_length=120)
    adapted_from: int | None = Field(None, description="Id of the practice it adapts.")


class TranslationIn(Schema):
    title: str
    summary: str = ""
    context: str = ""
    objectives: str = ""
    results: str = ""
    challenges: str = ""
    lessons: str = ""
    note: str = ""


class PracticeStatusIn(Schema):
    status: StatusChoice
    note: str = ""


class RevisionOut(Schema):
    id: int
    practice: int
    language: str
    number: int
    note: str
    author: str | None = Field(description="Username of the author.")
    created_at: dt.datetime
    data: dict[str, str] = Field(description="The template fields as they were.")


class RevisionFilter(Schema):
    lang: str = Field("", description="Only the revisions of this language.")


class CompareOut(Schema):
    language: str
    older: RevisionOut
    newer: RevisionOut
    changes: dict[str, list[str]] = Field(
        description="Per field that differs, the lines of a unified diff."
    )


class SdgSuggestionOut(Schema):
    id: int
    practice: int
    sdg: int = Field(description="SDG number.")
    label: str
    score: float
    state: str = Field(json_schema_extra={"enum": list(SdgSuggestion.State.values)})


class DecisionIn(Schema):
    accept: bool


class AdoptionIn(Schema):
    organisation: int = Field(description="Id of the organisation that adopted the practice.")
    adopted_on: dt.date | None = None
    what_changed: str = ""
    outcome: str = ""


class AdaptIn(Schema):
    organisation: int = Field(description="Id of the organisation adapting the practice.")
    language: str | None = Field(None, description="Text to start from (default: original).")


class FacetOut(Schema):
    value: str
    count: int


class FacetsOut(Schema):
    theme: list[FacetOut]
    sdg: list[FacetOut]
    country: list[FacetOut]
    language: list[FacetOut]


# --- rendering -------------------------------------------------------------------------------


def _organisation_ref(o: Organisation) -> dict[str, Any]:
    return {"id": o.pk, "slug": o.slug, "name": o.name}


def summary_record(practice: Practice, language: str) -> dict[str, Any]:
    """A practice in a list, its title and summary in ``language`` when translated."""
    text = practice.text_in(language)
    return {
        "id": practice.pk,
        "slug": practice.slug,
        "external_id": practice.external_id,
        "title": text.title if text else practice.slug,
        "summary": text.summary if text else "",
        "language": text.language if text else practice.original_language,
        "original_language": practice.original_language,
        "languages": [t.language for t in practice.texts.all()],
        "themes": [t.slug for t in practice.themes.all()],
        "sdgs": [s.number for s in practice.sdgs.all()],
        "country": practice.country.iso3 if practice.country else None,
        "city": (
            {"geonameid": practice.city.geonameid, "name": practice.city.name}
            if practice.city
            else None
        ),
        "status": practice.status,
        "url": practice.get_absolute_url(),
        "published_at": practice.published_at,
    }


def _text_record(text: PracticeText) -> dict[str, Any]:
    return {
        "language": text.language,
        "is_original": text.is_original,
        **text.as_dict(),
        "html": {name: markdown.render(getattr(text, name)) for name in MARKDOWN_FIELDS},
        "updated_at": text.updated_at,
    }


def _adoption_record(report: AdoptionReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "practice": report.practice_id,
        "organisation": _organisation_ref(report.organisation),
        "adopted_on": report.adopted_on,
        "what_changed": report.what_changed,
        "outcome": report.outcome,
        "created_at": report.created_at,
    }


def practice_record(practice: Practice, language: str) -> dict[str, Any]:
    return {
        **summary_record(practice, language),
        "texts": [_text_record(t) for t in practice.texts.all()],
        "owner": _organisation_ref(practice.owner) if practice.owner else None,
        "organisations": [
            {"organisation": _organisation_ref(r.organisation), "role": r.role}
            for r in practice.organisation_roles.all()
        ],
        "period_start": practice.period_start,
        "period_end": practice.period_end,
        "adapted_from": practice.adapted_from_id,
        "adaptations": [p.pk for p in practice.adaptations.all()],
        "adoptions": [_adoption_record(a) for a in practice.adoptions.all()],
        "created_at": practice.created_at,
        "updated_at": practice.updated_at,
    }


def _revision_record(revision: Revision) -> dict[str, Any]:
    return {
        "id": revision.pk,
        "practice": revision.practice_id,
        "language": revision.language,
        "number": revision.number,
        "note": revision.note,
        "author": revision.author.username if revision.author else None,
        "created_at": revision.created_at,
        "data": {k: str(v) for k, v in revision.data.items()},
    }


def _suggestion_record(suggestion: SdgSuggestion) -> dict[str, Any]:
    return {
        "id": suggestion.pk,
        "practice": suggestion.practice_id,
        "sdg": suggestion.sdg.number,
        "label": str(suggestion.sdg),
        "score": suggestion.score,
        "state": suggestion.state,
    }


class _Shown(Sequence[dict[str, Any]]):
    """A page of practices rendered in one language, sliced by the paginator."""

    def __init__(self, queryset: QuerySet[Practice], language: str) -> None:
        self.queryset = queryset
        self.language = language

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [summary_record(p, self.language) for p in self.queryset[index]]
        return summary_record(self.queryset[index], self.language)


# --- lookups ---------------------------------------------------------------------------------


def _user(request: HttpRequest) -> Any:
    """Who reads: the write auth's user, else a valid bearer token's, else the session's."""
    user = acting_user(request)
    if user is not None:
        return user
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        token_user = api_token_authenticate(raw=header[7:].strip())
        if token_user is not None:
            return token_user
    return getattr(request, "user", None)


def _language(value: str | None = None) -> str:
    return (value or get_language() or "en").split("-")[0].lower()


def _practice(request: HttpRequest, pk: int) -> Practice:
    """The practice the caller may see, with everything a record shows, or 404."""
    practice = selectors.practice_get_by_id(pk=pk, user=_user(request))
    return selectors.practice_get(slug=practice.slug, user=_user(request))


def _organisation(pk: int, field: str) -> Organisation:
    try:
        return directory_selectors.organisation_get_by_id(pk=pk)
    except NotFound as exc:
        raise ApplicationError(exc.message, field=field) from None


def _facts(data: dict[str, Any], practice: Practice | None = None) -> services.PracticeFacts | None:
    """Facts from the fields sent, over the practice's current ones; None when none was sent."""
    keys = set(PracticeFactsIn.model_fields) & set(data)
    if practice is not None and not keys:
        return None
    refs = References()
    facts = services.PracticeFacts(
        owner=practice.owner if practice else None,
        period_start=practice.period_start if practice else None,
        period_end=practice.period_end if practice else None,
        country=practice.country if practice else None,
        city=practice.city if practice else None,
    )
    if "period_start" in data:
        facts.period_start = data["period_start"]
    if "period_end" in data:
        facts.period_end = data["period_end"]
    if "country" in data:
        facts.country = refs.country(data["country"]) if data["country"] else None
        if "city" not in data and facts.city is not None and facts.city.country != facts.country:
            facts.city = None
    if "city" in data:
        facts.city = refs.city(data["city"]) if data["city"] is not None else None
    if data.get("owner") is not None:
        facts.owner = _organisation(data["owner"], "owner")
    if data.get("themes") is not None:
        facts.themes = refs.themes(data["themes"])
    if data.get("sdgs") is not None:
        facts.sdgs = refs.sdgs(data["sdgs"])
    if data.get("organisations") is not None:
        facts.organisations = [
            (_organisation(o["id"], "organisations"), o["role"]) for o in data["organisations"]
        ]
    return facts


def _revision(request: HttpRequest, pk: int) -> Revision:
    revision = Revision.objects.select_related("practice", "author").filter(pk=pk).first()
    if revision is None or not permissions.can_view(_user(request), revision.practice):
        raise NotFound(_("No revision with id %(id)d.") % {"id": pk})
    return revision


# --- practices -------------------------------------------------------------------------------


@router.get("/practices", response=list[PracticeSummaryOut], summary="List practices")
@paginate(LimitOffset)
def list_practices(request: HttpRequest, filters: Query[PracticeFilter]) -> Any:
    queryset = selectors.practice_list(filters.to_filters(), user=_user(request))
    return _Shown(queryset, _language(filters.lang))


@router.get(
    "/practices/facets",
    response=FacetsOut,
    summary="Counts per theme, SDG, country and language of the practices the filters select",
)
def practice_facets(request: HttpRequest, filters: Query[PracticeFilter]) -> dict[str, Any]:
    facets = selectors.practice_facets(filters.to_filters(), user=_user(request))
    return {
        name: [{"value": str(value), "count": n} for value, n in rows]
        for name, rows in facets.items()
    }


@router.get("/practices/{id}", response=PracticeOut, summary="One practice with all its texts")
def get_practice(request: HttpRequest, id: int, lang: str = "") -> dict[str, Any]:
    return practice_record(_practice(request, id), _language(lang))


@router.post(
    "/practices",
    response={201: PracticeOut},
    auth=WRITE_AUTH,
    summary="Write a practice (a draft in its original language)",
)
def create_practice(request: HttpRequest, payload: PracticeIn) -> Status[dict[str, Any]]:
    data = payload.model_dump(exclude_unset=True)
    actor = acting_user(request)
    adapted_from = None
    if payload.adapted_from is not None:
        try:
            adapted_from = selectors.practice_get_by_id(pk=payload.adapted_from, user=actor)
        except NotFound as exc:
            raise ApplicationError(exc.message, field="adapted_from") from None
    practice = services.practice_create(
        actor=actor,
        language=payload.language,
        texts={name: getattr(payload, name) for name in TEXT_FIELDS},
        facts=_facts(data),
        external_id=payload.external_id.strip(),
        adapted_from=adapted_from,
    )
    return Status(201, practice_record(_practice(request, practice.pk), payload.language))


@router.patch(
    "/practices/{id}",
    response=PracticeOut,
    auth=WRITE_AUTH,
    summary="Change a practice's facts and/or one of its texts (a new revision)",
)
def update_practice(request: HttpRequest, id: int, payload: PracticePatch) -> dict[str, Any]:
    practice = _practice(request, id)
    data = payload.model_dump(exclude_unset=True)
    texts = None
    language = payload.language or practice.original_language
    if set(TEXT_FIELDS) & set(data):
        current = practice.text_in(language)
        if current is None or current.language != language:
            raise ApplicationError(
                _("There is no text in %(lang)s yet: add a translation.") % {"lang": language},
                field="language",
            )
        texts = current.as_dict()
        texts.update({k: v or "" for k, v in data.items() if k in TEXT_FIELDS})
    services.practice_update(
        actor=acting_user(request),
        practice=practice,
        facts=_facts(data, practice),
        texts=texts,
        language=language,
        note=payload.note,
    )
    return practice_record(_practice(request, id), _language(language))


@router.put(
    "/practices/{id}/translations/{lang}",
    response=PracticeOut,
    auth=WRITE_AUTH,
    summary="Add or replace a human translation",
)
def translate_practice(
    request: HttpRequest, id: int, lang: str, payload: TranslationIn
) -> dict[str, Any]:
    practice = _practice(request, id)
    services.practice_translate(
        actor=acting_user(request),
        practice=practice,
        language=lang,
        texts={name: getattr(payload, name) for name in TEXT_FIELDS},
        note=payload.note,
    )
    return practice_record(_practice(request, id), _language(lang))


@router.post(
    "/practices/{id}/status",
    response=PracticeOut,
    auth=WRITE_AUTH,
    summary="Move a practice through the workflow: draft, submitted, published, archived",
)
def set_status(request: HttpRequest, id: int, payload: PracticeStatusIn) -> dict[str, Any]:
    practice = _practice(request, id)
    services.practice_set_status(
        actor=acting_user(request), practice=practice, status=payload.status, note=payload.note
    )
    return practice_record(_practice(request, id), _language())


# --- revisions -------------------------------------------------------------------------------


@router.get(
    "/practices/{id}/revisions",
    response=list[RevisionOut],
    summary="Revisions of a practice's texts, newest first per language",
)
@paginate(LimitOffset)
def list_revisions(request: HttpRequest, id: int, filters: Query[RevisionFilter]) -> Any:
    practice = _practice(request, id)
    revisions = selectors.revision_list(practice=practice, language=filters.lang or None)
    return [_revision_record(r) for r in revisions]


@router.get(
    "/practices/{id}/revisions/compare",
    response=CompareOut,
    summary="What changed between two revisions of one language",
)
def compare_revisions(
    request: HttpRequest,
    id: int,
    from_: int = Query(..., alias="from", description="Number of the older revision."),
    to: int = Query(..., description="Number of the newer revision."),
    lang: str = Query("", description="Language of the revisions (default: the original)."),
) -> dict[str, Any]:
    practice = _practice(request, id)
    language = lang or practice.original_language
    revisions = {
        r.number: r
        for r in selectors.revision_list(practice=practice, language=language).filter(
            number__in=[from_, to]
        )
    }
    for number in (from_, to):
        if number not in revisions:
            raise NotFound(_("No revision %(n)d in %(lang)s.") % {"n": number, "lang": language})
    older, newer = revisions[from_], revisions[to]
    return {
        "language": language,
        "older": _revision_record(older),
        "newer": _revision_record(newer),
        "changes": services.revision_diff(older, newer),
    }


@router.post(
    "/revisions/{id}/restore",
    response={201: RevisionOut},
    auth=WRITE_AUTH,
    summary="Make an old revision current again (as a new revision)",
)
def restore_revision(request: HttpRequest, id: int) -> Status[dict[str, Any]]:
    revision = services.revision_restore(
        actor=acting_user(request), revision=_revision(request, id)
    )
    return Status(201, _revision_record(revision))


# --- SDG suggestions -------------------------------------------------------------------------


@router.get(
    "/practices/{id}/sdg-suggestions",
    response=list[SdgSuggestionOut],
    summary="SDGs the platform suggested for a practice, with the editors' decisions",
)
def list_sdg_suggestions(request: HttpRequest, id: int) -> list[dict[str, Any]]:
    practice = _practice(request, id)
    suggestions = SdgSuggestion.objects.filter(practice=practice).select_related("sdg")
    return [_suggestion_record(s) for s in suggestions]


@router.post(
    "/sdg-suggestions/{id}",
    response=SdgSuggestionOut,
    auth=WRITE_AUTH,
    summary="Accept (the SDG is added to the practice) or reject a suggestion",
)
def decide_sdg_suggestion(request: HttpRequest, id: int, payload: DecisionIn) -> dict[str, Any]:
    suggestion = (
        SdgSuggestion.objects.select_related("practice", "sdg", "practice__owner")
        .filter(pk=id)
        .first()
    )
    if suggestion is None or not permissions.can_view(acting_user(request), suggestion.practice):
        raise NotFound(_("No suggestion with id %(id)d.") % {"id": id})
    suggestion = services.sdg_suggestion_decide(
        actor=acting_user(request), suggestion=suggestion, accept=payload.accept
    )
    return _suggestion_record(suggestion)


# --- transfers -------------------------------------------------------------------------------


@router.post(
    "/practices/{id}/adoptions",
    response={201: AdoptionOut},
    auth=WRITE_AUTH,
    summary="Report that an organisation you edit for adopted a published practice",
)
def add_adoption(request: HttpRequest, id: int, payload: AdoptionIn) -> Status[dict[str, Any]]:
    practice = _practice(request, id)
    report = services.adoption_report_add(
        actor=acting_user(request),
        practice=practice,
        organisation=_organisation(payload.organisation, "organisation"),
        adopted_on=payload.adopted_on,
        what_changed=payload.what_changed,
        outcome=payload.outcome,
    )
    return Status(201, _adoption_record(report))


@router.post(
    "/practices/{id}/adapt",
    response={201: PracticeOut},
    auth=WRITE_AUTH,
    summary="Start a draft adapted from a published practice, for an organisation you edit for",
)
def adapt_practice(request: HttpRequest, id: int, payload: AdaptIn) -> Status[dict[str, Any]]:
    source = _practice(request, id)
    practice = services.practice_adapt(
        actor=acting_user(request),
        source=source,
        organisation=_organisation(payload.organisation, "organisation"),
        language=payload.language,
    )
    return Status(201, practice_record(_practice(request, practice.pk), _language()))
