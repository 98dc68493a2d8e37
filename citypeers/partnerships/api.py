"""API of the partnership registry: partnerships, members, activities, results, history, stats,
capacity self-assessments, and the exports (CSV, JSON, GeoJSON, IATI activity XML).

Partnerships, activities, results and assessments are addressed by numeric ``id``. Reads are
public (a declined proposal only for its members and moderators, else 404); writes need a token
or a signed-in session (``api/auth.py``) and go through the registry's services, which decide
permission (403) and the rules (400/409), as in the directory API.
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, TypeAlias

from django.db import models, transaction
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import AfterValidator, BaseModel, model_validator

from citypeers.api.auth import WRITE_AUTH, acting_user
from citypeers.api.pagination import LimitOffset
from citypeers.core.errors import ApplicationError, NotFound
from citypeers.directory import selectors as directory_selectors
from citypeers.directory.models import ActorType, Organisation
from citypeers.interop import partnerships_export as interop
from citypeers.interop.references import References
from citypeers.places.models import Region

from . import permissions, selectors, services
from .models import (
    Activity,
    CapacityAssessment,
    CapacityDimension,
    Geography,
    Indicator,
    Modality,
    Partnership,
    PartnershipAssessment,
    PartnershipEvent,
    PartnershipMember,
    Result,
)
from .models import Status as PartnershipStatus

router = Router(tags=["partnerships"])
NO_REGION = "none"


def _one_of(choices: type[models.TextChoices]) -> Callable[[str], str]:
    """A validator of a choice field (input outside the choices is a 422 naming the field)."""

    def check(value: str) -> str:
        if value not in choices.values:
            raise ValueError(_("use one of: %(values)s") % {"values": ", ".join(choices.values)})
        return value

    return check


def _enum(choices: type[models.TextChoices]) -> dict[str, Any]:
    return {"enum": list(choices.values)}


# Choices as plain strings listed in the OpenAPI description; the model enums are not used as
# schema types because two of them share the class name ``Kind``.
ModalityChoice: TypeAlias = Annotated[
    str, AfterValidator(_one_of(Modality)), Field(json_schema_extra=_enum(Modality))
]
GeographyChoice: TypeAlias = Annotated[
    str, AfterValidator(_one_of(Geography)), Field(json_schema_extra=_enum(Geography))
]
StatusChoice: TypeAlias = Annotated[
    str,
    AfterValidator(_one_of(PartnershipStatus)),
    Field(json_schema_extra=_enum(PartnershipStatus)),
]
RoleChoice: TypeAlias = Annotated[
    str,
    AfterValidator(_one_of(PartnershipMember.Role)),
    Field(json_schema_extra=_enum(PartnershipMember.Role)),
]
ActivityKindChoice: TypeAlias = Annotated[
    str, AfterValidator(_one_of(Activity.Kind)), Field(json_schema_extra=_enum(Activity.Kind))
]
LinkKindChoice: TypeAlias = Annotated[
    str,
    AfterValidator(_one_of(PartnershipAssessment.Kind)),
    Field(json_schema_extra=_enum(PartnershipAssessment.Kind)),
]


# --- schemas ---------------------------------------------------------------------------------


class PartnershipFilter(Schema):
    q: str = Field("", description="Words that must all appear in the title or a member.")
    modality: ModalityChoice | None = None
    geography: GeographyChoice | None = None
    status: StatusChoice | None = None
    theme: str = Field("", description="Theme slug (see /themes).")
    region: str = Field("", description="UN M49 code of a region of any member, at any level.")
    country: str = Field("", description="ISO 3166-1 alpha-3 code of any member's country.")
    organisation: int | None = Field(
        None, ge=1, le=2**63 - 1, description="Id of a member organisation."
    )
    international_only: bool = Field(
        False, description="Leave out partnerships whose members are all in one country."
    )

    def to_filters(self) -> selectors.PartnershipFilters:
        return selectors.PartnershipFilters(
            q=self.q,
            modality=self.modality or "",
            geography=self.geography or "",
            status=self.status or "",
            theme=self.theme,
            region=self.region,
            country=self.country,
            organisation=self.organisation,
            international_only=self.international_only,
        )


class MemberOrganisationOut(BaseModel):
    id: int
    slug: str
    name: str
    actor_type: ActorType
    country: str | None = Field(description="ISO 3166-1 alpha-3 code.")


class MemberOut(BaseModel):
    organisation: MemberOrganisationOut
    role: RoleChoice
    accepted: bool = Field(description="False while an invited organisation has not answered.")
    joined_on: dt.date | None


class ObjectiveOut(BaseModel):
    id: int
    text: str


class PartnershipOut(BaseModel):
    id: int
    slug: str
    title: str
    modality: ModalityChoice
    geography: GeographyChoice = Field(description="Derived from the members' countries.")
    single_country: bool = Field(description="All members are in one country.")
    status: StatusChoice
    started_on: dt.date | None
    ended_on: dt.date | None
    end_reason: str
    original_language: str
    descriptions: dict[str, str] = Field(description="Description per language code.")
    themes: list[str] = Field(description="Theme slugs.")
    sdgs: list[int] = Field(description="SDG numbers.")
    objectives: list[ObjectiveOut]
    members: list[MemberOut]
    source: str = Field(description="Where an imported partnership came from.")
    external_id: str
    url: str = Field(description="Path of the partnership's page.")
    is_demo: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @model_validator(mode="before")
    @classmethod
    def _from_partnership(cls, value: Any) -> Any:
        """One rendering for the API and the JSON export: ``interop.partnership_record``."""
        return interop.partnership_record(value) if isinstance(value, Partnership) else value


class MemberIn(Schema):
    organisation: int = Field(description="Id of the organisation.")
    role: RoleChoice = PartnershipMember.Role.PARTNER.value


class PartnershipPatch(Schema):
    """Only the fields sent are changed."""

    title: str | None = Field(None, min_length=1, max_length=250)
    modality: ModalityChoice | None = None
    started_on: dt.date | None = None
    original_language: str | None = Field(None, min_length=2, max_length=8)
    descriptions: dict[str, str] | None = None
    themes: list[str] | None = Field(None, description="Theme slugs.")
    sdgs: list[int] | None = Field(None, description="SDG numbers.")


class PartnershipIn(Schema):
    title: str = Field(..., min_length=1, max_length=250)
    modality: ModalityChoice
    members: list[MemberIn] = Field(
        ...,
        description="At least two. Organisations the caller edits for are accepted at once; "
        "the others are invited and must accept (the partnership is then proposed).",
    )
    started_on: dt.date | None = None
    original_language: str = Field("en", min_length=2, max_length=8)
    descriptions: dict[str, str] = {}
    themes: list[str] = Field([], description="Theme slugs.")
    sdgs: list[int] = Field([], description="SDG numbers.")
    objectives: list[str] = []


class PartnershipStatusIn(Schema):
    status: StatusChoice = Field(description="active, dormant or ended.")
    on: dt.date | None = Field(None, description="Date of the change (default today).")
    reason: str = Field("", description="Required when the partnership ends.")


class PartnershipAnswerIn(Schema):
    organisation: int = Field(description="Id of the invited organisation answering.")
    accept: bool
    note: str = ""


class ActivityCityOut(Schema):
    geonameid: int
    name: str


class ActivityIn(Schema):
    kind: ActivityKindChoice
    title: str = Field(..., min_length=1, max_length=250)
    start_date: dt.date
    end_date: dt.date | None = None
    description: str = ""
    city: int | None = Field(None, description="GeoNames id of the city where it took place.")
    participant_count: int | None = Field(None, ge=0)
    participants: list[int] = Field([], description="Ids of the organisations taking part.")


class ActivityOut(Schema):
    id: int
    partnership: int = Field(alias="partnership_id")
    kind: ActivityKindChoice
    title: str
    description: str
    start_date: dt.date
    end_date: dt.date | None
    city: ActivityCityOut | None
    participant_count: int | None
    participants: list[int] = Field(description="Ids of the organisations taking part.")

    @staticmethod
    def resolve_participants(obj: Activity) -> list[int]:
        return [o.pk for o in obj.participants.all()]


class IndicatorIn(Schema):
    name: str = Field(..., min_length=1, max_length=250)
    unit: str = Field("", max_length=50)
    baseline: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    target: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    actual: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    baseline_on: dt.date | None = None
    measured_on: dt.date | None = None


class IndicatorOut(Schema):
    id: int
    result: int = Field(alias="result_id")
    name: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    actual: Decimal | None
    baseline_on: dt.date | None
    measured_on: dt.date | None


class ResultIn(Schema):
    title: str = Field(..., min_length=1, max_length=250)
    description: str = ""
    achieved_on: dt.date | None = None
    objective: int | None = Field(None, description="Id of the partnership's objective.")
    indicators: list[IndicatorIn] = []


class ResultOut(Schema):
    id: int
    partnership: int = Field(alias="partnership_id")
    title: str
    description: str
    achieved_on: dt.date | None
    objective: int | None = Field(alias="objective_id")
    indicators: list[IndicatorOut]


class ObjectiveIn(Schema):
    text: str = Field(..., min_length=1, max_length=2000)


class AgreementIn(Schema):
    title: str = Field(..., min_length=1, max_length=250)
    signed_on: dt.date | None = None
    url: str = Field(..., min_length=1, description="Link to the document.")


class AgreementOut(Schema):
    id: int
    title: str
    signed_on: dt.date | None
    url: str


class HistoryEventOut(Schema):
    id: int
    at: dt.datetime
    kind: str = Field(description="created, proposed, accepted, declined, status, updated, …")
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]


class RegionCountOut(Schema):
    name: str
    count: int


class StatsOut(Schema):
    total: int
    by_geography: dict[str, int]
    by_modality: dict[str, int]
    by_status: dict[str, int]
    by_region: dict[str, RegionCountOut] = Field(
        description="UN M49 region code of members (a partnership counts once in each region "
        f'where it has a member; "{NO_REGION}" for members without one) → name and count.'
    )


class CapacityDimensionOut(Schema):
    slug: str
    label: str
    applies_to: str = Field(description='"all", or "association" for associations only.')
    labels: dict[str, str]

    @staticmethod
    def resolve_labels(obj: CapacityDimension) -> dict[str, str]:
        return {"en": obj.label_en, "fr": obj.label_fr, "es": obj.label_es}


class CapacityScoreIn(Schema):
    level: int = Field(..., ge=1, le=5)
    evidence: str = ""


class CapacityAssessmentIn(Schema):
    assessed_on: dt.date
    notes: str = ""
    scores: dict[str, CapacityScoreIn] = Field(description="Dimension slug → level and evidence.")


class CapacityScoreOut(Schema):
    dimension: str
    label: str
    level: int
    evidence: str

    @staticmethod
    def resolve_dimension(obj: Any) -> str:
        return str(obj.dimension.slug)

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return str(obj.dimension.label)


class CapacityAssessmentOut(Schema):
    id: int
    organisation: int = Field(alias="organisation_id")
    assessed_on: dt.date
    notes: str
    scores: list[CapacityScoreOut]


class CapacityLinkIn(Schema):
    assessment: int = Field(description="Id of a member's capacity assessment.")
    kind: LinkKindChoice


class CapacityLinkOut(Schema):
    id: int
    partnership: int = Field(alias="partnership_id")
    assessment: CapacityAssessmentOut
    kind: LinkKindChoice


# --- lookups ---------------------------------------------------------------------------------


def _user(request: HttpRequest) -> Any:
    return acting_user(request) or getattr(request, "user", None)


def _record(pk: int) -> Partnership:
    """A partnership with everything ``PartnershipOut`` shows, declined ones included."""
    try:
        return interop.export_queryset(include_declined=True).get(pk=pk)
    except Partnership.DoesNotExist:
        raise NotFound(_("No partnership with id %(id)d.") % {"id": pk}) from None


def _partnership(request: HttpRequest, pk: int) -> Partnership:
    """The partnership the caller may see, or 404 (a declined proposal stays private)."""
    partnership = selectors.partnership_get_by_id(pk=pk)
    if not permissions.can_view(_user(request), partnership):
        raise NotFound(_("No partnership with id %(id)d.") % {"id": pk})
    return partnership


def _organisation(pk: int, field: str) -> Organisation:
    try:
        return directory_selectors.organisation_get_by_id(pk=pk)
    except NotFound as exc:
        raise ApplicationError(exc.message, field=field) from None


def _activity(pk: int) -> Activity:
    try:
        return Activity.objects.select_related("partnership", "city").get(pk=pk)
    except Activity.DoesNotExist:
        raise NotFound(_("No activity with id %(id)d.") % {"id": pk}) from None


def _result(pk: int) -> Result:
    try:
        return Result.objects.select_related("partnership").get(pk=pk)
    except Result.DoesNotExist:
        raise NotFound(_("No result with id %(id)d.") % {"id": pk}) from None


def _assessment(pk: int, field: str) -> CapacityAssessment:
    try:
        return CapacityAssessment.objects.prefetch_related("scores__dimension").get(pk=pk)
    except CapacityAssessment.DoesNotExist:
        raise ApplicationError(
            _("No capacity assessment with id %(id)d.") % {"id": pk}, field=field
        ) from None


def _refs(data: dict[str, Any]) -> dict[str, Any]:
    """Theme slugs and SDG numbers of the input resolved to records (400 naming the field)."""
    refs = References()
    out: dict[str, Any] = {}
    if data.get("themes") is not None:
        out["themes"] = refs.themes(data["themes"])
    if data.get("sdgs") is not None:
        out["sdgs"] = refs.sdgs(data["sdgs"])
    return out


def _file_response(content_type: str, description: str) -> dict[str, Any]:
    return {
        "responses": {200: {"description": description, "content": {content_type: {"schema": {}}}}}
    }


def _export(request: HttpRequest, fmt: str, filters: PartnershipFilter) -> StreamingHttpResponse:
    export_format = interop.FORMATS[fmt]
    chunks = interop.export_chunks(
        fmt, filters.to_filters(), base_url=request.build_absolute_uri("/")[:-1]
    )
    response = StreamingHttpResponse(chunks, content_type=export_format.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export_format.filename}"'
    return response


# --- partnerships ----------------------------------------------------------------------------


@router.get("/partnerships", response=list[PartnershipOut], summary="List partnerships")
@paginate(LimitOffset)
def list_partnerships(request: HttpRequest, filters: Query[PartnershipFilter]):
    return interop.export_queryset(filters.to_filters())


@router.get(
    "/partnerships/stats",
    response=StatsOut,
    summary="Counts of partnerships by geography class, modality, status and region",
    description="Takes the filters of the list. Every geography class, modality and status is "
    "present, with 0 when none matches.",
)
def partnership_stats(request: HttpRequest, filters: Query[PartnershipFilter]) -> dict[str, Any]:
    stats = selectors.partnership_stats(filters.to_filters())
    names = {
        r.m49: r.name for r in Region.objects.filter(m49__in=[c for c in stats.by_region if c])
    }
    return {
        "total": stats.total,
        "by_geography": {g: stats.by_geography.get(g, 0) for g in Geography.values},
        "by_modality": {m: stats.by_modality.get(m, 0) for m in Modality.values},
        "by_status": {s: stats.by_status.get(s, 0) for s in PartnershipStatus.values},
        "by_region": {
            code: {"name": names.get(code) or _("No region"), "count": n}
            for code, n in sorted(stats.by_region.items(), key=lambda item: (-item[1], item[0]))
        },
    }


@router.get(
    "/partnerships/export.csv",
    summary="Partnerships as CSV",
    description="One partnership a row; member columns are parallel ';'-separated lists. "
    "Takes the filters of the list.",
    openapi_extra=_file_response("text/csv", "CSV, one partnership a row"),
)
def export_csv(request: HttpRequest, filters: Query[PartnershipFilter]) -> StreamingHttpResponse:
    return _export(request, "csv", filters)


@router.get(
    "/partnerships/export.json",
    summary="Partnerships as a JSON array",
    description="Every matching partnership as PartnershipOut, unpaginated.",
    openapi_extra=_file_response("application/json", "A JSON array of PartnershipOut"),
)
def export_json(request: HttpRequest, filters: Query[PartnershipFilter]) -> StreamingHttpResponse:
    return _export(request, "json", filters)


@router.get(
    "/partnerships/export.geojson",
    summary="Partnerships as GeoJSON",
    description="A FeatureCollection: partnerships as lines between their members' cities, then "
    "members as points. Members without a city are left out (see docs/import-export.md).",
    openapi_extra=_file_response("application/geo+json", "A GeoJSON FeatureCollection"),
)
def export_geojson(
    request: HttpRequest, filters: Query[PartnershipFilter]
) -> StreamingHttpResponse:
    return _export(request, "geojson", filters)


@router.get(
    "/partnerships/iati.xml",
    summary="Partnerships as IATI activity XML 2.03",
    description="One iati-activity per partnership, valid against the IATI 2.03 schema.",
    openapi_extra=_file_response("application/xml", "IATI activity XML"),
)
def export_iati(request: HttpRequest, filters: Query[PartnershipFilter]) -> StreamingHttpResponse:
    return _export(request, "iati", filters)


@router.get("/partnerships/{id}", response=PartnershipOut, summary="One partnership by id")
def get_partnership(request: HttpRequest, id: int) -> Partnership:
    return _record(_partnership(request, id).pk)


@router.post(
    "/partnerships",
    response={201: PartnershipOut},
    auth=WRITE_AUTH,
    summary="Record a partnership, or propose one to the other organisations",
    description="Active when the caller edits for every member (or is a moderator); proposed "
    "otherwise, until every invited organisation accepts.",
)
def create_partnership(request: HttpRequest, payload: PartnershipIn) -> Status[Partnership]:
    members = [(_organisation(m.organisation, "members"), m.role) for m in payload.members]
    partnership = services.partnership_create(
        actor=acting_user(request),
        title=payload.title,
        modality=payload.modality,
        members=members,
        started_on=payload.started_on,
        original_language=payload.original_language,
        descriptions=payload.descriptions,
        objectives=payload.objectives,
        **_refs(payload.model_dump()),
    )
    return Status(201, _record(partnership.pk))


@router.patch(
    "/partnerships/{id}",
    response=PartnershipOut,
    auth=WRITE_AUTH,
    summary="Change a partnership (editors of an accepted member, moderators)",
)
def update_partnership(request: HttpRequest, id: int, payload: PartnershipPatch) -> Partnership:
    data = payload.model_dump(exclude_unset=True)
    for key in ("title", "modality", "original_language"):
        if key in data and data[key] is None:
            raise ApplicationError(_("%(field)s may not be null.") % {"field": key}, field=key)
    changes = {k: v for k, v in data.items() if k not in {"themes", "sdgs"}}
    services.partnership_update(
        actor=acting_user(request),
        partnership=_partnership(request, id),
        **changes,
        **_refs(data),
    )
    return _record(id)


@router.delete(
    "/partnerships/{id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Delete a partnership (moderators; members end it instead)",
)
def delete_partnership(request: HttpRequest, id: int) -> Status[None]:
    services.partnership_delete(actor=acting_user(request), partnership=_partnership(request, id))
    return Status(204, None)


@router.post(
    "/partnerships/{id}/status",
    response=PartnershipOut,
    auth=WRITE_AUTH,
    summary="Move along the lifecycle: active ⇄ dormant, → ended (with a reason)",
)
def set_status(request: HttpRequest, id: int, payload: PartnershipStatusIn) -> Partnership:
    services.partnership_set_status(
        actor=acting_user(request),
        partnership=_partnership(request, id),
        status=payload.status,
        on=payload.on,
        reason=payload.reason,
    )
    return _record(id)


@router.post(
    "/partnerships/{id}/answer",
    response=PartnershipOut,
    auth=WRITE_AUTH,
    summary="Accept or decline an invitation (editors of the invited organisation)",
)
def answer(request: HttpRequest, id: int, payload: PartnershipAnswerIn) -> Partnership:
    services.partnership_answer(
        actor=acting_user(request),
        partnership=_partnership(request, id),
        organisation=_organisation(payload.organisation, "organisation"),
        accept=payload.accept,
        note=payload.note,
    )
    return _record(id)


@router.post(
    "/partnerships/{id}/members",
    response={201: MemberOut},
    auth=WRITE_AUTH,
    summary="Add a member (accepted at once if the caller edits for it, otherwise invited)",
)
def add_member(request: HttpRequest, id: int, payload: MemberIn) -> Status[dict[str, Any]]:
    member = services.member_add(
        actor=acting_user(request),
        partnership=_partnership(request, id),
        organisation=_organisation(payload.organisation, "organisation"),
        role=payload.role,
    )
    record = interop.partnership_record(_record(id))
    return Status(
        201, next(m for m in record["members"] if m["organisation"]["id"] == member.organisation_id)
    )


@router.delete(
    "/partnerships/{id}/members/{organisation_id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Remove a member (editors of a member; an organisation's editors may withdraw it)",
)
def remove_member(request: HttpRequest, id: int, organisation_id: int) -> Status[None]:
    partnership = _partnership(request, id)
    member = next(
        (m for m in partnership.members.all() if m.organisation_id == organisation_id), None
    )
    if member is None:
        raise NotFound(
            _("Organisation %(org)d is not a member of this partnership.")
            % {"org": organisation_id}
        )
    services.member_remove(actor=acting_user(request), member=member)
    return Status(204, None)


@router.post(
    "/partnerships/{id}/objectives",
    response={201: ObjectiveOut},
    auth=WRITE_AUTH,
    summary="Add an objective",
)
def add_objective(request: HttpRequest, id: int, payload: ObjectiveIn) -> Status[Any]:
    objective = services.objective_add(
        actor=acting_user(request), partnership=_partnership(request, id), text=payload.text
    )
    return Status(201, {"id": objective.pk, "text": objective.text})


@router.post(
    "/partnerships/{id}/agreements",
    response={201: AgreementOut},
    auth=WRITE_AUTH,
    summary="Record an agreement (a dated document, given by its link)",
)
def add_agreement(request: HttpRequest, id: int, payload: AgreementIn) -> Status[Any]:
    agreement = services.agreement_add(
        actor=acting_user(request),
        partnership=_partnership(request, id),
        title=payload.title,
        signed_on=payload.signed_on,
        url=payload.url,
    )
    return Status(201, agreement)


@router.get(
    "/partnerships/{id}/history",
    response=list[HistoryEventOut],
    summary="Every change of a partnership, oldest first",
)
@paginate(LimitOffset)
def history(request: HttpRequest, id: int):
    partnership = _partnership(request, id)
    return PartnershipEvent.objects.filter(partnership=partnership).order_by("at", "pk")


# --- activities ------------------------------------------------------------------------------


@router.get(
    "/partnerships/{id}/activities",
    response=list[ActivityOut],
    summary="Activities of a partnership, by start date",
)
@paginate(LimitOffset)
def list_activities(request: HttpRequest, id: int):
    partnership = _partnership(request, id)
    return (
        Activity.objects.filter(partnership=partnership)
        .select_related("city")
        .prefetch_related("participants")
        .order_by("start_date", "pk")
    )


@router.post(
    "/partnerships/{id}/activities",
    response={201: ActivityOut},
    auth=WRITE_AUTH,
    summary="Record an activity (exchange visit, study tour, training, …)",
)
def add_activity(request: HttpRequest, id: int, payload: ActivityIn) -> Status[Activity]:
    city = References().city(payload.city) if payload.city is not None else None
    activity = services.activity_add(
        actor=acting_user(request),
        partnership=_partnership(request, id),
        kind=payload.kind,
        title=payload.title,
        start_date=payload.start_date,
        end_date=payload.end_date,
        description=payload.description,
        city=city,
        participant_count=payload.participant_count,
        participants=[_organisation(pk, "participants") for pk in payload.participants],
    )
    return Status(201, _activity(activity.pk))


@router.delete(
    "/activities/{id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Remove an activity (editors of a member, moderators)",
)
def delete_activity(request: HttpRequest, id: int) -> Status[None]:
    services.activity_delete(actor=acting_user(request), activity=_activity(id))
    return Status(204, None)


# --- results and indicators ------------------------------------------------------------------


def _results_of(partnership: Partnership) -> Any:
    return (
        Result.objects.filter(partnership=partnership)
        .prefetch_related("indicators")
        .order_by("achieved_on", "pk")
    )


@router.get(
    "/partnerships/{id}/results",
    response=list[ResultOut],
    summary="Results of a partnership with their indicators",
)
@paginate(LimitOffset)
def list_results(request: HttpRequest, id: int):
    return _results_of(_partnership(request, id))


@router.post(
    "/partnerships/{id}/results",
    response={201: ResultOut},
    auth=WRITE_AUTH,
    summary="Record a result, with its indicators",
    description="The result and its indicators are recorded together, or not at all.",
)
def add_result(request: HttpRequest, id: int, payload: ResultIn) -> Status[Result]:
    partnership = _partnership(request, id)
    objective = None
    if payload.objective is not None:
        objective = next(
            (o for o in partnership.objectives.all() if o.pk == payload.objective), None
        )
        if objective is None:
            raise ApplicationError(
                _("This partnership has no objective with id %(id)d.") % {"id": payload.objective},
                field="objective",
            )
    actor = acting_user(request)
    with transaction.atomic():
        result = services.result_add(
            actor=actor,
            partnership=partnership,
            title=payload.title,
            objective=objective,
            description=payload.description,
            achieved_on=payload.achieved_on,
        )
        for indicator in payload.indicators:
            services.indicator_set(actor=actor, result=result, **indicator.model_dump())
    return Status(201, _results_of(partnership).get(pk=result.pk))


@router.post(
    "/results/{id}/indicators",
    response={201: IndicatorOut},
    auth=WRITE_AUTH,
    summary="Add an indicator to a result",
)
def add_indicator(request: HttpRequest, id: int, payload: IndicatorIn) -> Status[Indicator]:
    indicator = services.indicator_set(
        actor=acting_user(request), result=_result(id), **payload.model_dump()
    )
    return Status(201, indicator)


# --- institutional capacity ------------------------------------------------------------------


@router.get(
    "/capacity/dimensions",
    response=list[CapacityDimensionOut],
    summary="The capacity framework: dimensions scored 1–5",
)
def capacity_dimensions(request: HttpRequest) -> list[CapacityDimension]:
    return list(CapacityDimension.objects.order_by("position"))


@router.get(
    "/organisations/{id}/capacity",
    response=list[CapacityAssessmentOut],
    summary="Capacity self-assessments of an organisation, oldest first",
)
@paginate(LimitOffset)
def organisation_capacity(request: HttpRequest, id: int):
    organisation = directory_selectors.organisation_get_by_id(pk=id)
    return selectors.capacity_assessments(organisation_id=organisation.pk).order_by(
        "assessed_on", "pk"
    )


@router.post(
    "/organisations/{id}/capacity",
    response={201: CapacityAssessmentOut},
    auth=WRITE_AUTH,
    summary="Record a capacity self-assessment (editors of the organisation)",
)
def assess_capacity(
    request: HttpRequest, id: int, payload: CapacityAssessmentIn
) -> Status[CapacityAssessment]:
    assessment = services.capacity_assessment_create(
        actor=acting_user(request),
        organisation=directory_selectors.organisation_get_by_id(pk=id),
        assessed_on=payload.assessed_on,
        notes=payload.notes,
        scores={slug: (s.level, s.evidence) for slug, s in payload.scores.items()},
    )
    return Status(201, _assessment(assessment.pk, "assessment"))


@router.post(
    "/partnerships/{id}/capacity-links",
    response={201: CapacityLinkOut},
    auth=WRITE_AUTH,
    summary="Link a member's assessment to the partnership as its baseline or a follow-up",
)
def link_capacity(
    request: HttpRequest, id: int, payload: CapacityLinkIn
) -> Status[PartnershipAssessment]:
    link = services.partnership_assessment_link(
        actor=acting_user(request),
        partnership=_partnership(request, id),
        assessment=_assessment(payload.assessment, "assessment"),
        kind=payload.kind,
    )
    return Status(201, link)
