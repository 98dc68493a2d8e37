"""Writes of the directory: organisations, profile items, memberships, people and invitations.

Every function takes the acting user, checks permission (``permissions.py``), validates, and runs
in one transaction; each change is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from citypeers.accounts.audit import audit
from citypeers.accounts.models import Invitation, OrganisationRole, User, hash_token, new_token
from citypeers.core.errors import ApplicationError, Conflict, NotFound
from citypeers.core.text import fold
from citypeers.core.translation import clean_translations
from citypeers.places.models import AdminArea, City, Country, Sdg

from . import permissions
from .models import (
    ASSOCIATION_TYPES,
    ActorType,
    Membership,
    Organisation,
    ProfileItem,
    Theme,
)
from .themes import THEMES

LANGUAGE_CODES = {"en", "fr", "es", "pt", "ar", "de", "it", "zh", "ru", "sw", "nl", "ja", "ko"}
INVITATION_DAYS = 14
# Address names the directory's own pages use (``/directory/new/``): never an organisation's.
RESERVED_SLUGS = {"new"}

#: Callbacks run after an organisation was created, changed or deleted (search indexing, …), each
#: with the organisation id, on commit. Other apps register here so the directory does not depend
#: on them.
AFTER_SAVED: list[Callable[[int], None]] = []


def _after_saved(organisation_id: int) -> None:
    for callback in AFTER_SAVED:
        transaction.on_commit(lambda cb=callback: cb(organisation_id))  # type: ignore[misc]


EDITABLE_FIELDS = (
    "name",
    "actor_type",
    "acronym",
    "country",
    "admin_area",
    "city",
    "population_served",
    "languages",
    "website",
    "original_language",
    "descriptions",
    "themes",
    "sdgs",
    "logo",
)


def theme_sync() -> int:
    """Write the project's theme taxonomy (``themes.py``); return how many rows changed."""
    changed = 0
    for position, (slug, en, fr, es) in enumerate(THEMES):
        _theme, created = Theme.objects.update_or_create(
            slug=slug,
            defaults={"position": position, "label_en": en, "label_fr": fr, "label_es": es},
            create_defaults={"position": position, "label_en": en, "label_fr": fr, "label_es": es},
        )
        changed += int(created)
    return changed


def _unique_slug(name: str, country: Country | None, exclude_pk: int | None = None) -> str:
    base = slugify(fold(name))[:180] or "organisation"
    candidates = [base]
    if country is not None:
        candidates.append(f"{base}-{country.iso3.lower()}")
    existing = Organisation.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    taken = set(existing.values_list("slug", flat=True)) | RESERVED_SLUGS
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    n = 2
    while f"{candidates[-1]}-{n}" in taken:
        n += 1
    return f"{candidates[-1]}-{n}"


def _search_text(organisation: Organisation, theme_labels: Iterable[str] = ()) -> str:
    parts = [organisation.name, organisation.acronym, *organisation.descriptions.values()]
    if organisation.city_id and organisation.city is not None:
        parts.append(organisation.city.name)
    if organisation.country_id and organisation.country is not None:
        c = organisation.country
        parts += [c.name_en, c.name_fr, c.name_es]
    parts += list(theme_labels)
    return " ".join(fold(p) for p in parts if p)


def organisation_search_text(organisation: Organisation, extra: Iterable[str] = ()) -> str:
    """The folded text the directory's ``q`` filter reads, for writers that bypass the services
    (the benchmark's bulk generator): the organisation's own fields plus ``extra`` (the theme
    labels and profile texts, as :func:`_refresh_search_text` adds them)."""
    return _search_text(organisation, extra)


def _refresh_search_text(organisation: Organisation) -> None:
    labels = []
    for t in organisation.themes.all():
        labels += [t.label_en, t.label_fr, t.label_es]
    for item in organisation.profile_items.all():
        labels.append(item.text)
    text = _search_text(organisation, labels)
    Organisation.objects.filter(pk=organisation.pk).update(search_text=text)
    organisation.search_text = text


