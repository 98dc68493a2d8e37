"""Learning notes and news through the services, and the RSS and Atom feeds of news."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from citypeers.accounts.models import OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import ApplicationError, Conflict, PermissionDenied
from citypeers.directory.tests.factories import OrganisationFactory, OrganisationRoleFactory, theme
from citypeers.knowledge import services as knowledge_services
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.learning import services
from citypeers.learning.tests.factories import (
    EventFactory,
    LearningNoteFactory,
    NewsArticleFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def no_followups(monkeypatch):
    monkeypatch.setattr(knowledge_services, "AFTER_TEXT_SAVED", [])


def editor_of(organisation):
    return OrganisationRoleFactory(
        organisation=organisation, role=OrganisationRole.Role.EDITOR
    ).user


def past_event(**kwargs):
    return EventFactory(starts_at=timezone.now() - dt.timedelta(days=1), **kwargs)


class TestNotes:
    def test_who_writes(self):
        org = OrganisationFactory()
        event = past_event(organisers=[org])
        seat = RegistrationFactory(event=event)
        waiting = RegistrationFactory(event=event, status="waiting")
        absent = RegistrationFactory(event=event, attended=False)
        data = services.NoteData(title="Notes", shared="What we saw.")
        assert services.note_create(actor=seat.user, event=event, data=data).author == seat.user
        assert services.note_create(actor=editor_of(org), event=event, data=data)
        for actor in (waiting.user, absent.user, UserFactory(), None):
            with pytest.raises(PermissionDenied):
                services.note_create(actor=actor, event=event, data=data)

    def test_not_before_the_start_nor_on_a_cancelled_event(self):
        org = OrganisationFactory()
        data = services.NoteData(title="Notes", shared="x")
        for event in (
            EventFactory(organisers=[org]),
            past_event(organisers=[org], status="cancelled"),
        ):
            with pytest.raises(PermissionDenied):
                services.note_create(actor=editor_of(org), event=event, data=data)

    def test_rules_name_the_field(self):
        event = past_event()
        seat = RegistrationFactory(event=event)
        with pytest.raises(ApplicationError) as error:
            services.note_create(actor=seat.user, event=event, data=services.NoteData(title="x"))
        assert error.value.field == "shared"
        with pytest.raises(ApplicationError) as error:
            services.note_create(
                actor=seat.user,
                event=event,
                data=services.NoteData(title="x", shared="y", language="xx1"),
            )
        assert error.value.field == "language"
        with pytest.raises(PermissionDenied):
            services.note_create(
                actor=seat.user,
                event=event,
                data=services.NoteData(title="x", shared="y", organisation=OrganisationFactory()),
            )

    def test_editing_keeps_the_practice_it_became(self):
        note = LearningNoteFactory()
        practice = services.note_make_practice(actor=note.author, note=note)
        other = PracticeFactory()
        services.note_update(
            actor=note.author,
            note=note,
            data=services.NoteData(title="Renamed", shared="x", practices=[other]),
        )
        assert set(note.practices.all()) == {practice, other}
        with pytest.raises(Conflict):
            services.note_make_practice(actor=note.author, note=note)
        with pytest.raises(PermissionDenied):
            services.note_update(
                actor=UserFactory(), note=note, data=services.NoteData(title="x", shared="y")
            )

    def test_a_practice_from_a_participants_note_has_no_owner_they_do_not_edit(self):
        org = OrganisationFactory()
        note = LearningNoteFactory(event__organisers=[org])
        practice = services.note_make_practice(actor=note.author, note=note)
        assert practice.owner is None
        assert practice.created_by == note.author
        assert set(practice.organisation_roles.values_list("organisation", flat=True)) == {org.pk}


class TestNews:
    def test_workflow_like_practices(self):
        org = OrganisationFactory()
        author = UserFactory()
        article = services.news_create(
            actor=author, language="es", texts={"title": "Quioscos"}, facts=services.NewsFacts()
        )
        assert article.status == "draft"
        services.news_set_status(actor=author, article=article, status="submitted")
        with pytest.raises(PermissionDenied):
            services.news_set_status(actor=author, article=article, status="published")
        with pytest.raises(Conflict):
            services.news_set_status(actor=author, article=article, status="archived")
        moderator = UserFactory(is_moderator=True)
        services.news_set_status(actor=moderator, article=article, status="published")
        assert article.published_at is not None
        services.news_set_status(actor=author, article=article, status="archived")
        # The editors of the organisation responsible publish too…
        owned = services.news_create(
            actor=editor_of(org),
            language="en",
            texts={"title": "Ours"},
            facts=services.NewsFacts(owner=org),
        )
        services.news_set_status(actor=editor_of(org), article=owned, status="published")
        with pytest.raises(PermissionDenied):
            services.news_delete(actor=author, article=article)
        services.news_delete(actor=moderator, article=article)

    def test_editors_do_not_publish_when_configured_so(self, settings):
        settings.CITYPEERS_NEWS_PUBLISHERS = "moderators"
        org = OrganisationFactory()
        editor = editor_of(org)
        owned = services.news_create(
            actor=editor,
            language="en",
            texts={"title": "Ours"},
            facts=services.NewsFacts(owner=org),
        )
        with pytest.raises(PermissionDenied):
            services.news_set_status(actor=editor, article=owned, status="published")

    def test_texts(self):
        author = UserFactory()
        with pytest.raises(ApplicationError) as error:
            services.news_create(actor=author, language="en", texts={"title": "x", "colour": "red"})
        assert error.value.field == "colour"
        with pytest.raises(ApplicationError) as error:
            services.news_create(actor=author, language="en", texts={"title": "x" * 251})
        assert error.value.field == "title"
        article = services.news_create(actor=author, language="en", texts={"title": "Kiosks"})
        services.news_translate(
            actor=author, article=article, language="fr", texts={"title": "Kiosques"}
        )
        with pytest.raises(ApplicationError) as error:
            services.news_update(actor=author, article=article, texts={"title": "x"}, language="es")
        assert error.value.field == "language"
        with pytest.raises(PermissionDenied):
            services.news_translate(
                actor=UserFactory(), article=article, language="es", texts={"title": "x"}
            )


class TestFeeds:
    def test_rss_all_by_theme_and_by_language(self, client):
        water = theme("water-sanitation")
        one = NewsArticleFactory(
            title="Kiosks", summary="<script>x</script> & more", themes=[water]
        )
        one.texts.create(language="fr", title="Kiosques")
        NewsArticleFactory(title="Waste", language="es")
        NewsArticleFactory(title="Draft", status="draft")

        def titles(url):
            response = client.get(url)
            assert response.status_code == 200
            root = ElementTree.fromstring(response.content)
            return [i.findtext("title") for i in root.iter("item")]

        assert sorted(titles("/en/learning/news/feed/rss/")) == ["Kiosks", "Waste"]
        assert titles("/fr/learning/news/feed/rss/water-sanitation/") == ["Kiosques"]
        assert titles("/en/learning/news/feed/rss/?theme=water-sanitation") == ["Kiosks"]
        assert titles("/en/learning/news/feed/rss/?language=es") == ["Waste"]
        raw = client.get("/en/learning/news/feed/rss/").content.decode()
        assert "<script>" not in raw
        assert client.get("/en/learning/news/feed/rss/nothing/").status_code == 404

    def test_atom(self, client):
        NewsArticleFactory(title="Kiosks")
        response = client.get("/en/learning/news/feed/atom/")
        root = ElementTree.fromstring(response.content)
        assert [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")] == ["Kiosks"]
