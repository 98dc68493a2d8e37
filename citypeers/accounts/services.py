"""Account writes: sign-up and API tokens. Password reset and log-in are Django's own (urls.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from citypeers.core.errors import ApplicationError, PermissionDenied

from .audit import audit
from .models import ApiToken, User, hash_token, new_token

TOKEN_MARK = "cp_"  # noqa: S105 - a public marker, not a secret

#: ``last_used_at`` is written at most this often per token, so reads stay reads.
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)


def user_sign_up(*, username: str, email: str, password: str, display_name: str = "") -> User:
    """Create an active account with an argon2-hashed password in the reader's language."""
    with transaction.atomic():
        user = User(
            username=username,
            email=User.objects.normalize_email(email).lower(),
            display_name=display_name,
            preferred_language=(get_language() or "en")[:2],
        )
        user.set_password(password)
        user.full_clean()
        user.save()
    return user


def api_token_create(
    *, user: User, name: str, scope: str = ApiToken.Scope.WRITE
) -> tuple[ApiToken, str]:
    """Issue a personal API token; return it and the raw secret, which is never stored.

    Only the SHA-256 hash and the first eight characters (to recognise the token in a list)
    are kept, so the raw value must be shown to its owner now or never. ``scope`` is ``read``
    (the token may only read) or ``write`` (read and write).
    """
    if scope not in ApiToken.Scope.values:
        raise ApplicationError(_("A token's scope is read or write."), field="scope")
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the token a name, e.g. what it is used for."), field="name")
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ApplicationError(_("A token name is at most 100 characters."), field="name")
    if not user.is_active:
        raise ApplicationError(_("This account is not active."), field="user")
    # "cp_" marks CityPeers tokens (for secret scanners) and keeps the prefix from starting
    # with "-", which command-line parsers would take for an option.
    raw = TOKEN_MARK + new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, scope=scope, key_hash=hash_token(raw), prefix=raw[:8]
        )
        audit(actor=user, verb="token.create", target=token, data={"scope": scope})
    return token, raw


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token for good: its owner or staff may. Revoking twice is harmless."""
    if not (
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and (actor.pk == token.user_id or actor.is_staff)
    ):
        raise PermissionDenied(_("Only the owner of a token or staff can revoke it."))
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(actor=actor, verb="token.revoke", target=token)
    return token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user holding this live token, or ``None`` (see :func:`api_token_lookup`)."""
    token = api_token_lookup(raw=raw)
    return token.user if token is not None else None


def api_token_lookup(*, raw: str) -> ApiToken | None:
    """The live token ``raw`` is, with its active user, or ``None``.

    Looks the token up by hash (the raw value is never compared), refuses revoked tokens and
    inactive accounts, and records the use at most once per :data:`TOKEN_TOUCH_INTERVAL`.
    """
    if not raw:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- deleting an account ------------------------------------------------------------------------

#: Relations (``app_label.model.field``) whose rows are about the person and go with the account.
#: Relations declared ``on_delete=SET_NULL`` are left to it: the content stays, without author.
#: Every other relation to the user model (CASCADE, PROTECT …) holds content that must stay: its
#: rows are reassigned to the single placeholder account :data:`DELETED_USERNAME`. A test lists
#: every relation to the user model and fails on one that is in none of these three groups.
PERSONAL_RELATIONS = frozenset(
    {
        "accounts.apitoken.user",
        "accounts.organisationrole.user",
        "accounts.user_groups.user",
        "accounts.user_user_permissions.user",
        "learning.calendartoken.user",
        "learning.discussionban.user",
        "learning.follow.user",
        "learning.registration.user",
        "learning.report.reporter",
        "notifications.digestpreference.user",
        "notifications.notification.recipient",
    }
)
#: CASCADE relations whose rows are kept, attributed to the placeholder.
KEPT_RELATIONS = frozenset({"admin.logentry.user"})
#: The placeholder's username: brackets are not allowed in usernames, so no one can sign up as it.
DELETED_USERNAME = "[deleted]"


@dataclass
class AccountDeletion:
    """What deleting an account did, relation by relation (row counts)."""

    user_id: int
    deleted: dict[str, int] = field(default_factory=dict)
    reassigned: dict[str, int] = field(default_factory=dict)
    unattributed: dict[str, int] = field(default_factory=dict)
    sessions: int = 0


