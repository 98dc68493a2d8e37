"""The audit log of an organisation: what is linked to it, and who may read it."""

from __future__ import annotations

import pytest
from django.apps import apps

from citypeers.accounts.audit import RESOLVERS, audit, organisations_of
from citypeers.accounts.models import AuditEvent, AuditEventOrganisation, OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory import services as directory_services
from citypeers.directory.models import Membership
from citypeers.directory.tests.factories import OrganisationFactory
from citypeers.knowledge.models import PracticeOrganisation
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.partnerships import services as partnership_services
from citypeers.partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

Role = OrganisationRole.Role


def _with_role(organisation, role):
    user = UserFactory()
    OrganisationRole.objects.create(user=user, organisation=organisation, role=role)
    return user


def _linked(event: AuditEvent) -> set[int]:
    return set(event.organisation_links.values_list("organisation_id", flat=True))


def test_every_resolver_names_a_real_record_type():
    for label in RESOLVERS:
        apps.get_model(label)  # raises LookupError on a typo


def test_changes_are_linked_to_the_organisations_they_concern():
    lyon, dakar, network, adopter = (OrganisationFactory() for _ in range(4))
    partnership = PartnershipFactory(members=[lyon, dakar])
    practice = PracticeFactory(owner=lyon)
    PracticeOrganisation.objects.create(practice=practice, organisation=adopter, role="adopter")
    membership = Membership.objects.create(member=dakar, parent=network)

    assert _linked(audit(actor=None, verb="t", target=lyon)) == {lyon.pk}
    assert _linked(audit(actor=None, verb="t", target=partnership)) == {lyon.pk, dakar.pk}
    assert _linked(audit(actor=None, verb="t", target=practice)) == {lyon.pk, adopter.pk}
    assert _linked(audit(actor=None, verb="t", target=membership)) == {dakar.pk, network.pk}
    user = UserFactory()
    assert organisations_of(user) == set()  # a personal record concerns no organisation


def test_a_service_write_lands_in_the_admins_log_and_survives_deletion(client):
    lyon, dakar = OrganisationFactory(), OrganisationFactory()
    admin = _with_role(lyon, Role.ADMIN)
    partnership = PartnershipFactory(members=[lyon, dakar], title="Lyon–Dakar water")
    moderator = UserFactory(is_moderator=True)

    directory_services.organisation_update(actor=admin, organisation=lyon, website="https://x.org")
    partnership_services.partnership_delete(actor=moderator, partnership=partnership)

    client.force_login(admin)
    page = client.get(f"/en/directory/{lyon.slug}/audit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "organisation.update" in text and str(admin) in text
    assert "partnership.delete" in text and "Lyon–Dakar water" in text
    assert AuditEventOrganisation.objects.filter(
        organisation=dakar, event__verb="partnership.delete"
    ).exists()


def test_only_the_organisations_admins_and_staff_read_its_log(client):
    lyon, other = OrganisationFactory(), OrganisationFactory()
    url = f"/en/directory/{lyon.slug}/audit/"

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/accounts/log-in/" in anonymous["Location"]
    for user in [
        UserFactory(),
        _with_role(lyon, Role.MEMBER),
        _with_role(lyon, Role.EDITOR),
        _with_role(other, Role.ADMIN),
        UserFactory(is_moderator=True),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == 403, user
    for user in [_with_role(lyon, Role.ADMIN), UserFactory(is_staff=True)]:
        client.force_login(user)
        assert client.get(url).status_code == 200
    assert client.get("/en/directory/no-such-organisation/audit/").status_code == 404


def test_the_log_shows_only_this_organisation_and_reads_in_few_queries(
    client, django_assert_max_num_queries
):
    lyon, other = OrganisationFactory(), OrganisationFactory()
    admin = _with_role(lyon, Role.ADMIN)
    for n in range(60):
        audit(actor=admin, verb=f"organisation.step{n}", target=lyon)
    audit(actor=admin, verb="organisation.elsewhere", target=other)
    client.force_login(admin)

    with django_assert_max_num_queries(8):
        first = client.get(f"/en/directory/{lyon.slug}/audit/").content.decode()
    second = client.get(f"/en/directory/{lyon.slug}/audit/?page=2").content.decode()

    assert "organisation.step59" in first and "organisation.step10" in first
    assert "organisation.step9<" not in first  # page 2
    assert "organisation.step0<" in second
    assert "organisation.elsewhere" not in first + second
    assert "60 changes" in first


def test_the_organisation_page_links_to_the_log_for_its_admins_only(client):
    lyon = OrganisationFactory()
    client.force_login(_with_role(lyon, Role.ADMIN))
    assert (
        f"/en/directory/{lyon.slug}/audit/" in client.get(lyon.get_absolute_url()).content.decode()
    )
    client.force_login(_with_role(lyon, Role.EDITOR))
    assert "/audit/" not in client.get(lyon.get_absolute_url()).content.decode()
