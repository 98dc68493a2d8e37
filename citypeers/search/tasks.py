"""Index maintenance through the Django tasks API (``django-tasks``).

Each task takes an object id, rebuilds that object's search documents from committed data (or
removes them when the object is gone or no longer public) and is therefore safe to run twice or
out of order. The ``enqueue_*`` functions are the callbacks registered in ``SearchConfig.ready``
with the apps' ``AFTER_TEXT_SAVED`` / ``AFTER_SAVED`` registries, which run them on commit.
"""

from __future__ import annotations

from django_tasks import task

from . import indexing


@task()
def index_practice(practice_id: int) -> int:
    """Re-index one practice; return how many documents it has now (0: not searchable)."""
    return indexing.index_objects("practice", [practice_id])


@task()
def index_organisation(organisation_id: int) -> int:
    return indexing.index_objects("organisation", [organisation_id])


@task()
def index_partnership(partnership_id: int) -> int:
    return indexing.index_objects("partnership", [partnership_id])


def enqueue_practice(practice_id: int) -> None:
    index_practice.enqueue(practice_id)


def enqueue_organisation(organisation_id: int) -> None:
    index_organisation.enqueue(organisation_id)


def enqueue_partnership(partnership_id: int) -> None:
    index_partnership.enqueue(partnership_id)