def _place_rules(organisation: Organisation) -> None:
    """Make the place consistent: a city implies its country and region; LG types need a place."""
    city = organisation.city
    if city is not None:
        if organisation.country is not None and organisation.country.pk != city.country_id:
            raise ApplicationError(
                _("%(city)s is not in %(country)s.")
                % {"city": city, "country": organisation.country},
                field="city",
            )
        organisation.country = city.country
        if organisation.admin_area is None:
            organisation.admin_area = city.admin_area
        elif city.admin_area_id is not None and organisation.admin_area.pk != city.admin_area_id:
            raise ApplicationError(
                _("%(city)s is not in the first-level region %(region)s.")
                % {"city": city, "region": organisation.admin_area},
                field="admin_area",
            )
    if organisation.admin_area is not None:
        if organisation.country is None:
            organisation.country = organisation.admin_area.country
        elif organisation.admin_area.country_id != organisation.country.pk:
            raise ApplicationError(
                _("The first-level region %(region)s is not in %(country)s.")
                % {"region": organisation.admin_area, "country": organisation.country},
                field="admin_area",
            )
    kind = organisation.actor_type
    if kind in (ActorType.MUNICIPALITY, ActorType.METROPOLITAN) and organisation.city is None:
        raise ApplicationError(_("A city or metropolitan government needs its city."), field="city")
    if kind == ActorType.REGIONAL and organisation.admin_area is None:
        raise ApplicationError(
            _("A regional government needs the first-level region it governs."),
            field="admin_area",
        )
    if kind not in (ActorType.INTERNATIONAL, ActorType.NETWORK) and organisation.country is None:
        raise ApplicationError(
            _("Give the country this organisation is based in."), field="country"
        )


def _duplicate_check(organisation: Organisation) -> None:
    same = Organisation.objects.exclude(pk=organisation.pk).filter(
        actor_type=organisation.actor_type
    )
    existing = None
    if organisation.actor_type in (ActorType.MUNICIPALITY, ActorType.METROPOLITAN):
        existing = same.filter(city=organisation.city).first()
    elif organisation.actor_type == ActorType.REGIONAL:
        existing = same.filter(admin_area=organisation.admin_area, city__isnull=True).first()
    if existing is not None:
        raise Conflict(
            _("%(place)s already has this kind of organisation: %(name)s.")
            % {"place": organisation.city or organisation.admin_area, "name": existing.name},
            field="city" if organisation.city else "admin_area",
            extra={"existing": existing.slug},
        )


def _clean_languages(languages: Sequence[str]) -> list[str]:
    cleaned = []
    for code in languages:
        code = str(code).strip().lower()
        if code and code not in cleaned:
            if len(code) != 2 or not code.isalpha():
                raise ApplicationError(
                    _("%(code)r is not a two-letter language code.") % {"code": code},
                    field="languages",
                )
            cleaned.append(code)
    return cleaned


