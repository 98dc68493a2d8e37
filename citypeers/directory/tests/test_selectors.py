"""Reads of the directory: the list filters, the organisation page's fixed query count."""

from __future__ import annotations

import datetime as dt

import pytest

from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import NotFound
from citypeers.directory import selectors, services
from citypeers.directory.models import ActorType, Organisation
from citypeers.directory.selectors import OrganisationFilters
from citypeers.directory.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    OrganisationRoleFactory,
    ProfileItemFactory,
    city,
    country,
    theme,
)
from citypeers.places.models import Sdg

pytestmark = pytest.mark.django_db

DAKAR, LYON, SUVA, MEDELLIN = 2253354, 2996944, 2198148, 3674962


@pytest.fixture
def directory() -> dict[str, Organisation]:
    """Four organisations through the services, so their search text is the real one."""
    actor = UserFactory(is_staff=True)

    def make(key, **fields):
        themes = fields.pop("themes", [])
        return services.organisation_create(
            actor=actor, make_admin=False, themes=[theme(t) for t in themes], **fields
        )

    return {
        "dakar": make(
            "dakar",
            name="Ville de Dakar",
            actor_type=ActorType.MUNICIPALITY,
            city=city(DAKAR),
            population_served=2_646_503,
            original_language="fr",
            descriptions={"fr": "Gestion des déchets et assainissement des quartiers côtiers."},
            themes=["waste", "water-sanitation"],
        ),
        "lyon": make(
            "lyon",
            name="Métropole de Lyon",
            actor_type=ActorType.METROPOLITAN,
            city=city(LYON),
            population_served=1_400_000,
            original_language="fr",
            descriptions={"fr": "Mobilité douce et logement abordable."},
            themes=["mobility", "housing"],
        ),
        "suva": make(
            "suva",
            name="Suva City Council",
            actor_type=ActorType.MUNICIPALITY,
            city=city(SUVA),
            population_served=77_366,
            descriptions={"en": "Coastal resilience and waste collection on islands."},
            themes=["climate-resilience", "waste"],
        ),
        "lab": make(
            "lab",
            name="Laboratorio Urbano de Medellín",
            actor_type=ActorType.ACADEMIA,
            city=city(MEDELLIN),
            original_language="es",
            descriptions={"es": "Investigación sobre espacio público y participación."},
            themes=["public-space"],
        ),
    }


def names(filters: OrganisationFilters) -> set[str]:
    return set(selectors.organisation_list(filters).values_list("name", flat=True))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (OrganisationFilters(), {"dakar", "lyon", "suva", "lab"}),
        # q: accents and case folded, every word must appear, in any field the profile shows
        (OrganisationFilters(q="MÉTROPOLE"), {"lyon"}),
        (OrganisationFilters(q="medellin"), {"lab"}),
        (OrganisationFilters(q="quartiers CÔTIERS"), {"dakar"}),
        (OrganisationFilters(q="déchets"), {"dakar", "suva"}),  # the French label of a theme
        (OrganisationFilters(q="waste"), {"dakar", "suva"}),  # a theme label in English
        (OrganisationFilters(q="residuos"), {"dakar", "suva"}),  # and in Spanish
        (OrganisationFilters(q="waste coastal"), {"suva"}),
        (OrganisationFilters(q="waste lyon"), set()),
        (OrganisationFilters(q="sénégal"), {"dakar"}),  # the country's names
        (OrganisationFilters(q="  "), {"dakar", "lyon", "suva", "lab"}),
        # actor type, country
        (OrganisationFilters(actor_type="municipality"), {"dakar", "suva"}),
        (OrganisationFilters(actor_type="academia"), {"lab"}),
        (OrganisationFilters(country="sen"), {"dakar"}),
        (OrganisationFilters(country="FJI"), {"suva"}),
        # region, at any M49 level
        (OrganisationFilters(region="002"), {"dakar"}),  # Africa
        (OrganisationFilters(region="202"), {"dakar"}),  # Sub-Saharan Africa
        (OrganisationFilters(region="011"), {"dakar"}),  # Western Africa
        (OrganisationFilters(region="150"), {"lyon"}),  # Europe
        (OrganisationFilters(region="155"), {"lyon"}),  # Western Europe
        (OrganisationFilters(region="009"), {"suva"}),  # Oceania
        (OrganisationFilters(region="054"), {"suva"}),  # Melanesia
        (OrganisationFilters(region="019"), {"lab"}),  # Americas
        (OrganisationFilters(region="419"), {"lab"}),  # Latin America and the Caribbean
        (OrganisationFilters(region="005"), {"lab"}),  # South America
        (OrganisationFilters(region="142"), set()),  # Asia
        # Global North / South
        (OrganisationFilters(south=True), {"dakar", "suva", "lab"}),
        (OrganisationFilters(south=False), {"lyon"}),
        # theme
        (OrganisationFilters(theme="waste"), {"dakar", "suva"}),
        (OrganisationFilters(theme="public-space"), {"lab"}),
        (OrganisationFilters(theme="energy"), set()),
        # population bands (the lab has no population)
        (OrganisationFilters(population="under-50k"), set()),
        (OrganisationFilters(population="50k-250k"), {"suva"}),
        (OrganisationFilters(population="1m-5m"), {"dakar", "lyon"}),
        (OrganisationFilters(population="over-5m"), set()),
        (OrganisationFilters(population="nonsense"), {"dakar", "lyon", "suva", "lab"}),
        # combined
        (
            OrganisationFilters(south=True, theme="waste", actor_type="municipality"),
            {"dakar", "suva"},
        ),
        (OrganisationFilters(q="waste", region="009"), {"suva"}),
    ],
    ids=lambda v: repr(v) if not isinstance(v, OrganisationFilters) else None,
)
def test_organisation_list_filters(directory, filters, expected):
    assert names(filters) == {directory[key].name for key in expected}


