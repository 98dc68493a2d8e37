"""Reads behind the "Find peers" pages and the peers API: the engine's suggestions with the
organisations and practices they name, loaded in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import get_language

from citypeers.directory.models import Organisation
from citypeers.knowledge.models import Practice

from . import engine


@dataclass
class PeerItem:
    organisation: Organisation
    suggestion: engine.Suggestion
    rank: int
    scale: float = 1.0  # the largest positive total of the list: bars share one scale

    @property
    def reasons(self) -> list[engine.Reason]:
        return self.suggestion.reasons

    @property
    def positive_total(self) -> float:
        return sum(r.contribution for r in self.reasons if r.contribution > 0)

    @property
    def bar_segments(self) -> list[dict[str, object]]:
        """Segments of the contributions bar, in percent of the list's scale: the reasons that
        raised the score stacked on the upper strip, those that lowered it on the lower one."""
        segments = []
        offsets = {False: 0.0, True: 0.0}
        for r in self.reasons:
            negative = r.contribution < 0
            width = min(
                100.0 * abs(r.contribution) / (self.scale or 1.0), 100.0 - offsets[negative]
            )
            if width <= 0:
                continue
            segments.append(
                {
                    "signal": r.signal,
                    "text": r.text,
                    "contribution": r.contribution,
                    "x": round(offsets[negative], 2),
                    "width": round(width, 2),
                    "negative": negative,
                }
            )
            offsets[negative] += width
        return segments


@dataclass
class PracticeItem:
    practice: Practice
    title: str
    score: float
    reasons: list[engine.Reason] = field(default_factory=list)


def organisations_in_bulk(ids: Sequence[int]) -> dict[int, Organisation]:
    return Organisation.objects.with_place().in_bulk(list(ids))


def peer_items(suggestions: Sequence[engine.Suggestion]) -> list[PeerItem]:
    """The suggestions with their organisations (one query), in the engine's order; an
    organisation deleted since the snapshot was built is left out."""
    organisations = organisations_in_bulk([s.organisation_id for s in suggestions])
    items: list[PeerItem] = []
    for suggestion in suggestions:
        organisation = organisations.get(suggestion.organisation_id)
        if organisation is not None:
            items.append(PeerItem(organisation, suggestion, len(items) + 1))
    scale = max((i.positive_total for i in items), default=1.0) or 1.0
    for item in items:
        item.scale = scale
    return items


def practice_items(matches: Sequence[engine.PracticeMatch]) -> list[PracticeItem]:
    """Published practices among ``matches`` with their title in the reader's language."""
    practices = (
        Practice.objects.published()
        .filter(pk__in=[m.practice_id for m in matches])
        .prefetch_related("texts")
        .in_bulk()
    )
    language = (get_language() or "en")[:2]
    items = []
    for match in matches:
        practice = practices.get(match.practice_id)
        if practice is None:
            continue
        text = practice.text_in(language)
        items.append(
            PracticeItem(
                practice, text.title if text else practice.slug, match.score, match.reasons
            )
        )
    return items
