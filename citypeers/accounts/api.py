"""API of the caller's own account: everything held about them, and deleting the account."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from citypeers.api.auth import WRITE_AUTH, acting_user

from .personal_data import personal_data_export
from .services import account_delete

router = Router(tags=["account"])


class PersonalRecordsOut(Schema):
    model: str = Field(description="the record type, `app.model`")
    name: str
    relation: str = Field(description="the field of the record that points to you")
    kind: str = Field(description="`about-you` (in full) or `written-by-you` (id, title, dates)")
    count: int
    items: list[dict[str, Any]]


class PersonalDataOut(Schema):
    format: str
    exported_at: str
    account: dict[str, Any]
    records: list[PersonalRecordsOut]


class AccountDeleteIn(Schema):
    password: str = Field(max_length=4096, description="the account's password, to confirm")


@router.get(
    "/me/data",
    response=PersonalDataOut,
    auth=WRITE_AUTH,
    summary="Everything the platform holds about me",
)
def my_data(request: HttpRequest) -> dict[str, Any]:
    return personal_data_export(user=acting_user(request))


@router.delete(
    "/me",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Delete my account (confirmed by its password)",
    description=(
        "Deletes the account, its roles, tokens, notifications and registrations, and ends its "
        "sessions. What the person wrote for organisations stays, no longer attributed to them."
    ),
)
def delete_me(request: HttpRequest, payload: AccountDeleteIn) -> Status:
    user = acting_user(request)
    account_delete(actor=user, user=user, password=payload.password)
    return Status(204, None)
