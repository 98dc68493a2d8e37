"""Reads of the partnership registry: list filters (each result once, however many members match),
the detail read in a fixed number of queries, and statistics that equal counts made directly."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citypeers.core.errors import NotFound
from citypeers.directory.models import ActorType
from citypeers.directory.tests.factories import OrganisationFactory, country, theme
from citypeers.partnerships import selectors
from citypeers.partnerships.models import (
    Modality,
    Partnership,
    PartnershipAssessment,
    PartnershipEvent,
    Status,
)
from citypeers.partnerships.selectors import PartnershipFilters
from citypeers.partnerships.tests.factories import (
    ActivityFactory,
    AgreementFactory,
    CapacityAssessmentFactory,
    IndicatorFactory,
    ObjectiveFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    ResultFactory,
)

pytestmark = pytest.mark.django_db


def city(name: str, iso3: str, actor_type: str = ActorType.MUNICIPALITY):
    return OrganisationFactory(name=name, country=country(iso3), actor_type=actor_type)


class Registry:
    """Six partnerships, one declined, with members placed so that joins would repeat rows."""

    def __init__(self) -> None:
        self.dakar = city("Ville de Dakar", "SEN")
        self.kumasi = city("City of Kumasi", "GHA")
        self.lyon = city("Métropole de Lyon", "FRA", ActorType.METROPOLITAN)
        self.utrecht = city("Gemeente Utrecht", "NLD")
        self.porto_alegre = city("Prefeitura de Porto Alegre", "BRA")
        self.curitiba = city("Prefeitura de Curitiba", "BRA")
        self.rosario = city("Municipalidad de Rosario", "ARG")
        self.network = OrganisationFactory(
            name="Demo World Network", country=None, actor_type=ActorType.NETWORK
        )
        self.twinning = PartnershipFactory(
            title="Coopération décentralisée Dakar–Lyon",
            modality=Modality.TWINNING,
            members=[self.dakar, self.lyon],
            themes=[theme("waste"), theme("culture")],
        )
        self.west_africa = PartnershipFactory(
            title="Municipal finance peer exchange",
            modality=Modality.NETWORK_PROJECT,
            status=Status.ENDED,
            members=[self.dakar, self.kumasi, (self.network, "facilitator")],
            themes=[theme("local-finance")],
        )
        self.brazil = PartnershipFactory(
            title="Bus rapid transit learning",
            modality=Modality.C2C,
            status=Status.DORMANT,
            members=[self.porto_alegre, self.curitiba],
            themes=[theme("mobility")],
        )
        self.mercosur = PartnershipFactory(
            title="Participatory budgeting across the border",
            modality=Modality.C2C,
            members=[self.porto_alegre, self.curitiba, self.rosario],
        )
        self.europe = PartnershipFactory(
            title="Cycling cities",
            modality=Modality.C2C,
            members=[self.lyon, self.utrecht],
            themes=[theme("mobility")],
        )
        self.declined = PartnershipFactory(
            title="Declined proposal Dakar",
            status=Status.DECLINED,
            members=[self.dakar, self.utrecht],
        )


@pytest.fixture
def registry() -> Registry:
    return Registry()


def titles(filters: PartnershipFilters) -> list[str]:
    rows = list(selectors.partnership_list(filters))
    assert len(rows) == len({p.pk for p in rows}), "a partnership is listed twice"
    return [p.title for p in rows]


def test_the_geography_of_the_registry(registry):
    geography = {p.title: (p.geography, p.single_country) for p in Partnership.objects.all()}
    assert geography == {
        "Coopération décentralisée Dakar–Lyon": ("north_south", False),
        "Municipal finance peer exchange": ("triangular", False),
        "Bus rapid transit learning": ("south_south", True),
        "Participatory budgeting across the border": ("south_south", False),
        "Cycling cities": ("north_north", False),
        "Declined proposal Dakar": ("north_south", False),
    }


def test_the_list_leaves_out_declined_proposals_and_is_ordered_by_title(registry):
    assert titles(PartnershipFilters()) == [
        "Bus rapid transit learning",
        "Coopération décentralisée Dakar–Lyon",
        "Cycling cities",
        "Municipal finance peer exchange",
        "Participatory budgeting across the border",
    ]
    assert "Declined proposal Dakar" in [
        p.title for p in selectors.partnership_list(include_declined=True)
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (PartnershipFilters(modality="twinning"), ["Coopération décentralisée Dakar–Lyon"]),
        (PartnershipFilters(modality="a2a"), []),
        (
            PartnershipFilters(geography="south_south"),
            ["Bus rapid transit learning", "Participatory budgeting across the border"],
        ),
        (PartnershipFilters(geography="triangular"), ["Municipal finance peer exchange"]),
        (PartnershipFilters(status="dormant"), ["Bus rapid transit learning"]),
        (PartnershipFilters(status="declined"), []),
        (PartnershipFilters(theme="mobility"), ["Bus rapid transit learning", "Cycling cities"]),
        (PartnershipFilters(theme="waste"), ["Coopération décentralisée Dakar–Lyon"]),
        # Regions at every level; West Africa has two members, Brazil two members.
        (
            PartnershipFilters(region="002"),
            ["Coopération décentralisée Dakar–Lyon", "Municipal finance peer exchange"],
        ),
        (
            PartnershipFilters(region="202"),
            ["Coopération décentralisée Dakar–Lyon", "Municipal finance peer exchange"],
        ),
        (
            PartnershipFilters(region="011"),
            ["Coopération décentralisée Dakar–Lyon", "Municipal finance peer exchange"],
        ),
        (
            PartnershipFilters(region="005"),
            ["Bus rapid transit learning", "Participatory budgeting across the border"],
        ),
        (
            PartnershipFilters(region="150"),
            ["Coopération décentralisée Dakar–Lyon", "Cycling cities"],
        ),
        (
            PartnershipFilters(country="bra"),
            ["Bus rapid transit learning", "Participatory budgeting across the border"],
        ),
        (PartnershipFilters(country="ARG"), ["Participatory budgeting across the border"]),
        (
            PartnershipFilters(international_only=True, country="BRA"),
            ["Participatory budgeting across the border"],
        ),
        (
            PartnershipFilters(geography="south_south", region="019", theme="mobility"),
            ["Bus rapid transit learning"],
        ),
        (PartnershipFilters(status="active", region="150", modality="c2c"), ["Cycling cities"]),
    ],
)
def test_filters(registry, filters, expected):
    assert titles(filters) == expected


def test_filter_by_organisation(registry):
    assert titles(PartnershipFilters(organisation=registry.dakar.pk)) == [
        "Coopération décentralisée Dakar–Lyon",
        "Municipal finance peer exchange",
    ]
    assert titles(PartnershipFilters(organisation=registry.curitiba.pk, country="BRA")) == [
        "Bus rapid transit learning",
        "Participatory budgeting across the border",
    ]
    assert [
        p.title for p in selectors.partnerships_of_organisation(organisation_id=registry.network.pk)
    ] == ["Municipal finance peer exchange"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("cycling", ["Cycling cities"]),
        ("utrecht", ["Cycling cities"]),  # a member's name
        (
            "prefeitura",
            ["Bus rapid transit learning", "Participatory budgeting across the border"],
        ),
        ("dakar lyon", ["Coopération décentralisée Dakar–Lyon"]),  # every word must match
        ("coopération", ["Coopération décentralisée Dakar–Lyon"]),  # as written in the title
        ("COOPÉRATION", ["Coopération décentralisée Dakar–Lyon"]),
        ("metropole", ["Coopération décentralisée Dakar–Lyon", "Cycling cities"]),  # folded
        ("kumasi finance", ["Municipal finance peer exchange"]),
        ("nowhere", []),
        ("  ", None),
    ],
)
def test_search_words(registry, q, expected):
    if expected is None:  # blank: no filter at all
        expected = titles(PartnershipFilters())
    assert titles(PartnershipFilters(q=q)) == expected


def test_the_list_reads_members_and_themes_in_a_fixed_number_of_queries(
    registry, django_assert_max_num_queries
):
    for _ in range(10):
        PartnershipFactory(members=[registry.dakar, registry.lyon, registry.network])
    with django_assert_max_num_queries(3):  # partnerships, members with countries, themes
        for partnership in selectors.partnership_list(PartnershipFilters(region="150")):
            [(m.organisation.name, m.organisation.country) for m in partnership.members.all()]
            list(partnership.themes.all())


# --- partnership_get ---------------------------------------------------------------------------


def build_full(size: int) -> Partnership:
    """A partnership with ``size`` of everything its page shows."""
    members = [OrganisationFactory() for _ in range(size + 1)]
    partnership = PartnershipFactory.create(members=members, themes=[theme("waste")])
    for i in range(size):
        objective = ObjectiveFactory(partnership=partnership)
        ActivityFactory(partnership=partnership, participants=members[:2])
        result = ResultFactory(partnership=partnership, objective=objective)
        IndicatorFactory(result=result)
        IndicatorFactory(result=result)
        AgreementFactory(partnership=partnership)
        PartnershipEvent.objects.create(partnership=partnership, kind="updated")
        for kind in ("baseline", "follow_up"):
            assessment = CapacityAssessmentFactory.create(
                organisation=members[i], scores={"local-finance": 2, "participation": 3}
            )
            PartnershipAssessment.objects.create(
                partnership=partnership, assessment=assessment, kind=kind
            )
    return partnership


def read_page(slug: str) -> int:
    """Read everything the partnership page shows; return the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        partnership = selectors.partnership_get(slug=slug)
        for m in partnership.members.all():
            str(m.organisation), m.organisation.country
        list(partnership.themes.all()), list(partnership.sdgs.all())
        list(partnership.objectives.all()), list(partnership.agreements.all())
        for activity in partnership.activities.all():
            activity.city, list(activity.participants.all())
        for result in partnership.results.all():
            result.objective, list(result.indicators.all())
        [event.actor for event in partnership.history.all()]
        selectors.capacity_changes(partnership)
    return len(queries)