def _full_clean(organisation: Organisation) -> None:
    try:
        organisation.full_clean(exclude=["slug", "search_text", "created_by"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ApplicationError(
            f"{field}: {' '.join(messages)}", field=None if field == "__all__" else field
        ) from exc


@dataclass
class _Relations:
    themes: Sequence[Theme] | None = None
    sdgs: Sequence[Sdg] | None = None


def _save(organisation: Organisation, relations: _Relations) -> Organisation:
    _place_rules(organisation)
    organisation.languages = _clean_languages(organisation.languages or [])
    organisation.descriptions = clean_translations(
        organisation.descriptions, organisation.original_language
    )
    _duplicate_check(organisation)  # before full_clean, whose constraint check says less
    _full_clean(organisation)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as exc:  # a concurrent claim of the same place and type
        raise Conflict(_("This place already has this kind of organisation.")) from exc
    if relations.themes is not None:
        organisation.themes.set(relations.themes)
    if relations.sdgs is not None:
        organisation.sdgs.set(relations.sdgs)
    _refresh_search_text(organisation)
    return organisation


def organisation_create(
    *,
    actor: Any,
    name: str,
    actor_type: str,
    country: Country | None = None,
    admin_area: AdminArea | None = None,
    city: City | None = None,
    population_served: int | None = None,
    languages: Sequence[str] = (),
    website: str = "",
    acronym: str = "",
    original_language: str = "en",
    descriptions: dict[str, str] | None = None,
    themes: Sequence[Theme] = (),
    sdgs: Sequence[Sdg] = (),
    is_demo: bool = False,
    external_id: str = "",
    make_admin: bool = True,
) -> Organisation:
    """Create an organisation; its creator becomes its organisation admin."""
    permissions.require(permissions.can_create(actor), _("Sign in to add an organisation."))
    with transaction.atomic():
        organisation = Organisation(
            name=name.strip(),
            actor_type=actor_type,
            country=country,
            admin_area=admin_area,
            city=city,
            population_served=population_served,
            languages=list(languages),
            website=website.strip(),
            acronym=acronym.strip(),
            original_language=original_language,
            descriptions=descriptions or {},
            is_demo=is_demo,
            external_id=external_id,
            created_by=actor,
        )
        organisation.slug = _unique_slug(
            organisation.name, country or (city.country if city else None)
        )
        _save(organisation, _Relations(themes=themes, sdgs=sdgs))
        if make_admin:
            OrganisationRole.objects.create(
                user=actor, organisation=organisation, role=OrganisationRole.Role.ADMIN
            )
            permissions.forget_roles(actor)
        audit(actor=actor, verb="organisation.create", target=organisation)
        _after_saved(organisation.pk)
    return organisation


def organisation_claim_city(
    *, actor: Any, city: City, actor_type: str = ActorType.MUNICIPALITY
) -> Organisation:
    """ "Claim this city": create its local government from the place's own data."""
    if actor_type not in (ActorType.MUNICIPALITY, ActorType.METROPOLITAN):
        raise ApplicationError(
            _("Only a city or metropolitan government can be claimed from a city."),
            field="actor_type",
        )
    name = (
        city.name
        if actor_type == ActorType.MUNICIPALITY
        else _("Metropolitan area of %(city)s") % {"city": city.name}
    )
    return organisation_create(
        actor=actor,
        name=str(name),
        actor_type=actor_type,
        city=city,
        population_served=city.population or None,
    )


def organisation_update(*, actor: Any, organisation: Organisation, **changes: Any) -> Organisation:
    """Change the fields named in ``changes`` (see ``EDITABLE_FIELDS``)."""
    permissions.require(permissions.can_edit(actor, organisation))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    relations = _Relations(themes=changes.pop("themes", None), sdgs=changes.pop("sdgs", None))
    with transaction.atomic():
        before = {k: str(getattr(organisation, k)) for k in changes}
        for key, value in changes.items():
            setattr(organisation, key, value.strip() if isinstance(value, str) else value)
        if changes.get("city") is not None:
            # A new city brings its own country and region unless they are given too.
            if "country" not in changes:
                organisation.country = None
            if "admin_area" not in changes:
                organisation.admin_area = None
        _save(organisation, relations)
        audit(
            actor=actor,
            verb="organisation.update",
            target=organisation,
            data={
                "changed": sorted(
                    set(before)
                    | {k for k in ("themes", "sdgs") if getattr(relations, k) is not None}
                )
            },
        )
        _after_saved(organisation.pk)
    return organisation


def organisation_delete(*, actor: Any, organisation: Organisation) -> None:
    permissions.require(permissions.can_delete(actor, organisation))
    with transaction.atomic():
        audit(actor=actor, verb="organisation.delete", target=organisation)
        organisation_id = organisation.pk
        organisation.delete()
        _after_saved(organisation_id)


def profile_item_add(
    *,
    actor: Any,
    organisation: Organisation,
    kind: str,
    theme: Theme,
    text: str,
    language: str = "",
) -> ProfileItem:
    permissions.require(permissions.can_edit(actor, organisation))
    text = text.strip()
    if not text:
        raise ApplicationError(
            _("Describe the challenge or expertise in a few words."), field="text"
        )
    if kind not in ProfileItem.Kind.values:
        raise ApplicationError(_("Unknown kind of profile item."), field="kind")
    with transaction.atomic():
        item = ProfileItem(
            organisation=organisation,
            kind=kind,
            theme=theme,
            text=text,
            language=language or organisation.original_language,
        )
        item.full_clean()
        item.save()
        _refresh_search_text(organisation)
        audit(actor=actor, verb=f"{kind}.add", target=organisation, data={"theme": theme.slug})
    return item


def profile_item_remove(*, actor: Any, item: ProfileItem) -> None:
    organisation = item.organisation
    permissions.require(permissions.can_edit(actor, organisation))
    with transaction.atomic():
        item.delete()
        _refresh_search_text(organisation)
        audit(actor=actor, verb=f"{item.kind}.remove", target=organisation)


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise ApplicationError(_("A membership cannot end before it starts."), field="end_date")


def membership_create(
    *,
    actor: Any,
    member: Organisation,
    parent: Organisation,
    role: str = Membership.Role.MEMBER,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> Membership:
    """Record that ``member`` belongs to ``parent``; editors of the parent record it."""
    permissions.require(
        permissions.can_edit(actor, parent),
        _("Only editors of %(parent)s can record its members.") % {"parent": parent},
    )
    if member.pk == parent.pk:
        raise ApplicationError(_("An organisation cannot be a member of itself."), field="member")
    if parent.actor_type not in (*ASSOCIATION_TYPES, ActorType.INTERNATIONAL, ActorType.ACADEMIA):
        raise ApplicationError(
            _(
                "Only associations, networks and platforms, international organisations and "
                "research bodies have members."
            ),
            field="parent",
        )
    if role not in Membership.Role.values:
        raise ApplicationError(_("Unknown membership role."), field="role")
    _check_dates(start_date, end_date)
    if Membership.objects.filter(member=member, parent=parent, role=role).exists():
        raise Conflict(
            _("%(member)s is already recorded in %(parent)s with this role.")
            % {"member": member, "parent": parent},
            field="member",
        )
    with transaction.atomic():
        membership = Membership.objects.create(
            member=member, parent=parent, role=role, start_date=start_date, end_date=end_date
        )
        audit(actor=actor, verb="membership.create", target=membership)
    return membership


def membership_update(
    *,
    actor: Any,
    membership: Membership,
    role: str | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> Membership:
    permissions.require(permissions.can_edit(actor, membership.parent))
    if role is not None:
        if role not in Membership.Role.values:
            raise ApplicationError(_("Unknown membership role."), field="role")
        membership.role = role
    membership.start_date = start_date if start_date is not None else membership.start_date
    membership.end_date = end_date if end_date is not None else membership.end_date
    _check_dates(membership.start_date, membership.end_date)
    with transaction.atomic():
        membership.save()
        audit(actor=actor, verb="membership.update", target=membership)
    return membership


def membership_delete(*, actor: Any, membership: Membership) -> None:
    """Editors of the parent, or of the member (leaving), may remove a membership."""
    permissions.require(
        permissions.can_edit(actor, membership.parent)
        or permissions.can_edit(actor, membership.member)
    )
    with transaction.atomic():
        audit(actor=actor, verb="membership.delete", target=membership)
        membership.delete()


def person_invite(
    *, actor: Any, organisation: Organisation, email: str, role: str = "member", base_url: str = ""
) -> tuple[Invitation, str]:
    """Invite someone by e-mail; return the invitation and the raw token (sent, never stored)."""
    permissions.require(permissions.can_manage_people(actor, organisation))
    if role not in OrganisationRole.Role.values:
        raise ApplicationError(_("Unknown role."), field="role")
    email = User.objects.normalize_email(email.strip()).lower()
    if "@" not in email:
        raise ApplicationError(_("Give a valid e-mail address."), field="email")
    if OrganisationRole.objects.filter(
        organisation=organisation, user__email__iexact=email
    ).exists():
        raise Conflict(_("This person already belongs to the organisation."), field="email")
    raw = new_token()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=hash_token(raw),
            invited_by=actor,
            expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
        )
        audit(
            actor=actor,
            verb="person.invite",
            target=organisation,
            data={"email": email, "role": role},
        )
        link = base_url + reverse("directory:invitation", kwargs={"token": raw})

        def send() -> None:
            send_mail(
                subject=_("You are invited to join %(org)s on %(site)s")
                % {"org": organisation.name, "site": settings.CITYPEERS_SITE_NAME},
                message=_(
                    "%(inviter)s invites you to join %(org)s as %(role)s.\n\n"
                    "Open this link to accept (valid for %(days)d days):\n%(link)s\n"
                )
                % {
                    "inviter": actor,
                    "org": organisation.name,
                    "role": invitation.get_role_display(),
                    "days": INVITATION_DAYS,
                    "link": link,
                },
                from_email=None,
                recipient_list=[email],
            )

        transaction.on_commit(send)
    return invitation, raw


def invitation_get(*, token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None or not invitation.is_open:
        raise NotFound(_("This invitation is not valid any more: ask for a new one."))
    return invitation


def invitation_accept(*, user: Any, token: str) -> OrganisationRole:
    if not permissions.is_signed_in(user):
        raise permissions.PermissionDenied(_("Sign in to accept the invitation."))
    with transaction.atomic():
        invitation = invitation_get(token=token)
        if (user.email or "").lower() != invitation.email.lower():
            # The link may have been forwarded: only the invited address can take the role.
            raise permissions.PermissionDenied(
                _("This invitation was sent to another e-mail address: sign in with that account.")
            )
        held = OrganisationRole.objects.filter(
            user=user, organisation=invitation.organisation
        ).first()
        if held is not None and held.role == OrganisationRole.Role.ADMIN != invitation.role:
            _keep_one_admin(invitation.organisation, leaving=user)
        role, _created = OrganisationRole.objects.update_or_create(
            user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        permissions.forget_roles(user)
        audit(actor=user, verb="invitation.accept", target=invitation.organisation)
    return role


def person_add(
    *, actor: Any, organisation: Organisation, user: User, role: str = "member"
) -> OrganisationRole:
    """Give an existing account a role at once, without an invitation: for staff and org admins
    (the demo loader uses it; invitations remain the way to bring in someone new)."""
    permissions.require(permissions.can_manage_people(actor, organisation))
    if role not in OrganisationRole.Role.values:
        raise ApplicationError(_("Unknown role."), field="role")
    if OrganisationRole.objects.filter(organisation=organisation, user=user).exists():
        raise Conflict(_("This person already belongs to the organisation."), field="user")
    with transaction.atomic():
        held = OrganisationRole.objects.create(user=user, organisation=organisation, role=role)
        permissions.forget_roles(user)
        audit(
            actor=actor,
            verb="person.add",
            target=organisation,
            data={"user": user.pk, "role": role},
        )
    return held


def person_set_role(
    *, actor: Any, organisation: Organisation, user: User, role: str
) -> OrganisationRole:
    permissions.require(permissions.can_manage_people(actor, organisation))
    if role not in OrganisationRole.Role.values:
        raise ApplicationError(_("Unknown role."), field="role")
    with transaction.atomic():
        current = (
            OrganisationRole.objects.select_for_update()
            .filter(organisation=organisation, user=user)
            .first()
        )
        if current is None:
            raise NotFound(_("This person does not belong to the organisation."))
        if current.role == OrganisationRole.Role.ADMIN and role != current.role:
            _keep_one_admin(organisation, leaving=user)
        current.role = role
        current.save(update_fields=["role"])
        permissions.forget_roles(user)
        audit(
            actor=actor,
            verb="person.role",
            target=organisation,
            data={"user": user.pk, "role": role},
        )
    return current


def _keep_one_admin(organisation: Organisation, leaving: User) -> None:
    others = OrganisationRole.objects.filter(
        organisation=organisation, role=OrganisationRole.Role.ADMIN
    ).exclude(user=leaving)
    if not others.exists():
        raise ApplicationError(
            _("An organisation keeps at least one admin: name another admin first."), field="user"
        )


def person_remove(*, actor: Any, organisation: Organisation, user: User) -> None:
    """An org admin removes someone; anyone may leave an organisation themselves."""
    permissions.require(
        permissions.can_manage_people(actor, organisation)
        or (permissions.is_signed_in(actor) and actor.pk == user.pk)
    )
    with transaction.atomic():
        current = OrganisationRole.objects.filter(organisation=organisation, user=user).first()
        if current is None:
            raise NotFound(_("This person does not belong to the organisation."))
        if current.role == OrganisationRole.Role.ADMIN:
            _keep_one_admin(organisation, leaving=user)
        current.delete()
        permissions.forget_roles(user)
        audit(actor=actor, verb="person.remove", target=organisation, data={"user": user.pk})
