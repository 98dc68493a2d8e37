"""Index maintenance: the tasks run on commit from the services, and reindex is idempotent."""

from __future__ import annotations

import pytest

from citypeers.accounts.tests.factories import UserFactory
from citypeers.knowledge import services
from citypeers.knowledge.models import Status
from citypeers.places.models import Country
from citypeers.search import indexing, semantic
from citypeers.search.engine import search
from citypeers.search.models import SearchDocument

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_search_followups(monkeypatch):
    """Keep the search callback, leave the SDG suggestions out (not under test here)."""
    from citypeers.search import tasks

    monkeypatch.setattr(services, "AFTER_TEXT_SAVED", [tasks.enqueue_practice])


def test_practice_lifecycle_updates_the_index(django_capture_on_commit_callbacks):
    moderator = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        practice = services.practice_create(
            actor=moderator,
            language="en",
            texts={"title": "Night buses for shift workers", "summary": "Late-night routes."},
        )
    assert not SearchDocument.objects.exists()  # a draft stays out of the index
    assert search("night buses").count == 0

    with django_capture_on_commit_callbacks(execute=True):
        services.practice_set_status(actor=moderator, practice=practice, status=Status.PUBLISHED)
    assert search("night buses").items[0].id == practice.pk
    assert semantic.index_size() == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.practice_update(
            actor=moderator,
            practice=practice,
            texts={"title": "Night trams for shift workers", "summary": "Late-night routes."},
        )
    assert search("trams").items[0].id == practice.pk
    assert search("buses").count == 0 or search("buses").items[0].lexical_rank is None

    with django_capture_on_commit_callbacks(execute=True):
        services.practice_translate(
            actor=moderator,
            practice=practice,
            language="fr",
            texts={"title": "Tramways de nuit", "summary": "Des lignes tard le soir."},
        )
    assert SearchDocument.objects.filter(object_id=practice.pk).count() == 2
    hit = search("tramways", reader_language="fr").items[0]
    assert (hit.id, hit.language) == (practice.pk, "fr")

    with django_capture_on_commit_callbacks(execute=True):
        services.practice_set_status(actor=moderator, practice=practice, status=Status.ARCHIVED)
    assert not SearchDocument.objects.exists()
    assert semantic.index_size() == 0
    assert search("night trams").count == 0


def test_reindex_is_idempotent_and_drops_stale_documents():
    from citypeers.knowledge.tests.factories import PracticeFactory

    kept = PracticeFactory(title="Slum upgrading with residents")
    gone = PracticeFactory(title="Old practice to withdraw")
    first = indexing.reindex(["practice"])
    assert (first.documents, first.encoded) == (2, 2)
    snapshot = list(SearchDocument.objects.order_by("pk").values_list("pk", "updated_at"))

    second = indexing.reindex(["practice"])
    assert (second.documents, second.encoded, second.deleted) == (2, 0, 0)
    assert list(SearchDocument.objects.order_by("pk").values_list("pk", "updated_at")) == snapshot

    gone.status = Status.ARCHIVED
    gone.save()
    third = indexing.reindex(["practice"])
    assert third.deleted == 1
    assert set(SearchDocument.objects.values_list("object_id", flat=True)) == {kept.pk}
    assert semantic.index_size() == 1


def test_organisation_and_partnership_hooks(django_capture_on_commit_callbacks):
    from citypeers.directory import services as directory_services

    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        org = directory_services.organisation_create(
            actor=user,
            name="Association des maires du Sahel",
            actor_type="lga",
            country=Country.objects.get(iso3="NER"),
            descriptions={"fr": "Une association de communes sahéliennes."},
            original_language="fr",
        )
    hit = search("sahel").items[0]
    assert (hit.type, hit.id, hit.language) == ("organisation", org.pk, "fr")

    with django_capture_on_commit_callbacks(execute=True):
        directory_services.organisation_delete(actor=UserFactory(is_staff=True), organisation=org)
    assert search("sahel").count == 0
    assert not SearchDocument.objects.filter(doc_type="organisation").exists()
