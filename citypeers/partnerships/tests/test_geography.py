"""The derived geography of a partnership (``geography.py``) on its edge cases, and its
recomputation when members or the countries' classification change.

Countries are the real reference data of the test session, classified by the built-in rule
(World Bank income groups first): France, Germany and Chile are North; Senegal, Brazil and India
are South; Antarctica is classified by no source (``global_south`` is None).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.models import ActorType
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    country,
)
from citypeers.partnerships import geography, services
from citypeers.partnerships.models import Geography, Modality, Partnership
from citypeers.partnerships.tests.factories import PartnershipFactory
from citypeers.places import services as places_services

pytestmark = pytest.mark.django_db


def org(iso3: str | None, actor_type: str = ActorType.MUNICIPALITY):
    """An organisation in the country ``iso3``, or without a country when None."""
    return OrganisationFactory(
        actor_type=actor_type, country=country(iso3) if iso3 is not None else None
    )


def international():
    return org(None, ActorType.INTERNATIONAL)


def derived(*members) -> tuple[str, bool]:
    """(geography, single_country) of a partnership of these members, as stored by the factory."""
    partnership = PartnershipFactory.create(members=list(members))
    partnership.refresh_from_db()
    return partnership.geography, partnership.single_country


# --- The rule on members' places (no database needed for the pure function) -----------------------

SOUTH_SN = geography.MemberPlace(1, True)
SOUTH_BR = geography.MemberPlace(2, True)
NORTH_FR = geography.MemberPlace(3, False)
NORTH_DE = geography.MemberPlace(4, False)
UNKNOWN_AQ = geography.MemberPlace(5, None)
STATELESS = geography.MemberPlace(None, None)


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        pytest.param([NORTH_FR, NORTH_DE], "north_north", id="north-north"),
        pytest.param([SOUTH_SN, NORTH_FR], "north_south", id="north-south"),
        pytest.param([SOUTH_SN, SOUTH_BR], "south_south", id="south-south"),
        pytest.param([SOUTH_SN, SOUTH_BR, NORTH_FR], "triangular", id="triangular-north"),
        pytest.param([SOUTH_SN, SOUTH_BR, STATELESS], "triangular", id="triangular-network"),
        pytest.param([SOUTH_SN, STATELESS], "north_south", id="south-and-international"),
        pytest.param([SOUTH_SN, NORTH_FR, NORTH_DE], "north_south", id="one-south-two-north"),
        pytest.param([SOUTH_SN, UNKNOWN_AQ], "unclassified", id="unknown-country-not-counted"),
        pytest.param([NORTH_FR, UNKNOWN_AQ], "unclassified", id="north-and-unknown"),
        pytest.param([SOUTH_SN, SOUTH_BR, UNKNOWN_AQ], "south_south", id="unknown-ignored"),
        pytest.param([NORTH_FR, STATELESS], "unclassified", id="north-and-international"),
        pytest.param([STATELESS, STATELESS], "unclassified", id="two-international"),
        pytest.param([SOUTH_SN], "unclassified", id="single-member"),
        pytest.param([], "unclassified", id="no-member"),
    ],
)
def test_classify(members, expected):
    assert geography.classify(members)[0] == expected


def test_single_country_needs_two_members_all_in_that_country():
    assert geography.classify([SOUTH_SN, SOUTH_SN]) == ("south_south", True)
    assert geography.classify([NORTH_FR, NORTH_FR]) == ("north_north", True)
    assert geography.classify([SOUTH_SN]) == ("unclassified", False)
    assert geography.classify([SOUTH_SN, SOUTH_SN, STATELESS]) == ("triangular", False)
    assert geography.classify([SOUTH_SN, SOUTH_BR])[1] is False


# --- The rule on real countries, as stored on partnerships ---------------------------------------


def test_north_north_between_france_and_germany():
    assert derived(org("FRA"), org("DEU")) == (Geography.NORTH_NORTH, False)


def test_north_south_between_france_and_senegal():
    assert derived(org("FRA"), org("SEN")) == (Geography.NORTH_SOUTH, False)


def test_south_south_between_senegal_and_brazil():
    assert derived(org("SEN"), org("BRA")) == (Geography.SOUTH_SOUTH, False)


def test_triangular_with_a_northern_city():
    assert derived(org("SEN"), org("BRA"), (org("FRA"), "funder"))[0] == Geography.TRIANGULAR


def test_triangular_with_an_international_organisation_as_facilitator():
    assert derived(org("SEN"), org("IND"), (international(), "facilitator"))[0] == (
        Geography.TRIANGULAR
    )


def test_one_southern_member_and_an_international_organisation_is_north_south():
    assert derived(org("SEN"), international())[0] == Geography.NORTH_SOUTH


def test_a_country_no_source_classifies_is_not_counted():
    assert country("ATA").global_south is None
    assert derived(org("SEN"), org("ATA"))[0] == Geography.UNCLASSIFIED
    assert derived(org("SEN"), org("BRA"), org("ATA"))[0] == Geography.SOUTH_SOUTH


def test_two_brazilian_cities_are_south_south_within_one_country():
    assert derived(org("BRA"), org("BRA")) == (Geography.SOUTH_SOUTH, True)


def test_fewer_than_two_placeable_members_is_unclassified():
    assert derived(org("SEN"))[0] == Geography.UNCLASSIFIED
    assert derived(international(), international())[0] == Geography.UNCLASSIFIED


# --- Recomputed when the members change -----------------------------------------------------------


def test_geography_follows_member_add_and_remove():
    staff = UserFactory(is_staff=True)
    partnership = services.partnership_create(
        actor=staff,
        title="Coastal erosion exchange",
        modality=Modality.C2C,
        members=[(org("SEN"), "partner"), (org("BRA"), "partner")],
    )
    assert (partnership.geography, partnership.single_country) == (Geography.SOUTH_SOUTH, False)

    member = services.member_add(
        actor=staff, partnership=partnership, organisation=org("FRA"), role="funder"
    )
    assert Partnership.objects.get(pk=partnership.pk).geography == Geography.TRIANGULAR

    services.member_remove(actor=staff, member=member)
    assert Partnership.objects.get(pk=partnership.pk).geography == Geography.SOUTH_SOUTH


def test_geography_follows_a_declined_invitation():
    senegal, brazil, france = org("SEN"), org("BRA"), org("FRA")
    editor = UserFactory()
    OrganisationRoleFactory(user=editor, organisation=senegal, role="editor")
    OrganisationRoleFactory(user=editor, organisation=brazil, role="editor")
    france_editor = OrganisationRoleFactory(organisation=france, role="editor").user
    partnership = services.partnership_create(
        actor=editor,
        title="Waste pickers in the city",
        modality=Modality.C2C,
        members=[(senegal, "lead"), (brazil, "partner"), (france, "funder")],
    )
    assert partnership.geography == Geography.TRIANGULAR

    services.partnership_answer(
        actor=france_editor, partnership=partnership, organisation=france, accept=False
    )
    partnership.refresh_from_db()
    assert (partnership.status, partnership.geography) == ("active", Geography.SOUTH_SOUTH)


# --- Recomputed when the classification changes --------------------------------------------------


def test_recompute_all_after_a_rule_change():
    chile_brazil = PartnershipFactory(members=[org("CHL"), org("BRA")])
    france_germany = PartnershipFactory(members=[org("FRA"), org("DEU")])
    assert chile_brazil.geography == Geography.NORTH_SOUTH  # Chile is high income
    assert services.geography_recompute_all() == 0

    # The UN M49 convention alone counts every country of Latin America as South.
    places_services.classification_recompute(rule=["m49"])
    assert country("CHL").global_south is True

    assert services.geography_recompute_all() == 1
    chile_brazil.refresh_from_db()
    france_germany.refresh_from_db()
    assert chile_brazil.geography == Geography.SOUTH_SOUTH
    assert france_germany.geography == Geography.NORTH_NORTH
    assert services.geography_recompute_all() == 0


def test_recompute_all_after_importing_a_classification_file(tmp_path):
    chile_senegal = PartnershipFactory(members=[org("CHL"), org("SEN"), org("BRA")])
    assert chile_senegal.geography == Geography.TRIANGULAR
    path = tmp_path / "CLASS_FY2030.csv"
    path.write_text(
        "Economy,Code,Region,Income group\n"
        "Chile,CHL,Latin America & Caribbean,Upper middle income\n",
        encoding="utf-8",
    )

    out = StringIO()
    call_command("import-classification", str(path), stdout=out)

    assert country("CHL").global_south is True
    assert "Partnership geography re-derived: 1 changed." in out.getvalue()
    chile_senegal.refresh_from_db()
    assert chile_senegal.geography == Geography.SOUTH_SOUTH
