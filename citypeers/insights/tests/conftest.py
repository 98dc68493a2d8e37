"""A small real network for the insights tests, over the reference data of the test session.

Cities (GeoNames ids) and their countries' North/South class from the reference load:
Lyon and Paris (FRA, North), Berlin (DEU, North), Dakar (SEN, South), Accra (GHA, South),
São Paulo (BRA, South), Nairobi (KEN, South).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from citypeers.directory.models import ActorType
from citypeers.directory.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProfileItemFactory,
    city,
    theme,
)
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.partnerships.models import Modality, PartnershipMember, Status
from citypeers.partnerships.tests.factories import (
    ActivityFactory,
    PartnershipFactory,
    ResultFactory,
)

LYON, PARIS, BERLIN, DAKAR, ACCRA, SAO_PAULO, NAIROBI = (
    2996944,
    2988507,
    2950159,
    2253354,
    2306104,
    3448439,
    184745,
)


def municipality(geonameid: int, name: str, **kwargs: Any) -> Any:
    place = city(geonameid)
    return OrganisationFactory(
        name=name,
        slug=name.lower().replace(" ", "-").replace("ã", "a"),
        actor_type=ActorType.MUNICIPALITY,
        country=place.country,
        city=place,
        **kwargs,
    )


@dataclass
class Network:
    lyon: Any
    paris: Any
    berlin: Any
    dakar: Any
    accra: Any
    sao_paulo: Any
    nairobi: Any
    network: Any
    north_south: Any
    south_south: Any
    triangular: Any
    twinning: Any
    declined: Any
    proposed: Any


@pytest.fixture
def net(db) -> Network:
    water = theme("water-sanitation")
    lyon = municipality(LYON, "Lyon", themes=[water])
    paris = municipality(PARIS, "Paris")
    berlin = municipality(BERLIN, "Berlin")
    dakar = municipality(DAKAR, "Dakar", themes=[water])
    accra = municipality(ACCRA, "Accra")
    sao_paulo = municipality(SAO_PAULO, "Sao Paulo")
    nairobi = municipality(NAIROBI, "Nairobi")
    network = OrganisationFactory(
        name="World Network", slug="world-network", actor_type=ActorType.NETWORK, country=None
    )
    north_south = PartnershipFactory(
        title="Lyon – Dakar water",
        members=[lyon, dakar],
        themes=[water],
        started_on=dt.date(2015, 5, 1),
    )
    south_south = PartnershipFactory(
        title="Dakar – Accra – São Paulo",
        members=[dakar, accra, sao_paulo],
        started_on=dt.date(2019, 1, 1),
    )
    triangular = PartnershipFactory(
        title="Accra – Nairobi with Berlin",
        members=[accra, nairobi, (berlin, "facilitator")],
        started_on=dt.date(2019, 6, 1),
        modality=Modality.A2A,
    )
    twinning = PartnershipFactory(
        title="Lyon – Berlin", members=[lyon, berlin], started_on=None, modality=Modality.TWINNING
    )
    declined = PartnershipFactory(
        title="Declined", members=[paris, nairobi], status=Status.DECLINED
    )
    proposed: Any = PartnershipFactory(title="Proposed", members=[paris], status=Status.PROPOSED)
    PartnershipMember.objects.create(partnership=proposed, organisation=sao_paulo, accepted=False)
    MembershipFactory(member=paris, parent=network)
    MembershipFactory(member=dakar, parent=network)
    ActivityFactory(partnership=north_south, start_date=dt.date(2016, 3, 1))
    ResultFactory(partnership=north_south, achieved_on=dt.date(2017, 6, 30))
    PracticeFactory(owner=dakar, country=dakar.country, city=dakar.city, themes=[water])
    PracticeFactory(owner=lyon, status="draft")
    ProfileItemFactory(organisation=paris, kind="challenge", theme=water)
    ProfileItemFactory(organisation=lyon, kind="expertise", theme=water)
    return Network(
        lyon,
        paris,
        berlin,
        dakar,
        accra,
        sao_paulo,
        nairobi,
        network,
        north_south,
        south_south,
        triangular,
        twinning,
        declined,
        proposed,
    )
