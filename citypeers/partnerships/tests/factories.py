"""Factories of the partnership registry, over the real reference data of the test session.

Factories write rows directly (they are test fixtures, not interfaces); tests of the rules go
through the services. A ``PartnershipFactory`` has two accepted member organisations (NGOs in
France, from the directory's ``OrganisationFactory``) unless ``members`` says otherwise, and its
derived geography is computed from them like the services do:

    PartnershipFactory()                                   # two new members, partners
    PartnershipFactory(members=[dakar, lyon])              # these organisations, partners
    PartnershipFactory(members=[(dakar, "lead"), (lyon, "partner")])
    PartnershipFactory(members=[])                         # no member at all
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

import factory
from factory.django import DjangoModelFactory

from citypeers.directory.models import Organisation
from citypeers.directory.tests.factories import OrganisationFactory
from citypeers.partnerships.models import (
    Activity,
    Agreement,
    CapacityAssessment,
    CapacityDimension,
    CapacityScore,
    Indicator,
    Modality,
    Objective,
    Partnership,
    PartnershipMember,
    Result,
    Status,
)


def _member_specs(extracted: Iterable[Any]) -> list[tuple[Organisation, str]]:
    specs = []
    for item in extracted:
        if isinstance(item, Organisation):
            specs.append((item, PartnershipMember.Role.PARTNER.value))
        else:
            organisation, role = item
            specs.append((organisation, role))
    return specs


class PartnershipFactory(DjangoModelFactory[Partnership]):
    """An active city-to-city partnership started on 1 January 2020, with two members."""

    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Partnership {n}")
    slug = factory.Sequence(lambda n: f"partnership-{n}")
    modality = Modality.C2C
    status = Status.ACTIVE
    started_on = dt.date(2020, 1, 1)
    original_language = "en"
    descriptions = factory.LazyAttribute(lambda p: {"en": f"About {p.title}."})

    @factory.post_generation
    def members(self, create: bool, extracted: Iterable[Any] | None, **kwargs: Any) -> None:
        if not create:
            return
        partnership = cast(Partnership, self)
        if extracted is None:
            extracted = [OrganisationFactory(), OrganisationFactory()]
        for organisation, role in _member_specs(extracted):
            PartnershipMember.objects.create(
                partnership=partnership, organisation=organisation, role=role, accepted=True
            )
        from citypeers.partnerships.services import geography_recompute

        geography_recompute(partnership)

    @factory.post_generation
    def themes(self, create: bool, extracted: Iterable[Any] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def sdgs(self, create: bool, extracted: Iterable[Any] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.sdgs.set(extracted)


class PartnershipMemberFactory(DjangoModelFactory[PartnershipMember]):
    """A member of a new partnership that has no other member (pass ``partnership`` to join one).

    The factory does not recompute the partnership's geography; call
    ``services.geography_recompute`` when a test depends on it.
    """

    class Meta:
        model = PartnershipMember

    partnership = factory.SubFactory(PartnershipFactory, members=[])
    organisation = factory.SubFactory(OrganisationFactory)
    role = PartnershipMember.Role.PARTNER
    accepted = True


class ObjectiveFactory(DjangoModelFactory[Objective]):
    class Meta:
        model = Objective

    partnership = factory.SubFactory(PartnershipFactory)
    text = factory.Sequence(lambda n: f"Objective {n}: halve non-revenue water.")
    position = factory.Sequence(lambda n: n)


class ActivityFactory(DjangoModelFactory[Activity]):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    kind = Activity.Kind.EXCHANGE_VISIT
    title = factory.Sequence(lambda n: f"Exchange visit {n}")
    description = "Engineers of both cities compare their leak detection."
    start_date = dt.date(2021, 3, 1)
    end_date = dt.date(2021, 3, 5)
    participant_count = 12

    @factory.post_generation
    def participants(self, create: bool, extracted: Iterable[Any] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.participants.set(extracted)


class ResultFactory(DjangoModelFactory[Result]):
    class Meta:
        model = Result

    partnership = factory.SubFactory(PartnershipFactory)
    objective = None
    title = factory.Sequence(lambda n: f"Result {n}")
    description = "A leak detection unit works in every district."
    achieved_on = dt.date(2022, 6, 30)


class IndicatorFactory(DjangoModelFactory[Indicator]):
    class Meta:
        model = Indicator

    result = factory.SubFactory(ResultFactory)
    name = "Non-revenue water"
    unit = "%"
    baseline = Decimal("42.00")
    target = Decimal("25.00")
    actual = Decimal("31.50")
    baseline_on = dt.date(2020, 1, 1)
    measured_on = dt.date(2022, 6, 30)


class AgreementFactory(DjangoModelFactory[Agreement]):
    class Meta:
        model = Agreement

    partnership = factory.SubFactory(PartnershipFactory)
    title = "Memorandum of understanding"
    signed_on = dt.date(2020, 1, 15)
    url = "https://example.org/mou.pdf"


class CapacityAssessmentFactory(DjangoModelFactory[CapacityAssessment]):
    """An assessment scored on the given ``scores`` (dimension slug → level, default one score).

    The test database holds the project's capacity framework (``conftest.py``).
    """

    class Meta:
        model = CapacityAssessment
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    assessed_on = dt.date(2020, 1, 1)
    notes = "Self-assessment workshop with the heads of department."

    @factory.post_generation
    def scores(self, create: bool, extracted: dict[str, int] | None, **kwargs: Any) -> None:
        if not create:
            return
        levels = {"strategic-planning": 2} if extracted is None else extracted
        dimensions = {d.slug: d for d in CapacityDimension.objects.filter(slug__in=levels)}
        CapacityScore.objects.bulk_create(
            CapacityScore(
                assessment=cast(CapacityAssessment, self),
                dimension=dimensions[slug],
                level=level,
                evidence="Workshop.",
            )
            for slug, level in levels.items()
        )
