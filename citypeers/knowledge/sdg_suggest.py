"""SDG suggestions for a text in any language, from the official goal and target texts.

No training data and no second model: the text and the SDG texts go through the same multilingual
sentence encoder (:mod:`citypeers.knowledge.encoder`), and a goal scores by how close the text is
to the goal's own words.

The labels. With the official texts imported (``citypeers import-sdg-texts``) each goal has
1 + its targets' label vectors (17 goal titles, 169 targets); each label vector is the mean of the
embeddings of its English, French and Spanish texts, which gives a prototype less tied to one
language's wording. Without the official texts (a fresh machine) the labels fall back to the
project's short titles (``Sdg.short_en/fr/es``), one per goal — it works, but it is clearly weaker
(macro AUC about 0.78 against 0.91; see docs/sdg-suggestions.md), and ``SdgLabels.source`` says
which set was used.

The score. Embeddings are centred on the mean label vector (the encoder's space is anisotropic: all
texts share a common direction that says nothing about any goal), then the goal's score is the mean
of the ``TOP_K`` highest cosine similarities between the text and the goal's labels. The choices —
language-averaged prototypes, centring, top-8 — were tuned on the calibration split of the
benchmark only (``bench/sdg.py``); the default thresholds come from ``citypeers eval-sdg`` on the
same split, and the figures it reports are those of the untouched test split.

The label embeddings are cached per process, keyed by a hash of the label texts, so an import of
new official texts is picked up on the next call without a restart.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from . import encoder

if TYPE_CHECKING:
    from numpy.typing import NDArray

LabelSource = Literal["official", "short"]

LANGUAGES = ("en", "fr", "es")
GOALS = tuple(range(1, 18))
TOP_K = 8
# The score above which a goal is suggested, chosen on the calibration split of the benchmark
# (seed 7) to maximise micro F1: see ``citypeers eval-sdg`` and docs/sdg-suggestions.md.
THRESHOLDS: dict[LabelSource, float] = {"official": 0.0806, "short": 0.0163}


@dataclass(frozen=True)
class SdgSuggestion:
    number: int
    score: float
    suggested: bool


@dataclass(frozen=True)
class SdgLabels:
    """The label vectors of the 17 goals, ready for scoring.

    ``vectors`` are the centred, unit-length label prototypes; ``goals[i]`` is the goal number of
    ``vectors[i]``; ``centre`` is what is subtracted from a text's embedding before comparing.
    """

    source: LabelSource
    key: str
    goals: NDArray[np.int64]
    vectors: NDArray[np.float32]
    centre: NDArray[np.float32]

    @property
    def threshold(self) -> float:
        return THRESHOLDS[self.source]


# One label: the goal it belongs to and its text per language (missing languages left out).
LabelText = tuple[int, dict[str, str]]

_cache: dict[str, SdgLabels] = {}
_cache_lock = threading.Lock()


def sdg_label_texts() -> tuple[LabelSource, list[LabelText]]:
    """The texts the goals are recognised by: official goal titles and targets when imported,
    else the short titles. Read from the places app on every call (two small queries)."""
    from citypeers.places.selectors import sdg_list

    goals = list(sdg_list())
    official: list[LabelText] = []
    for goal in goals:
        title = _texts(goal, "title")
        if title:
            official.append((goal.number, title))
        official.extend((goal.number, _texts(target, "text")) for target in goal.targets.all())
    if {number for number, _texts_ in official} == set(GOALS) and len(official) > len(GOALS):
        return "official", official
    short = [(goal.number, _texts(goal, "short")) for goal in goals]
    return "short", [(number, texts) for number, texts in short if texts]


def _texts(obj: object, field: str) -> dict[str, str]:
    found = {lang: str(getattr(obj, f"{field}_{lang}", "") or "").strip() for lang in LANGUAGES}
    return {lang: text for lang, text in found.items() if text}


def build_labels(source: LabelSource, texts: Sequence[LabelText]) -> SdgLabels:
    """Embed the label texts (all languages in one batch) into :class:`SdgLabels`."""
    if not texts:
        raise ValueError("No SDG texts: load the reference data first (citypeers load-reference).")
    flat = [(row, text) for row, (_goal, by_lang) in enumerate(texts) for text in by_lang.values()]
    embedded = encoder.encode([text for _row, text in flat])
    prototypes = np.zeros((len(texts), encoder.DIMENSIONS), dtype=np.float32)
    np.add.at(prototypes, [row for row, _text in flat], embedded)
    prototypes = encoder.normalise(prototypes)
    centre = prototypes.mean(axis=0).astype(np.float32)
    return SdgLabels(
        source=source,
        key=_key(source, texts),
        goals=np.array([goal for goal, _by_lang in texts], dtype=np.int64),
        vectors=encoder.normalise(prototypes - centre),
        centre=centre,
    )


def _key(source: LabelSource, texts: Sequence[LabelText]) -> str:
    digest = hashlib.sha256(source.encode())
    for goal, by_lang in texts:
        for lang in sorted(by_lang):
            digest.update(f"\x1e{goal}\x1f{lang}\x1f{by_lang[lang]}".encode())
    return digest.hexdigest()


def sdg_labels() -> SdgLabels:
    """The current labels, embedded once per process and per version of the texts."""
    source, texts = sdg_label_texts()
    key = _key(source, texts)
    labels = _cache.get(key)
    if labels is None:
        with _cache_lock:
            labels = _cache.get(key)
            if labels is None:
                labels = build_labels(source, texts)
                _cache.clear()
                _cache[key] = labels
    return labels


def score_embeddings(vectors: NDArray[np.float32], labels: SdgLabels) -> NDArray[np.float32]:
    """Goal scores of already embedded texts: an ``(n, 17)`` array, column ``g - 1`` for goal g.

    A zero vector (blank text) scores 0 for every goal.
    """
    vectors = np.atleast_2d(vectors)
    blank = ~np.any(vectors, axis=1)
    sims = encoder.normalise(vectors - labels.centre) @ labels.vectors.T
    scores = np.zeros((len(vectors), len(GOALS)), dtype=np.float32)
    for column, goal in enumerate(GOALS):
        goal_sims = sims[:, labels.goals == goal]
        k = min(TOP_K, goal_sims.shape[1])
        if k:
            top = np.partition(goal_sims, goal_sims.shape[1] - k, axis=1)[:, -k:]
            scores[:, column] = top.mean(axis=1)
    scores[blank] = 0.0
    return scores


def score_texts(texts: Sequence[str], labels: SdgLabels | None = None) -> NDArray[np.float32]:
    """Goal scores of ``texts`` (``(n, 17)``), encoding them in batches. This is what both
    :func:`suggest_sdgs` and the evaluation use."""
    labels = labels or sdg_labels()
    return score_embeddings(encoder.encode(texts), labels)


def suggest_sdgs(
    text: str, *, limit: int = 5, threshold: float | None = None
) -> list[SdgSuggestion]:
    """The ``limit`` best goals for ``text``, best first, each marked ``suggested`` when its
    score reaches the threshold (the calibrated default for the label set in use).

    A blank text gets no suggestion. The editor decides; these are only proposals.
    """
    if not text or not text.strip() or limit <= 0:
        return []
    labels = sdg_labels()
    cut = labels.threshold if threshold is None else threshold
    scores = score_texts([text], labels)[0]
    ranked = np.argsort(-scores, kind="stable")[:limit]
    return [
        SdgSuggestion(
            number=GOALS[i], score=round(float(scores[i]), 4), suggested=bool(scores[i] >= cut)
        )
        for i in ranked
    ]