def test_partnership_get_takes_the_same_queries_however_much_it_holds():
    small, large = build_full(1), build_full(5)
    assert read_page(small.slug) == read_page(large.slug) <= 16


def test_capacity_changes_pair_baseline_and_follow_up():
    member = OrganisationFactory(name="Demo LGA", actor_type=ActorType.LGA)
    partnership = PartnershipFactory(members=[member, OrganisationFactory()])
    for kind, level, year in (
        ("baseline", 2, 2020),
        ("follow_up", 3, 2022),
        ("follow_up", 4, 2024),
    ):
        assessment = CapacityAssessmentFactory(
            organisation=member,
            assessed_on=f"{year}-01-01",
            scores={"advocacy": level},
        )
        PartnershipAssessment.objects.create(
            partnership=partnership, assessment=assessment, kind=kind
        )
    (change,) = selectors.capacity_changes(selectors.partnership_get(slug=partnership.slug))
    assert (change.organisation, change.baseline, change.latest, change.change) == (
        "Demo LGA",
        2,
        4,
        2,
    )


def test_an_unknown_partnership_is_not_found():
    with pytest.raises(NotFound):
        selectors.partnership_get(slug="nowhere")
    with pytest.raises(NotFound):
        selectors.partnership_get_by_id(pk=0)


