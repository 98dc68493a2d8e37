"""Evaluation of the SDG suggestions on the expert-labelled SDG Classification Benchmark.

The benchmark (PyPI ``sdgclassification-benchmark``, 1,251 rows) pairs a short English text with
one goal and says whether the text is about it. The rows are split deterministically, by a seeded
hash of the text (so a text repeated for two goals stays on one side), into a calibration half and
a test half; the scoring choices were made on the calibration half of seed 7 only. The threshold
is chosen on the calibration half (the one that maximises micro F1); every figure reported is
measured on the test half, with the very engine of
:func:`citypeers.knowledge.sdg_suggest.suggest_sdgs`.

AUC is computed here with numpy (Mann–Whitney U with tied ranks averaged), which spares the
platform scikit-learn for one function.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import encoder
from .sdg_suggest import GOALS, SdgLabels, score_embeddings, sdg_labels

if TYPE_CHECKING:
    from numpy.typing import NDArray


class BenchmarkMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class BenchmarkRow:
    text: str
    goal: int
    label: bool


@dataclass(frozen=True)
class GoalResult:
    goal: int
    n: int
    positives: int
    auc: float | None
    f1: float


@dataclass
class EvaluationReport:
    label_source: str
    seed: int
    calibration_rows: int
    test_rows: int
    test_texts: int
    threshold: float
    default_threshold: float
    macro_auc: float | None
    micro_auc: float | None
    macro_f1: float
    micro_f1: float
    micro_precision: float
    micro_recall: float
    f1_at_default_threshold: float
    encode_seconds: float
    total_seconds: float
    texts_per_second: float
    goals: list[GoalResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_benchmark() -> list[BenchmarkRow]:
    """The benchmark rows from the package data (no network)."""
    try:
        from sdgclassification.benchmark import load_benchmark_df
    except ImportError as exc:
        raise BenchmarkMissing(
            "The benchmark is not installed: pip install sdgclassification-benchmark "
            "(it is in the project's dev extras)."
        ) from exc
    frame = load_benchmark_df()
    return [
        BenchmarkRow(text=str(text), goal=int(goal), label=_as_bool(label))
        for text, goal, label in zip(frame["text"], frame["sdg"], frame["label"], strict=True)
    ]


def _as_bool(value: object) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    return str(value).strip() == "True"


def split_rows(
    rows: Sequence[BenchmarkRow], *, seed: int, limit: int | None = None
) -> tuple[list[BenchmarkRow], list[BenchmarkRow]]:
    """(calibration, test). Each text gets the hash ``sha256(f"{seed}:{text}")``; its first 32
    bits decide the side (even: calibration, odd: test), and with ``limit`` only the rows of the
    texts first in hash order are kept, up to ``limit`` rows."""
    by_text: dict[str, list[BenchmarkRow]] = {}
    for row in rows:
        by_text.setdefault(row.text, []).append(row)
    hashes = {
        text: int(hashlib.sha256(f"{seed}:{text}".encode()).hexdigest()[:8], 16) for text in by_text
    }
    calibration: list[BenchmarkRow] = []
    test: list[BenchmarkRow] = []
    taken = 0
    for text in sorted(by_text, key=hashes.__getitem__):
        if limit is not None and taken >= limit:
            break
        group = by_text[text][: (limit - taken) if limit is not None else None]
        (test if hashes[text] % 2 else calibration).extend(group)
        taken += len(group)
    return calibration, test


def roc_auc(scores: NDArray[Any], labels: NDArray[np.bool_]) -> float | None:
    """Area under the ROC curve; None when only one class is present."""
    labels = np.asarray(labels, dtype=bool)
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return None
    ranks = _average_ranks(np.asarray(scores, dtype=np.float64))
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def _average_ranks(values: NDArray[np.float64]) -> NDArray[np.float64]:
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    # Start of each run of equal values, and each element's run.
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    run = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    last = np.r_[first[1:], len(values)] - 1
    ranks = np.empty(len(values))
    ranks[order] = (first[run] + last[run]) / 2 + 1
    return ranks


def f1_score(predicted: NDArray[np.bool_], labels: NDArray[np.bool_]) -> float:
    tp = int((predicted & labels).sum())
    wrong = int((predicted ^ labels).sum())
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


def best_threshold(scores: NDArray[Any], labels: NDArray[np.bool_]) -> float:
    """The threshold that maximises F1 on (scores, labels): the midpoint below the best cut."""
    values = np.unique(scores)
    if len(values) < 2:
        return float(values[0]) if len(values) else 0.0
    candidates = np.r_[values[0], (values[1:] + values[:-1]) / 2]
    f1s = [f1_score(scores >= cut, labels) for cut in candidates]
    return float(candidates[int(np.argmax(f1s))])


def evaluate(
    *, seed: int = 7, limit: int | None = None, labels: SdgLabels | None = None
) -> EvaluationReport:
    started = time.perf_counter()
    labels = labels or sdg_labels()
    calibration, test = split_rows(load_benchmark(), seed=seed, limit=limit)
    texts = sorted({row.text for row in (*calibration, *test)})
    encode_started = time.perf_counter()
    embedded = encoder.encode(texts)
    encode_seconds = time.perf_counter() - encode_started
    scores_by_text = dict(zip(texts, score_embeddings(embedded, labels), strict=True))

    def scored(rows: Sequence[BenchmarkRow]) -> tuple[NDArray[Any], NDArray[np.bool_]]:
        goal_scores = np.array([scores_by_text[r.text][r.goal - 1] for r in rows], dtype=float)
        return goal_scores, np.array([r.label for r in rows], dtype=bool)

    cal_scores, cal_labels = scored(calibration)
    threshold = best_threshold(cal_scores, cal_labels)
    test_scores, test_labels = scored(test)
    test_goals = np.array([r.goal for r in test], dtype=int)
    predicted = test_scores >= threshold

    goals = []
    for goal in GOALS:
        mask = test_goals == goal
        if mask.any():
            goals.append(
                GoalResult(
                    goal=goal,
                    n=int(mask.sum()),
                    positives=int(test_labels[mask].sum()),
                    auc=roc_auc(test_scores[mask], test_labels[mask]),
                    f1=f1_score(predicted[mask], test_labels[mask]),
                )
            )
    aucs = [g.auc for g in goals if g.auc is not None]
    with_positives = [g.f1 for g in goals if g.positives]
    tp = int((predicted & test_labels).sum())
    total = time.perf_counter() - started
    return EvaluationReport(
        label_source=labels.source,
        seed=seed,
        calibration_rows=len(calibration),
        test_rows=len(test),
        test_texts=len({r.text for r in test}),
        threshold=round(threshold, 4),
        default_threshold=labels.threshold,
        macro_auc=float(np.mean(aucs)) if aucs else None,
        micro_auc=roc_auc(test_scores, test_labels),
        macro_f1=float(np.mean(with_positives)) if with_positives else 0.0,
        micro_f1=f1_score(predicted, test_labels),
        micro_precision=tp / int(predicted.sum()) if predicted.any() else 0.0,
        micro_recall=tp / int(test_labels.sum()) if test_labels.any() else 0.0,
        f1_at_default_threshold=f1_score(test_scores >= labels.threshold, test_labels),
        encode_seconds=round(encode_seconds, 2),
        total_seconds=round(total, 2),
        texts_per_second=round(len(texts) / encode_seconds, 1) if encode_seconds else 0.0,
        goals=goals,
    )
