"""``citypeers load-demo``: the demo partnerships, complete, marked as demo, and idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from citypeers.accounts.models import AuditEvent, User
from citypeers.partnerships import demo_data, selectors, services
from citypeers.partnerships.models import (
    Activity,
    Agreement,
    CapacityAssessment,
    Geography,
    Indicator,
    Modality,
    Objective,
    Partnership,
    PartnershipAssessment,
    PartnershipEvent,
    PartnershipMember,
    Result,
    Status,
)

pytestmark = pytest.mark.django_db

MODELS = (
    Partnership,
    PartnershipMember,
    PartnershipEvent,
    Objective,
    Activity,
    Result,
    Indicator,
    Agreement,
    CapacityAssessment,
    PartnershipAssessment,
    AuditEvent,
)


@pytest.fixture
def load_demo(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the credentials file goes to the test's own folder

    def load() -> str:
        out = StringIO()
        call_command("load-demo", stdout=out)
        return out.getvalue()

    return load


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def demo() -> list[Partnership]:
    return list(Partnership.objects.filter(source=demo_data.SOURCE))


def test_loading_twice_changes_nothing_the_second_time(load_demo):
    first = load_demo()
    after_first = counts()

    second = load_demo()

    assert counts() == after_first
    assert f"Demo partnerships: {len(demo_data.PARTNERSHIPS)} created, 0 already present." in first
    assert f"Demo partnerships: 0 created, {len(demo_data.PARTNERSHIPS)} already present." in second
    assert "skipped" not in first


def test_every_demo_partnership_is_loaded_and_flagged(load_demo):
    load_demo()
    partnerships = demo()
    assert len(partnerships) == len(demo_data.PARTNERSHIPS)
    assert 20 <= len(partnerships) <= 30
    assert all(p.is_demo for p in partnerships)
    assert {p.external_id for p in partnerships} == {
        spec.external_id for spec in demo_data.PARTNERSHIPS
    }
    assert not Partnership.objects.filter(is_demo=False).exists()


def test_every_modality_geography_and_status_is_present(load_demo):
    load_demo()
    partnerships = demo()
    assert {p.modality for p in partnerships} == set(Modality.values)
    assert {p.geography for p in partnerships} == set(Geography.values) - {"unclassified"}
    assert {p.status for p in partnerships} == {"proposed", "active", "dormant", "ended"}
    for partnership in partnerships:
        if partnership.status == Status.ENDED:
            assert partnership.end_reason and partnership.ended_on >= partnership.started_on


def test_triangular_partnerships_with_a_network_or_a_funder_beyond_the_south(load_demo):
    load_demo()
    third_parties = {
        (m.organisation.actor_type, m.role)
        for m in PartnershipMember.objects.filter(
            partnership__geography=Geography.TRIANGULAR, role__in=["facilitator", "funder"]
        ).select_related("organisation__country")
        if m.organisation.country is None or m.organisation.country.global_south is False
    }
    assert ("network", "facilitator") in third_parties
    assert ("international", "funder") in third_parties


def test_descriptions_in_three_languages_some_translated(load_demo):
    load_demo()
    partnerships = demo()
    assert {p.original_language for p in partnerships} == {"en", "fr", "es"}
    assert all(p.original_language in p.descriptions for p in partnerships)
    assert any(len(p.descriptions) == 3 for p in partnerships)
    assert any(len(p.descriptions) == 1 for p in partnerships)


def test_partnerships_carry_activities_results_agreements_and_history(load_demo):
    load_demo()
    activities = Activity.objects.filter(partnership__is_demo=True)
    assert {a.kind for a in activities} == set(Activity.Kind.values)
    years = {a.start_date.year for a in activities}
    assert min(years) == 2019 and max(years) == 2026
    indicators = Indicator.objects.filter(result__partnership__is_demo=True)
    assert indicators.count() >= 10
    assert all(i.baseline is not None and i.target is not None for i in indicators)
    assert Agreement.objects.filter(partnership__is_demo=True).exclude(url="").count() >= 5
    # Every step is in the history, written by whoever made it.
    ended = Partnership.objects.get(external_id="demo:montreal-ouagadougou")
    assert [(e.kind, e.actor.username) for e in ended.history.all()] == [
        ("created", "demo-admin"),
        ("activity_added", "demo-admin"),
        ("result_added", "demo-admin"),
        ("indicator_set", "demo-admin"),
        ("status", "demo-admin"),
    ]
    assert ended.history.last().to_status == "ended"


def test_association_partnerships_link_baseline_and_follow_up_assessments(load_demo):
    load_demo()
    for partnership in Partnership.objects.filter(is_demo=True, modality=Modality.A2A):
        changes = selectors.capacity_changes(selectors.partnership_get(slug=partnership.slug))
        assert changes, partnership
        assert all(c.baseline is not None and c.latest is not None for c in changes)
    peer_review = selectors.partnership_get(slug="kenya-south-africa-association-peer-review")
    helpdesk = {
        (c.organisation, c.change)
        for c in selectors.capacity_changes(peer_review)
        if c.dimension == "Services to members"
    }
    assert helpdesk == {
        ("Demo Council of Kenyan Local Governments", 2),
        ("Demo Association of South African Municipalities", 1),
    }


def test_the_proposals_wait_for_the_demo_people(load_demo):
    load_demo()
    amina, lucia = User.objects.get(username="amina"), User.objects.get(username="lucia")
    proposals = Partnership.objects.filter(is_demo=True, status=Status.PROPOSED)
    assert {p.created_by for p in proposals} == {amina, lucia}

    from citypeers.directory import selectors as directory_selectors

    for user in (amina, lucia):
        held = [
            r.organisation_id for r in directory_selectors.organisations_of_user(user_id=user.pk)
        ]
        # Lucía also has the partnership that Dakar's acceptance of Sevilla's match request
        # proposed (matching demo); each waits for someone other than its author.
        invitations = list(selectors.open_invitations_for(organisation_ids=held))
        assert invitations
        assert all(i.partnership.created_by != user for i in invitations)
        invitation = invitations[0]
        # The invitation flow can be tried: the demo person accepts and the partnership starts.
        services.partnership_answer(
            actor=user,
            partnership=invitation.partnership,
            organisation=invitation.organisation,
            accept=True,
        )
        invitation.partnership.refresh_from_db()
        assert invitation.partnership.status == Status.ACTIVE
