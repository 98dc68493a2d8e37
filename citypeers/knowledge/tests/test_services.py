"""The knowledge base's writes, tested at the service level: rules, revisions, workflow, SDG
suggestions, resources, adaptations and adoption reports, audit events and follow-up callbacks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from citypeers.accounts.models import AuditEvent, OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import ApplicationError, Conflict, PermissionDenied
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    country,
    theme,
)
from citypeers.knowledge import services
from citypeers.knowledge.models import (
    MAX_TEXT,
    AdoptionReport,
    Practice,
    PracticeText,
    Revision,
    SdgSuggestion,
    Status,
)
from citypeers.knowledge.services import PracticeFacts
from citypeers.knowledge.tests.factories import PracticeFactory, SdgSuggestionFactory, sdg
from citypeers.places.models import City

pytestmark = pytest.mark.django_db

Role = OrganisationRole.Role


@pytest.fixture(autouse=True)
def no_followups(monkeypatch):
    """Leave the after-commit callbacks (the encoder) out, except where a test adds its own."""
    monkeypatch.setattr(services, "AFTER_TEXT_SAVED", [])
    return services.AFTER_TEXT_SAVED


@pytest.fixture
def author():
    return UserFactory()


def editor_of(organisation):
    return OrganisationRoleFactory(organisation=organisation, role=Role.EDITOR).user


def create(actor, **kwargs):
    kwargs.setdefault("language", "en")
    kwargs.setdefault("texts", {"title": "Water kiosks run by women's groups"})
    return services.practice_create(actor=actor, **kwargs)


def refused_field(act) -> str | None:
    with pytest.raises(ApplicationError) as refused:
        act()
    return refused.value.field


# --- practice_create ----------------------------------------------------------------------------


def test_create_writes_a_draft_with_its_original_text_and_first_revision(author):
    practice = create(
        author,
        language="fr",
        texts={"title": "Kiosques à eau", "summary": "Des **kiosques** gérés par des femmes."},
        external_id="x:1",
    )
    assert practice.status == Status.DRAFT
    assert practice.original_language == "fr"
    assert practice.slug == "kiosques-a-eau"
    assert practice.created_by == author
    text = PracticeText.objects.get(practice=practice)
    assert (text.language, text.is_original, text.title) == ("fr", True, "Kiosques à eau")
    revision = Revision.objects.get(practice=practice)
    assert (revision.language, revision.number) == ("fr", 1)
    assert revision.data["summary"] == "Des **kiosques** gérés par des femmes."
    assert AuditEvent.objects.filter(verb="practice.create", target_id=str(practice.pk)).exists()


def test_create_needs_a_signed_in_actor():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        create(AnonymousUser())


def test_same_titles_get_distinct_slugs(author):
    assert create(author).slug != create(author).slug


@pytest.mark.parametrize("title", ["", "   ", None])
def test_title_is_required(author, title):
    assert refused_field(lambda: create(author, texts={"title": title})) == "title"
    assert not Practice.objects.exists()


@pytest.mark.parametrize(
    ("field", "size"), [("title", 251), ("summary", MAX_TEXT + 1), ("lessons", MAX_TEXT + 1)]
)
def test_oversized_fields_are_refused_naming_the_field(author, field, size):
    texts = {"title": "Fine", field: "x" * size}
    assert refused_field(lambda: create(author, texts=texts)) == field
    assert not Practice.objects.exists()


def test_fields_at_the_limit_are_accepted(author):
    practice = create(author, texts={"title": "t" * 250, "context": "c" * MAX_TEXT})
    assert len(practice.original_text.context) == MAX_TEXT


def test_unknown_and_non_text_fields_are_refused(author):
    assert refused_field(lambda: create(author, texts={"title": "T", "script": "x"})) == "script"
    assert refused_field(lambda: create(author, texts={"title": "T", "results": 3})) == "results"


def test_nul_bytes_are_dropped(author):
    practice = create(author, texts={"title": "Wa\x00ter", "summary": "a\x00b"})
    assert practice.original_text.title == "Water"
    assert practice.original_text.summary == "ab"


@pytest.mark.parametrize("language", ["", "eng", "e1", "fr-FR", "x"])
def test_language_code_is_checked(author, language):
    assert refused_field(lambda: create(author, language=language)) == "language"


def test_language_code_is_normalised(author):
    assert create(author, language=" ES ").original_language == "es"


def test_owner_only_for_an_organisation_the_actor_edits_for(author):
    organisation = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        create(author, facts=PracticeFacts(owner=organisation))
    editor = editor_of(organisation)
    assert create(editor, facts=PracticeFacts(owner=organisation)).owner == organisation


def test_city_implies_its_country_and_a_mismatch_is_refused(author):
    dakar = City.objects.filter(country__iso3="SEN").order_by("-population").first()
    practice = create(author, facts=PracticeFacts(city=dakar))
    assert practice.country == dakar.country
    facts = PracticeFacts(city=dakar, country=country("FRA"))
    assert refused_field(lambda: create(author, facts=facts)) == "city"


def test_period_must_be_in_order(author):
    facts = PracticeFacts(period_start=dt.date(2024, 1, 1), period_end=dt.date(2023, 1, 1))
    assert refused_field(lambda: create(author, facts=facts)) == "period_end"
    facts = PracticeFacts(period_start=dt.date(2023, 1, 1), period_end=dt.date(2023, 1, 1))
    assert create(author, facts=facts).period_end == dt.date(2023, 1, 1)


def test_duplicate_external_id_is_a_conflict(author):
    create(author, external_id="import:7")
    with pytest.raises(Conflict):
        create(author, external_id="import:7")


def test_relations_are_set(author):
    lead, partner = OrganisationFactory(), OrganisationFactory()
    practice = create(
        author,
        facts=PracticeFacts(
            themes=[theme("water-sanitation")],
            sdgs=[sdg(6), sdg(5)],
            organisations=[(lead, "lead"), (partner, "partner"), (lead, "partner")],
        ),
    )
    assert set(practice.themes.values_list("slug", flat=True)) == {"water-sanitation"}
    assert set(practice.sdgs.values_list("number", flat=True)) == {5, 6}
    assert {(r.organisation_id, r.role) for r in practice.organisation_roles.all()} == {
        (lead.pk, "lead"),
        (partner.pk, "partner"),
    }
    facts = PracticeFacts(organisations=[(lead, "boss")])
    assert refused_field(lambda: create(author, facts=facts)) == "organisations"


# --- practice_update and revisions --------------------------------------------------------------


def test_update_numbers_revisions_per_language_and_skips_unchanged_text(author):
    practice = create(author)
    services.practice_translate(
        actor=author, practice=practice, language="fr", texts={"title": "Kiosques"}
    )
    services.practice_update(
        actor=author, practice=practice, texts={"title": "Water kiosks", "summary": "New."}
    )
    services.practice_update(
        actor=author, practice=practice, texts={"title": "Water kiosks", "summary": "New."}
    )
    services.practice_update(
        actor=author, practice=practice, language="fr", texts={"title": "Kiosques à eau"}
    )
    numbers = sorted(practice.revisions.values_list("language", "number"))
    assert numbers == [("en", 1), ("en", 2), ("fr", 1), ("fr", 2)]
    assert practice.original_text.summary == "New."


def test_update_of_facts_only_makes_no_revision(author):
    practice = create(author)
    services.practice_update(
        actor=author, practice=practice, facts=PracticeFacts(themes=[theme("mobility")])
    )
    assert practice.revisions.count() == 1
    assert list(practice.themes.values_list("slug", flat=True)) == ["mobility"]


def test_update_in_a_language_without_text_is_refused(author):
    practice = create(author)
    act = lambda: services.practice_update(  # noqa: E731
        actor=author, practice=practice, language="pt", texts={"title": "Quiosques"}
    )
    assert refused_field(act) == "language"


def test_update_by_a_stranger_is_refused(author):
    practice = create(author)
    with pytest.raises(PermissionDenied):
        services.practice_update(actor=UserFactory(), practice=practice, texts={"title": "Mine"})
    assert practice.original_text.title == "Water kiosks run by women's groups"


# --- translations -------------------------------------------------------------------------------


def test_translate_adds_then_replaces_a_translation_with_a_new_revision(author):
    practice = create(author)
    services.practice_translate(
        actor=author, practice=practice, language="es", texts={"title": "Quioscos"}
    )
    text = services.practice_translate(
        actor=author, practice=practice, language="es", texts={"title": "Quioscos de agua"}
    )
    assert PracticeText.objects.filter(practice=practice, language="es").count() == 1
    assert (text.title, text.is_original, text.translated_by) == ("Quioscos de agua", False, author)
    assert sorted(practice.revisions.filter(language="es").values_list("number", flat=True)) == [
        1,
        2,
    ]
    assert AuditEvent.objects.filter(verb="practice.translate").count() == 2


def test_translate_into_the_original_language_is_refused(author):
    practice = create(author, language="fr", texts={"title": "Kiosques"})
    act = lambda: services.practice_translate(  # noqa: E731
        actor=author, practice=practice, language="fr", texts={"title": "Autre"}
    )
    assert refused_field(act) == "language"


# --- the editorial workflow ---------------------------------------------------------------------

ALL = [Status.DRAFT, Status.SUBMITTED, Status.PUBLISHED, Status.ARCHIVED]
ALLOWED = {
    (Status.DRAFT, Status.SUBMITTED),
    (Status.DRAFT, Status.PUBLISHED),
    (Status.SUBMITTED, Status.DRAFT),
    (Status.SUBMITTED, Status.PUBLISHED),
    (Status.PUBLISHED, Status.ARCHIVED),
    (Status.PUBLISHED, Status.DRAFT),
    (Status.ARCHIVED, Status.PUBLISHED),
}


@pytest.mark.parametrize(("start", "end"), [(a, b) for a in ALL for b in ALL], ids=lambda s: str(s))
def test_workflow_transitions(start, end):
    moderator = UserFactory(is_moderator=True)
    practice = PracticeFactory(status=start)
    if (start, end) in ALLOWED:
        services.practice_set_status(actor=moderator, practice=practice, status=end)
        practice.refresh_from_db()
        assert practice.status == end
        assert AuditEvent.objects.filter(verb=f"practice.{end}").count() == 1
    else:
        with pytest.raises(Conflict):
            services.practice_set_status(actor=moderator, practice=practice, status=end)
        practice.refresh_from_db()
        assert practice.status == start


def test_publishing_stamps_the_first_publication_date_once(author):
    moderator = UserFactory(is_moderator=True)
    practice = create(author)
    services.practice_set_status(actor=moderator, practice=practice, status=Status.PUBLISHED)
    first = practice.published_at
    assert first is not None
    services.practice_set_status(actor=moderator, practice=practice, status=Status.ARCHIVED)
    services.practice_set_status(actor=moderator, practice=practice, status=Status.PUBLISHED)
    assert practice.published_at == first


@pytest.mark.parametrize(
    ("publishers", "editor_may", "author_may"),
    [("editors", True, False), ("moderators", False, False)],
)
def test_who_publishes_follows_the_setting(settings, publishers, editor_may, author_may):
    settings.CITYPEERS_PRACTICE_PUBLISHERS = publishers
    organisation = OrganisationFactory()
    editor = editor_of(organisation)
    for actor, may in (
        (editor, editor_may),
        (None, author_may),
        (UserFactory(is_moderator=True), True),
    ):
        practice = PracticeFactory(status=Status.SUBMITTED, owner=organisation)
        actor = actor or practice.created_by
        if may:
            services.practice_set_status(actor=actor, practice=practice, status=Status.PUBLISHED)
            assert Practice.objects.get(pk=practice.pk).status == Status.PUBLISHED
        else:
            with pytest.raises(PermissionDenied):
                services.practice_set_status(
                    actor=actor, practice=practice, status=Status.PUBLISHED
                )
            assert Practice.objects.get(pk=practice.pk).status == Status.SUBMITTED


def test_the_author_submits_but_a_stranger_does_not(author):
    practice = create(author)
    with pytest.raises(PermissionDenied):
        services.practice_set_status(
            actor=UserFactory(), practice=practice, status=Status.SUBMITTED
        )
    services.practice_set_status(actor=author, practice=practice, status=Status.SUBMITTED)
    assert practice.status == Status.SUBMITTED


def test_only_moderators_delete(author):
    practice = create(author)
    with pytest.raises(PermissionDenied):
        services.practice_delete(actor=author, practice=practice)
    services.practice_delete(actor=UserFactory(is_moderator=True), practice=practice)
    assert not Practice.objects.exists()
    assert AuditEvent.objects.filter(verb="practice.delete").count() == 1


# --- diff and restore ---------------------------------------------------------------------------


def test_revision_diff_and_restore(author):
    practice = create(author, texts={"title": "Kiosks", "lessons": "Line one\nLine two"})
    services.practice_update(
        actor=author, practice=practice, texts={"title": "Kiosks", "lessons": "Line one\nLine 2"}
    )
    first, second = practice.revisions.order_by("number")
    diff = services.revision_diff(first, second)
    assert set(diff) == {"lessons"}
    assert "-Line two" in diff["lessons"]
    assert "+Line 2" in diff["lessons"]

    restored = services.revision_restore(actor=author, revision=first)
    assert restored.number == 3
    assert restored.data == first.data
    assert "1" in restored.note
    assert PracticeText.objects.get(practice=practice).lessons == "Line one\nLine two"
    assert services.revision_diff(first, restored) == {}


def test_restore_needs_edit_permission(author):
    practice = create(author)
    with pytest.raises(PermissionDenied):
        services.revision_restore(actor=UserFactory(), revision=practice.revisions.get())


# --- SDG suggestions ----------------------------------------------------------------------------


def test_suggestions_keep_decisions_and_skip_goals_already_set():
    practice = PracticeFactory(sdgs=[sdg(11)])
    SdgSuggestionFactory(practice=practice, sdg=sdg(5), state=SdgSuggestion.State.REJECTED)
    SdgSuggestionFactory(practice=practice, sdg=sdg(13), state=SdgSuggestion.State.PENDING)

    pending = services.sdg_suggestions_store(
        practice_id=practice.pk, scores=[(6, 0.4), (5, 0.3), (11, 0.2), (99, 0.9)]
    )

    assert pending == 1
    states = dict(practice.sdg_suggestions.values_list("sdg__number", "state"))
    assert states == {6: "pending", 5: "rejected"}  # 13 was pending: replaced


def test_storing_the_same_suggestions_twice_changes_nothing():
    practice = PracticeFactory()
    for _run in range(2):
        services.sdg_suggestions_store(practice_id=practice.pk, scores=[(6, 0.4), (3, 0.2)])
    assert sorted(practice.sdg_suggestions.values_list("sdg__number", flat=True)) == [3, 6]


def test_accepting_a_suggestion_adds_the_sdg_and_rejecting_does_not():
    practice = PracticeFactory()
    accepted = SdgSuggestionFactory(practice=practice, sdg=sdg(6))
    rejected = SdgSuggestionFactory(practice=practice, sdg=sdg(7))
    with pytest.raises(PermissionDenied):
        services.sdg_suggestion_decide(actor=UserFactory(), suggestion=accepted, accept=True)
    services.sdg_suggestion_decide(actor=practice.created_by, suggestion=accepted, accept=True)
    services.sdg_suggestion_decide(actor=practice.created_by, suggestion=rejected, accept=False)
    assert list(practice.sdgs.values_list("number", flat=True)) == [6]
    assert dict(practice.sdg_suggestions.values_list("sdg__number", "state")) == {
        6: "accepted",
        7: "rejected",
    }
    assert AuditEvent.objects.filter(verb="practice.sdg_accept").count() == 1
    assert AuditEvent.objects.filter(verb="practice.sdg_reject").count() == 1


# --- resources ----------------------------------------------------------------------------------


def test_resources_by_link_or_file(author, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    practice = create(author)
    link = services.resource_add(
        actor=author, practice=practice, title="Guide", url="https://example.org/guide.pdf"
    )
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    document = services.resource_add(actor=author, practice=practice, title="Plan", document=upload)
    assert link.url == "https://example.org/guide.pdf"
    assert document.document.name.endswith(".pdf")
    assert list(practice.resources.values_list("title", flat=True)) == ["Guide", "Plan"]


@pytest.mark.parametrize(
    ("title", "url", "field"),
    [
        ("Guide", "javascript:alert(1)", "url"),
        ("Guide", "not a url", "url"),
        ("Guide", "", "url"),
        ("  ", "https://example.org", "title"),
    ],
)
def test_bad_resources_are_refused(author, title, url, field):
    practice = create(author)
    act = lambda: services.resource_add(  # noqa: E731
        actor=author, practice=practice, title=title, url=url
    )
    assert refused_field(act) == field
    assert not practice.resources.exists()


def test_resources_need_edit_permission(author):
    practice = create(author)
    with pytest.raises(PermissionDenied):
        services.resource_add(
            actor=UserFactory(), practice=practice, title="x", url="https://example.org"
        )


# --- adaptations and adoption reports -----------------------------------------------------------


def test_adapt_copies_text_themes_and_sdgs_for_an_organisation_the_actor_edits_for():
    source = PracticeFactory(
        language="pt",
        title="Orçamento participativo",
        texts={"lessons": "Comece pequeno."},
        themes=[theme("local-finance")] if _theme_exists("local-finance") else [],
        sdgs=[sdg(16)],
    )
    dakar = OrganisationFactory(country=country("SEN"))
    editor = editor_of(dakar)

    adapted = services.practice_adapt(actor=editor, source=source, organisation=dakar)

    assert adapted.adapted_from == source
    assert adapted.status == Status.DRAFT
    assert adapted.owner == dakar
    assert adapted.country == dakar.country
    assert adapted.original_language == "pt"
    assert adapted.original_text.lessons == "Comece pequeno."
    assert "Orçamento participativo" in adapted.original_text.title
    assert set(adapted.sdgs.all()) == set(source.sdgs.all())
    assert set(adapted.themes.all()) == set(source.themes.all())
    assert [(r.organisation, r.role) for r in adapted.organisation_roles.all()] == [
        (dakar, "adopter")
    ]
    assert list(source.adaptations.all()) == [adapted]


def _theme_exists(slug: str) -> bool:
    from citypeers.directory.models import Theme

    return Theme.objects.filter(slug=slug).exists()


def test_adapt_only_published_practices_and_only_for_ones_own_organisation():
    dakar = OrganisationFactory()
    editor = editor_of(dakar)
    draft = PracticeFactory(status=Status.DRAFT)
    assert (
        refused_field(
            lambda: services.practice_adapt(actor=editor, source=draft, organisation=dakar)
        )
        == "source"
    )
    published = PracticeFactory()
    with pytest.raises(PermissionDenied):
        services.practice_adapt(actor=editor, source=published, organisation=OrganisationFactory())
    assert not Practice.objects.filter(adapted_from__isnull=False).exists()


def test_adoption_report_by_an_editor_of_the_adopting_organisation():
    practice = PracticeFactory()
    dakar = OrganisationFactory()
    editor = editor_of(dakar)
    with pytest.raises(PermissionDenied):
        services.adoption_report_add(actor=UserFactory(), practice=practice, organisation=dakar)
    report = services.adoption_report_add(
        actor=editor,
        practice=practice,
        organisation=dakar,
        adopted_on=dt.date(2024, 3, 1),
        what_changed=" Two districts instead of ten. ",
        outcome="Running.",
    )
    assert (report.organisation, report.author, report.what_changed) == (
        dakar,
        editor,
        "Two districts instead of ten.",
    )
    assert AuditEvent.objects.filter(verb="practice.adoption").count() == 1


def test_adoption_report_only_for_published_practices_and_bounded_texts():
    dakar = OrganisationFactory()
    editor = editor_of(dakar)
    draft = PracticeFactory(status=Status.DRAFT)
    assert (
        refused_field(
            lambda: services.adoption_report_add(actor=editor, practice=draft, organisation=dakar)
        )
        == "practice"
    )
    act = lambda: services.adoption_report_add(  # noqa: E731
        actor=editor, practice=PracticeFactory(), organisation=dakar, outcome="x" * (MAX_TEXT + 1)
    )
    assert refused_field(act) == "outcome"
    assert not AdoptionReport.objects.exists()


# --- follow-up work after the commit ------------------------------------------------------------


def test_text_callbacks_run_on_commit_only(
    author, no_followups, django_capture_on_commit_callbacks
):
    seen: list[int] = []
    no_followups.append(seen.append)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        practice = create(author)
    assert seen == [practice.pk]
    assert len(callbacks) == 1

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.practice_update(
            actor=author, practice=practice, texts=practice.original_text.as_dict()
        )
    assert callbacks == []  # nothing changed: nothing to redo

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.practice_translate(
            actor=author, practice=practice, language="fr", texts={"title": "Kiosques"}
        )
    assert len(callbacks) == 1
    assert seen == [practice.pk]  # queued, not run before the commit


def test_no_callback_when_the_write_fails(author, no_followups, django_capture_on_commit_callbacks):
    seen: list[int] = []
    no_followups.append(seen.append)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ApplicationError),
    ):
        create(author, texts={"title": ""})
    assert callbacks == []
    assert seen == []
