"""Management claims: asking to manage an organisation that has no admin, and the moderators'
decision. The service rules and their permission matrix, the one-pending constraint, the e-mail
domain hint, the pages, the API, the notifications and the audit log."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from citypeers.accounts.models import AuditEvent, AuditEventOrganisation, OrganisationRole
from citypeers.accounts.services import api_token_create
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import ApplicationError, Conflict, PermissionDenied
from citypeers.directory import services
from citypeers.directory.domains import (
    DomainEvidence,
    domain_evidence,
    registrable_domain,
)
from citypeers.directory.models import ActorType, ClaimStatus, ManagementClaim
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    city,
)
from citypeers.notifications.models import Notification

pytestmark = pytest.mark.django_db

Role = OrganisationRole.Role
LYON = 2996944
PARIS = 2988507
PROBLEM = "application/problem+json"


# --- fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture
def lyon():
    """A municipality as the imports leave it: no organisation admin, nobody at all."""
    place = city(LYON)
    return OrganisationFactory(
        name="Lyon",
        slug="lyon",
        actor_type=ActorType.MUNICIPALITY,
        country=place.country,
        city=place,
        admin_area=place.admin_area,
        website="https://www.lyon.fr/",
        external_id=f"geonames:{LYON}",
    )


@pytest.fixture
def officer():
    return UserFactory(username="jean", email="jean.martin@lyon.fr", display_name="Jean Martin")


@pytest.fixture
def moderator():
    return UserFactory(username="mod", is_moderator=True, display_name="Mia Moderator")


def claim_of(user, organisation, **kwargs) -> ManagementClaim:
    return services.claim_create(
        actor=user,
        organisation=organisation,
        position=kwargs.pop("position", "Head of international relations"),
        message=kwargs.pop("message", "See the team page of lyon.fr."),
    )


def role_of(user, organisation) -> str | None:
    return (
        OrganisationRole.objects.filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )


def verbs(target_type: str = "directory.managementclaim") -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type=target_type)
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def text(response) -> str:
    return response.content.decode()


# --- the e-mail domain hint ----------------------------------------------------------------------


class TestEvidence:
    @pytest.mark.parametrize(
        ("host", "expected"),
        [
            ("lyon.fr", "lyon.fr"),
            ("www.lyon.fr", "lyon.fr"),
            ("WWW.Lyon.FR.", "lyon.fr"),
            ("culture.mairie.lyon.fr", "lyon.fr"),
            ("www.bristol.gov.uk", "bristol.gov.uk"),
            ("bristol.gov.uk", "bristol.gov.uk"),
            ("cdmx.gob.mx", "cdmx.gob.mx"),
            ("city.yokohama.lg.jp", "yokohama.lg.jp"),
            ("prefeitura.sp.gov.br", "sp.gov.br"),
            ("www.city.gov", "city.gov"),
            ("münchen.de", "xn--mnchen-3ya.de"),
            ("localhost", ""),
            ("127.0.0.1", ""),
            ("", ""),
        ],
    )
    def test_the_registrable_domain(self, host, expected):
        assert registrable_domain(host) == expected

    @pytest.mark.parametrize(
        ("email", "website", "expected"),
        [
            ("jean@lyon.fr", "https://www.lyon.fr/", DomainEvidence.MATCH),
            ("jean@Culture.Lyon.fr", "www.lyon.fr", DomainEvidence.MATCH),
            ("ana@bristol.gov.uk", "https://www.bristol.gov.uk/council", DomainEvidence.MATCH),
            ("max@münchen.de", "https://www.xn--mnchen-3ya.de/", DomainEvidence.MATCH),
            ("jean@lyon-tourisme.fr", "https://www.lyon.fr/", DomainEvidence.MISMATCH),
            ("jean@gmail.com", "https://www.lyon.fr/", DomainEvidence.MISMATCH),
            ("ana@london.gov.uk", "https://www.bristol.gov.uk/", DomainEvidence.MISMATCH),
            ("jean@fr", "https://www.lyon.fr/", DomainEvidence.UNKNOWN),
            ("jean@lyon.fr", "", DomainEvidence.UNKNOWN),
            ("no-address", "https://lyon.fr", DomainEvidence.UNKNOWN),
            ("jean@lyon.fr", "http://[::1", DomainEvidence.UNKNOWN),
        ],
    )
    def test_the_hint_compares_registrable_domains(self, email, website, expected):
        assert domain_evidence(email, website) == expected

    def test_a_claim_carries_its_hint(self, lyon, officer):
        stranger = UserFactory(email="someone@example.org")

        assert claim_of(officer, lyon).evidence == "match"
        assert claim_of(stranger, lyon).evidence == "mismatch"
        assert claim_of(stranger, OrganisationFactory(website="")).evidence == "unknown"


# --- filing a claim ------------------------------------------------------------------------------


class TestCreate:
    def test_a_signed_in_person_asks_and_the_moderators_are_told(self, lyon, officer, moderator):
        staff = UserFactory(is_staff=True, preferred_language="fr")
        bystander = UserFactory()

        claim = claim_of(officer, lyon, position="  Head of\n international   relations ")

        assert claim.status == ClaimStatus.PENDING
        assert claim.requester == officer
        assert claim.position == "Head of international relations"
        assert verbs() == ["claim.create"]
        notes = Notification.objects.filter(kind="directory.claim")
        assert {n.recipient_id for n in notes} == {moderator.pk, staff.pk}
        assert not Notification.objects.filter(recipient=bystander).exists()
        by_recipient = {n.recipient_id: n for n in notes}
        assert by_recipient[moderator.pk].url == "/en/directory/claims/"
        assert by_recipient[staff.pk].url == "/fr/directory/claims/"  # in their language
        assert "Jean Martin" in by_recipient[moderator.pk].message
        assert "Lyon" in by_recipient[moderator.pk].message
        assert by_recipient[moderator.pk].target_id == str(claim.pk)

    def test_anonymous_people_cannot_ask(self, lyon):
        from django.contrib.auth.models import AnonymousUser

        with pytest.raises(PermissionDenied):
            claim_of(AnonymousUser(), lyon)
        assert not ManagementClaim.objects.exists()

    def test_an_organisation_with_admins_is_a_conflict_that_says_how_to_proceed(self, lyon):
        admin = OrganisationRoleFactory(
            organisation=lyon,
            role=Role.ADMIN,
            user=UserFactory(display_name="Secret Admin", email="secret@lyon.fr"),
        ).user

        with pytest.raises(Conflict) as refused:
            claim_of(UserFactory(), lyon)

        assert "ask one of them to invite you" in refused.value.message
        assert "Secret Admin" not in refused.value.message
        assert admin.email not in refused.value.message
        assert not ManagementClaim.objects.exists()

    def test_editors_of_an_organisation_without_admin_may_ask(self, lyon):
        editor = OrganisationRoleFactory(organisation=lyon, role=Role.EDITOR).user

        assert claim_of(editor, lyon).is_pending

    def test_one_waiting_claim_per_person_and_organisation(self, lyon, officer):
        first = claim_of(officer, lyon)

        with pytest.raises(Conflict):
            claim_of(officer, lyon)
        claim_of(UserFactory(), lyon)  # somebody else may ask too

        services.claim_withdraw(actor=officer, claim=first)
        assert claim_of(officer, lyon).is_pending  # again, once the first is closed

    def test_a_person_has_a_limited_number_of_waiting_claims(self, officer):
        for _n in range(services.CLAIMS_PENDING_MAX):
            claim_of(officer, OrganisationFactory())

        with pytest.raises(Conflict):
            claim_of(officer, OrganisationFactory())

    @pytest.mark.parametrize(
        ("position", "message", "field"),
        [
            ("", "", "position"),
            ("   ", "", "position"),
            ("x" * 151, "", "position"),
            ("Mayor", "y" * 2001, "message"),
            ("Mayor\x00", "", "position"),
        ],
    )
    def test_the_text_is_checked_and_the_field_named(self, lyon, officer, position, message, field):
        with pytest.raises(ApplicationError) as refused:
            claim_of(officer, lyon, position=position, message=message)

        assert refused.value.status == 400
        assert refused.value.field == field
        assert not ManagementClaim.objects.exists()


class TestConstraint:
    def test_the_database_holds_one_waiting_claim_per_person_and_organisation(self, lyon, officer):
        ManagementClaim.objects.create(organisation=lyon, requester=officer, position="Mayor")
        ManagementClaim.objects.create(
            organisation=lyon, requester=officer, position="Mayor", status=ClaimStatus.REJECTED
        )
        ManagementClaim.objects.create(organisation=lyon, requester=UserFactory(), position="Aide")

        with pytest.raises(IntegrityError), transaction.atomic():
            ManagementClaim.objects.create(organisation=lyon, requester=officer, position="Again")

        assert ManagementClaim.objects.filter(status=ClaimStatus.PENDING).count() == 2


# --- withdrawing ---------------------------------------------------------------------------------


class TestWithdraw:
    def test_the_requester_withdraws_a_waiting_claim(self, lyon, officer):
        claim = claim_of(officer, lyon)

        services.claim_withdraw(actor=officer, claim=claim)

        claim.refresh_from_db()
        assert claim.status == ClaimStatus.WITHDRAWN
        assert claim.decided_at is not None
        assert claim.decided_by is None
        assert verbs() == ["claim.create", "claim.withdraw"]

    @pytest.mark.parametrize("who", ["stranger", "moderator", "staff"])
    def test_nobody_else_withdraws_it(self, lyon, officer, moderator, who):
        claim = claim_of(officer, lyon)
        actor = {
            "stranger": UserFactory(),
            "moderator": moderator,
            "staff": UserFactory(is_staff=True),
        }[who]

        with pytest.raises(PermissionDenied):
            services.claim_withdraw(actor=actor, claim=claim)
        claim.refresh_from_db()
        assert claim.is_pending

    def test_a_closed_claim_cannot_be_withdrawn(self, lyon, officer, moderator):
        claim = claim_of(officer, lyon)
        services.claim_decide(actor=moderator, claim=claim, approve=False, reason="Unknown name.")

        with pytest.raises(Conflict):
            services.claim_withdraw(actor=officer, claim=claim)


# --- deciding ------------------------------------------------------------------------------------


class TestDecide:
    def test_approval_makes_the_requester_organisation_admin(
        self, lyon, officer, moderator, mailoutbox, django_capture_on_commit_callbacks
    ):
        claim = claim_of(officer, lyon)

        with django_capture_on_commit_callbacks(execute=True):
            services.claim_decide(actor=moderator, claim=claim, approve=True)

        claim.refresh_from_db()
        assert claim.status == ClaimStatus.APPROVED
        assert claim.decided_by == moderator
        assert claim.decided_at is not None
        assert role_of(officer, lyon) == Role.ADMIN
        # The role is written like every other: audited on the organisation, in its own log.
        grant = AuditEvent.objects.get(verb="person.add", target_id=str(lyon.pk))
        assert grant.actor == moderator
        assert grant.data == {"user": officer.pk, "role": "admin", "claim": claim.pk}
        assert AuditEventOrganisation.objects.filter(event=grant, organisation=lyon).exists()
        assert verbs() == ["claim.create", "claim.approve"]
        # The requester is told, in the app and by e-mail, with a link to the organisation.
        note = Notification.objects.get(recipient=officer, kind="directory.claim_approved")
        assert note.url == "/en/directory/lyon/"
        assert "Lyon" in note.message
        assert [m.to for m in mailoutbox] == [[officer.email]]

    def test_then_the_organisation_is_managed_by_invitation(self, lyon, officer, moderator):
        services.claim_decide(actor=moderator, claim=claim_of(officer, lyon), approve=True)

        with pytest.raises(Conflict):
            claim_of(UserFactory(), lyon)
        invitation, _token = services.person_invite(
            actor=officer, organisation=lyon, email="colleague@lyon.fr", role="editor"
        )
        assert invitation.organisation == lyon

    def test_approval_raises_a_member_to_admin(self, lyon, moderator):
        member = OrganisationRoleFactory(organisation=lyon, role=Role.MEMBER).user

        services.claim_decide(actor=moderator, claim=claim_of(member, lyon), approve=True)

        assert role_of(member, lyon) == Role.ADMIN
        assert AuditEvent.objects.filter(verb="person.role", target_id=str(lyon.pk)).exists()
        assert OrganisationRole.objects.filter(organisation=lyon).count() == 1

    def test_other_waiting_claims_stay_for_the_moderator_to_decide(self, lyon, officer, moderator):
        first = claim_of(officer, lyon)
        second = claim_of(UserFactory(), lyon)

        services.claim_decide(actor=moderator, claim=first, approve=True)

        second.refresh_from_db()
        assert second.is_pending
        services.claim_decide(actor=moderator, claim=second, approve=False, reason="One is enough.")
        second.refresh_from_db()
        assert second.status == ClaimStatus.REJECTED

    def test_rejection_needs_a_reason_that_the_requester_reads(
        self, lyon, officer, moderator, mailoutbox, django_capture_on_commit_callbacks
    ):
        claim = claim_of(officer, lyon)

        with pytest.raises(ApplicationError) as refused:
            services.claim_decide(actor=moderator, claim=claim, approve=False, reason="  ")
        assert refused.value.field == "reason"
        claim.refresh_from_db()
        assert claim.is_pending

        with django_capture_on_commit_callbacks(execute=True):
            services.claim_decide(
                actor=moderator, claim=claim, approve=False, reason="Nobody at Lyon knows you."
            )

        claim.refresh_from_db()
        assert claim.status == ClaimStatus.REJECTED
        assert claim.decision_reason == "Nobody at Lyon knows you."
        assert role_of(officer, lyon) is None
        note = Notification.objects.get(recipient=officer, kind="directory.claim_rejected")
        assert "Nobody at Lyon knows you." in note.message
        assert note.url == "/en/directory/claims/mine/"
        assert len(mailoutbox) == 1
        assert verbs() == ["claim.create", "claim.reject"]

    def test_the_requester_is_told_in_their_language(self, lyon, moderator):
        french = UserFactory(preferred_language="fr")

        services.claim_decide(actor=moderator, claim=claim_of(french, lyon), approve=True)

        assert Notification.objects.get(recipient=french).url == "/fr/directory/lyon/"

    @pytest.mark.parametrize("role", [None, Role.MEMBER, Role.EDITOR, Role.ADMIN])
    def test_only_platform_moderators_decide(self, lyon, officer, role):
        actor = UserFactory()
        if role:  # a role here, or an admin's role elsewhere: neither decides claims
            OrganisationRoleFactory(organisation=OrganisationFactory(), user=actor, role=role)
        claim = claim_of(officer, lyon)

        for approve in (True, False):
            with pytest.raises(PermissionDenied):
                services.claim_decide(actor=actor, claim=claim, approve=approve, reason="No.")
        assert role_of(officer, lyon) is None

    def test_staff_decide_too(self, lyon, officer):
        services.claim_decide(
            actor=UserFactory(is_staff=True), claim=claim_of(officer, lyon), approve=True
        )

        assert role_of(officer, lyon) == Role.ADMIN

    def test_a_moderator_does_not_decide_their_own_claim(self, lyon, moderator):
        claim = claim_of(moderator, lyon)

        with pytest.raises(PermissionDenied):
            services.claim_decide(actor=moderator, claim=claim, approve=True)
        services.claim_decide(actor=UserFactory(is_moderator=True), claim=claim, approve=True)
        assert role_of(moderator, lyon) == Role.ADMIN

    def test_a_decided_claim_is_not_decided_again(self, lyon, officer, moderator):
        claim = claim_of(officer, lyon)
        services.claim_decide(actor=moderator, claim=claim, approve=False, reason="No proof.")

        with pytest.raises(Conflict):
            services.claim_decide(actor=moderator, claim=claim, approve=True)
        assert role_of(officer, lyon) is None

    def test_the_claim_of_a_closed_account_can_only_be_rejected(self, lyon, officer, moderator):
        claim = claim_of(officer, lyon)
        officer.is_active = False
        officer.save()

        with pytest.raises(Conflict):
            services.claim_decide(actor=moderator, claim=claim, approve=True)
        services.claim_decide(actor=moderator, claim=claim, approve=False, reason="Closed.")
        assert role_of(officer, lyon) is None

    def test_the_claim_of_a_deleted_account_stays_and_can_only_be_rejected(
        self, client, lyon, officer, moderator
    ):
        claim = claim_of(officer, lyon)
        officer.delete()
        claim.refresh_from_db()
        client.force_login(moderator)

        assert claim.requester is None
        assert "a closed account" in text(client.get("/en/directory/claims/"))
        with pytest.raises(Conflict):
            services.claim_decide(actor=moderator, claim=claim, approve=True)
        services.claim_decide(actor=moderator, claim=claim, approve=False, reason="Gone.")
        assert not OrganisationRole.objects.filter(organisation=lyon).exists()


# --- pages ---------------------------------------------------------------------------------------


def error_of(page: str, field: str) -> str:
    match = re.search(rf'id="id_{field}_error" role="alert">(.*?)</div>', page, re.S)
    return unescape(re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else ""


class TestOrganisationPage:
    def test_anonymous_readers_are_led_to_log_in_first(self, client, lyon):
        page = text(client.get("/en/directory/lyon/"))

        assert "Request to manage this organisation" in page
        assert 'href="/en/accounts/log-in/?next=/en/directory/lyon/request-to-manage/"' in page

    def test_signed_in_readers_get_the_form(self, client, lyon):
        client.force_login(UserFactory())

        page = text(client.get("/en/directory/lyon/"))

        assert 'href="/en/directory/lyon/request-to-manage/"' in page

    def test_no_button_once_it_has_an_admin(self, client, lyon):
        OrganisationRoleFactory(organisation=lyon, role=Role.ADMIN)
        client.force_login(UserFactory())

        assert "Request to manage" not in text(client.get("/en/directory/lyon/"))

    def test_the_requester_sees_their_claim_waiting(self, client, lyon, officer):
        claim_of(officer, lyon)
        client.force_login(officer)

        page = text(client.get("/en/directory/lyon/"))

        assert "You asked to manage this organisation" in page
        assert 'href="/en/directory/lyon/request-to-manage/"' not in page


class TestClaimPage:
    def test_anonymous_visitors_log_in_first(self, client, lyon):
        response = client.get("/en/directory/lyon/request-to-manage/")

        assert response.status_code == 302
        assert response["Location"].startswith("/en/accounts/log-in/")

    def test_the_form_files_a_claim(self, client, lyon, officer, moderator):
        client.force_login(officer)
        assert 'name="position"' in text(client.get("/en/directory/lyon/request-to-manage/"))

        response = client.post(
            "/en/directory/lyon/request-to-manage/",
            {"position": "Head of international relations", "message": "Ask the mayor's office."},
        )

        assert response.status_code == 302
        assert response["Location"] == "/en/directory/claims/mine/"
        claim = ManagementClaim.objects.get()
        assert (claim.requester, claim.organisation) == (officer, lyon)
        assert Notification.objects.filter(recipient=moderator).count() == 1

    def test_a_missing_position_is_shown_on_its_field(self, client, lyon, officer):
        client.force_login(officer)

        response = client.post("/en/directory/lyon/request-to-manage/", {"position": " "})

        assert response.status_code == 400
        assert error_of(text(response), "position")
        assert not ManagementClaim.objects.exists()

    def test_an_organisation_with_admins_says_to_ask_them(self, client, lyon, officer):
        OrganisationRoleFactory(organisation=lyon, role=Role.ADMIN)
        client.force_login(officer)

        page = text(client.get("/en/directory/lyon/request-to-manage/"))
        refused = client.post("/en/directory/lyon/request-to-manage/", {"position": "Mayor"})

        assert "ask one of them to invite you" in unescape(page)
        assert 'name="position"' not in page
        assert refused.status_code == 409
        assert not ManagementClaim.objects.exists()

    def test_a_second_request_shows_the_first(self, client, lyon, officer):
        claim_of(officer, lyon)
        client.force_login(officer)

        page = text(client.get("/en/directory/lyon/request-to-manage/"))

        assert "a moderator will answer" in page
        assert 'name="position"' not in page


class TestMyClaims:
    def test_lists_only_ones_own_claims_and_their_outcome(self, client, lyon, officer, moderator):
        mine = claim_of(officer, lyon)
        services.claim_decide(actor=moderator, claim=mine, approve=False, reason="<b>No</b> proof.")
        claim_of(UserFactory(), OrganisationFactory(name="Somewhere Else"))
        client.force_login(officer)

        page = text(client.get("/en/directory/claims/mine/"))

        assert "Lyon" in page
        assert "Rejected" in page
        assert "&lt;b&gt;No&lt;/b&gt; proof." in page  # plain text, escaped
        assert "Somewhere Else" not in page

    def test_withdraws_from_the_list(self, client, lyon, officer):
        claim = claim_of(officer, lyon)
        client.force_login(officer)

        response = client.post(f"/en/directory/claims/{claim.pk}/withdraw/")

        assert response.status_code == 302
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.WITHDRAWN
        again = client.post(f"/en/directory/claims/{claim.pk}/withdraw/")
        assert again.status_code == 409

    def test_the_claims_of_others_are_not_found(self, client, lyon, officer):
        claim = claim_of(officer, lyon)
        client.force_login(UserFactory())

        assert client.post(f"/en/directory/claims/{claim.pk}/withdraw/").status_code == 404
        claim.refresh_from_db()
        assert claim.is_pending


class TestQueue:
    def test_only_moderators_see_it(self, client, lyon, officer):
        claim_of(officer, lyon)
        anonymous = client.get("/en/directory/claims/")
        client.force_login(OrganisationRoleFactory(role=Role.ADMIN).user)
        admin = client.get("/en/directory/claims/")

        assert anonymous.status_code == 302
        assert admin.status_code == 403
        assert "jean.martin@lyon.fr" not in text(admin)

    def test_shows_the_claim_its_evidence_and_escaped_text(self, client, lyon, officer, moderator):
        claim_of(officer, lyon, message="<script>alert(1)</script> Ask Marie.")
        client.force_login(moderator)

        page = text(client.get("/en/directory/claims/"))

        assert "Jean Martin" in page
        assert "jean.martin@lyon.fr" in page
        assert "same domain" in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Ask Marie." in page
        assert "<script>alert(1)" not in page

    def test_the_moderator_menu_links_the_queue(self, client, moderator):
        client.force_login(UserFactory())
        others = text(client.get("/en/directory/"))
        client.force_login(moderator)
        theirs = text(client.get("/en/directory/"))

        assert 'href="/en/directory/claims/"' not in others
        assert 'href="/en/directory/claims/"' in theirs

    def test_approves_from_the_queue(self, client, lyon, officer, moderator):
        claim = claim_of(officer, lyon)
        client.force_login(moderator)

        response = client.post(
            f"/en/directory/claims/{claim.pk}/decision/?status=pending", {"decision": "approve"}
        )

        assert response.status_code == 302
        assert response["Location"] == "/en/directory/claims/?status=pending"
        assert role_of(officer, lyon) == Role.ADMIN
        decided = text(client.get("/en/directory/claims/?status=approved"))
        assert "Lyon" in decided
        assert "It has an organisation admin now" in decided

    def test_a_rejection_without_reason_is_shown_beside_the_claim(
        self, client, lyon, officer, moderator
    ):
        claim = claim_of(officer, lyon)
        client.force_login(moderator)

        response = client.post(
            f"/en/directory/claims/{claim.pk}/decision/", {"decision": "reject", "reason": ""}
        )

        assert response.status_code == 400
        assert f'id="claim-{claim.pk}-error"' in text(response)
        claim.refresh_from_db()
        assert claim.is_pending

    def test_non_moderators_cannot_decide(self, client, lyon, officer):
        claim = claim_of(officer, lyon)
        client.force_login(officer)

        response = client.post(
            f"/en/directory/claims/{claim.pk}/decision/", {"decision": "approve"}
        )

        assert response.status_code == 403
        assert role_of(officer, lyon) is None

    def test_runs_a_bounded_number_of_queries(
        self, client, moderator, django_assert_max_num_queries
    ):
        client.force_login(moderator)
        for n in range(3):
            claim_of(UserFactory(), OrganisationFactory(website=f"https://org{n}.example.org"))
        with django_assert_max_num_queries(6) as few:
            client.get("/en/directory/claims/")
        for n in range(20):
            claim_of(UserFactory(), OrganisationFactory(website=f"https://more{n}.example.org"))

        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get("/en/directory/claims/")

        assert text(response).count('class="claim"') == 23


class TestClaimCityRefused:
    def test_an_imported_city_offers_the_claim(self, client):
        place = city(PARIS)
        OrganisationFactory(
            name="Paris",
            slug="paris",
            actor_type=ActorType.MUNICIPALITY,
            country=place.country,
            city=place,
        )
        client.force_login(UserFactory())

        response = client.post(f"/en/directory/claim/{PARIS}/")

        assert response.status_code == 409
        page = text(response)
        assert 'href="/en/directory/paris/request-to-manage/"' in page
        assert "its organisation admins can invite you" not in page

    def test_a_city_with_admins_still_says_to_ask_them(self, client):
        first = UserFactory()
        client.force_login(first)
        client.post(f"/en/directory/claim/{PARIS}/")
        client.force_login(UserFactory())

        page = text(client.post(f"/en/directory/claim/{PARIS}/"))

        assert "its organisation admins can invite you" in page
        assert "request-to-manage" not in page


# --- API -----------------------------------------------------------------------------------------


def bearer(user) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def post(client: Client, url: str, data: Any, user=None) -> Any:
    return client.post(
        url,
        data=json.dumps(data),
        content_type="application/json",
        headers=bearer(user) if user is not None else {},
    )


def problem(response, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert body["status"] == status and body["detail"]
    if field is not None:
        fields = {body.get("field")} | {e["field"] for e in body.get("errors", [])}
        assert any(f and f.split(".")[-1] == field for f in fields), body
    return body


class TestApi:
    def test_files_a_claim(self, client, lyon, officer, moderator):
        response = post(
            client,
            f"/api/v1/organisations/{lyon.pk}/claims",
            {"position": "Head of international relations", "message": "Ask the mayor."},
            officer,
        )

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["organisation"] == {"id": lyon.pk, "slug": "lyon", "name": "Lyon"}
        assert body["requester"]["username"] == "jean"
        assert body["status"] == "pending"
        assert body["evidence"] == "match"
        assert body["email_domain"] == "lyon.fr"
        assert body["organisation_has_admin"] is False
        assert body["decided_by"] is None
        assert Notification.objects.filter(recipient=moderator, kind="directory.claim").exists()

    def test_anonymous_callers_are_a_401(self, client, lyon):
        problem(post(client, f"/api/v1/organisations/{lyon.pk}/claims", {"position": "X"}), 401)

    def test_rules_are_problems(self, client, lyon, officer):
        url = f"/api/v1/organisations/{lyon.pk}/claims"
        problem(post(client, url, {"position": " "}, officer), 400, "position")
        problem(
            post(client, url, {"position": "Mayor", "message": "m" * 2001}, officer), 400, "message"
        )
        problem(post(client, url, {}, officer), 422, "position")
        problem(
            post(client, "/api/v1/organisations/999999/claims", {"position": "X"}, officer), 404
        )
        post(client, url, {"position": "Mayor"}, officer)
        problem(post(client, url, {"position": "Mayor"}, officer), 409)
        other = OrganisationFactory()
        OrganisationRoleFactory(organisation=other, role=Role.ADMIN)
        body = problem(
            post(client, f"/api/v1/organisations/{other.pk}/claims", {"position": "X"}, officer),
            409,
        )
        assert "invite you" in body["detail"]

    def test_lists_all_claims_to_moderators_and_their_own_to_others(
        self, client, lyon, officer, moderator
    ):
        mine = claim_of(officer, lyon)
        other = claim_of(UserFactory(), lyon)
        services.claim_decide(actor=moderator, claim=other, approve=False, reason="No.")

        everything = client.get("/api/v1/claims", headers=bearer(moderator)).json()
        waiting = client.get("/api/v1/claims?status=pending", headers=bearer(moderator)).json()
        own = client.get("/api/v1/claims", headers=bearer(officer)).json()

        assert {c["id"] for c in everything["items"]} == {mine.pk, other.pk}
        assert [c["id"] for c in waiting["items"]] == [mine.pk]
        assert own["count"] == 1 and own["items"][0]["id"] == mine.pk
        problem(client.get("/api/v1/claims?status=maybe", headers=bearer(moderator)), 422, "status")
        problem(client.get("/api/v1/claims"), 401)

    def test_withdraws_ones_own(self, client, lyon, officer):
        claim = claim_of(officer, lyon)

        problem(post(client, f"/api/v1/claims/{claim.pk}/withdraw", {}, UserFactory()), 404)
        body = post(client, f"/api/v1/claims/{claim.pk}/withdraw", {}, officer).json()

        assert body["status"] == "withdrawn"
        problem(post(client, f"/api/v1/claims/{claim.pk}/withdraw", {}, officer), 409)

    def test_moderators_decide(self, client, lyon, officer, moderator):
        claim = claim_of(officer, lyon)
        url = f"/api/v1/claims/{claim.pk}/decision"

        problem(post(client, url, {"approve": True}, officer), 403)
        problem(post(client, url, {"approve": False}, moderator), 400, "reason")
        problem(post(client, "/api/v1/claims/999999/decision", {"approve": True}, moderator), 404)
        body = post(client, url, {"approve": True}, moderator).json()

        assert body["status"] == "approved"
        assert body["decided_by"] == moderator.pk
        assert body["organisation_has_admin"] is True
        assert role_of(officer, lyon) == Role.ADMIN
        problem(post(client, url, {"approve": False, "reason": "Late."}, moderator), 409)

    def test_the_list_runs_a_bounded_number_of_queries(
        self, client, moderator, django_assert_max_num_queries
    ):
        headers = bearer(moderator)
        for _n in range(3):
            claim_of(UserFactory(), OrganisationFactory())
        with django_assert_max_num_queries(10) as few:
            client.get("/api/v1/claims", headers=headers)
        for _n in range(15):
            claim_of(UserFactory(), OrganisationFactory())

        with django_assert_max_num_queries(len(few.captured_queries)):
            body = client.get("/api/v1/claims?limit=50", headers=headers).json()

        assert len(body["items"]) == 18
