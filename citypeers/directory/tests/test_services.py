"""The rules of the directory's writes: organisations, claims, profiles, memberships, invites."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from citypeers.accounts.models import AuditEvent, Invitation, OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from citypeers.directory import services
from citypeers.directory.models import ActorType, Membership, Organisation, ProfileItem
from citypeers.directory.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    OrganisationRoleFactory,
    city,
    country,
    theme,
)
from citypeers.places.models import Sdg

pytestmark = pytest.mark.django_db

DAKAR, LYON, SEVILLA, MEDELLIN = 2253354, 2996944, 2510911, 3674962


@pytest.fixture
def user():
    return UserFactory()


def events(verb: str, target: Organisation | Membership) -> int:
    return AuditEvent.objects.filter(
        verb=verb, target_type=target._meta.label_lower, target_id=str(target.pk)
    ).count()


# --- organisation_create: the place ---------------------------------------------------------------


def test_a_city_implies_its_country_and_first_level_region(user):
    lyon = city(LYON)
    organisation = services.organisation_create(
        actor=user, name="Lyon", actor_type=ActorType.MUNICIPALITY, city=lyon
    )
    assert organisation.country == lyon.country == country("FRA")
    assert organisation.admin_area == lyon.admin_area
    assert organisation.admin_area.name == "Auvergne-Rhône-Alpes"
    assert events("organisation.create", organisation) == 1


def test_a_first_level_region_implies_its_country(user):
    andalucia = city(SEVILLA).admin_area
    organisation = services.organisation_create(
        actor=user, name="Junta de Andalucía", actor_type=ActorType.REGIONAL, admin_area=andalucia
    )
    assert organisation.country == country("ESP")


def test_a_region_in_another_country_is_refused_naming_admin_area(user):
    with pytest.raises(ApplicationError) as refused:
        services.organisation_create(
            actor=user,
            name="Confused Region",
            actor_type=ActorType.NGO,
            country=country("FRA"),
            admin_area=city(SEVILLA).admin_area,
        )
    assert refused.value.field == "admin_area"
    assert "Andalucía" in refused.value.message
    assert not Organisation.objects.filter(name="Confused Region").exists()


def test_a_city_in_another_country_than_the_one_given_is_refused(user):
    with pytest.raises(ApplicationError) as refused:
        services.organisation_create(
            actor=user,
            name="Dakar",
            actor_type=ActorType.MUNICIPALITY,
            country=country("FRA"),
            city=city(DAKAR),
        )
    assert refused.value.field == "city"


def test_a_city_with_another_first_level_region_is_refused(user):
    with pytest.raises(ApplicationError) as refused:
        services.organisation_create(
            actor=user,
            name="Lyon",
            actor_type=ActorType.MUNICIPALITY,
            city=city(LYON),
            admin_area=city(2988507).admin_area,  # Île-de-France
        )
    assert refused.value.field == "admin_area"


@pytest.mark.parametrize("kind", [ActorType.MUNICIPALITY, ActorType.METROPOLITAN])
def test_a_city_government_without_its_city_is_refused_naming_city(user, kind):
    with pytest.raises(ApplicationError) as refused:
        services.organisation_create(
            actor=user, name="Nowhere", actor_type=kind, country=country("SEN")
        )
    assert refused.value.field == "city"


def test_a_regional_government_needs_its_region(user):
    with pytest.raises(ApplicationError) as refused:
        services.organisation_create(
            actor=user, name="Some Province", actor_type=ActorType.REGIONAL, country=country("ARG")
        )
    assert refused.value.field == "admin_area"


def test_an_ngo_needs_a_country_but_a_network_does_not(user):
    with pytest.raises(ApplicationError) as refused:
        services.organisation_create(actor=user, name="Floating NGO", actor_type=ActorType.NGO)
    assert refused.value.field == "country"
    network = services.organisation_create(
        actor=user, name="Demo network of coastal cities", actor_type=ActorType.NETWORK
    )
    assert network.country is None


def test_a_second_regional_government_of_the_same_region_is_a_conflict(user):
    andalucia = city(SEVILLA).admin_area
    services.organisation_create(
        actor=user, name="Junta", actor_type=ActorType.REGIONAL, admin_area=andalucia
    )
    with pytest.raises(Conflict) as conflict:
        services.organisation_create(
            actor=user, name="Junta again", actor_type=ActorType.REGIONAL, admin_area=andalucia
        )
    assert conflict.value.field == "admin_area"


# --- organisation_create: languages, descriptions, slug -------------------------------------------


def test_languages_are_normalised(user):
    organisation = services.organisation_create(
        actor=user,
        name="Demo Forum",
        actor_type=ActorType.NETWORK,
        languages=[" FR", "en", "fr", ""],
    )
    assert organisation.languages == ["fr", "en"]


@pytest.mark.parametrize("bad", ["english", "e1", "fra"])
def test_a_language_that_is_not_a_two_letter_code_is_refused(user, bad):
    with pytest.raises(ApplicationError) as refused:
        services.organisation_create(
            actor=user, name="Demo Forum", actor_type=ActorType.NETWORK, languages=["en", bad]
        )
    assert refused.value.field == "languages"


def test_descriptions_need_the_original_language(user):
    with pytest.raises(ApplicationError) as refused:
        services.organisation_create(
            actor=user,
            name="Demo Forum",
            actor_type=ActorType.NETWORK,
            original_language="fr",
            descriptions={"en": "A forum."},
        )
    assert refused.value.field == "original_language"
    organisation = services.organisation_create(
        actor=user,
        name="Demo Forum",
        actor_type=ActorType.NETWORK,
        original_language="fr",
        descriptions={"fr": " Un forum. ", "en": "A forum.", "es": "  "},
    )
    assert organisation.descriptions == {"fr": "Un forum.", "en": "A forum."}


def test_a_description_language_must_be_a_code(user):
    with pytest.raises(ApplicationError) as refused:
        services.organisation_create(
            actor=user,
            name="Demo Forum",
            actor_type=ActorType.NETWORK,
            descriptions={"en": "A forum.", "french": "Un forum."},
        )
    assert refused.value.field == "descriptions"


def test_slugs_are_unique_with_the_country_as_suffix(user):
    def create(name: str, iso3: str | None) -> str:
        return services.organisation_create(
            actor=user,
            name=name,
            actor_type=ActorType.NGO if iso3 else ActorType.NETWORK,
            country=country(iso3) if iso3 else None,
        ).slug

    assert create("Agua Para Todos", "COL") == "agua-para-todos"
    assert create("Agua para todos", "ECU") == "agua-para-todos-ecu"
    assert create("Agua para todos", "ECU") == "agua-para-todos-ecu-2"
    assert create("Agua para todos", "ECU") == "agua-para-todos-ecu-3"
    assert create("Água para Todos", None) == "agua-para-todos-2"


def test_signed_in_is_required_and_a_refused_create_leaves_nothing(user):
    from django.contrib.auth.models import AnonymousUser

    from citypeers.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=AnonymousUser(), name="Demo", actor_type=ActorType.NETWORK
        )
    with pytest.raises(ApplicationError):
        services.organisation_create(
            actor=user, name="Demo", actor_type=ActorType.NETWORK, website="not a url"
        )
    assert not Organisation.objects.filter(name="Demo").exists()
    assert not OrganisationRole.objects.filter(user=user).exists()


# --- claim this city ------------------------------------------------------------------------------


def test_claiming_a_city_uses_its_data_and_makes_the_claimer_admin(user):
    dakar = city(DAKAR)
    organisation = services.organisation_claim_city(actor=user, city=dakar)
    assert (organisation.name, organisation.actor_type) == ("Dakar", "municipality")
    assert organisation.population_served == dakar.population > 1_000_000
    assert organisation.country.iso3 == "SEN"
    assert organisation.admin_area == dakar.admin_area
    assert OrganisationRole.objects.get(organisation=organisation, user=user).role == "admin"
    assert "dakar" in organisation.search_text and "senegal" in organisation.search_text


def test_claiming_a_city_twice_is_a_conflict_naming_the_existing_organisation(user):
    first = services.organisation_claim_city(actor=user, city=city(DAKAR))
    with pytest.raises(Conflict) as conflict:
        services.organisation_claim_city(actor=UserFactory(), city=city(DAKAR))
    assert conflict.value.status == 409
    assert first.name in conflict.value.message
    assert conflict.value.extra == {"existing": first.slug}
    assert Organisation.objects.filter(city__geonameid=DAKAR).count() == 1


def test_a_metropolitan_government_and_a_municipality_of_one_city_coexist(user):
    medellin = city(MEDELLIN)
    municipality = services.organisation_claim_city(actor=user, city=medellin)
    metropolitan = services.organisation_claim_city(
        actor=user, city=medellin, actor_type=ActorType.METROPOLITAN
    )
    assert metropolitan.name == "Metropolitan area of Medellín"
    assert {municipality.slug, metropolitan.slug} == {
        "medellin",
        "metropolitan-area-of-medellin",
    }
    with pytest.raises(Conflict):
        services.organisation_claim_city(
            actor=user, city=medellin, actor_type=ActorType.METROPOLITAN
        )


def test_only_city_governments_are_claimed_from_a_city(user):
    with pytest.raises(ApplicationError) as refused:
        services.organisation_claim_city(
            actor=user, city=city(DAKAR), actor_type=ActorType.REGIONAL
        )
    assert refused.value.field == "actor_type"


# --- update and delete ----------------------------------------------------------------------------


@pytest.fixture
def admin_of():
    def make(organisation: Organisation):
        return OrganisationRoleFactory(organisation=organisation, role="admin").user

    return make


def test_update_refuses_an_unknown_field(user):
    organisation = services.organisation_create(
        actor=user, name="Demo Forum", actor_type=ActorType.NETWORK
    )
    with pytest.raises(ApplicationError) as refused:
        services.organisation_update(
            actor=user, organisation=organisation, name="Renamed", is_demo=True, slug="x"
        )
    assert refused.value.field == "is_demo"
    organisation.refresh_from_db()
    assert (organisation.name, organisation.is_demo) == ("Demo Forum", False)


def test_update_refreshes_search_text_and_sets_themes_and_sdgs(user):
    organisation = services.organisation_create(
        actor=user, name="Demo Forum", actor_type=ActorType.NETWORK
    )
    services.organisation_update(
        actor=user,
        organisation=organisation,
        name="Forum Économique Local",
        themes=[theme("housing"), theme("local-finance")],
        sdgs=list(Sdg.objects.filter(number__in=[11, 17])),
    )
    organisation.refresh_from_db()
    assert "forum economique local" in organisation.search_text
    assert "demo" not in organisation.search_text
    assert "vivienda" in organisation.search_text  # the Spanish label of a theme
    assert {t.slug for t in organisation.themes.all()} == {"housing", "local-finance"}
    assert {s.number for s in organisation.sdgs.all()} == {11, 17}
    event = AuditEvent.objects.get(verb="organisation.update", target_id=str(organisation.pk))
    assert event.data == {"changed": ["name", "sdgs", "themes"]}

    services.organisation_update(actor=user, organisation=organisation, themes=[])
    assert not organisation.themes.exists()
    assert organisation.sdgs.count() == 2  # untouched when not named


def test_moving_an_organisation_to_another_city_follows_the_city(user):
    organisation = services.organisation_create(
        actor=user, name="Demo Water Lab", actor_type=ActorType.NGO, city=city(LYON)
    )
    services.organisation_update(actor=user, organisation=organisation, city=city(SEVILLA))
    organisation.refresh_from_db()
    assert organisation.country.iso3 == "ESP"
    assert organisation.admin_area == city(SEVILLA).admin_area


def test_delete_removes_the_organisation_and_writes_the_audit_log(user):
    organisation = services.organisation_create(
        actor=user, name="Demo Forum", actor_type=ActorType.NETWORK
    )
    pk = organisation.pk
    MembershipFactory(parent=organisation)
    services.organisation_delete(actor=user, organisation=organisation)
    assert not Organisation.objects.filter(pk=pk).exists()
    assert not Membership.objects.filter(parent_id=pk).exists()
    assert AuditEvent.objects.filter(verb="organisation.delete", target_id=str(pk)).exists()


# --- profile items --------------------------------------------------------------------------------


def test_profile_items_add_and_remove_refresh_search_text(user):
    organisation = services.organisation_create(
        actor=user, name="Demo Forum", actor_type=ActorType.NETWORK, original_language="fr"
    )
    item = services.profile_item_add(
        actor=user,
        organisation=organisation,
        kind=ProfileItem.Kind.CHALLENGE,
        theme=theme("water-sanitation"),
        text="  Fuites du réseau d'eau potable  ",
    )
    assert (item.text, item.language) == ("Fuites du réseau d'eau potable", "fr")
    organisation.refresh_from_db()
    assert "fuites du reseau" in organisation.search_text
    assert events("challenge.add", organisation) == 1

    services.profile_item_remove(actor=user, item=item)
    organisation.refresh_from_db()
    assert "fuites" not in organisation.search_text
    assert events("challenge.remove", organisation) == 1


@pytest.mark.parametrize(
    ("kind", "text", "field"), [("challenge", "   ", "text"), ("wish", "Something", "kind")]
)
def test_a_profile_item_needs_a_known_kind_and_some_text(user, kind, text, field):
    organisation = services.organisation_create(
        actor=user, name="Demo Forum", actor_type=ActorType.NETWORK
    )
    with pytest.raises(ApplicationError) as refused:
        services.profile_item_add(
            actor=user, organisation=organisation, kind=kind, theme=theme("waste"), text=text
        )
    assert refused.value.field == field
    assert not organisation.profile_items.exists()


# --- memberships ----------------------------------------------------------------------------------


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def test_a_city_joins_its_association(staff):
    lga = OrganisationFactory(actor_type=ActorType.LGA, country=country("SEN"))
    dakar = OrganisationFactory(actor_type=ActorType.MUNICIPALITY, country=country("SEN"))
    membership = services.membership_create(
        actor=staff, member=dakar, parent=lga, start_date=dt.date(2010, 1, 1)
    )
    assert (membership.member, membership.parent, membership.role) == (dakar, lga, "member")
    assert events("membership.create", membership) == 1


def test_an_organisation_is_not_a_member_of_itself(staff):
    lga = OrganisationFactory(actor_type=ActorType.LGA)
    with pytest.raises(ApplicationError) as refused:
        services.membership_create(actor=staff, member=lga, parent=lga)
    assert refused.value.field == "member"


@pytest.mark.parametrize(
    ("parent_type", "allowed"),
    [
        (ActorType.LGA, True),
        (ActorType.NETWORK, True),
        (ActorType.INTERNATIONAL, True),
        (ActorType.ACADEMIA, True),
        (ActorType.MUNICIPALITY, False),
        (ActorType.REGIONAL, False),
        (ActorType.NGO, False),
        (ActorType.PRIVATE, False),
        (ActorType.NATIONAL_AGENCY, False),
    ],
)
def test_only_some_kinds_of_organisation_have_members(staff, parent_type, allowed):
    parent = OrganisationFactory(actor_type=parent_type)
    member = OrganisationFactory()
    if allowed:
        services.membership_create(actor=staff, member=member, parent=parent)
    else:
        with pytest.raises(ApplicationError) as refused:
            services.membership_create(actor=staff, member=member, parent=parent)
        assert refused.value.field == "parent"
    assert Membership.objects.filter(parent=parent).exists() is allowed


def test_the_same_membership_twice_is_a_conflict_but_another_role_is_not(staff):
    parent = OrganisationFactory(actor_type=ActorType.NETWORK)
    member = OrganisationFactory(actor_type=ActorType.LGA)
    services.membership_create(actor=staff, member=member, parent=parent)
    with pytest.raises(Conflict):
        services.membership_create(actor=staff, member=member, parent=parent)
    services.membership_create(actor=staff, member=member, parent=parent, role="board_member")
    assert Membership.objects.filter(member=member, parent=parent).count() == 2


def test_a_membership_cannot_end_before_it_starts(staff):
    parent = OrganisationFactory(actor_type=ActorType.NETWORK)
    member = OrganisationFactory()
    with pytest.raises(ApplicationError) as refused:
        services.membership_create(
            actor=staff,
            member=member,
            parent=parent,
            start_date=dt.date(2020, 1, 1),
            end_date=dt.date(2019, 12, 31),
        )
    assert refused.value.field == "end_date"
    membership = services.membership_create(
        actor=staff, member=member, parent=parent, start_date=dt.date(2020, 1, 1)
    )
    with pytest.raises(ApplicationError):
        services.membership_update(actor=staff, membership=membership, end_date=dt.date(2019, 1, 1))
    membership.refresh_from_db()
    assert membership.end_date is None


def test_an_unknown_membership_role_is_refused(staff):
    with pytest.raises(ApplicationError) as refused:
        services.membership_create(
            actor=staff,
            member=OrganisationFactory(),
            parent=OrganisationFactory(actor_type=ActorType.NETWORK),
            role="emperor",
        )
    assert refused.value.field == "role"


# --- people and invitations -----------------------------------------------------------------------


@pytest.fixture
def organisation(user):
    return services.organisation_create(actor=user, name="Demo Forum", actor_type=ActorType.NETWORK)


def test_an_invitation_is_mailed_once_the_transaction_commits(
    user, organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation, raw = services.person_invite(
            actor=user,
            organisation=organisation,
            email="  Aissatou@Example.ORG ",
            role="editor",
            base_url="https://citypeers.example",
        )
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["aissatou@example.org"]
    assert "Demo Forum" in message.subject
    assert f"https://citypeers.example/en/directory/invitations/{raw}/" in message.body
    # Only the hash of the token is stored.
    assert raw not in invitation.token_hash
    assert invitation.email == "aissatou@example.org"
    assert events("person.invite", organisation) == 1


def test_an_invitation_is_not_mailed_when_the_transaction_fails(user, organisation):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.person_invite(actor=user, organisation=organisation, email="x@example.org")
        raise RuntimeError
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_someone_already_in_the_organisation_is_not_invited(user, organisation):
    with pytest.raises(Conflict) as conflict:
        services.person_invite(actor=user, organisation=organisation, email=user.email.upper())
    assert conflict.value.field == "email"


@pytest.mark.parametrize(
    ("email", "role", "field"), [("nobody", "member", "email"), ("a@b.c", "king", "role")]
)
def test_an_invitation_needs_an_address_and_a_known_role(user, organisation, email, role, field):
    with pytest.raises(ApplicationError) as refused:
        services.person_invite(actor=user, organisation=organisation, email=email, role=role)
    assert refused.value.field == field


def test_accepting_an_invitation_gives_its_role_once(user, organisation):
    _invitation, raw = services.person_invite(
        actor=user, organisation=organisation, email="new@example.org", role="editor"
    )
    newcomer = UserFactory(email="new@example.org")
    role = services.invitation_accept(user=newcomer, token=raw)
    assert (role.organisation, role.role) == (organisation, "editor")
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == newcomer and invitation.accepted_at is not None
    assert events("invitation.accept", organisation) == 1

    with pytest.raises(NotFound):
        services.invitation_accept(user=UserFactory(), token=raw)
    with pytest.raises(NotFound):
        services.invitation_get(token=raw)


def test_a_forwarded_invitation_cannot_be_accepted_by_another_address(user, organisation):
    _invitation, raw = services.person_invite(
        actor=user, organisation=organisation, email="Invited@Example.org", role="admin"
    )
    with pytest.raises(PermissionDenied, match="another e-mail address"):
        services.invitation_accept(user=UserFactory(email="someone.else@example.org"), token=raw)
    assert (
        not OrganisationRole.objects.filter(organisation=organisation, role="admin")
        .exclude(user=user)
        .exists()
    )

    # The invited address, in any letter case, still can.
    role = services.invitation_accept(user=UserFactory(email="invited@example.org"), token=raw)
    assert role.role == "admin"


def test_an_expired_or_unknown_invitation_is_not_found(user, organisation):
    _invitation, raw = services.person_invite(
        actor=user, organisation=organisation, email="late@example.org"
    )
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(NotFound):
        services.invitation_accept(user=UserFactory(), token=raw)
    with pytest.raises(NotFound):
        services.invitation_get(token="not-a-token")
    assert OrganisationRole.objects.filter(organisation=organisation).count() == 1


def test_accepting_an_invitation_does_not_demote_the_last_admin(user, organisation):
    _invitation, raw = services.person_invite(
        actor=user, organisation=organisation, email="someone@example.org", role="member"
    )
    with pytest.raises(ApplicationError):
        services.invitation_accept(user=user, token=raw)
    assert OrganisationRole.objects.get(organisation=organisation, user=user).role == "admin"


def test_setting_a_role_and_removing_a_person_are_audited(user, organisation):
    person = OrganisationRoleFactory(organisation=organisation, role="member").user
    services.person_set_role(actor=user, organisation=organisation, user=person, role="editor")
    services.person_remove(actor=user, organisation=organisation, user=person)
    assert events("person.role", organisation) == events("person.remove", organisation) == 1
    with pytest.raises(NotFound):
        services.person_remove(actor=user, organisation=organisation, user=person)
    with pytest.raises(NotFound):
        services.person_set_role(actor=user, organisation=organisation, user=person, role="admin")


def test_theme_sync_is_idempotent():
    assert services.theme_sync() == 0
