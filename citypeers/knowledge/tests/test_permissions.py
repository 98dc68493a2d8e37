"""The permission matrix of the knowledge base, checked at the service level.

The scene of every row: a practice of the organisation "ours", written by "author" (a signed-in
person with no role in it); "elsewhere" is another organisation. Each cell runs one action as one
actor: it succeeds and leaves its audit event, or the service raises ``PermissionDenied`` and
nothing changes (views are checked through ``can_view`` and ``practice_get``).

| actor | view draft | view published | create | edit | translate | submit | publish (editors) | publish (moderators) | archive | delete |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| anonymous | no | yes | no | no | no | no | no | no | no | no |
| author | yes | yes | yes | yes | yes | yes | no | no | yes | no |
| editor of ours | yes | yes | yes | yes | yes | yes | yes | no | yes | no |
| admin of elsewhere | no | yes | yes | no | no | no | no | no | no | no |
| moderator | yes | yes | yes | yes | yes | yes | yes | yes | yes | yes |
| staff | yes | yes | yes | yes | yes | yes | yes | yes | yes | yes |

"publish (editors)" runs with ``CITYPEERS_PRACTICE_PUBLISHERS = "editors"``, "publish
(moderators)" with ``"moderators"``. The author publishes only as an editor of the organisation
responsible; authors archive, only moderators delete.
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser

from citypeers.accounts.models import AuditEvent, OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import NotFound, PermissionDenied
from citypeers.directory.tests.factories import OrganisationFactory, OrganisationRoleFactory
from citypeers.knowledge import permissions, selectors, services
from citypeers.knowledge.models import Practice, PracticeText, Status
from citypeers.knowledge.tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

Role = OrganisationRole.Role
YES, NO = True, False

ACTIONS = (
    "view draft",
    "view published",
    "create",
    "edit",
    "translate",
    "submit",
    "publish (editors)",
    "publish (moderators)",
    "archive",
    "delete",
)
MATRIX = {
    # actor          draft pub  create edit transl submit pub-ed pub-mod archive delete
    "anonymous": (NO, YES, NO, NO, NO, NO, NO, NO, NO, NO),
    "author": (YES, YES, YES, YES, YES, YES, NO, NO, YES, NO),
    "editor of ours": (YES, YES, YES, YES, YES, YES, YES, NO, YES, NO),
    "admin of elsewhere": (NO, YES, YES, NO, NO, NO, NO, NO, NO, NO),
    "moderator": (YES, YES, YES, YES, YES, YES, YES, YES, YES, YES),
    "staff": (YES, YES, YES, YES, YES, YES, YES, YES, YES, YES),
}


@pytest.fixture(autouse=True)
def no_followups(monkeypatch):
    monkeypatch.setattr(services, "AFTER_TEXT_SAVED", [])


class Scene:
    def __init__(self) -> None:
        self.ours = OrganisationFactory(name="Ville de Dakar")
        self.elsewhere = OrganisationFactory(name="Ayuntamiento de Sevilla")
        self.author = UserFactory()

    def practice(self, status: str) -> Practice:
        return PracticeFactory(  # type: ignore[return-value]
            status=status, owner=self.ours, created_by=self.author, title="Water kiosks"
        )

    def actor(self, kind: str):
        if kind == "anonymous":
            return AnonymousUser()
        if kind == "author":
            return self.author
        if kind == "moderator":
            return UserFactory(is_moderator=True)
        if kind == "staff":
            return UserFactory(is_staff=True)
        role, _of, organisation = kind.partition(" of ")
        return OrganisationRoleFactory(
            organisation=getattr(self, organisation),
            role={"editor": Role.EDITOR, "admin": Role.ADMIN}[role],
        ).user


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
def test_practice_matrix(settings, actor_kind, action, allowed):
    scene = Scene()
    actor = scene.actor(actor_kind)

    if action in ("view draft", "view published"):
        practice = scene.practice(Status.DRAFT if action == "view draft" else Status.PUBLISHED)
        assert permissions.can_view(actor, practice) is allowed
        if allowed:
            assert selectors.practice_get(slug=practice.slug, user=actor) == practice
        else:
            with pytest.raises(NotFound):
                selectors.practice_get(slug=practice.slug, user=actor)
    elif action == "create":
        check(
            allowed,
            "practice.create",
            lambda: services.practice_create(
                actor=actor, language="en", texts={"title": "Street lighting by solar kits"}
            ),
        )
        assert Practice.objects.filter(texts__title="Street lighting by solar kits").exists() is (
            allowed
        )
    elif action == "edit":
        practice = scene.practice(Status.DRAFT)
        check(
            allowed,
            "practice.update",
            lambda: services.practice_update(
                actor=actor, practice=practice, texts={"title": "Water kiosks, revised"}
            ),
        )
        title = PracticeText.objects.get(practice=practice, language="en").title
        assert (title == "Water kiosks, revised") is allowed
    elif action == "translate":
        practice = scene.practice(Status.PUBLISHED)
        check(
            allowed,
            "practice.translate",
            lambda: services.practice_translate(
                actor=actor, practice=practice, language="fr", texts={"title": "Kiosques à eau"}
            ),
        )
        assert PracticeText.objects.filter(practice=practice, language="fr").exists() is allowed
    elif action in ("submit", "archive", "publish (editors)", "publish (moderators)"):
        start, end = {
            "submit": (Status.DRAFT, Status.SUBMITTED),
            "archive": (Status.PUBLISHED, Status.ARCHIVED),
            "publish (editors)": (Status.SUBMITTED, Status.PUBLISHED),
            "publish (moderators)": (Status.SUBMITTED, Status.PUBLISHED),
        }[action]
        settings.CITYPEERS_PRACTICE_PUBLISHERS = (
            "moderators" if action == "publish (moderators)" else "editors"
        )
        practice = scene.practice(start)
        check(
            allowed,
            f"practice.{end}",
            lambda: services.practice_set_status(actor=actor, practice=practice, status=end),
        )
        assert Practice.objects.get(pk=practice.pk).status == (end if allowed else start)
    elif action == "delete":
        practice = scene.practice(Status.PUBLISHED)
        check(
            allowed,
            "practice.delete",
            lambda: services.practice_delete(actor=actor, practice=practice),
        )
        assert Practice.objects.filter(pk=practice.pk).exists() is not allowed
    else:  # pragma: no cover - the matrix test above keeps ACTIONS and this in step
        pytest.fail(f"unknown action {action}")


def test_the_review_queue_follows_the_publishers_setting(settings):
    scene = Scene()
    submitted = scene.practice(Status.SUBMITTED)
    editor = scene.actor("editor of ours")
    moderator = scene.actor("moderator")
    assert list(selectors.review_queue(user=editor)) == [submitted]
    assert list(selectors.review_queue(user=moderator)) == [submitted]
    assert list(selectors.review_queue(user=scene.author)) == []
    assert list(selectors.review_queue(user=AnonymousUser())) == []
    settings.CITYPEERS_PRACTICE_PUBLISHERS = "moderators"
    assert list(selectors.review_queue(user=editor)) == []
    assert list(selectors.review_queue(user=moderator)) == [submitted]
