"""API of the directory: organisations, memberships, themes, and the exports.

Organisations are addressed by their numeric ``id`` (stable when a name, and so the slug,
changes). Reads are public; writes need a token or a signed-in session (``api/auth.py``) and
go through the directory's services, which decide permission (403) and the rules (400/409).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import BaseModel, model_validator

from citypeers.api.auth import WRITE_AUTH, acting_user
from citypeers.api.fields import choice
from citypeers.api.pagination import LimitOffset
from citypeers.core.errors import ApplicationError, NotFound
from citypeers.interop import organisations as interop
from citypeers.interop.references import References, resolve_place

from . import permissions, selectors, services
from .domains import DomainEvidence
from .models import ActorType, ClaimStatus, ManagementClaim, Membership, Organisation, Theme

router = Router(tags=["directory"])
MEMBERSHIP_ROLES: list[Any] = list(Membership.Role.values)


# --- schemas ---------------------------------------------------------------------------------


class OrganisationFilter(Schema):
    q: str = Field("", description="Words that must all appear (accents ignored).")
    actor_type: ActorType | None = None
    country: str = Field("", description="ISO 3166-1 alpha-3 code.")
    region: str = Field("", description="UN M49 code of a region, sub-region or intermediate one.")
    south: bool | None = Field(None, description="Global South (true) or North (false).")
    theme: str = Field("", description="Theme slug (see /themes).")
    population: choice(list(selectors.POPULATION_BANDS), blank=True) = Field(  # type: ignore[valid-type]
        "", description="Population band: " + ", ".join(selectors.POPULATION_BANDS)
    )

    def to_filters(self) -> selectors.OrganisationFilters:
        return selectors.OrganisationFilters(
            q=self.q,
            actor_type=self.actor_type.value if self.actor_type else "",
            country=self.country,
            region=self.region,
            south=self.south,
            theme=self.theme,
            population=self.population,
        )


class CityRefOut(BaseModel):
    geonameid: int
    name: str


class OrganisationOut(BaseModel):
    id: int
    slug: str
    name: str
    acronym: str
    actor_type: ActorType
    country: str | None = Field(description="ISO 3166-1 alpha-3 code.")
    admin_area: str | None = Field(description="Name of the first-level region.")
    city: CityRefOut | None
    population_served: int | None
    languages: list[str]
    website: str
    original_language: str
    descriptions: dict[str, str] = Field(description="Description per language code.")
    themes: list[str] = Field(description="Theme slugs.")
    sdgs: list[int] = Field(description="SDG numbers.")
    global_south: bool | None = Field(description="From the country's classification.")
    external_id: str
    url: str = Field(description="Path of the organisation's page.")
    logo: str | None = Field(None, description="Path of the logo (a PNG), if there is one.")
    is_demo: bool
    updated_at: dt.datetime

    @model_validator(mode="before")
    @classmethod
    def _from_organisation(cls, value: Any) -> Any:
        """One rendering for the API and the JSON export: ``interop.organisation_record``."""
        return interop.organisation_record(value) if isinstance(value, Organisation) else value


class OrganisationPatch(Schema):
    """Only the fields sent are changed; send ``null`` (or ``""`` for codes) to clear one."""

    name: str | None = Field(None, max_length=200)
    actor_type: ActorType | None = None
    country: str | None = Field(None, description="ISO 3166-1 alpha-3 code.")
    admin_area: str | None = Field(
        None, description="GeoNames admin1 code (or name) of a region of the country."
    )
    city: int | None = Field(None, description="GeoNames id of the city.")
    population_served: int | None = Field(None, ge=0)
    languages: list[str] | None = None
    website: str | None = None
    acronym: str | None = Field(None, max_length=30)
    original_language: str | None = Field(None, min_length=2, max_length=8)
    descriptions: dict[str, str] | None = None
    themes: list[str] | None = Field(None, description="Theme slugs.")
    sdgs: list[int] | None = Field(None, description="SDG numbers.")


class OrganisationIn(OrganisationPatch):
    name: str = Field(..., min_length=1, max_length=200)
    actor_type: ActorType
    languages: list[str] = []
    website: str = ""
    acronym: str = Field("", max_length=30)
    original_language: str = Field("en", min_length=2, max_length=8)
    descriptions: dict[str, str] = {}
    themes: list[str] = []
    sdgs: list[int] = []


class OrganisationRefOut(Schema):
    id: int
    slug: str
    name: str


class MembershipOut(Schema):
    id: int
    member: OrganisationRefOut
    parent: OrganisationRefOut
    role: str = Field(json_schema_extra={"enum": MEMBERSHIP_ROLES})
    start_date: dt.date | None
    end_date: dt.date | None
    is_current: bool


class MembershipIn(Schema):
    member: int = Field(description="Id of the member organisation.")
    parent: int = Field(description="Id of the organisation it belongs to.")
    role: str = Field(Membership.Role.MEMBER.value, json_schema_extra={"enum": MEMBERSHIP_ROLES})
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class MembershipPatch(Schema):
    role: str | None = Field(None, json_schema_extra={"enum": MEMBERSHIP_ROLES})
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class MembershipFilter(Schema):
    organisation: int | None = Field(None, description="Memberships on either side of this id.")
    current: bool = Field(False, description="Only memberships that have not ended.")


class ThemeOut(Schema):
    slug: str
    label: str
    labels: dict[str, str]

    @staticmethod
    def resolve_labels(obj: Theme) -> dict[str, str]:
        return {"en": obj.label_en, "fr": obj.label_fr, "es": obj.label_es}


class ClaimIn(Schema):
    position: str = Field(
        description="Your position or role title in the organisation (at most 150 characters)."
    )
    message: str = Field(
        "",
        description="How the moderators can check that you act for it (plain text, at most "
        "2000 characters).",
    )


class ClaimDecisionIn(Schema):
    approve: bool = Field(description="true approves (the requester becomes organisation admin).")
    reason: str = Field(
        "", description="Required to reject (the requester reads it); at most 2000 characters."
    )


class ClaimFilter(Schema):
    status: ClaimStatus | None = Field(None, description="Only the claims with this status.")


class ClaimRequesterOut(Schema):
    id: int
    username: str
    display_name: str
    email: str


class ClaimOut(Schema):
    id: int
    organisation: OrganisationRefOut
    requester: ClaimRequesterOut | None = Field(description="null once the account is closed.")
    position: str
    message: str
    status: ClaimStatus
    evidence: DomainEvidence = Field(
        description="Whether the requester's e-mail address is at the organisation's website "
        "domain (a hint: addresses are not verified at sign-up)."
    )
    email_domain: str
    organisation_has_admin: bool = Field(description="Whether it has an organisation admin now.")
    decided_by: int | None = Field(description="Id of the moderator who decided.")
    decided_at: dt.datetime | None = Field(description="When it was decided or withdrawn.")
    decision_reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_decided_by(obj: ManagementClaim) -> int | None:
        return obj.decided_by_id


# --- input to service arguments --------------------------------------------------------------


def _changes(data: dict[str, Any], organisation: Organisation | None = None) -> dict[str, Any]:
    """Service keyword arguments from the fields sent, codes resolved to records."""
    refs = References()
    changes = {
        k: v
        for k, v in data.items()
        if k not in {"country", "admin_area", "city", "themes", "sdgs"}
    }
    if "actor_type" in changes and changes["actor_type"] is not None:
        changes["actor_type"] = ActorType(changes["actor_type"]).value
    city = None
    if data.get("city") is not None:
        city = refs.city(data["city"])
    place = resolve_place(
        refs,
        country=(data["country"] or "") if "country" in data else None,
        admin_area=(data["admin_area"] or "") if "admin_area" in data else None,
        city=city,
        default_country=organisation.country if organisation else None,
    )
    if "city" in data and data["city"] is None:
        place["city"] = None
    changes.update(place)
    if data.get("themes") is not None:
        changes["themes"] = refs.themes(data["themes"])
    if data.get("sdgs") is not None:
        changes["sdgs"] = refs.sdgs(data["sdgs"])
    for key in ("name", "actor_type", "languages", "website", "acronym", "original_language"):
        if key in changes and changes[key] is None:
            raise ApplicationError(_("%(field)s may not be null.") % {"field": key}, field=key)
    if "descriptions" in changes and changes["descriptions"] is None:
        changes["descriptions"] = {}
    return changes


def _member_organisation(pk: int, field: str) -> Organisation:
    try:
        return selectors.organisation_get_by_id(pk=pk)
    except NotFound as exc:
        raise ApplicationError(exc.message, field=field) from None


# --- organisations ---------------------------------------------------------------------------


@router.get("/organisations", response=list[OrganisationOut], summary="List organisations")
@paginate(LimitOffset)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilter]):
    return interop.export_queryset(filters.to_filters())


def _export(fmt: str, filters: OrganisationFilter) -> StreamingHttpResponse:
    content_type, filename, chunks = interop.FORMATS[fmt]
    response = StreamingHttpResponse(
        chunks(interop.export_queryset(filters.to_filters())), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _file_response(content_type: str, description: str) -> dict[str, Any]:
    return {
        "responses": {200: {"description": description, "content": {content_type: {"schema": {}}}}}
    }


@router.get(
    "/organisations/export.csv",
    summary="Organisations as CSV",
    description="The columns of the import first, then id, slug, global_south, url, is_demo, "
    "updated_at. Takes the filters of the list.",
    openapi_extra=_file_response("text/csv", "CSV, one organisation a row"),
)
def export_csv(request: HttpRequest, filters: Query[OrganisationFilter]) -> StreamingHttpResponse:
    return _export("csv", filters)


@router.get(
    "/organisations/export.json",
    summary="Organisations as a JSON array",
    description="Every matching organisation as OrganisationOut, unpaginated.",
    openapi_extra=_file_response("application/json", "A JSON array of OrganisationOut"),
)
def export_json(request: HttpRequest, filters: Query[OrganisationFilter]) -> StreamingHttpResponse:
    return _export("json", filters)


@router.get(
    "/organisations/popolo.json",
    summary="Organisations and memberships as Popolo JSON",
    description='{"organizations": [...], "memberships": [...]} in the Popolo vocabulary; a '
    "membership is included when both of its organisations are.",
    openapi_extra=_file_response("application/json", "Popolo JSON"),
)
def export_popolo(
    request: HttpRequest, filters: Query[OrganisationFilter]
) -> StreamingHttpResponse:
    return _export("popolo", filters)


@router.get("/organisations/{id}", response=OrganisationOut, summary="One organisation by id")
def get_organisation(request: HttpRequest, id: int) -> Organisation:
    return selectors.organisation_get_by_id(pk=id)


@router.post(
    "/organisations",
    response={201: OrganisationOut},
    auth=WRITE_AUTH,
    summary="Create an organisation (its creator becomes its organisation admin)",
)
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Status[Organisation]:
    organisation = services.organisation_create(
        actor=acting_user(request), **_changes(payload.model_dump())
    )
    return Status(201, selectors.organisation_get_by_id(pk=organisation.pk))


@router.patch(
    "/organisations/{id}",
    response=OrganisationOut,
    auth=WRITE_AUTH,
    summary="Change an organisation (editors and admins of it, moderators)",
)
def update_organisation(request: HttpRequest, id: int, payload: OrganisationPatch) -> Organisation:
    organisation = selectors.organisation_get_by_id(pk=id)
    services.organisation_update(
        actor=acting_user(request),
        organisation=organisation,
        **_changes(payload.model_dump(exclude_unset=True), organisation),
    )
    return selectors.organisation_get_by_id(pk=id)


@router.delete(
    "/organisations/{id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Delete an organisation (its admins, moderators)",
)
def delete_organisation(request: HttpRequest, id: int) -> Status[None]:
    services.organisation_delete(
        actor=acting_user(request), organisation=selectors.organisation_get_by_id(pk=id)
    )
    return Status(204, None)


@router.post(
    "/organisations/{id}/logo",
    response=OrganisationOut,
    auth=WRITE_AUTH,
    summary="Upload or replace the logo (multipart field `logo`: PNG, JPEG, GIF or WebP)",
)
def upload_logo(request: HttpRequest, id: int, logo: File[UploadedFile]) -> Organisation:
    services.organisation_set_logo(
        actor=acting_user(request),
        organisation=selectors.organisation_get_by_id(pk=id),
        upload=logo,
    )
    return selectors.organisation_get_by_id(pk=id)


@router.delete(
    "/organisations/{id}/logo",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Remove the logo",
)
def delete_logo(request: HttpRequest, id: int) -> Status[None]:
    services.organisation_set_logo(
        actor=acting_user(request),
        organisation=selectors.organisation_get_by_id(pk=id),
        upload=None,
    )
    return Status(204, None)


@router.get(
    "/organisations/{id}/memberships",
    response=list[MembershipOut],
    summary="Memberships of an organisation, as member and as parent",
)
@paginate(LimitOffset)
def organisation_memberships(request: HttpRequest, id: int, current: bool = False):
    organisation = selectors.organisation_get_by_id(pk=id)
    return selectors.membership_list(organisation=organisation, current_only=current)


# --- memberships -----------------------------------------------------------------------------


@router.get("/memberships", response=list[MembershipOut], summary="List memberships")
@paginate(LimitOffset)
def list_memberships(request: HttpRequest, filters: Query[MembershipFilter]):
    organisation = (
        selectors.organisation_get_by_id(pk=filters.organisation)
        if filters.organisation is not None
        else None
    )
    return selectors.membership_list(organisation=organisation, current_only=filters.current)


@router.post(
    "/memberships",
    response={201: MembershipOut},
    auth=WRITE_AUTH,
    summary="Record that an organisation belongs to another (editors of the parent)",
)
def create_membership(request: HttpRequest, payload: MembershipIn) -> Status[Membership]:
    membership = services.membership_create(
        actor=acting_user(request),
        member=_member_organisation(payload.member, "member"),
        parent=_member_organisation(payload.parent, "parent"),
        role=payload.role,
        start_date=payload.start_date,
        end_date=payload.end_date,
    )
    return Status(201, membership)


@router.patch(
    "/memberships/{id}",
    response=MembershipOut,
    auth=WRITE_AUTH,
    summary="Change a membership's role or dates (editors of the parent)",
)
def update_membership(request: HttpRequest, id: int, payload: MembershipPatch) -> Membership:
    return services.membership_update(
        actor=acting_user(request),
        membership=selectors.membership_get(pk=id),
        role=payload.role,
        start_date=payload.start_date,
        end_date=payload.end_date,
    )


@router.delete(
    "/memberships/{id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Remove a membership (editors of either organisation)",
)
def delete_membership(request: HttpRequest, id: int) -> Status[None]:
    services.membership_delete(
        actor=acting_user(request), membership=selectors.membership_get(pk=id)
    )
    return Status(204, None)


# --- management claims -----------------------------------------------------------------------


@router.post(
    "/organisations/{id}/claims",
    response={201: ClaimOut},
    auth=WRITE_AUTH,
    summary="Ask to manage an organisation that has no organisation admin (moderators decide)",
)
def create_claim(request: HttpRequest, id: int, payload: ClaimIn) -> Status[ManagementClaim]:
    user = acting_user(request)
    claim = services.claim_create(
        actor=user,
        organisation=selectors.organisation_get_by_id(pk=id),
        position=payload.position,
        message=payload.message,
    )
    return Status(201, selectors.claim_get(pk=claim.pk, user=user))


@router.get(
    "/claims",
    response=list[ClaimOut],
    auth=WRITE_AUTH,
    summary="Management claims: every one for moderators, one's own for anyone else",
)
@paginate(LimitOffset)
def list_claims(request: HttpRequest, filters: Query[ClaimFilter]):
    claims = selectors.claims_visible_to(acting_user(request))
    if filters.status is not None:
        claims = claims.filter(status=filters.status.value)
    return claims


@router.post(
    "/claims/{id}/withdraw",
    response=ClaimOut,
    auth=WRITE_AUTH,
    summary="Withdraw one's own waiting claim",
)
def withdraw_claim(request: HttpRequest, id: int) -> ManagementClaim:
    user = acting_user(request)
    services.claim_withdraw(actor=user, claim=selectors.claim_get(pk=id, user=user))
    return selectors.claim_get(pk=id, user=user)


@router.post(
    "/claims/{id}/decision",
    response=ClaimOut,
    auth=WRITE_AUTH,
    summary="Approve or reject a waiting claim (platform moderators; a rejection needs a reason)",
)
def decide_claim(request: HttpRequest, id: int, payload: ClaimDecisionIn) -> ManagementClaim:
    user = acting_user(request)
    permissions.require(
        permissions.can_decide_claims(user),
        _("Only platform moderators decide requests to manage an organisation."),
    )
    services.claim_decide(
        actor=user,
        claim=selectors.claim_get(pk=id, user=user),
        approve=payload.approve,
        reason=payload.reason,
    )
    return selectors.claim_get(pk=id, user=user)


# --- themes ----------------------------------------------------------------------------------


@router.get("/themes", response=list[ThemeOut], summary="The theme taxonomy")
def list_themes(request: HttpRequest) -> list[Theme]:
    return list(selectors.theme_list())
