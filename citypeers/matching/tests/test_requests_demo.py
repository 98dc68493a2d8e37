"""``citypeers load-demo``: the demo match requests, with invitations in every state, written by
the demo people within their roles, and loaded once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from citypeers.accounts.models import AuditEvent
from citypeers.matching import demo_data
from citypeers.matching.models import InvitationStatus, MatchInvitation, MatchRequest, RequestStatus
from citypeers.notifications.models import Notification
from citypeers.partnerships.models import Partnership, PartnershipMember, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def load_demo(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the credentials file goes to the test's own folder

    def load() -> str:
        out = StringIO()
        call_command("load-demo", stdout=out)
        return out.getvalue()

    return load


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (MatchRequest, MatchInvitation, Partnership, Notification, AuditEvent)
    }


def test_the_demo_requests_load_once_with_every_state(load_demo):
    first = load_demo()
    after_first = counts()
    second = load_demo()

    assert counts() == after_first
    n = len(demo_data.REQUESTS)
    assert f"Demo match requests: {n} created, 0 already present." in first
    assert f"Demo match requests: 0 created, {n} already present." in second
    assert "Demo match request" not in first.replace(f"Demo match requests: {n} created", "")

    requests = {r.external_id: r for r in MatchRequest.objects.all()}
    assert set(requests) == {spec.external_id for spec in demo_data.REQUESTS}
    assert all(r.is_demo for r in requests.values())
    assert {r.status for r in requests.values()} == {RequestStatus.OPEN, RequestStatus.CLOSED}
    states = set(MatchInvitation.objects.values_list("status", flat=True))
    assert states == set(InvitationStatus.values)


def test_the_demo_people_have_something_to_do(load_demo):
    load_demo()
    # Lucía (Sevilla) has an invitation to answer
    sevilla_invited = MatchInvitation.objects.get(
        organisation__external_id="demo:sevilla",
        request__external_id="demo:match:dakar-coastal-erosion",
    )
    assert sevilla_invited.status == InvitationStatus.PENDING
    assert Notification.objects.filter(
        recipient__username="lucia", kind="matching.invited", target_id=str(sevilla_invited.pk)
    ).exists()
    # Dakar's acceptance made a proposed partnership that Lucía (for Sevilla, the lead) confirms
    accepted = MatchInvitation.objects.get(status=InvitationStatus.ACCEPTED)
    partnership = accepted.partnership
    assert partnership is not None and partnership.status == Status.PROPOSED
    lead = partnership.members.get(role=PartnershipMember.Role.LEAD)
    assert lead.organisation.external_id == "demo:sevilla" and not lead.accepted
    assert Notification.objects.filter(
        recipient__username="lucia", kind="matching.accepted"
    ).exists()
    # and closing the older request withdrew its open invitation
    closed = MatchRequest.objects.get(status=RequestStatus.CLOSED)
    assert closed.invitations.get().status == InvitationStatus.WITHDRAWN
