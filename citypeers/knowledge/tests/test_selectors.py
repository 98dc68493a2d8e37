"""Reads of the knowledge base: list filters, visibility of unpublished practices, facets that
agree with direct counts, a fixed number of queries per list, and the review queue."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from citypeers.accounts.models import OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import NotFound
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    country,
    theme,
)
from citypeers.knowledge import selectors
from citypeers.knowledge.models import Practice, PracticeOrganisation, Status
from citypeers.knowledge.selectors import PracticeFilters
from citypeers.knowledge.tests.factories import PracticeFactory, PracticeTextFactory, sdg

pytestmark = pytest.mark.django_db


def listed(user=None, **filters) -> list[Practice]:
    return list(selectors.practice_list(PracticeFilters(**filters), user=user))


@pytest.fixture
def corpus():
    """Five published practices in four languages and countries, and one draft."""
    water = PracticeFactory(
        title="Water kiosks run by women's groups",
        texts={"summary": "Kiosks sell clean water by the bucket."},
        country=country("SEN"),
        themes=[theme("water-sanitation")],
        sdgs=[sdg(6), sdg(5)],
    )
    PracticeTextFactory(practice=water, language="fr", title="Kiosques à eau gérés par des femmes")
    budget = PracticeFactory(
        language="pt",
        title="Orçamento participativo nos bairros",
        texts={"lessons": "Comece com poucos bairros."},
        country=country("BRA"),
        themes=[theme("governance")] if _has("governance") else [],
        sdgs=[sdg(16)],
    )
    shade = PracticeFactory(
        language="es",
        title="Corredores de sombra",
        texts={"summary": "Árboles y toldos contra el calor."},
        country=country("ESP"),
        themes=[theme("climate-resilience")],
        sdgs=[sdg(11), sdg(13)],
    )
    bikes = PracticeFactory(
        title="Station bicycle parking", country=country("NLD"), themes=[theme("mobility")]
    )
    nowhere = PracticeFactory(title="A network-wide mentoring scheme")
    draft = PracticeFactory(title="Draft on water tariffs", status=Status.DRAFT)
    return {
        "water": water,
        "budget": budget,
        "shade": shade,
        "bikes": bikes,
        "nowhere": nowhere,
        "draft": draft,
    }


def _has(slug: str) -> bool:
    from citypeers.directory.models import Theme

    return Theme.objects.filter(slug=slug).exists()


def test_default_list_is_the_published_practices(corpus):
    assert set(listed()) == {corpus[k] for k in ("water", "budget", "shade", "bikes", "nowhere")}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("water", {"water"}),
        ("kiosques femmes", {"water"}),  # in the French translation only
        ("KIOSKS bucket", {"water"}),  # title and summary, any case
        ("orçamento", {"budget"}),  # as typed, with its accent
        ("bairros", {"budget"}),  # title and lessons
        ("calor", {"shade"}),
        ("water nothing-like-this", set()),  # every word must match
    ],
)
def test_q_matches_every_word_in_any_language(corpus, q, expected):
    assert set(listed(q=q)) == {corpus[k] for k in expected}


def test_filters(corpus):
    assert listed(theme="water-sanitation") == [corpus["water"]]
    assert set(listed(sdg=13)) == {corpus["shade"]}
    assert listed(country="sen") == [corpus["water"]]
    assert set(listed(region="002")) == {corpus["water"]}  # Africa
    assert set(listed(region="011")) == {corpus["water"]}  # Western Africa
    assert set(listed(region="419")) == {corpus["budget"]}  # Latin America and the Caribbean
    assert set(listed(region="150")) == {corpus["shade"], corpus["bikes"]}  # Europe
    assert set(listed(south=True)) == {corpus["water"], corpus["budget"]}
    assert set(listed(south=False)) == {corpus["shade"], corpus["bikes"]}
    assert set(listed(language="fr")) == {corpus["water"]}
    assert set(listed(language="pt")) == {corpus["budget"]}


def test_organisation_filter_covers_owner_and_roles(corpus):
    organisation = OrganisationFactory()
    Practice.objects.filter(pk=corpus["water"].pk).update(owner=organisation)
    PracticeOrganisation.objects.create(
        practice=corpus["shade"], organisation=organisation, role="partner"
    )
    PracticeOrganisation.objects.create(
        practice=corpus["water"], organisation=organisation, role="lead"
    )
    result = listed(organisation=organisation.pk)
    assert sorted(p.pk for p in result) == sorted([corpus["water"].pk, corpus["shade"].pk])


def test_no_duplicates_when_several_joined_rows_match(corpus):
    # The water practice matches "water" in two languages and holds two SDGs.
    PracticeTextFactory(practice=corpus["water"], language="es", title="Quioscos de water")
    result = listed(q="water", status="")
    assert [p.pk for p in result].count(corpus["water"].pk) == 1
    result = listed(status="")
    assert len(result) == len({p.pk for p in result})


def test_drafts_are_visible_to_author_editor_and_moderator_only(corpus):
    draft = corpus["draft"]
    organisation = OrganisationFactory()
    Practice.objects.filter(pk=draft.pk).update(owner=organisation)
    editor = OrganisationRoleFactory(
        organisation=organisation, role=OrganisationRole.Role.EDITOR
    ).user
    member = OrganisationRoleFactory(
        organisation=organisation, role=OrganisationRole.Role.MEMBER
    ).user
    for user, sees in (
        (draft.created_by, True),
        (editor, True),
        (UserFactory(is_moderator=True), True),
        (member, False),
        (UserFactory(), False),
        (AnonymousUser(), False),
        (None, False),
    ):
        assert (draft in listed(user=user, status="")) is sees
        assert (draft in listed(user=user, status=Status.DRAFT)) is sees
        assert corpus["water"] in listed(user=user, status="")
    assert draft not in listed(user=draft.created_by)  # the default list: published only


def test_practice_get_hides_unpublished_practices_from_strangers(corpus):
    draft = corpus["draft"]
    with pytest.raises(NotFound):
        selectors.practice_get(slug=draft.slug, user=UserFactory())
    with pytest.raises(NotFound):
        selectors.practice_get(slug=draft.slug)
    with pytest.raises(NotFound):
        selectors.practice_get(slug="no-such-practice")
    assert selectors.practice_get(slug=draft.slug, user=draft.created_by) == draft
    with pytest.raises(NotFound):
        selectors.practice_get_by_id(pk=draft.pk)
    assert selectors.practice_get_by_id(pk=corpus["water"].pk) == corpus["water"]


def test_practice_get_lists_only_published_adaptations(corpus):
    PracticeFactory(adapted_from=corpus["budget"], title="Budget participatif à Dakar")
    PracticeFactory(adapted_from=corpus["budget"], status=Status.DRAFT)
    practice = selectors.practice_get(slug=corpus["budget"].slug)
    assert [str(p) for p in practice.adaptations.all()] == ["Budget participatif à Dakar"]


def test_facets_equal_direct_counts(corpus):
    facets = selectors.practice_facets()
    published = Practice.objects.filter(status=Status.PUBLISHED)
    for value, n in facets["sdg"]:
        assert n == published.filter(sdgs__number=value).count()
    for value, n in facets["theme"]:
        assert n == published.filter(themes__slug=value).count()
    for value, n in facets["country"]:
        assert n == published.filter(country__iso3=value).count()
    for value, n in facets["language"]:
        assert n == published.filter(texts__language=value).distinct().count()
    assert dict(facets["language"]) == {"en": 3, "fr": 1, "pt": 1, "es": 1}
    assert dict(facets["sdg"])[6] == 1
    assert None not in dict(facets["country"])


def test_facets_follow_the_filters(corpus):
    facets = selectors.practice_facets(PracticeFilters(south=True))
    assert dict(facets["country"]) == {"SEN": 1, "BRA": 1}


def test_list_runs_a_fixed_number_of_queries(corpus, django_assert_max_num_queries):
    for _n in range(15):
        practice = PracticeFactory(country=country("KEN"), sdgs=[sdg(6)])
        PracticeTextFactory(practice=practice, language="fr")
    with django_assert_max_num_queries(5):
        for practice in listed(q="practice"):
            _ = [t.title for t in practice.texts.all()]
            _ = [s.number for s in practice.sdgs.all()]
            _ = [t.slug for t in practice.themes.all()]
            _ = practice.country.name_en if practice.country else ""
            _ = practice.text_in("fr")
    with django_assert_max_num_queries(6):
        selectors.practice_facets(PracticeFilters(q="practice"))


def test_review_queue_holds_submitted_practices_of_the_editors_organisations():
    organisation = OrganisationFactory()
    editor = OrganisationRoleFactory(
        organisation=organisation, role=OrganisationRole.Role.EDITOR
    ).user
    ours = PracticeFactory(status=Status.SUBMITTED, owner=organisation)
    theirs = PracticeFactory(status=Status.SUBMITTED, owner=OrganisationFactory())
    PracticeFactory(status=Status.DRAFT, owner=organisation)
    PracticeFactory(status=Status.PUBLISHED, owner=organisation)
    assert list(selectors.review_queue(user=editor)) == [ours]
    assert set(selectors.review_queue(user=UserFactory(is_staff=True))) == {ours, theirs}
    assert list(selectors.review_queue(user=ours.created_by)) == []


def test_revision_list_is_newest_first_per_language():
    practice = PracticeFactory()
    from citypeers.knowledge import services

    services.practice_update(
        actor=practice.created_by, practice=practice, texts={"title": "Renamed"}
    )
    revisions = list(selectors.revision_list(practice=practice, language="en"))
    assert [r.number for r in revisions] == [2, 1]
