"""API of notifications: the caller's own, and marking them read (token or session)."""

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from citypeers.api.auth import WRITE_AUTH, acting_user
from citypeers.api.pagination import LimitOffset
from citypeers.core.errors import NotFound

from . import selectors, services
from .models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    message: str
    url: str
    target_type: str
    target_id: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class ReadAllOut(Schema):
    marked: int


@router.get(
    "/notifications",
    response=list[NotificationOut],
    auth=WRITE_AUTH,
    summary="My notifications, newest first",
)
@paginate(LimitOffset)
def list_notifications(request: HttpRequest, unread: bool = False) -> list[Notification]:
    return selectors.for_user(acting_user(request), unread_only=unread)  # type: ignore[return-value]


@router.post(
    "/notifications/{id}/read",
    response=NotificationOut,
    auth=WRITE_AUTH,
    summary="Mark one of my notifications read",
)
def read_notification(request: HttpRequest, id: int) -> Notification:
    user = acting_user(request)
    note = selectors.for_user(user).filter(pk=id).first()
    if note is None:
        raise NotFound(_("No notification with id %(id)d.") % {"id": id})
    return services.mark_read(user=user, notification=note)


@router.post(
    "/notifications/read-all",
    response=ReadAllOut,
    auth=WRITE_AUTH,
    summary="Mark all my notifications read",
)
def read_all(request: HttpRequest) -> dict[str, int]:
    return {"marked": services.mark_all_read(user=acting_user(request))}
