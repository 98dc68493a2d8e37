"""Factories of match requests, over the real reference data of the test session.

Factories write rows directly (they are test fixtures, not interfaces); tests of the rules go
through the services. A ``MatchRequestFactory`` is an open request of a new organisation (an NGO
in France, from the directory's ``OrganisationFactory``) on the water theme unless told otherwise:

    MatchRequestFactory()                                  # open, theme water-sanitation
    MatchRequestFactory(organisation=dakar, themes=[waste])
    MatchInvitationFactory(request=r, organisation=lyon)   # pending
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import factory
from factory.django import DjangoModelFactory

from citypeers.directory.models import Theme
from citypeers.directory.tests.factories import OrganisationFactory
from citypeers.matching.models import (
    InvitationStatus,
    MatchInvitation,
    MatchRequest,
    RequestStatus,
    SuggestionMode,
)
from citypeers.partnerships.models import Modality


class MatchRequestFactory(DjangoModelFactory[MatchRequest]):
    class Meta:
        model = MatchRequest
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Request {n}: reducing water losses")
    text = (
        "Our water network loses a third of what it carries through leaks. We look for a city "
        "that has set up district metering and leak detection."
    )
    language = "en"
    modality = Modality.C2C
    mode = SuggestionMode.PARTNERS
    status = RequestStatus.OPEN

    @factory.post_generation
    def themes(self, create: bool, extracted: Iterable[Any] | None, **kwargs: Any) -> None:
        if not create:
            return
        if extracted is None:
            extracted = [Theme.objects.get(slug="water-sanitation")]
        self.themes.set(extracted)

    @factory.post_generation
    def regions(self, create: bool, extracted: Iterable[Any] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.regions.set(extracted)

    @factory.post_generation
    def countries(self, create: bool, extracted: Iterable[Any] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.countries.set(extracted)


class MatchInvitationFactory(DjangoModelFactory[MatchInvitation]):
    class Meta:
        model = MatchInvitation

    request = factory.SubFactory(MatchRequestFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    message = "You have done this before: would you share how?"
    status = InvitationStatus.PENDING


def person(organisation: Any, role: str = "editor", language: str = "en") -> Any:
    """A new user holding ``role`` in ``organisation``, reading in ``language``."""
    from citypeers.accounts.tests.factories import UserFactory
    from citypeers.directory.tests.factories import OrganisationRoleFactory

    user = UserFactory(preferred_language=language)
    OrganisationRoleFactory(user=user, organisation=organisation, role=role)
    return user
