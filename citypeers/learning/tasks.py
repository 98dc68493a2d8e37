"""Background work of the learning forum, through the Django tasks API (``django-tasks``).

Each task takes ids (JSON-serialisable arguments), calls one service and is safe to run twice:

- :func:`fan_out_feed_item` tells the followers of a new feed item (claimed once by
  ``fanned_out_at``);
- :func:`announce_practice` / :func:`announce_organisation` write the feed item of a published
  practice or a new organisation (once per thing), queued by the knowledge and directory
  callbacks after their commit;
- :func:`send_digest_batch` sends the digests of one batch of people for one period (each person is
  claimed for the period before anything is sent, so a second run sends nothing).

With the default immediate backend a task runs in-process when enqueued; in production a queue
and workers run them.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def fan_out_feed_item(feed_item_id: int) -> int:
    from . import follows

    return follows.fan_out(feed_item_id)


@task()
def announce_practice(practice_id: int) -> int | None:
    from . import follows

    item = follows.announce_practice(practice_id)
    return item.pk if item is not None else None


@task()
def announce_organisation(organisation_id: int) -> int | None:
    from . import follows

    item = follows.announce_organisation(organisation_id)
    return item.pk if item is not None else None


@task()
def send_digest_batch(frequency: str, period: str, user_ids: list[int]) -> dict[str, Any]:
    """Send the digests of ``period`` (an ISO date: the period's first day) to these people."""
    import datetime as dt

    from . import digests

    result = digests.send_batch(
        frequency=frequency, period=dt.date.fromisoformat(period), user_ids=user_ids
    )
    return {"claimed": result.claimed, "sent": result.sent, "empty": result.empty}


def enqueue_practice_announcement(practice_id: int) -> None:
    """The ``knowledge.services.AFTER_TEXT_SAVED`` callback (wired in ``LearningConfig.ready``)."""
    announce_practice.enqueue(practice_id)


def enqueue_organisation_announcement(organisation_id: int) -> None:
    """The ``directory.services.AFTER_SAVED`` callback (wired in ``LearningConfig.ready``)."""
    announce_organisation.enqueue(organisation_id)