def test_open_invitations_of_an_organisation(registry):
    invited = PartnershipMemberFactory(
        partnership=registry.europe, organisation=registry.rosario, accepted=False
    )
    PartnershipMemberFactory(  # a declined proposal waits for nobody
        partnership=registry.declined, organisation=registry.kumasi, accepted=False
    )
    found = selectors.open_invitations_for(
        organisation_ids=[registry.rosario.pk, registry.kumasi.pk, registry.dakar.pk]
    )
    assert list(found) == [invited]


# --- Statistics --------------------------------------------------------------------------------


def direct_counts(partnerships: list[Partnership]) -> dict[str, object]:
    by_region: Counter[str] = Counter()
    for partnership in partnerships:
        regions = {
            m.organisation.country.region.m49
            if m.organisation.country and m.organisation.country.region
            else "none"
            for m in partnership.members.select_related("organisation__country__region")
        }
        by_region.update(regions)
    return {
        "total": len(partnerships),
        "by_geography": dict(Counter(p.geography for p in partnerships)),
        "by_modality": dict(Counter(p.modality for p in partnerships)),
        "by_status": dict(Counter(p.status for p in partnerships)),
        "by_region": dict(by_region),
    }


def stats_as_dict(stats: selectors.PartnershipStats) -> dict[str, object]:
    return {
        "total": stats.total,
        "by_geography": stats.by_geography,
        "by_modality": stats.by_modality,
        "by_status": stats.by_status,
        "by_region": stats.by_region,
    }


def test_stats_equal_direct_counts(registry):
    visible = list(Partnership.objects.exclude(status=Status.DECLINED))

    stats = selectors.partnership_stats()

    assert stats_as_dict(stats) == direct_counts(visible)
    assert stats.total == 5
    assert stats.by_geography == {
        "north_south": 1,
        "triangular": 1,
        "south_south": 2,
        "north_north": 1,
    }
    # Africa: 2 (both with Dakar), Europe: 2, Americas: 2, and the network has no country.
    assert stats.by_region == {"002": 2, "150": 2, "019": 2, "none": 1}


def test_stats_follow_the_filters(registry):
    filters = PartnershipFilters(country="BRA")
    expected = direct_counts(list(selectors.partnership_list(filters)))
    assert stats_as_dict(selectors.partnership_stats(filters)) == expected
    assert expected["total"] == 2 and expected["by_region"] == {"019": 2}
