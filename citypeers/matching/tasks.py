"""Keeping the engine's snapshot fresh, through the Django tasks API (``django-tasks``).

The ``*_changed`` callbacks are registered in ``MatchingConfig.ready`` with the directory's,
the partnerships' and the knowledge base's callback lists, which run them on commit. Each marks
the snapshot stale in every process (a version number in the shared cache) and, for objects that
carry text, queues a task that encodes the texts the engine will compare, so the rebuild that
follows reads their vectors from the cache instead of encoding them. The tasks take ids and are
safe to run twice: a text already encoded is not encoded again.
"""

from __future__ import annotations

from django_tasks import task

from . import snapshot, vectors


@task()
def encode_organisation_texts(organisation_id: int) -> int:
    """Encode the organisation's challenges and expertise; return how many texts it has."""
    from citypeers.directory.models import ProfileItem

    texts = list(
        ProfileItem.objects.filter(organisation_id=organisation_id).values_list("text", flat=True)
    )
    vectors.vectors(texts)
    return len(texts)


@task()
def encode_practice_text(practice_id: int) -> int:
    """Encode the text the engine compares for a published practice (0 when not published)."""
    from citypeers.knowledge.models import Practice

    practice = Practice.objects.published().filter(pk=practice_id).prefetch_related("texts").first()
    original = practice.original_text if practice else None
    if original is None:
        return 0
    vectors.vectors(
        [snapshot.practice_embedding_text(original.title, original.summary, original.challenges)]
    )
    return 1


def organisation_changed(organisation_id: int) -> None:
    snapshot.bump_version()
    encode_organisation_texts.enqueue(organisation_id)


def partnership_changed(partnership_id: int) -> None:
    snapshot.bump_version()


def practice_changed(practice_id: int) -> None:
    snapshot.bump_version()
    encode_practice_text.enqueue(practice_id)
