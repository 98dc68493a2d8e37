"""The search engine over real documents: lexical, semantic, fusion, filters, facets, snippets.

The encoder is the real one (loaded once per test process); documents are few, so each test
stays well under a second once it is loaded.
"""

from __future__ import annotations

import pytest

from citypeers.directory.models import Theme
from citypeers.knowledge.models import Status
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.places.models import Country
from citypeers.search import indexing, lexical
from citypeers.search.engine import MARK_END, MARK_START, SearchFilters, search

pytestmark = pytest.mark.django_db


def practice(title, language="en", summary="", **kwargs):
    p = PracticeFactory(title=title, language=language, texts={"summary": summary}, **kwargs)
    indexing.index_objects("practice", [p.pk])
    return p


def test_prefix_and_accent_folding():
    p = practice(
        "Educación ambiental en las escuelas municipales",
        language="es",
        summary="Un programa de educación ambiental para niños y niñas de la ciudad.",
    )
    practice("Bus rapid transit corridors", summary="Mobility planning for a growing city.")

    for q in ("educacion", "EDUCACIÓN ambient", "educ"):
        results = search(q)
        assert results.items[0].id == p.pk, q
        assert results.items[0].lexical_rank == 1

    # A one- or two-letter last word is a whole word, not a prefix of most of the vocabulary.
    assert lexical._sqlite_match(lexical.query_words("educación de"), "AND") == (
        '"educacion" AND "de"'
    )
    assert lexical._sqlite_match(lexical.query_words("de educ"), "OR") == '"de" OR "educ"*'
    assert lexical._pg_query(lexical.query_words("educacion a"), "&") == "educacion & a"
    assert lexical._pg_query(lexical.query_words("educ"), "&") == "educ:*"

    hit = search("educacion ambiental").items[0]
    assert f"{MARK_START}educación{MARK_END}" in hit.snippet
    assert f"{MARK_START}ambiental{MARK_END}" in hit.snippet


def test_exact_title_comes_first():
    # Given documents that mention the words more often than the one whose title is the query
    for n in range(5):
        practice(
            f"Participatory budgeting, lessons {n}",
            summary="Participatory budgeting and participatory budgeting again: participatory.",
        )
    exact = practice("Participatory budgeting", summary="How the city shares its budget.")
    # When searching the title (case and accents aside)
    results = search("participatory BUDGETING")
    # Then it comes first
    assert results.items[0].id == exact.pk
    assert results.items[0].score > results.items[1].score


def test_french_query_finds_spanish_practice():
    spanish = practice(
        "Gestión comunitaria del agua potable en barrios informales",
        language="es",
        summary="Los comités de vecinos administran los quioscos de agua potable.",
    )
    practice(
        "Festival of street art",
        summary="Murals and concerts bring culture to public squares.",
    )
    practice(
        "Digital tax collection",
        summary="A mobile application raises local revenue from market traders.",
    )
    results = search("accès à l'eau potable dans les quartiers informels")
    assert results.items[0].id == spanish.pk
    assert results.items[0].semantic_rank == 1
    assert results.items[0].language == "es"


def test_words_shared_across_languages_do_not_outrank_the_meaning():
    # Given an English practice that shares only "2030" and a name with the query,
    practice(
        "Bus lanes for Dakar by 2030",
        summary="Dakar plans 40 km of bus lanes by 2030 to cut commuting time.",
    )
    # and a Spanish practice on what the query asks about,
    water = practice(
        "Agua potable para todos los barrios",
        language="es",
        summary="Conexiones de agua potable en los barrios informales antes de 2030.",
    )
    # when the query is a clear French sentence,
    results = search("Garantir l'accès à l'eau potable dans tous les quartiers d'ici 2030")
    # then the meaning wins: the lexical side only counts documents in the query's language.
    assert results.items[0].id == water.pk
    assert results.items[0].lexical_rank is None


def test_filters_apply_before_ranking():
    # Given 50 documents that match the query better than the only one in Kenya
    for n in range(50):
        practice(f"Solid waste recycling cooperative {n}", summary="Solid waste recycling.")
    kenya = Country.objects.get(iso3="KEN")
    target = practice("Market cleanliness", summary="Traders sort waste.", country=kenya)
    # When filtering on Kenya
    results = search("solid waste recycling", filters=SearchFilters(country="KEN"), limit=5)
    # Then the Kenyan one is found though 50 better matches exist elsewhere
    assert [hit.id for hit in results.items] == [target.pk]
    assert results.count == 1
    unfiltered = search("solid waste recycling", limit=5)
    assert target.pk not in [hit.id for hit in unfiltered.items]


def test_drafts_are_never_indexed_nor_found():
    draft = PracticeFactory(title="Secret draft on flood defences", status=Status.DRAFT)
    archived = PracticeFactory(title="Archived flood defences", status=Status.ARCHIVED)
    assert indexing.index_objects("practice", [draft.pk, archived.pk]) == 0
    assert search("flood defences").items == []


def test_facets_count_the_filtered_matches():
    water = Theme.objects.get(slug="water-sanitation")
    a = practice("Rainwater harvesting in schools", summary="Rainwater tanks.", language="en")
    a.themes.add(water)
    b = practice("Rainwater harvesting for markets", summary="Rainwater tanks.", language="fr")
    b.themes.add(water)
    practice("Rainwater drainage maps", summary="Rainwater flood maps.", language="en")
    indexing.index_objects("practice", [a.pk, b.pk])

    results = search("rainwater")
    assert results.count == 3
    assert dict(results.facets["type"]) == {"practice": 3}
    assert dict(results.facets["theme"]) == {"water-sanitation": 2}
    assert dict(results.facets["language"]) == {"en": 2, "fr": 1}

    themed = search("rainwater", filters=SearchFilters(theme="water-sanitation", language="en"))
    assert [h.id for h in themed.items] == [a.pk]
    assert dict(themed.facets["language"]) == {"en": 1}


def test_type_filter_and_blank_query():
    practice("Urban gardens")
    assert search("urban gardens", filters=SearchFilters(types=("organisation",))).count == 0
    assert search("   ").count == 0


def test_common_words_are_left_out_of_the_match_and_the_ranking_is_capped(monkeypatch):
    from citypeers.search.models import SearchDocument

    # Given 60 documents that all say "municipal" and one that also says "composting"
    SearchDocument.objects.bulk_create(
        [
            SearchDocument(
                doc_type="practice",
                object_id=10_000 + n,
                language="en",
                title=f"Municipal note {n}",
                body="municipal services" + (" composting" if n == 7 else ""),
            )
            for n in range(60)
        ]
    )
    lexical.clear_caches()
    monkeypatch.setattr(lexical, "PLAN_MIN_DOCUMENTS", 10)
    words = lexical.query_words("municipal composting")
    # "municipal" is in every document: only "composting" is matched
    assert [w.text for w in lexical.plan(words)] == ["composting"]
    assert len(lexical.search("municipal composting")) == 1
    # When every word is common, the rarest one is kept
    assert len(lexical.plan(lexical.query_words("municipal services"))) == 1
    # At most RANK_CAP matches are ranked: the newest ones
    monkeypatch.setattr(lexical, "RANK_CAP", 5)
    found = lexical.search("municipal")
    newest = list(
        SearchDocument.objects.filter(object_id__gte=10_000)
        .order_by("-pk")
        .values_list("pk", flat=True)[:5]
    )
    assert sorted(found) == sorted(newest)
