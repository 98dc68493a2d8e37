"""The writes of the partnership registry, through its services: the rules each one checks, what it
writes, and the history and audit entries it leaves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from citypeers.accounts.models import AuditEvent
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import ApplicationError, Conflict, PermissionDenied
from citypeers.directory.models import ActorType
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    country,
    theme,
)
from citypeers.partnerships import services
from citypeers.partnerships.models import (
    Activity,
    Agreement,
    CapacityAssessment,
    Indicator,
    Modality,
    Partnership,
    PartnershipAssessment,
    PartnershipEvent,
    PartnershipMember,
    Result,
    Status,
)
from citypeers.partnerships.tests.factories import (
    ActivityFactory,
    CapacityAssessmentFactory,
    IndicatorFactory,
    ObjectiveFactory,
    PartnershipFactory,
    ResultFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


@pytest.fixture
def dakar():
    return OrganisationFactory(
        name="Ville de Dakar", actor_type=ActorType.MUNICIPALITY, country=country("SEN")
    )


@pytest.fixture
def lyon():
    return OrganisationFactory(
        name="Métropole de Lyon", actor_type=ActorType.METROPOLITAN, country=country("FRA")
    )


@pytest.fixture
def rosario():
    return OrganisationFactory(
        name="Municipalidad de Rosario", actor_type=ActorType.MUNICIPALITY, country=country("ARG")
    )


def editor_of(*organisations, role="editor"):
    user = UserFactory()
    for organisation in organisations:
        OrganisationRoleFactory(user=user, organisation=organisation, role=role)
    return user


def events(partnership, kind=None):
    qs = PartnershipEvent.objects.filter(partnership=partnership)
    return list(qs.filter(kind=kind) if kind else qs)


def audited(verb):
    return AuditEvent.objects.filter(verb=verb).count()


def propose(actor, *members, **kwargs):
    kwargs.setdefault("title", "Coastal erosion exchange")
    kwargs.setdefault("modality", Modality.C2C)
    return services.partnership_create(actor=actor, members=list(members), **kwargs)


# --- Create ------------------------------------------------------------------------------------


def test_create_for_organisations_the_actor_edits_is_active_at_once(dakar, lyon):
    actor = editor_of(dakar, lyon)

    partnership = propose(
        actor,
        (dakar, "lead"),
        (lyon, "partner"),
        original_language="fr",
        descriptions={"fr": "Échanges sur le littoral.", "en": "Coastal exchanges."},
        themes=[theme("climate-resilience")],
        objectives=["Map the eroding shore", "  ", "Train two engineers"],
    )

    assert partnership.status == Status.ACTIVE
    assert partnership.started_on == TODAY
    assert partnership.geography == "north_south"
    assert set(partnership.members.values_list("organisation", "role", "accepted")) == {
        (dakar.pk, "lead", True),
        (lyon.pk, "partner", True),
    }
    assert list(partnership.objectives.values_list("text", "position")) == [
        ("Map the eroding shore", 0),
        ("Train two engineers", 2),
    ]
    assert [t.slug for t in partnership.themes.all()] == ["climate-resilience"]
    (event,) = events(partnership)
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        "created",
        actor,
        "",
        "active",
    )
    assert AuditEvent.objects.get(verb="partnership.create").target_id == str(partnership.pk)


def test_create_with_another_organisation_proposes_and_invites_it(dakar, lyon):
    actor = editor_of(dakar)

    partnership = propose(actor, (dakar, "lead"), (lyon, "partner"))

    assert partnership.status == Status.PROPOSED
    assert partnership.started_on is None
    accepted = dict(partnership.members.values_list("organisation", "accepted"))
    assert accepted == {dakar.pk: True, lyon.pk: False}
    (event,) = events(partnership)
    assert (event.kind, event.to_status) == ("proposed", "proposed")


def test_a_moderator_records_a_partnership_as_active(dakar, lyon):
    partnership = propose(UserFactory(is_moderator=True), (dakar, "partner"), (lyon, "partner"))
    assert partnership.status == Status.ACTIVE
    assert not partnership.members.filter(accepted=False).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"members": "one"}, "members"),
        ({"members": "twice"}, "members"),
        ({"members": "bad role"}, "members"),
        ({"modality": "pen-pals"}, "modality"),
        ({"title": "   "}, "title"),
        ({"descriptions": {"fr": "Seulement en français."}}, "original_language"),
        ({"descriptions": {"english": "Not a code."}}, "descriptions"),
    ],
)
def test_create_refuses_invalid_input_and_writes_nothing(dakar, lyon, change, field):
    actor = editor_of(dakar, lyon)
    members = {
        "one": [(dakar, "lead")],
        "twice": [(dakar, "lead"), (lyon, "partner"), (dakar, "partner")],
        "bad role": [(dakar, "lead"), (lyon, "sponsor")],
    }.get(change.pop("members", ""), [(dakar, "lead"), (lyon, "partner")])
    kwargs = {"title": "Exchange", "modality": Modality.C2C, **change}

    with pytest.raises(ApplicationError) as refused:
        services.partnership_create(actor=actor, members=members, **kwargs)

    assert refused.value.field == field
    assert not Partnership.objects.exists()
    assert not AuditEvent.objects.filter(verb="partnership.create").exists()


def test_create_needs_an_organisation_the_actor_edits(dakar, lyon):
    with pytest.raises(PermissionDenied):
        propose(UserFactory(), (dakar, "lead"), (lyon, "partner"))
    with pytest.raises(PermissionDenied):
        propose(editor_of(dakar, role="member"), (dakar, "lead"), (lyon, "partner"))
    assert not Partnership.objects.exists()


def test_slugs_stay_unique_for_equal_titles(dakar, lyon):
    actor = editor_of(dakar, lyon)
    first = propose(actor, (dakar, "lead"), (lyon, "partner"), title="Dakar – Lyon")
    second = propose(actor, (dakar, "lead"), (lyon, "partner"), title="Dakar – Lyon")
    assert (first.slug, second.slug) == ("dakar-lyon", "dakar-lyon-2")


# --- Answer ------------------------------------------------------------------------------------


def test_accepting_the_last_invitation_makes_the_proposal_active(dakar, lyon, rosario):
    proposal = propose(editor_of(dakar), (dakar, "lead"), (lyon, "partner"), (rosario, "partner"))
    lyon_editor, rosario_editor = editor_of(lyon), editor_of(rosario, role="admin")

    services.partnership_answer(
        actor=lyon_editor, partnership=proposal, organisation=lyon, accept=True, note="Avec plaisir"
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.PROPOSED

    services.partnership_answer(
        actor=rosario_editor, partnership=proposal, organisation=rosario, accept=True
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.ACTIVE
    assert proposal.started_on == TODAY
    assert [(e.kind, e.actor, e.from_status, e.to_status) for e in events(proposal)] == [
        ("proposed", proposal.created_by, "", "proposed"),
        ("accepted", lyon_editor, "", ""),
        ("accepted", rosario_editor, "", ""),
        ("status", rosario_editor, "proposed", "active"),
    ]
    assert events(proposal, "accepted")[0].note == "Avec plaisir"
    assert audited("partnership.accept") == 2


def test_declining_removes_the_organisation_and_a_lone_proposer_is_declined(dakar, lyon):
    proposal = propose(editor_of(dakar), (dakar, "lead"), (lyon, "partner"))
    lyon_editor = editor_of(lyon)

    services.partnership_answer(
        actor=lyon_editor, partnership=proposal, organisation=lyon, accept=False, note="Not now"
    )

    proposal.refresh_from_db()
    assert proposal.status == Status.DECLINED
    assert list(proposal.members.values_list("organisation", flat=True)) == [dakar.pk]
    assert proposal.geography == "unclassified"
    assert [(e.kind, e.from_status, e.to_status) for e in events(proposal)][1:] == [
        ("declined", "", ""),
        ("status", "proposed", "declined"),
    ]
    assert audited("partnership.decline") == 1


def test_one_declines_and_the_rest_go_ahead(dakar, lyon, rosario):
    proposal = propose(editor_of(dakar), (dakar, "lead"), (lyon, "partner"), (rosario, "partner"))

    services.partnership_answer(
        actor=editor_of(lyon), partnership=proposal, organisation=lyon, accept=False
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.PROPOSED
    assert proposal.geography == "south_south"  # Senegal and Argentina are left

    services.partnership_answer(
        actor=editor_of(rosario), partnership=proposal, organisation=rosario, accept=True
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.ACTIVE


def test_answering_twice_is_a_conflict(dakar, lyon):
    proposal = propose(editor_of(dakar), (dakar, "lead"), (lyon, "partner"))
    lyon_editor = editor_of(lyon)
    services.partnership_answer(
        actor=lyon_editor, partnership=proposal, organisation=lyon, accept=True
    )

    with pytest.raises(Conflict):
        services.partnership_answer(
            actor=lyon_editor, partnership=proposal, organisation=lyon, accept=False
        )
    with pytest.raises(Conflict):  # the proposer was never invited
        services.partnership_answer(
            actor=editor_of(dakar), partnership=proposal, organisation=dakar, accept=True
        )
    assert proposal.members.count() == 2


def test_a_declined_proposal_cannot_be_answered_again(dakar, lyon, rosario):
    proposal = propose(editor_of(dakar), (dakar, "lead"), (lyon, "partner"))
    services.partnership_answer(
        actor=editor_of(lyon), partnership=proposal, organisation=lyon, accept=False
    )
    with pytest.raises(Conflict):
        services.partnership_answer(
            actor=editor_of(lyon), partnership=proposal, organisation=lyon, accept=True
        )


def test_only_editors_of_the_invited_organisation_answer_for_it(dakar, lyon):
    proposer = editor_of(dakar)
    proposal = propose(proposer, (dakar, "lead"), (lyon, "partner"))

    for outsider in (proposer, editor_of(lyon, role="member"), UserFactory()):
        with pytest.raises(PermissionDenied):
            services.partnership_answer(
                actor=outsider, partnership=proposal, organisation=lyon, accept=True
            )
    assert proposal.members.get(organisation=lyon).accepted is False


def test_an_organisation_invited_into_a_running_partnership_can_answer(dakar, lyon, rosario):
    """``member_add`` invites an organisation the actor does not edit for; it must be able to
    accept even though the partnership is already active (it could not before this was fixed)."""
    partnership = PartnershipFactory(members=[dakar, lyon])
    member = services.member_add(
        actor=editor_of(dakar), partnership=partnership, organisation=rosario, role="partner"
    )
    assert member.accepted is False

    services.partnership_answer(
        actor=editor_of(rosario), partnership=partnership, organisation=rosario, accept=True
    )

    member.refresh_from_db()
    partnership.refresh_from_db()
    assert member.accepted is True
    assert partnership.status == Status.ACTIVE
    assert partnership.geography == "triangular"


def test_an_invitation_into_a_running_partnership_can_be_declined(dakar, lyon, rosario):
    partnership = PartnershipFactory(members=[dakar, lyon])
    services.member_add(
        actor=editor_of(dakar), partnership=partnership, organisation=rosario, role="partner"
    )

    services.partnership_answer(
        actor=editor_of(rosario), partnership=partnership, organisation=rosario, accept=False
    )

    partnership.refresh_from_db()
    assert partnership.status == Status.ACTIVE
    assert partnership.members.count() == 2
    assert partnership.geography == "north_south"


def test_an_ended_partnership_takes_no_answer(dakar, lyon, rosario):
    partnership = PartnershipFactory(members=[dakar, lyon])
    services.member_add(
        actor=editor_of(dakar), partnership=partnership, organisation=rosario, role="partner"
    )
    services.partnership_set_status(
        actor=editor_of(dakar), partnership=partnership, status="ended", reason="Done"
    )
    with pytest.raises(Conflict):
        services.partnership_answer(
            actor=editor_of(rosario), partnership=partnership, organisation=rosario, accept=True
        )


# --- Lifecycle ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("active", "dormant", True),
        ("active", "ended", True),
        ("dormant", "active", True),
        ("dormant", "ended", True),
        ("proposed", "declined", True),
        ("proposed", "active", False),  # only by every member accepting
        ("proposed", "dormant", False),
        ("proposed", "ended", False),
        ("active", "active", False),
        ("active", "proposed", False),
        ("active", "declined", False),
        ("dormant", "proposed", False),
        ("ended", "active", False),
        ("ended", "dormant", False),
        ("declined", "active", False),
        ("declined", "proposed", False),
        ("active", "finished", False),
    ],
)
def test_lifecycle_transitions(dakar, lyon, start, target, allowed):
    partnership = PartnershipFactory(members=[dakar, lyon], status=start)
    actor = editor_of(dakar)

    if allowed:
        services.partnership_set_status(
            actor=actor, partnership=partnership, status=target, reason="No more funding"
        )
        partnership.refresh_from_db()
        assert partnership.status == target
        (event,) = events(partnership, "status")
        assert (event.actor, event.from_status, event.to_status) == (actor, start, target)
        assert audited("partnership.status") == 1
    else:
        with pytest.raises(Conflict) as refused:
            services.partnership_set_status(
                actor=actor, partnership=partnership, status=target, reason="No more funding"
            )
        assert refused.value.field == "status"
        partnership.refresh_from_db()
        assert partnership.status == start
        assert not events(partnership)


def test_ending_records_the_date_and_the_reason(dakar, lyon):
    partnership = PartnershipFactory(members=[dakar, lyon], started_on=dt.date(2019, 5, 1))
    actor = editor_of(lyon)

    services.partnership_set_status(
        actor=actor,
        partnership=partnership,
        status="ended",
        on=dt.date(2024, 12, 31),
        reason="  The programme reached its goals.  ",
    )

    partnership.refresh_from_db()
    assert (partnership.status, partnership.ended_on, partnership.end_reason) == (
        "ended",
        dt.date(2024, 12, 31),
        "The programme reached its goals.",
    )
    (event,) = events(partnership)
    assert event.note == "The programme reached its goals."
    assert event.data == {"on": "2024-12-31"}


@pytest.mark.parametrize(
    ("on", "reason", "field"),
    [
        (dt.date(2024, 1, 1), "   ", "reason"),
        (dt.date(2019, 4, 30), "Funding ran out.", "on"),
    ],
)
def test_ending_needs_a_reason_and_a_date_not_before_the_start(dakar, lyon, on, reason, field):
    partnership = PartnershipFactory(members=[dakar, lyon], started_on=dt.date(2019, 5, 1))
    with pytest.raises(ApplicationError) as refused:
        services.partnership_set_status(
            actor=editor_of(dakar), partnership=partnership, status="ended", on=on, reason=reason
        )
    assert refused.value.field == field
    partnership.refresh_from_db()
    assert (partnership.status, partnership.ended_on) == ("active", None)


def test_an_invited_organisation_cannot_change_the_status(dakar, lyon):
    proposal = propose(editor_of(dakar), (dakar, "lead"), (lyon, "partner"))
    with pytest.raises(PermissionDenied):
        services.partnership_set_status(
            actor=editor_of(lyon), partnership=proposal, status="declined"
        )


def test_delete_is_for_moderators_and_is_audited(dakar, lyon):
    partnership = PartnershipFactory(members=[dakar, lyon])
    with pytest.raises(PermissionDenied):
        services.partnership_delete(actor=editor_of(dakar), partnership=partnership)
    services.partnership_delete(actor=UserFactory(is_moderator=True), partnership=partnership)
    assert not Partnership.objects.filter(pk=partnership.pk).exists()
    assert audited("partnership.delete") == 1


# --- Update ------------------------------------------------------------------------------------


def test_update_changes_the_given_fields_and_says_which(dakar, lyon):
    partnership = PartnershipFactory(members=[dakar, lyon])
    actor = editor_of(dakar)

    services.partnership_update(
        actor=actor,
        partnership=partnership,
        title="  Dakar–Lyon waste exchange ",
        modality=Modality.TWINNING,
        original_language="fr",
        descriptions={"fr": "Échange sur les déchets.", "es": "Intercambio sobre residuos."},
        themes=[theme("waste")],
    )

    partnership.refresh_from_db()
    assert partnership.title == "Dakar–Lyon waste exchange"
    assert partnership.modality == "twinning"
    assert partnership.descriptions == {
        "fr": "Échange sur les déchets.",
        "es": "Intercambio sobre residuos.",
    }
    assert [t.slug for t in partnership.themes.all()] == ["waste"]
    (event,) = events(partnership)
    assert event.kind == "updated" and event.actor == actor
    assert event.data["fields"] == [
        "title",
        "modality",
        "original_language",
        "descriptions",
        "themes",
    ]
    assert audited("partnership.update") == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"modality": "pen-pals"}, "modality"),
        ({"started_on": dt.date(2026, 1, 1)}, "started_on"),
        ({"original_language": "es"}, "original_language"),
    ],
)
def test_update_refuses_invalid_changes(dakar, lyon, change, field):
    partnership = PartnershipFactory(
        members=[dakar, lyon], status="ended", ended_on=dt.date(2025, 1, 1)
    )
    stored = Partnership.objects.values("title", "modality", "started_on", "original_language")
    before = stored.get(pk=partnership.pk)
    with pytest.raises(ApplicationError) as refused:
        services.partnership_update(actor=editor_of(dakar), partnership=partnership, **change)
    assert refused.value.field == field
    assert stored.get(pk=partnership.pk) == before
    assert not events(partnership)


# --- Members -----------------------------------------------------------------------------------


def test_member_add_accepts_an_organisation_the_actor_edits_and_invites_others(
    dakar, lyon, rosario
):
    partnership = PartnershipFactory(members=[dakar, lyon])
    funder = OrganisationFactory(actor_type=ActorType.NATIONAL_AGENCY, country=country("FRA"))
    actor = editor_of(dakar, funder)

    added = services.member_add(
        actor=actor, partnership=partnership, organisation=funder, role="funder"
    )
    invited = services.member_add(
        actor=actor, partnership=partnership, organisation=rosario, role="partner"
    )

    assert (added.accepted, invited.accepted) == (True, False)
    assert [e.kind for e in events(partnership)] == ["member_added", "member_invited"]
    assert events(partnership)[0].data == {"organisation": funder.pk, "role": "funder"}
    assert audited("partnership.member_add") == 2


def test_member_add_refuses_a_duplicate_and_an_unknown_role(dakar, lyon, rosario):
    partnership = PartnershipFactory(members=[dakar, lyon])
    actor = editor_of(dakar)
    with pytest.raises(Conflict):
        services.member_add(actor=actor, partnership=partnership, organisation=lyon, role="lead")
    with pytest.raises(ApplicationError) as refused:
        services.member_add(
            actor=actor, partnership=partnership, organisation=rosario, role="sponsor"
        )
    assert refused.value.field == "role"
    assert partnership.members.count() == 2


def test_member_remove_keeps_two_members(dakar, lyon, rosario):
    partnership = PartnershipFactory(members=[dakar, lyon, rosario])
    actor = editor_of(dakar)

    services.member_remove(actor=actor, member=partnership.members.get(organisation=rosario))
    with pytest.raises(ApplicationError):
        services.member_remove(actor=actor, member=partnership.members.get(organisation=lyon))

    assert set(partnership.members.values_list("organisation", flat=True)) == {dakar.pk, lyon.pk}
    (event,) = events(partnership)
    assert (event.kind, event.actor, event.data) == (
        "member_removed",
        actor,
        {"organisation": rosario.pk},
    )
    assert audited("partnership.member_remove") == 1


def test_a_member_organisation_can_leave(dakar, lyon, rosario):
    partnership = PartnershipFactory(members=[dakar, lyon, rosario])
    services.member_remove(
        actor=editor_of(rosario), member=partnership.members.get(organisation=rosario)
    )
    with pytest.raises(PermissionDenied):
        services.member_remove(
            actor=UserFactory(), member=partnership.members.get(organisation=lyon)
        )
    assert partnership.members.count() == 2


def test_withdrawing_the_last_open_invitation_starts_the_partnership(dakar, lyon, rosario):
    """The proposer's own organisations are accepted; once the only invited one is withdrawn the
    proposal would wait for nobody (it stayed proposed for ever before this was fixed)."""
    actor = editor_of(dakar, lyon)
    proposal = propose(actor, (dakar, "lead"), (lyon, "partner"), (rosario, "partner"))
    assert proposal.status == Status.PROPOSED

    services.member_remove(actor=actor, member=proposal.members.get(organisation=rosario))

    proposal.refresh_from_db()
    assert proposal.status == Status.ACTIVE
    assert [(e.kind, e.to_status) for e in events(proposal)][-2:] == [
        ("member_removed", ""),
        ("status", "active"),
    ]


# --- Activities, objectives, results, indicators ----------------------------------------------


def test_activity_add_and_delete(dakar, lyon):
    partnership = PartnershipFactory(members=[dakar, lyon])
    actor = editor_of(lyon)

    activity = services.activity_add(
        actor=actor,
        partnership=partnership,
        kind=Activity.Kind.STUDY_TOUR,
        title=" Study tour of the Lyon waste plants ",
        start_date=dt.date(2023, 4, 3),
        end_date=dt.date(2023, 4, 7),
        participant_count=9,
        participants=[dakar, lyon],
    )

    assert activity.title == "Study tour of the Lyon waste plants"
    assert set(activity.participants.all()) == {dakar, lyon}
    services.activity_delete(actor=actor, activity=activity)
    assert not Activity.objects.exists()
    assert [e.kind for e in events(partnership)] == ["activity_added", "activity_removed"]
    assert audited("partnership.activity_add") == 1
    assert audited("partnership.activity_delete") == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end_date": dt.date(2023, 4, 2)}, "end_date"),
        ({"kind": "party"}, "kind"),
        ({"title": " "}, "title"),
    ],
)
def test_activity_add_refuses_invalid_input(dakar, lyon, change, field):
    partnership = PartnershipFactory(members=[dakar, lyon])
    kwargs = {"kind": "training", "title": "Training", "start_date": dt.date(2023, 4, 3), **change}
    with pytest.raises(ApplicationError) as refused:
        services.activity_add(actor=editor_of(dakar), partnership=partnership, **kwargs)
    assert refused.value.field == field
    assert not Activity.objects.exists()


def test_objectives_results_and_indicators(dakar, lyon):
    partnership = PartnershipFactory(members=[dakar, lyon])
    actor = editor_of(dakar)
    objective = services.objective_add(
        actor=actor, partnership=partnership, text="Halve missed waste collections"
    )
    result = services.result_add(
        actor=actor,
        partnership=partnership,
        title="Collection routes redrawn",
        objective=objective,
        achieved_on=dt.date(2024, 3, 1),
    )

    indicator = services.indicator_set(
        actor=actor,
        result=result,
        name="Missed collections per week",
        unit="count",
        baseline=Decimal("120"),
        target=Decimal("60"),
        baseline_on=dt.date(2022, 1, 1),
    )
    services.indicator_set(
        actor=actor,
        result=result,
        indicator=indicator,
        name="Missed collections per week",
        unit="count",
        baseline=Decimal("120"),
        target=Decimal("60"),
        actual=Decimal("71.5"),
        measured_on=dt.date(2024, 3, 1),
    )

    indicator = Indicator.objects.get()
    assert (indicator.baseline, indicator.target, indicator.actual) == (
        Decimal("120"),
        Decimal("60"),
        Decimal("71.5"),
    )
    assert indicator.baseline_on is None  # the update gives every figure again
    assert result.objective == objective
    assert [e.kind for e in events(partnership)] == [
        "objective_added",
        "result_added",
        "indicator_set",
        "indicator_set",
    ]
    assert events(partnership)[-1].data == {"indicator": indicator.pk, "actual": "71.5"}
    assert audited("partnership.indicator_set") == 2


def test_a_result_cannot_serve_the_objective_of_another_partnership(dakar, lyon):
    partnership = PartnershipFactory(members=[dakar, lyon])
    foreign = ObjectiveFactory()
    with pytest.raises(ApplicationError) as refused:
        services.result_add(
            actor=editor_of(dakar), partnership=partnership, title="Done", objective=foreign
        )
    assert refused.value.field == "objective"
    assert not Result.objects.exists()


def test_an_indicator_stays_with_its_result(dakar, lyon):
    partnership = PartnershipFactory(members=[dakar, lyon])
    result = ResultFactory(partnership=partnership)
    other = IndicatorFactory()
    with pytest.raises(ApplicationError) as refused:
        services.indicator_set(actor=editor_of(dakar), result=result, name="X", indicator=other)
    assert refused.value.field == "indicator"
    with pytest.raises(PermissionDenied):
        services.indicator_set(actor=editor_of(dakar), result=other.result, name="X")


# --- Agreements --------------------------------------------------------------------------------


def test_agreement_as_a_link(dakar, lyon):
    partnership = PartnershipFactory(members=[dakar, lyon])
    agreement = services.agreement_add(
        actor=editor_of(dakar),
        partnership=partnership,
        title="Memorandum of understanding",
        signed_on=dt.date(2020, 2, 1),
        url="https://example.org/mou.pdf",
    )
    assert agreement.url == "https://example.org/mou.pdf" and not agreement.document
    assert [e.kind for e in events(partnership)] == ["agreement_added"]
    assert audited("partnership.agreement_add") == 1


def test_agreement_as_an_uploaded_file(dakar, lyon, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    partnership = PartnershipFactory(members=[dakar, lyon])
    agreement = services.agreement_add(
        actor=editor_of(dakar),
        partnership=partnership,
        title="Convention de coopération",
        document=SimpleUploadedFile("convention.pdf", b"%PDF-1.4 demo", "application/pdf"),
    )
    stored = tmp_path / "media" / agreement.document.name
    assert stored.read_bytes() == b"%PDF-1.4 demo"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({}, "url"), ({"url": "not a link"}, "url"), ({"url": "https://e.org", "title": ""}, "title")],
)
def test_agreement_needs_a_title_and_a_valid_link_or_file(dakar, lyon, kwargs, field):
    partnership = PartnershipFactory(members=[dakar, lyon])
    kwargs = {"title": "MoU", **kwargs}
    with pytest.raises(ApplicationError) as refused:
        services.agreement_add(actor=editor_of(dakar), partnership=partnership, **kwargs)
    assert refused.value.field == field
    assert not Agreement.objects.exists()


def test_a_document_that_cannot_be_stored_is_an_application_error(dakar, lyon, settings, tmp_path):
    """A media folder that cannot be written (here: its path runs through a file, which refuses
    writing even to root) becomes an error naming the document, and nothing is recorded."""
    blocker = tmp_path / "media"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "inside"
    partnership = PartnershipFactory(members=[dakar, lyon])

    with pytest.raises(ApplicationError) as refused:
        services.agreement_add(
            actor=editor_of(dakar),
            partnership=partnership,
            title="MoU",
            document=SimpleUploadedFile("mou.pdf", b"%PDF-1.4", "application/pdf"),
        )

    assert refused.value.field == "document"
    assert not Agreement.objects.exists()
    assert not events(partnership)


# --- Capacity ----------------------------------------------------------------------------------


def test_capacity_assessment_by_an_editor(dakar):
    actor = editor_of(dakar)
    assessment = services.capacity_assessment_create(
        actor=actor,
        organisation=dakar,
        assessed_on=dt.date(2021, 1, 15),
        scores={
            "local-finance": (2, " Own revenue is 8% of the budget. "),
            "participation": (4, ""),
        },
        notes="Workshop with heads of department",
    )
    scores = {s.dimension.slug: (s.level, s.evidence) for s in assessment.scores.all()}
    assert scores == {
        "local-finance": (2, "Own revenue is 8% of the budget."),
        "participation": (4, ""),
    }
    assert assessment.created_by == actor
    assert audited("capacity.assess") == 1


@pytest.mark.parametrize(
    "scores",
    [
        {},
        {"local-finance": (0, "")},
        {"local-finance": (6, "")},
        {"local-finance": ("high", "")},
        {"happiness": (3, "")},
    ],
)
def test_capacity_assessment_refuses_invalid_scores(dakar, scores):
    with pytest.raises(ApplicationError) as refused:
        services.capacity_assessment_create(
            actor=editor_of(dakar), organisation=dakar, assessed_on=TODAY, scores=scores
        )
    assert refused.value.field == "scores"
    assert not CapacityAssessment.objects.exists()


def test_capacity_assessment_is_for_the_organisation_editors(dakar, lyon):
    for outsider in (editor_of(lyon), editor_of(dakar, role="member"), UserFactory()):
        with pytest.raises(PermissionDenied):
            services.capacity_assessment_create(
                actor=outsider,
                organisation=dakar,
                assessed_on=TODAY,
                scores={"local-finance": (3, "")},
            )


def test_assessments_of_members_link_as_baseline_and_follow_up(dakar, lyon):
    partnership = PartnershipFactory(members=[dakar, lyon], modality=Modality.A2A)
    actor = editor_of(dakar)
    baseline = CapacityAssessmentFactory(organisation=dakar, assessed_on=dt.date(2020, 1, 1))
    follow_up = CapacityAssessmentFactory(organisation=dakar, assessed_on=dt.date(2023, 1, 1))

    services.partnership_assessment_link(
        actor=actor, partnership=partnership, assessment=baseline, kind="baseline"
    )
    services.partnership_assessment_link(
        actor=actor, partnership=partnership, assessment=follow_up, kind="follow_up"
    )
    services.partnership_assessment_link(  # linking again changes the kind, adds no link
        actor=actor, partnership=partnership, assessment=follow_up, kind="follow_up"
    )

    assert PartnershipAssessment.objects.filter(partnership=partnership).count() == 2
    assert [e.kind for e in events(partnership)] == ["capacity_linked"] * 3
    assert audited("partnership.capacity_link") == 3


def test_only_a_member_assessment_links_and_with_a_known_kind(dakar, lyon):
    partnership = PartnershipFactory(members=[dakar, lyon])
    outsider_assessment = CapacityAssessmentFactory()
    with pytest.raises(ApplicationError) as refused:
        services.partnership_assessment_link(
            actor=editor_of(dakar),
            partnership=partnership,
            assessment=outsider_assessment,
            kind="baseline",
        )
    assert refused.value.field == "assessment"
    with pytest.raises(ApplicationError) as refused:
        services.partnership_assessment_link(
            actor=editor_of(dakar),
            partnership=partnership,
            assessment=CapacityAssessmentFactory(organisation=dakar),
            kind="midterm",
        )
    assert refused.value.field == "kind"
    assert not PartnershipAssessment.objects.exists()


def test_capacity_sync_is_idempotent():
    assert services.capacity_sync() == 0  # the test database holds the framework already


# --- Outsiders change nothing ----------------------------------------------------------------


def test_non_editors_are_refused_by_every_write(dakar, lyon, rosario):
    partnership = PartnershipFactory(members=[dakar, lyon, rosario])
    result = ResultFactory(partnership=partnership)
    activity = ActivityFactory(partnership=partnership)
    outsider = editor_of(OrganisationFactory())
    writes = [
        lambda: services.partnership_update(actor=outsider, partnership=partnership, title="X"),
        lambda: services.partnership_set_status(
            actor=outsider, partnership=partnership, status="dormant"
        ),
        lambda: services.member_add(
            actor=outsider, partnership=partnership, organisation=OrganisationFactory(), role="lead"
        ),
        lambda: services.member_remove(
            actor=outsider, member=partnership.members.get(organisation=rosario)
        ),
        lambda: services.objective_add(actor=outsider, partnership=partnership, text="X"),
        lambda: services.activity_add(
            actor=outsider, partnership=partnership, kind="training", title="X", start_date=TODAY
        ),
        lambda: services.activity_delete(actor=outsider, activity=activity),
        lambda: services.result_add(actor=outsider, partnership=partnership, title="X"),
        lambda: services.indicator_set(actor=outsider, result=result, name="X"),
        lambda: services.agreement_add(
            actor=outsider, partnership=partnership, title="X", url="https://e.org"
        ),
        lambda: services.partnership_assessment_link(
            actor=outsider,
            partnership=partnership,
            assessment=CapacityAssessmentFactory(organisation=dakar),
            kind="baseline",
        ),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied):
            write()
    assert not events(partnership)
    assert partnership.members.count() == 3
    assert not PartnershipMember.objects.filter(accepted=False).exists()
