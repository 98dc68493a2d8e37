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

from . import permissions, selectors
from .models import (
    ASSOCIATION_TYPES,
    ActorType,
    ClaimStatus,
    ManagementClaim,
    Membership,
    Organisation,
    ProfileItem,
    Theme,
)
from .themes import THEMES

LANGUAGE_CODES = {"en", "fr", "es", "pt", "ar", "de", "it", "zh", "ru", "sw", "nl", "ja", "ko"}
INVITATION_DAYS = 14
# Address names the directory's own pages use (``/directory/new/``, ``/directory/claims/``): never
# an organisation's.
RESERVED_SLUGS = {"new", "claims"}

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
        return _role_grant(actor=actor, organisation=organisation, user=user, role=role)


def _role_grant(
    *,
    actor: Any,
    organisation: Organisation,
    user: User,
    role: str,
    data: dict[str, Any] | None = None,
) -> OrganisationRole:
    """Give ``user`` the ``role`` in ``organisation``: a new role (audited ``person.add``) or a
    change of the one they hold (``person.role``), nothing when they hold it already.

    The one write of roles shared by :func:`person_add` and an approved management claim
    (:func:`claim_decide`). Callers check permission and run it inside their transaction.
    """
    held = (
        OrganisationRole.objects.select_for_update()
        .filter(organisation=organisation, user=user)
        .first()
    )
    if held is None:
        held = OrganisationRole.objects.create(user=user, organisation=organisation, role=role)
        verb = "person.add"
    elif held.role != role:
        if held.role == OrganisationRole.Role.ADMIN:
            _keep_one_admin(organisation, leaving=user)
        held.role = role
        held.save(update_fields=["role"])
        verb = "person.role"
    else:
        return held
    permissions.forget_roles(user)
    audit(
        actor=actor,
        verb=verb,
        target=organisation,
        data={"user": user.pk, "role": role, **(data or {})},
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


#: The longest side of a stored logo, in pixels: logos are shown small.
LOGO_MAX_SIDE = 512


def _logo_png(upload: Any) -> bytes:
    """The upload redrawn as a PNG of at most ``LOGO_MAX_SIDE`` pixels a side.

    Redrawing keeps the picture and drops everything else the file carried: metadata (a phone's
    GPS position), extra frames, and any bytes a crafted file hides beside the image.
    """
    import io

    from PIL import Image

    upload.seek(0)
    with Image.open(upload) as image:
        image.seek(0)  # the first frame of an animation
        picture = image.convert("RGBA")
    picture.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def organisation_set_logo(*, actor: Any, organisation: Organisation, upload: Any) -> Organisation:
    """Replace the logo by ``upload`` (a PNG, JPEG, GIF or WebP picture), or remove it when
    ``upload`` is ``None``. The previous file is deleted once the change is committed."""
    from django.core.files.base import ContentFile

    from citypeers.core.uploads import validate_image

    permissions.require(permissions.can_edit(actor, organisation))
    content: ContentFile[bytes] | None = None
    if upload is not None:
        try:
            validate_image(upload)
            content = ContentFile(_logo_png(upload))
        except ValidationError as exc:
            raise ApplicationError(" ".join(exc.messages), field="logo") from exc
        except OSError as exc:  # a picture Pillow recognised but cannot draw
            raise ApplicationError(
                _("The picture could not be read; save it again as PNG or JPEG."), field="logo"
            ) from exc
    previous = organisation.logo.name if organisation.logo else ""
    storage = organisation.logo.storage
    stored = ""
    try:
        with transaction.atomic():
            if content is not None:
                try:
                    organisation.logo.save(f"{organisation.slug}.png", content, save=False)
                except OSError as exc:  # a full or read-only media folder
                    raise ApplicationError(
                        _("The picture could not be stored; please try again later."),
                        field="logo",
                    ) from exc
                stored = organisation.logo.name or ""
            else:
                organisation.logo = None
            organisation.save(update_fields=["logo", "updated_at"])
            audit(
                actor=actor,
                verb="organisation.logo" if content is not None else "organisation.logo_remove",
                target=organisation,
            )
            _after_saved(organisation.pk)
            if previous:
                transaction.on_commit(lambda: storage.delete(previous))
    except BaseException:
        if stored:  # nothing half-written: the new file goes with the failed change
            storage.delete(stored)
        organisation.logo.name = previous
        raise
    return organisation


# --- management claims -------------------------------------------------------------------------
#
# An organisation without an organisation admin (every one the imports create) is taken in charge
# through a claim: a signed-in person asks, a platform moderator approves (the person becomes its
# organisation admin) or rejects with a reason. Other waiting claims on the same organisation stay
# waiting after an approval: the moderator decides each one (the queue shows that the
# organisation has an admin by then), so a mistaken first approval never closes the claim of the
# real officer.

#: How many claims one person may have waiting at once: the moderators read each of them.
CLAIMS_PENDING_MAX = 5


def _claim_text(
    value: Any, field: str, limit: int, *, required: str = "", one_line: bool = False
) -> str:
    """Plain text for a claim: stripped, at most ``limit`` characters (shown escaped)."""
    text = str(value or "").strip()
    if one_line:
        text = " ".join(text.split())
    if "\x00" in text:
        raise ApplicationError(_("The text holds a NUL character."), field=field)
    if required and not text:
        raise ApplicationError(required, field=field)
    if len(text) > limit:
        raise ApplicationError(
            _("At most %(limit)d characters (this is %(length)d).")
            % {"limit": limit, "length": len(text)},
            field=field,
        )
    return text


def _language_of(user: Any) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    preferred = getattr(user, "preferred_language", "") or ""
    return preferred if preferred in codes else settings.LANGUAGE_CODE.split("-")[0]


def _notify_each_in_language(
    users: Iterable[Any],
    *,
    kind: str,
    message: Callable[[], str],
    url_name: str,
    url_kwargs: dict[str, Any] | None = None,
    actor: Any,
    target: tuple[str, Any],
    email: bool = False,
) -> None:
    """Notify ``users`` (each in their language, with the page's address in that language)."""
    from django.utils import translation

    from citypeers.notifications.services import notify

    by_language: dict[str, list[Any]] = {}
    for user in users:
        by_language.setdefault(_language_of(user), []).append(user)
    for language, group in by_language.items():
        with translation.override(language):
            url = reverse(url_name, kwargs=url_kwargs)
        notify(group, kind=kind, message=message, url=url, actor=actor, target=target, email=email)


def _platform_moderators() -> list[User]:
    from django.db.models import Q

    return list(
        User.objects.filter(Q(is_moderator=True) | Q(is_staff=True), is_active=True).only(
            "pk", "is_active", "preferred_language"
        )
    )


def _claim_target(claim: ManagementClaim) -> tuple[str, Any]:
    return ("directory.managementclaim", claim.pk)


def claim_create(
    *, actor: Any, organisation: Organisation, position: str, message: str = ""
) -> ManagementClaim:
    """Ask to become the organisation admin of ``organisation``, which has none; the platform
    moderators are notified and decide (:func:`claim_decide`).

    An organisation that has admins is a 409: they invite people themselves. A second waiting
    claim of the same person on the same organisation is a 409 (also a database constraint).
    """
    permissions.require(
        permissions.can_claim(actor), _("Sign in to ask to manage an organisation.")
    )
    position = _claim_text(
        position,
        "position",
        ManagementClaim.POSITION_MAX,
        required=_("Give your position or role title in the organisation."),
        one_line=True,
    )
    message = _claim_text(message, "message", ManagementClaim.MESSAGE_MAX)
    with transaction.atomic():
        if selectors.organisation_has_admin(organisation_id=organisation.pk):
            raise Conflict(
                _(
                    "%(name)s already has organisation admins: ask one of them to invite you "
                    "(from the organisation's People page)."
                )
                % {"name": organisation.name},
                field="organisation",
            )
        if selectors.claim_pending(organisation_id=organisation.pk, requester_id=actor.pk):
            raise Conflict(
                _("You already asked to manage %(name)s: a moderator will answer.")
                % {"name": organisation.name},
                field="organisation",
            )
        waiting = ManagementClaim.objects.filter(
            requester=actor, status=ClaimStatus.PENDING
        ).count()
        if waiting >= CLAIMS_PENDING_MAX:
            raise Conflict(
                _(
                    "You have %(count)d requests waiting already: wait for the moderators' "
                    "answers, or withdraw one."
                )
                % {"count": waiting},
                field="organisation",
            )
        claim = ManagementClaim(
            organisation=organisation, requester=actor, position=position, message=message
        )
        try:
            with transaction.atomic():
                claim.save()
        except IntegrityError as exc:  # the same claim sent twice at once
            raise Conflict(
                _("You already asked to manage %(name)s: a moderator will answer.")
                % {"name": organisation.name},
                field="organisation",
            ) from exc
        audit(
            actor=actor,
            verb="claim.create",
            target=claim,
            data={"organisation": organisation.pk, "position": position},
        )
        person, name = str(actor), organisation.name
        _notify_each_in_language(
            _platform_moderators(),
            kind="directory.claim",
            message=lambda: (
                _("%(person)s (%(position)s) asks to manage %(organisation)s.")
                % {"person": person, "position": position, "organisation": name}
            ),
            url_name="directory:claims",
            actor=actor,
            target=_claim_target(claim),
        )
    return claim


def _locked_pending(claim: ManagementClaim) -> ManagementClaim:
    locked = (
        ManagementClaim.objects.select_for_update(of=("self",))  # not the outer-joined requester
        .select_related("organisation", "requester")
        .get(pk=claim.pk)
    )
    if not locked.is_pending:
        raise Conflict(
            _("This request is not waiting any more: it was %(status)s.")
            % {"status": locked.get_status_display().lower()},
            field="status",
        )
    return locked


def _copy_decision(source: ManagementClaim, claim: ManagementClaim) -> ManagementClaim:
    for field in ("status", "decided_by_id", "decided_at", "decision_reason"):
        setattr(claim, field, getattr(source, field))
    return claim


def claim_withdraw(*, actor: Any, claim: ManagementClaim) -> ManagementClaim:
    """The requester takes back a claim that is still waiting."""
    permissions.require(
        permissions.is_signed_in(actor) and claim.requester_id == actor.pk,
        _("Only the person who asked can withdraw the request."),
    )
    with transaction.atomic():
        locked = _locked_pending(claim)
        locked.status = ClaimStatus.WITHDRAWN
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        audit(
            actor=actor,
            verb="claim.withdraw",
            target=locked,
            data={"organisation": locked.organisation_id},
        )
    return _copy_decision(locked, claim)


def claim_decide(
    *, actor: Any, claim: ManagementClaim, approve: bool, reason: str = ""
) -> ManagementClaim:
    """A platform moderator approves a waiting claim (its requester becomes organisation admin,
    through the same write as :func:`person_add`) or rejects it with a reason the requester
    reads. The requester is notified either way, by e-mail too.

    Moderators do not decide their own claims. Approving is possible when the organisation got
    an admin in the meantime: the moderator sees it in the queue and judges.
    """
    permissions.require(
        permissions.can_decide_claims(actor),
        _("Only platform moderators decide requests to manage an organisation."),
    )
    if claim.requester_id is not None and claim.requester_id == actor.pk:
        raise permissions.PermissionDenied(_("Another moderator decides your own request."))
    reason = _claim_text(
        reason,
        "reason",
        ManagementClaim.REASON_MAX,
        required="" if approve else _("Give the reason: the person who asked reads it."),
    )
    with transaction.atomic():
        locked = _locked_pending(claim)
        organisation, requester = locked.organisation, locked.requester
        if approve:
            if requester is None or not requester.is_active:
                raise Conflict(
                    _("The account that asked is closed: reject the request instead."),
                    field="approve",
                )
            _role_grant(
                actor=actor,
                organisation=organisation,
                user=requester,
                role=OrganisationRole.Role.ADMIN,
                data={"claim": locked.pk},
            )
        locked.status = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit(
            actor=actor,
            verb="claim.approve" if approve else "claim.reject",
            target=locked,
            data={"organisation": organisation.pk, "reason": reason},
        )
        if requester is not None:
            name = organisation.name
            if approve:
                _notify_each_in_language(
                    [requester],
                    kind="directory.claim_approved",
                    message=lambda: (
                        _(
                            "Your request to manage %(organisation)s is approved: you are now "
                            "its organisation admin."
                        )
                        % {"organisation": name}
                    ),
                    url_name="directory:organisation",
                    url_kwargs={"slug": organisation.slug},
                    actor=actor,
                    target=_claim_target(locked),
                    email=True,
                )
            else:
                _notify_each_in_language(
                    [requester],
                    kind="directory.claim_rejected",
                    message=lambda: (
                        _("Your request to manage %(organisation)s is rejected: %(reason)s")
                        % {"organisation": name, "reason": reason}
                    ),
                    url_name="directory:claims-mine",
                    actor=actor,
                    target=_claim_target(locked),
                    email=True,
                )
    return _copy_decision(locked, claim)
