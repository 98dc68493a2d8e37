"""The permission matrix of the partnership registry, checked at the service level.

The scene of every row: a *proposed* partnership between the organisation "ours" (lead, accepted)
and "peer" (accepted), which has also invited "invited" (not answered yet); "elsewhere" is an
organisation outside the partnership. Each cell runs one action as one actor: it succeeds and
leaves its audit event (and a history entry where the partnership survives), or the service
raises ``PermissionDenied`` and nothing changes. The HTTP interfaces turn that into a 403.

| actor | view | view declined | propose | edit | change status | answer | delete |
| --- | --- | --- | --- | --- | --- | --- | --- |
| anonymous | yes | no | no | no | no | no | no |
| member (role) of ours | yes | no | no | no | no | no | no |
| editor of ours | yes | yes | yes | yes | yes | no | no |
| admin of elsewhere | yes | no | no | no | no | no | no |
| editor of invited | yes | yes | no | no | no | yes | no |
| moderator | yes | yes | yes | yes | yes | yes | yes |
| staff | yes | yes | yes | yes | yes | yes | yes |

"propose" is proposing a partnership *for ours*; an invited organisation may edit and change the
status only once it has accepted. Moderators and staff may do what members' editors may, and
answer for an organisation too (platform moderation of stuck proposals).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser

from citypeers.accounts.models import AuditEvent, OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import PermissionDenied
from citypeers.directory.models import ActorType
from citypeers.directory.tests.factories import OrganisationFactory, OrganisationRoleFactory
from citypeers.partnerships import permissions, selectors, services
from citypeers.partnerships.models import Modality, Partnership, PartnershipEvent, Status
from citypeers.partnerships.tests.factories import PartnershipFactory, PartnershipMemberFactory

pytestmark = pytest.mark.django_db

Role = OrganisationRole.Role
YES, NO = True, False

ACTIONS = ("view", "view declined", "propose", "edit", "change status", "answer", "delete")
MATRIX = {
    # actor                   view view-declined propose edit status answer delete
    "anonymous": (YES, NO, NO, NO, NO, NO, NO),
    "member of ours": (YES, NO, NO, NO, NO, NO, NO),
    "editor of ours": (YES, YES, YES, YES, YES, NO, NO),
    "admin of elsewhere": (YES, NO, NO, NO, NO, NO, NO),
    "editor of invited": (YES, YES, NO, NO, NO, YES, NO),
    "moderator": (YES, YES, YES, YES, YES, YES, YES),
    "staff": (YES, YES, YES, YES, YES, YES, YES),
}


class Scene:
    def __init__(self) -> None:
        self.ours = OrganisationFactory(name="Ville de Dakar", actor_type=ActorType.MUNICIPALITY)
        self.peer = OrganisationFactory(name="Gemeente Utrecht", actor_type=ActorType.MUNICIPALITY)
        self.invited = OrganisationFactory(name="Demo LGA", actor_type=ActorType.LGA)
        self.elsewhere = OrganisationFactory(name="Demo NGO", actor_type=ActorType.NGO)
        self.partnership = PartnershipFactory(
            status=Status.PROPOSED,
            started_on=None,
            members=[(self.ours, "lead"), (self.peer, "partner")],
        )
        PartnershipMemberFactory(
            partnership=self.partnership, organisation=self.invited, accepted=False
        )

    def actor(self, kind: str):
        if kind == "anonymous":
            return AnonymousUser()
        if kind == "moderator":
            return UserFactory(is_moderator=True)
        if kind == "staff":
            return UserFactory(is_staff=True)
        role, _of, organisation = kind.partition(" of ")
        return OrganisationRoleFactory(
            organisation=getattr(self, organisation),
            role={"member": Role.MEMBER, "editor": Role.EDITOR, "admin": Role.ADMIN}[role],
        ).user


@pytest.fixture
def scene() -> Scene:
    return Scene()


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


def test_the_matrix_covers_every_action():
    assert all(len(row) == len(ACTIONS) for row in MATRIX.values())


@pytest.mark.parametrize(
    ("actor_kind", "action", "allowed"),
    [
        pytest.param(actor, action, row[i], id=f"{actor}-{action}")
        for actor, row in MATRIX.items()
        for i, action in enumerate(ACTIONS)
    ],
)
def test_partnership_matrix(scene, actor_kind, action, allowed):
    actor = scene.actor(actor_kind)
    partnership = scene.partnership
    history = PartnershipEvent.objects.filter(partnership=partnership)

    if action == "view":
        assert permissions.can_view(actor, partnership) is allowed
        assert partnership in selectors.partnership_list()
    elif action == "view declined":
        Partnership.objects.filter(pk=partnership.pk).update(status=Status.DECLINED)
        partnership.refresh_from_db()
        assert permissions.can_view(actor, partnership) is allowed
        assert partnership not in selectors.partnership_list()
    elif action == "propose":
        newcomer = OrganisationFactory(name="Demo Water Alliance")
        check(
            allowed,
            "partnership.create",
            lambda: services.partnership_create(
                actor=actor,
                title="Waste pickers and the city",
                modality=Modality.C2C,
                members=[(scene.ours, "lead"), (newcomer, "partner")],
            ),
        )
        assert Partnership.objects.filter(title="Waste pickers and the city").exists() is allowed
    elif action == "edit":
        check(
            allowed,
            "partnership.update",
            lambda: services.partnership_update(
                actor=actor, partnership=partnership, title="Renamed"
            ),
        )
        assert Partnership.objects.filter(title="Renamed").exists() is allowed
        assert history.filter(kind="updated").exists() is allowed
    elif action == "change status":
        check(
            allowed,
            "partnership.status",
            lambda: services.partnership_set_status(
                actor=actor, partnership=partnership, status=Status.DECLINED, reason="Withdrawn"
            ),
        )
        partnership.refresh_from_db()
        assert (partnership.status == Status.DECLINED) is allowed
    elif action == "answer":
        check(
            allowed,
            "partnership.accept",
            lambda: services.partnership_answer(
                actor=actor, partnership=partnership, organisation=scene.invited, accept=True
            ),
        )
        partnership.refresh_from_db()
        assert (partnership.status == Status.ACTIVE) is allowed
        assert history.filter(kind="accepted").exists() is allowed
    elif action == "delete":
        check(
            allowed,
            "partnership.delete",
            lambda: services.partnership_delete(actor=actor, partnership=partnership),
        )
        assert Partnership.objects.filter(pk=partnership.pk).exists() is not allowed
    else:
        raise AssertionError(action)


def test_an_invited_organisation_edits_once_it_has_accepted(scene):
    editor = scene.actor("editor of invited")
    with pytest.raises(PermissionDenied):
        services.partnership_update(actor=editor, partnership=scene.partnership, title="Ours now")

    services.partnership_answer(
        actor=editor, partnership=scene.partnership, organisation=scene.invited, accept=True
    )
    services.partnership_update(actor=editor, partnership=scene.partnership, title="Ours now")

    assert Partnership.objects.get(pk=scene.partnership.pk).title == "Ours now"


def test_an_inactive_editor_is_refused_like_an_anonymous_one(scene):
    editor = scene.actor("editor of ours")
    editor.is_active = False
    with pytest.raises(PermissionDenied):
        services.partnership_update(actor=editor, partnership=scene.partnership, title="X")
    assert not permissions.can_edit(editor, scene.partnership)


def test_an_admin_of_a_member_organisation_counts_as_its_editor(scene):
    admin = OrganisationRoleFactory(organisation=scene.peer, role=Role.ADMIN).user
    assert permissions.can_edit(admin, scene.partnership)
    assert permissions.editable_member_ids(admin, scene.partnership) == {scene.peer.pk}
