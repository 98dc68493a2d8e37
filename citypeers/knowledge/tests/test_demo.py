"""``citypeers load-demo``: the demo practices, complete, marked as demo, idempotent, and the
real SDG-suggestion task run end to end on one of them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from citypeers.accounts.models import User
from citypeers.knowledge import demo_data, selectors, services, tasks
from citypeers.knowledge.models import (
    AdoptionReport,
    Practice,
    PracticeOrganisation,
    PracticeText,
    Resource,
    Revision,
    SdgSuggestion,
    Status,
)
from citypeers.knowledge.tests.factories import PracticeFactory, SdgSuggestionFactory, sdg

pytestmark = pytest.mark.django_db

MODELS = (Practice, PracticeText, Revision, PracticeOrganisation, Resource, AdoptionReport)


@pytest.fixture
def load_demo(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the credentials file goes to the test's own folder

    def load() -> str:
        out = StringIO()
        call_command("load-demo", stdout=out)
        return out.getvalue()

    return load


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_twice_changes_nothing_the_second_time(load_demo):
    first = load_demo()
    after_first = counts()
    second = load_demo()
    n = len(demo_data.PRACTICES)
    assert counts() == after_first
    assert f"Demo practices: {n} created, 0 already present." in first
    assert f"Demo practices: 0 created, {n} already present." in second
    assert "Demo practice " not in first  # nothing skipped


def test_demo_practices_are_complete_and_varied(load_demo):
    load_demo()
    practices = list(Practice.objects.filter(external_id__startswith="demo:"))
    assert len(practices) == len(demo_data.PRACTICES) >= 12
    assert all(p.is_demo and p.owner_id for p in practices)
    assert {p.original_language for p in practices} == {"en", "fr", "es", "pt"}
    statuses = [p.status for p in practices]
    assert statuses.count(Status.SUBMITTED) == 1
    assert statuses.count(Status.DRAFT) == 1
    assert statuses.count(Status.PUBLISHED) == len(practices) - 2
    translations = PracticeText.objects.filter(practice__in=practices, is_original=False)
    assert translations.values("practice").distinct().count() >= 4
    for text in PracticeText.objects.filter(practice__in=practices):
        assert all(text.as_dict().values()), text  # every template field written
    assert all(p.themes.exists() and p.sdgs.exists() for p in practices)
    assert sum(p.partnership_id is not None for p in practices) >= 8


def test_the_adaptation_chain_and_adoption_reports(load_demo):
    load_demo()
    source = Practice.objects.get(external_id="demo:porto-alegre-neighbourhood-budget")
    adapted = Practice.objects.get(external_id="demo:dakar-budget-adaptation")
    assert adapted.adapted_from == source
    assert adapted.status == source.status == Status.PUBLISHED
    assert adapted.country.iso3 == "SEN"
    assert source.country.iso3 == "BRA"
    adopters = set(source.adoptions.values_list("organisation__external_id", flat=True))
    assert adopters == {"demo:dakar", "demo:lyon-metro"}
    assert source.adoptions.get(organisation__external_id="demo:dakar").author.username == ("amina")
    page = selectors.practice_get(slug=source.slug)
    assert list(page.adaptations.all()) == [adapted]


def test_the_demo_people_find_their_work(load_demo):
    load_demo()
    lucia, amina = User.objects.get(username="lucia"), User.objects.get(username="amina")
    queue = list(selectors.review_queue(user=lucia))
    assert [p.external_id for p in queue] == ["demo:sevilla-heat-shelters"]
    draft = Practice.objects.get(status=Status.DRAFT, external_id__startswith="demo:")
    assert draft.created_by == amina
    assert draft in selectors.practice_list(selectors.PracticeFilters(status=""), user=amina)
    assert draft not in selectors.practice_list(selectors.PracticeFilters(status=""), user=lucia)


# --- the SDG suggestion task, for real (the encoder loads once; it takes a few seconds) ---------


def test_saving_a_water_practice_suggests_sdg_6_through_the_task(
    django_capture_on_commit_callbacks,
):
    assert tasks.enqueue_sdg_suggestions in services.AFTER_TEXT_SAVED  # wired in ready()
    author = PracticeFactory().created_by
    with django_capture_on_commit_callbacks(execute=True):
        practice = services.practice_create(
            actor=author,
            language="en",
            texts={
                "title": "Water kiosks and piped drinking water for informal settlements",
                "summary": "Women's groups run kiosks selling clean drinking water; the "
                "utility extends piped water supply and builds latrines for sanitation.",
                "lessons": "Prepaid water meters ended disputes about water bills.",
            },
        )
    suggested = set(practice.sdg_suggestions.values_list("sdg__number", flat=True))
    assert 6 in suggested

    # Safe to run twice: same pending suggestions, the editor's decision kept.
    decided = practice.sdg_suggestions.get(sdg__number=6)
    services.sdg_suggestion_decide(actor=author, suggestion=decided, accept=False)
    pending = set(
        practice.sdg_suggestions.filter(state="pending").values_list("sdg__number", flat=True)
    )
    for _run in range(2):
        tasks.suggest_sdgs_for_practice.call(practice.pk)
        assert (
            set(
                practice.sdg_suggestions.filter(state="pending").values_list(
                    "sdg__number", flat=True
                )
            )
            == pending
        )
    assert practice.sdg_suggestions.get(sdg__number=6).state == SdgSuggestion.State.REJECTED


def test_the_task_skips_a_practice_that_is_gone():
    assert tasks.suggest_sdgs_for_practice.call(10**9) == 0


def test_the_task_leaves_accepted_goals_alone():
    practice = PracticeFactory(
        title="Drinking water and sanitation for every household", sdgs=[sdg(6)]
    )
    SdgSuggestionFactory(practice=practice, sdg=sdg(6), state=SdgSuggestion.State.ACCEPTED)
    tasks.suggest_sdgs_for_practice.call(practice.pk)
    assert practice.sdg_suggestions.filter(sdg__number=6).count() == 1
    assert practice.sdg_suggestions.get(sdg__number=6).state == SdgSuggestion.State.ACCEPTED
