"""Background work of the knowledge base, through the Django tasks API (``django-tasks``).

Each task takes ids, calls one service, and is safe to run twice: a second run of
:func:`suggest_sdgs_for_practice` replaces the pending suggestions with the same ones and keeps the
editor's decisions. With the default immediate backend a task runs in-process when it is enqueued;
it is enqueued only after the commit that saved the text (``services.AFTER_TEXT_SAVED``), so it
always reads committed data, and a failure (e.g. the encoder cannot load) is recorded on the task
result instead of breaking the edit that triggered it.
"""

from __future__ import annotations

from django_tasks import task

from .models import TEXT_FIELDS, PracticeText

#: How many goals the encoder proposes at most; only those over its calibrated threshold are kept.
SUGGESTION_LIMIT = 5


@task()
def suggest_sdgs_for_practice(practice_id: int) -> int:
    """Suggest SDGs for a practice from its original text; return how many are pending.

    A practice deleted in the meantime, or without text, gets none (and the task succeeds).
    """
    from . import services
    from .models import Practice
    from .sdg_suggest import suggest_sdgs

    text = (
        PracticeText.objects.filter(practice_id=practice_id, is_original=True)
        .only(*TEXT_FIELDS)
        .first()
    )
    if text is None:
        return 0
    body = "\n\n".join(value for value in text.as_dict().values() if value)
    suggestions = suggest_sdgs(body, limit=SUGGESTION_LIMIT)
    try:
        return services.sdg_suggestions_store(
            practice_id=practice_id,
            scores=[(s.number, s.score) for s in suggestions if s.suggested],
        )
    except Practice.DoesNotExist:
        return 0


def enqueue_sdg_suggestions(practice_id: int) -> None:
    """The ``AFTER_TEXT_SAVED`` callback (registered in ``KnowledgeConfig.ready``)."""
    suggest_sdgs_for_practice.enqueue(practice_id)
