"""A file cache of sentence vectors, keyed by a digest of the text.

The matching engine compares challenges, expertise and practices through the multilingual encoder
(``knowledge.encoder``). Encoding is the slow part (tens of texts a second), so every text is
encoded once and its vector kept in ``<CITYPEERS_VAR_DIR>/matching/text-vectors.npz``; building the
engine's snapshot reads the file and encodes only texts it has never seen. A task queued when an
organisation or a practice changes (``tasks.py``) encodes new texts ahead of the next build.

The file is rewritten whole under a lock, through a temporary file and an atomic rename, so a
reader in another process sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings

from citypeers.knowledge import encoder

if TYPE_CHECKING:
    from numpy.typing import NDArray

FILE_NAME = "text-vectors.npz"

_lock = threading.Lock()
_state: dict[str, object] = {"path": None, "mtime": None, "index": {}, "matrix": None}


def store_path() -> Path:
    """``CITYPEERS_MATCHING_VECTORS`` if set, else ``<CITYPEERS_VAR_DIR>/matching/…``."""
    configured = getattr(settings, "CITYPEERS_MATCHING_VECTORS", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "matching" / FILE_NAME


def digest(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:32]


def _load(path: Path) -> tuple[dict[str, int], NDArray[np.float32]]:
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return {}, np.zeros((0, encoder.DIMENSIONS), dtype=np.float32)
    if _state["path"] == path and _state["mtime"] == mtime:
        return _state["index"], _state["matrix"]  # type: ignore[return-value]
    with np.load(path, allow_pickle=False) as data:
        keys = [str(k) for k in data["keys"]]
        matrix = data["vectors"].astype(np.float32)
    index = {k: i for i, k in enumerate(keys)}
    _state.update(path=path, mtime=mtime, index=index, matrix=matrix)
    return index, matrix


def _save(path: Path, index: dict[str, int], matrix: NDArray[np.float32]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = np.array(sorted(index, key=index.__getitem__))
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, keys=keys, vectors=matrix)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def vectors(texts: Sequence[str]) -> NDArray[np.float32]:
    """The ``(len(texts), 512)`` unit vectors of ``texts``: from the cache, encoding (and
    storing) only the texts not in it. A blank text gets the zero vector."""
    out = np.zeros((len(texts), encoder.DIMENSIONS), dtype=np.float32)
    if not texts:
        return out
    path = store_path()
    with _lock:
        index, matrix = _load(path)
        keys = [digest(t) if t and t.strip() else "" for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k and k not in index})
        if missing:
            by_key = {k: t for k, t in zip(keys, texts, strict=True) if k}
            fresh = encoder.encode([by_key[k] for k in missing])
            index = dict(index)
            start = len(matrix)
            for i, k in enumerate(missing):
                index[k] = start + i
            matrix = np.concatenate([matrix, fresh.astype(np.float32)])
            _save(path, index, matrix)
            _state.update(path=path, mtime=path.stat().st_mtime_ns, index=index, matrix=matrix)
        for i, k in enumerate(keys):
            if k:
                out[i] = matrix[index[k]]
    return out
