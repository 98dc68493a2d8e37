"""The permission matrix of the directory, checked at the service level.

Each row of a table is one (actor, action) pair and what must happen: the action succeeds and
leaves an audit event, or the service raises ``PermissionDenied`` and nothing changes. The HTTP
interfaces turn ``PermissionDenied`` into a 403; their own tests check that.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser

from citypeers.accounts.models import AuditEvent, Invitation, OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import ApplicationError, PermissionDenied
from citypeers.directory import selectors, services
from citypeers.directory.models import ActorType, Membership, Organisation
from citypeers.directory.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    OrganisationRoleFactory,
)

pytestmark = pytest.mark.django_db

Role = OrganisationRole.Role
YES, NO = True, False

# The actors of the matrix, relative to "the organisation" of each test.
ACTORS = (
    "anonymous",
    "member",
    "editor",
    "admin",
    "admin of another organisation",
    "moderator",
    "staff",
)


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Demo Water Alliance", actor_type=ActorType.NGO)


@pytest.fixture
def other():
    return OrganisationFactory(name="Another Organisation", actor_type=ActorType.NGO)


def make_actor(kind, organisation, other):
    """The user playing ``kind`` towards ``organisation``."""
    if kind == "anonymous":
        return AnonymousUser()
    if kind in ("member", "editor", "admin"):
        return OrganisationRoleFactory(organisation=organisation, role=kind).user
    if kind == "admin of another organisation":
        return OrganisationRoleFactory(organisation=other, role=Role.ADMIN).user
    if kind == "moderator":
        return UserFactory(is_moderator=True)
    if kind == "staff":
        return UserFactory(is_staff=True)
    raise AssertionError(kind)


def audited(verb: str) -> int:
    return AuditEvent.objects.filter(verb=verb).count()


def check(allowed: bool, verb: str, act: Callable[[], object]) -> None:
    """Run ``act``: it succeeds and writes one ``verb`` audit event, or is refused with 403."""
    before = audited(verb)
    if allowed:
        act()
        assert audited(verb) == before + 1
    else:
        with pytest.raises(PermissionDenied) as refused:
            act()
        assert refused.value.status == 403
        assert audited(verb) == before


# --- organisations: view, create, edit, delete ----------------------------------------------------

ORGANISATION_MATRIX = {
    # actor                            view create edit delete
    "anonymous": (YES, NO, NO, NO),
    "member": (YES, YES, NO, NO),
    "editor": (YES, YES, YES, NO),
    "admin": (YES, YES, YES, YES),
    "admin of another organisation": (YES, YES, NO, NO),
    "moderator": (YES, YES, YES, YES),
    "staff": (YES, YES, YES, YES),
}
ACTIONS = ("view", "create", "edit", "delete")


def test_the_matrix_covers_every_actor():
    assert set(ORGANISATION_MATRIX) == set(ACTORS)


@pytest.mark.parametrize(
    ("actor_kind", "action", "allowed"),
    [
        pytest.param(actor, action, row[i], id=f"{actor}-{action}")
        for actor, row in ORGANISATION_MATRIX.items()
        for i, action in enumerate(ACTIONS)
    ],
)
def test_organisation_matrix(actor_kind, action, allowed, organisation, other):
    actor = make_actor(actor_kind, organisation, other)

    if action == "view":
        # Viewing is open to everyone: the selector takes no actor, and returns the profile.
        assert selectors.organisation_get(slug=organisation.slug) == organisation
        return
    if action == "create":
        check(
            allowed,
            "organisation.create",
            lambda: services.organisation_create(
                actor=actor,
                name="Demo Urban Lab",
                actor_type=ActorType.ACADEMIA,
                country=organisation.country,
            ),
        )
        assert Organisation.objects.filter(name="Demo Urban Lab").exists() is allowed
    elif action == "edit":
        check(
            allowed,
            "organisation.update",
            lambda: services.organisation_update(
                actor=actor, organisation=organisation, website="https://example.org/"
            ),
        )
        organisation.refresh_from_db()
        assert (organisation.website == "https://example.org/") is allowed
    elif action == "delete":
        check(
            allowed,
            "organisation.delete",
            lambda: services.organisation_delete(actor=actor, organisation=organisation),
        )
        assert Organisation.objects.filter(pk=organisation.pk).exists() is not allowed


def test_the_creator_becomes_the_organisations_admin():
    user = UserFactory()
    created = services.organisation_create(
        actor=user, name="Demo Urban Lab", actor_type=ActorType.NETWORK
    )
    assert OrganisationRole.objects.get(user=user, organisation=created).role == Role.ADMIN
    # And, being admin now, may delete it straight away (the role cache was refreshed).
    services.organisation_delete(actor=user, organisation=created)


def test_an_inactive_account_is_refused_like_an_anonymous_one(organisation):
    admin = OrganisationRoleFactory(organisation=organisation, role=Role.ADMIN).user
    admin.is_active = False
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=admin, organisation=organisation, website="")


def test_profile_items_follow_the_edit_column(organisation, other):
    editor = make_actor("editor", organisation, other)
    member = make_actor("member", organisation, other)
    theme = selectors.theme_list().get(slug="water-sanitation")
    item = services.profile_item_add(
        actor=editor, organisation=organisation, kind="challenge", theme=theme, text="Leaks."
    )
    with pytest.raises(PermissionDenied):
        services.profile_item_add(
            actor=member, organisation=organisation, kind="expertise", theme=theme, text="Pipes."
        )
    with pytest.raises(PermissionDenied):
        services.profile_item_remove(actor=member, item=item)
    services.profile_item_remove(actor=editor, item=item)
    assert not organisation.profile_items.exists()


# --- memberships ---------------------------------------------------------------------------------
# "parent" is the association; "member" the organisation that belongs to it.

MEMBERSHIP_CREATE = {
    # who the actor is                       may record the membership
    "anonymous": NO,
    "editor of the parent": YES,
    "admin of the parent": YES,
    "member (role) of the parent": NO,
    "editor of the member": NO,
    "admin of another organisation": NO,
    "moderator": YES,
    "staff": YES,
}

MEMBERSHIP_DELETE = {
    "anonymous": NO,
    "editor of the parent": YES,
    "admin of the parent": YES,
    "member (role) of the parent": NO,
    "editor of the member": YES,  # leaving the association
    "member (role) of the member": NO,
    "admin of another organisation": NO,
    "moderator": YES,
    "staff": YES,
}


@pytest.fixture
def association():
    return OrganisationFactory(name="Demo Association of Municipalities", actor_type=ActorType.LGA)


def membership_actor(kind, parent, member):
    if kind == "anonymous":
        return AnonymousUser()
    if kind in ("moderator", "staff", "admin of another organisation"):
        return make_actor(kind, parent, OrganisationFactory())
    role, _of, side = kind.partition(" of the ")
    role = role.replace(" (role)", "")
    return OrganisationRoleFactory(
        organisation=parent if side == "parent" else member, role=role
    ).user


@pytest.mark.parametrize(("actor_kind", "allowed"), MEMBERSHIP_CREATE.items())
def test_membership_create_matrix(actor_kind, allowed, association, organisation):
    actor = membership_actor(actor_kind, association, organisation)
    check(
        allowed,
        "membership.create",
        lambda: services.membership_create(actor=actor, member=organisation, parent=association),
    )
    assert Membership.objects.filter(parent=association).exists() is allowed


@pytest.mark.parametrize(("actor_kind", "allowed"), MEMBERSHIP_DELETE.items())
def test_membership_delete_matrix(actor_kind, allowed, association, organisation):
    membership = MembershipFactory(member=organisation, parent=association)
    actor = membership_actor(actor_kind, association, organisation)
    check(
        allowed,
        "membership.delete",
        lambda: services.membership_delete(actor=actor, membership=membership),
    )
    assert Membership.objects.filter(pk=membership.pk).exists() is not allowed


def test_membership_update_is_for_editors_of_the_parent_only(association, organisation):
    membership = MembershipFactory(member=organisation, parent=association)
    member_editor = OrganisationRoleFactory(organisation=organisation, role=Role.EDITOR).user
    parent_editor = OrganisationRoleFactory(organisation=association, role=Role.EDITOR).user
    with pytest.raises(PermissionDenied):
        services.membership_update(actor=member_editor, membership=membership, role="observer")
    check(
        YES,
        "membership.update",
        lambda: services.membership_update(
            actor=parent_editor, membership=membership, role="board_member"
        ),
    )
    membership.refresh_from_db()
    assert membership.role == "board_member"


# --- people: invite, remove, set role ---------------------------------------------------------

PEOPLE_MATRIX = {
    # actor                            manage people of the organisation
    "anonymous": NO,
    "member": NO,
    "editor": NO,
    "admin": YES,
    "admin of another organisation": NO,
    "moderator": NO,  # moderators handle content, not who acts for an organisation
    "staff": YES,
}


def test_the_people_matrix_covers_every_actor():
    assert set(PEOPLE_MATRIX) == set(ACTORS)


@pytest.fixture
def with_an_admin(organisation):
    """Every organisation under test keeps an admin of its own, so removals are not blocked."""
    return OrganisationRoleFactory(organisation=organisation, role=Role.ADMIN)


@pytest.mark.parametrize(("actor_kind", "allowed"), PEOPLE_MATRIX.items())
def test_invite_matrix(actor_kind, allowed, organisation, other, with_an_admin):
    actor = make_actor(actor_kind, organisation, other)
    check(
        allowed,
        "person.invite",
        lambda: services.person_invite(
            actor=actor, organisation=organisation, email="new.person@example.org"
        ),
    )
    assert Invitation.objects.filter(organisation=organisation).exists() is allowed


@pytest.mark.parametrize(("actor_kind", "allowed"), PEOPLE_MATRIX.items())
def test_remove_matrix(actor_kind, allowed, organisation, other, with_an_admin):
    target = OrganisationRoleFactory(organisation=organisation, role=Role.MEMBER).user
    actor = make_actor(actor_kind, organisation, other)
    check(
        allowed,
        "person.remove",
        lambda: services.person_remove(actor=actor, organisation=organisation, user=target),
    )
    exists = OrganisationRole.objects.filter(organisation=organisation, user=target).exists()
    assert exists is not allowed


@pytest.mark.parametrize(("actor_kind", "allowed"), PEOPLE_MATRIX.items())
def test_set_role_matrix(actor_kind, allowed, organisation, other, with_an_admin):
    target = OrganisationRoleFactory(organisation=organisation, role=Role.MEMBER).user
    actor = make_actor(actor_kind, organisation, other)
    check(
        allowed,
        "person.role",
        lambda: services.person_set_role(
            actor=actor, organisation=organisation, user=target, role=Role.EDITOR
        ),
    )
    role = OrganisationRole.objects.get(organisation=organisation, user=target).role
    assert role == (Role.EDITOR if allowed else Role.MEMBER)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.EDITOR, Role.ADMIN])
def test_anyone_may_leave(role, organisation, with_an_admin):
    person = OrganisationRoleFactory(organisation=organisation, role=role).user
    check(
        YES,
        "person.remove",
        lambda: services.person_remove(actor=person, organisation=organisation, user=person),
    )
    assert not OrganisationRole.objects.filter(organisation=organisation, user=person).exists()


def test_the_last_admin_can_neither_leave_nor_be_demoted(organisation):
    only_admin = OrganisationRoleFactory(organisation=organisation, role=Role.ADMIN).user
    staff = UserFactory(is_staff=True)

    with pytest.raises(ApplicationError) as leaving:
        services.person_remove(actor=only_admin, organisation=organisation, user=only_admin)
    assert leaving.value.field == "user"
    with pytest.raises(ApplicationError):
        services.person_remove(actor=staff, organisation=organisation, user=only_admin)
    with pytest.raises(ApplicationError):
        services.person_set_role(
            actor=only_admin, organisation=organisation, user=only_admin, role=Role.EDITOR
        )
    assert OrganisationRole.objects.get(organisation=organisation, user=only_admin).role == "admin"
    assert audited("person.remove") == audited("person.role") == 0

    # With a second admin named, the first may step down.
    second = OrganisationRoleFactory(organisation=organisation, role=Role.MEMBER).user
    services.person_set_role(
        actor=only_admin, organisation=organisation, user=second, role=Role.ADMIN
    )
    services.person_set_role(
        actor=only_admin, organisation=organisation, user=only_admin, role=Role.EDITOR
    )
    assert OrganisationRole.objects.get(organisation=organisation, user=only_admin).role == "editor"


def test_a_demoted_admin_loses_the_right_at_once(organisation):
    first = OrganisationRoleFactory(organisation=organisation, role=Role.ADMIN).user
    second = OrganisationRoleFactory(organisation=organisation, role=Role.ADMIN).user
    services.person_invite(actor=first, organisation=organisation, email="a@example.org")
    services.person_set_role(actor=second, organisation=organisation, user=first, role="member")
    # ``first`` held a cached "admin" from the invite: the change of role must not leave it behind.
    with pytest.raises(PermissionDenied):
        services.person_invite(actor=first, organisation=organisation, email="b@example.org")
