"""Factories of the directory app, over the real reference data loaded for the test session.

Factories write rows directly (they are test fixtures, not interfaces); tests of the rules go
through the services.
"""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from citypeers.accounts.models import OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.text import fold
from citypeers.directory.models import ActorType, Membership, Organisation, ProfileItem, Theme
from citypeers.places.models import City, Country


def country(iso3: str) -> Country:
    return Country.objects.get(iso3=iso3)


def city(geonameid: int) -> City:
    return City.objects.select_related("country", "admin_area").get(geonameid=geonameid)


def theme(slug: str) -> Theme:
    return Theme.objects.get(slug=slug)


class OrganisationFactory(DjangoModelFactory[Organisation]):
    """An NGO in France unless told otherwise; ``search_text`` follows the name like the service."""

    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    actor_type = ActorType.NGO
    country = factory.LazyFunction(lambda: Country.objects.get(iso3="FRA"))
    original_language = "en"
    descriptions = factory.LazyAttribute(lambda o: {"en": f"About {o.name}."})
    search_text = factory.LazyAttribute(
        lambda o: fold(
            " ".join(
                [o.name, *(o.descriptions or {}).values(), o.country.name_en if o.country else ""]
            )
        )
    )

    @factory.post_generation
    def themes(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def sdgs(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.sdgs.set(extracted)


class ProfileItemFactory(DjangoModelFactory[ProfileItem]):
    class Meta:
        model = ProfileItem

    organisation = factory.SubFactory(OrganisationFactory)
    kind = ProfileItem.Kind.CHALLENGE
    theme = factory.LazyFunction(lambda: Theme.objects.get(slug="water-sanitation"))
    text = "Informal settlements without piped water."
    language = "en"


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    member = factory.SubFactory(OrganisationFactory)
    parent = factory.SubFactory(OrganisationFactory, actor_type=ActorType.NETWORK)
    role = Membership.Role.MEMBER


class OrganisationRoleFactory(DjangoModelFactory[OrganisationRole]):
    class Meta:
        model = OrganisationRole

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = OrganisationRole.Role.MEMBER