def test_organisation_list_is_ordered_by_name_without_duplicates(directory):
    both = OrganisationFilters(theme="waste")
    names_in_order = list(selectors.organisation_list(both).values_list("name", flat=True))
    assert names_in_order == ["Suva City Council", "Ville de Dakar"]


def test_demo_filter(directory):
    OrganisationFactory(name="Demo thing", is_demo=True)
    assert names(OrganisationFilters(demo=True)) == {"Demo thing"}
    assert "Demo thing" not in names(OrganisationFilters(demo=False))


def test_a_page_of_the_list_runs_a_fixed_number_of_queries(directory, django_assert_num_queries):
    for n in range(30):
        OrganisationFactory(name=f"Extra {n}", themes=[theme("housing"), theme("land")])

    with django_assert_num_queries(2):  # the page, then the themes of its rows
        page = list(selectors.organisation_list()[:25])
        for organisation in page:
            _ = organisation.country.region, organisation.city, organisation.admin_area
            _ = [t.label for t in organisation.themes.all()]
    assert len(page) == 25


def _page_queries(organisation, django_assert_num_queries):
    with django_assert_num_queries(7):
        found = selectors.organisation_get(slug=organisation.slug)
        _ = found.country.region, found.country.subregion, found.admin_area, found.city
        _ = [t.label for t in found.themes.all()]
        _ = [s.short for s in found.sdgs.all()]
        _ = [(i.theme.label, i.text) for i in found.profile_items.all()]
        _ = [(m.parent.name, m.parent.country) for m in found.memberships.all()]
        _ = [(m.member.name, m.member.country) for m in found.members.all()]
        _ = [r.user.username for r in found.people.all()]


@pytest.mark.parametrize("rows", [1, 6])
def test_organisation_get_prefetches_what_the_page_shows(rows, django_assert_num_queries):
    organisation = OrganisationFactory(
        actor_type=ActorType.LGA,
        themes=[theme("housing"), theme("waste")][: min(rows, 2)],
        sdgs=list(Sdg.objects.all()[:rows]),
    )
    for _ in range(rows):
        ProfileItemFactory(organisation=organisation, theme=theme("local-finance"))
        MembershipFactory(member=OrganisationFactory(country=country("SEN")), parent=organisation)
        MembershipFactory(
            member=organisation,
            parent=OrganisationFactory(actor_type=ActorType.NETWORK, country=country("ESP")),
        )
        OrganisationRoleFactory(organisation=organisation)
    _page_queries(organisation, django_assert_num_queries)


def test_organisation_get_of_an_unknown_slug_is_not_found():
    with pytest.raises(NotFound):
        selectors.organisation_get(slug="no-such-organisation")
    with pytest.raises(NotFound):
        selectors.organisation_get_by_id(pk=0)


def test_membership_list_current_only():
    parent = OrganisationFactory(actor_type=ActorType.NETWORK, name="Network")
    today = dt.date.today()
    ongoing = MembershipFactory(parent=parent, member=OrganisationFactory(name="A"))
    ends_today = MembershipFactory(
        parent=parent, member=OrganisationFactory(name="B"), end_date=today
    )
    ended = MembershipFactory(
        parent=parent,
        member=OrganisationFactory(name="C"),
        start_date=today - dt.timedelta(days=400),
        end_date=today - dt.timedelta(days=1),
    )
    unrelated = MembershipFactory()

    everything = list(selectors.membership_list(organisation=parent))
    assert everything == [ongoing, ends_today, ended]
    assert list(selectors.membership_list(organisation=parent, current_only=True)) == [
        ongoing,
        ends_today,
    ]
    assert unrelated in selectors.membership_list()
    assert not ended.is_current and ends_today.is_current
    # The member side sees the same memberships.
    assert list(selectors.membership_list(organisation=ended.member)) == [ended]
    assert list(selectors.membership_list(organisation=ended.member, current_only=True)) == []


def test_organisations_of_city_and_of_user():
    user = UserFactory()
    services.organisation_claim_city(actor=user, city=city(DAKAR))
    services.organisation_claim_city(actor=user, city=city(DAKAR), actor_type="metropolitan")
    in_dakar = selectors.organisations_of_city(city_id=city(DAKAR).pk)
    assert [o.actor_type for o in in_dakar] == ["metropolitan", "municipality"]
    roles = selectors.organisations_of_user(user_id=user.pk)
    assert {r.organisation.name for r in roles} == {"Dakar", "Metropolitan area of Dakar"}