def deleted_user_placeholder() -> User:
    """The one inactive account that content of deleted accounts is attributed to."""
    from django.contrib.auth.hashers import make_password

    user, _created = User.objects.get_or_create(
        username=DELETED_USERNAME,
        defaults={
            "email": "deleted-user@deleted.invalid",
            "display_name": "Deleted user",
            "is_active": False,
            "password": make_password(None),
        },
    )
    return user


def _sets_on_delete(on_delete: Any) -> bool:
    """Whether an ``on_delete`` keeps the row and clears or replaces the reference."""
    from django.db import models

    return on_delete in (models.SET_NULL, models.SET_DEFAULT) or hasattr(on_delete, "deconstruct")


def _end_sessions(user: User) -> int:
    """Delete every stored session signed in as ``user`` (database-backed session engines; with
    another engine the sessions die anyway, since their user no longer exists)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return 0
    ended = 0
    live = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for session in live.iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            store(session.session_key).delete()
            ended += 1
    return ended


def account_delete(*, actor: Any, user: User, password: str) -> AccountDeletion:
    """Delete ``user``'s account for good, at their own request, confirmed by their password.

    Their personal records (roles, tokens, notifications, registrations …, see
    :data:`PERSONAL_RELATIONS`) and sessions go; what they wrote for organisations stays, without
    author where the reference is ``SET_NULL`` and attributed to the placeholder account
    otherwise; their e-mail address is wiped from invitations, the labels of the audit events
    about their own account, roles and tokens are cleared, and their failed log-ins forgotten.
    One audit event, with no actor and no personal data, records the deletion.
    """
    from django.db.models import Q

    from .models import AuditEvent, Invitation
    from .personal_data import relation_key, user_relations

    if not (getattr(actor, "is_authenticated", False) and actor.pk == user.pk):
        raise PermissionDenied(_("Only the owner of an account can delete it."))
    if user.username == DELETED_USERNAME:
        raise PermissionDenied(_("This account cannot be deleted."))
    if not password or not user.check_password(password):
        raise ApplicationError(_("This is not the password of the account."), field="password")
    report = AccountDeletion(user_id=user.pk)
    with transaction.atomic():
        _give_up_seats(user)
        placeholder = deleted_user_placeholder()
        # The audit events about the person's own records carry their name in their labels.
        own_records: dict[str, list[Any]] = {user._meta.label_lower: [user.pk]}
        for model, fk in user_relations():
            key = relation_key(model, fk)
            rows = model._base_manager.filter(**{fk.attname: user.pk})
            if key in PERSONAL_RELATIONS:
                ids = list(rows.values_list("pk", flat=True))
                if ids:
                    own_records.setdefault(model._meta.label_lower, []).extend(ids)
                    rows.delete()
                    report.deleted[key] = len(ids)
            elif _sets_on_delete(fk.remote_field.on_delete):
                if count := rows.count():
                    report.unattributed[key] = count  # done by user.delete() below
            elif count := rows.update(**{fk.attname: placeholder.pk}):
                report.reassigned[key] = count
        Invitation.objects.filter(Q(email__iexact=user.email) | Q(accepted_by=user)).update(
            email=placeholder.email
        )
        about_them = Q(pk__in=[])
        for target_type, ids in own_records.items():
            about_them |= Q(target_type=target_type, target_id__in=[str(pk) for pk in ids])
        AuditEvent.objects.filter(about_them).update(target_label="", data={})
        _forget_log_ins(user)
        report.sessions = _end_sessions(user)
        AuditEvent.objects.create(
            actor=None,
            verb="account.delete",
            target_type=user._meta.label_lower,
            target_id=str(user.pk),
            target_label="",
            data={
                "deleted": report.deleted,
                "reassigned": report.reassigned,
                "unattributed": report.unattributed,
                "sessions": report.sessions,
            },
        )
        user.delete()
    return report


def _give_up_seats(user: User) -> None:
    """Cancel the person's places at events yet to start, through the learning service, so a
    freed seat goes to the first person waiting."""
    from django.apps import apps

    if not apps.is_installed("citypeers.learning"):
        return
    from citypeers.learning.models import Registration, RegistrationStatus
    from citypeers.learning.services import registration_cancel

    upcoming = Registration.objects.filter(
        user=user,
        status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITING],
        event__starts_at__gt=timezone.now(),
    )
    for registration in upcoming:
        registration_cancel(actor=user, registration=registration)


def _forget_log_ins(user: User) -> None:
    """Drop the log-in throttling records (django-axes) kept under the person's identifiers."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    names = [user.username.lower(), user.email.lower()]
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__in=[*names, user.username, user.email]).delete()
