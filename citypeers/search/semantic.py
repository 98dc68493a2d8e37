"""The semantic side: document embeddings in a persisted usearch HNSW index.

The index file lives in ``settings.CITYPEERS_SEARCH_INDEX_DIR`` (``var/search`` by default); its
keys are :class:`~citypeers.search.models.SearchDocument` ids and its metric is the inner product
of L2-normalised float32 vectors (= cosine). Every process keeps the index in memory and reloads
it when another process (a worker running the index tasks) has saved a newer file. The database
keeps each document's vector too, so the index can always be rebuilt from it
(``citypeers reindex``) and an exact scan is possible where the index cannot answer.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings

from citypeers.knowledge.encoder import DIMENSIONS

if TYPE_CHECKING:
    from numpy.typing import NDArray

FILE_NAME = "documents.usearch"
# HNSW parameters. On the benchmark's 100,000 distinct practice vectors and its 200 queries
# (bench/search.py), recall@10 against an exact scan was 0.946 with a search expansion of 128,
# 0.965 with 256 and 0.980 with 512 (0.998 at 10,000): 512 keeps recall above 0.95 with margin
# for a few milliseconds. The engine asks for k = 400 neighbours, which widens the search anyway.
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 512

_lock = threading.RLock()
_state: dict[str, Any] = {"index": None, "path": None, "mtime": None}


def index_path() -> Path:
    return Path(settings.CITYPEERS_SEARCH_INDEX_DIR) / FILE_NAME


def _new_index() -> Any:
    from usearch.index import Index

    return Index(
        ndim=DIMENSIONS,
        metric="ip",
        dtype="f32",
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def get_index() -> Any:
    """The index of this process, (re)loaded from disk when the file changed."""
    path = index_path()
    with _lock:
        mtime = _mtime(path)
        if _state["index"] is None or _state["path"] != path or _state["mtime"] != mtime:
            index = _new_index()
            if mtime is not None:
                index.load(str(path))
            _state.update(index=index, path=path, mtime=mtime)
        return _state["index"]


def save() -> None:
    """Write this process's index to disk (after changes made with ``save=False``)."""
    with _lock:
        _save(get_index())


def _save(index: Any) -> None:
    path = index_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    index.save(str(tmp))
    tmp.replace(path)  # atomic: a reader never sees half a file
    _state["mtime"] = _mtime(path)


def upsert(keys: Sequence[int], vectors: NDArray[np.float32], *, save: bool = True) -> None:
    """Add or replace the vectors of ``keys`` (zero vectors are left out: they match nothing)."""
    with _lock:
        index = get_index()
        keys_arr = np.asarray(keys, dtype=np.uint64)
        if len(keys_arr):
            present = keys_arr[index.contains(keys_arr)] if len(index) else keys_arr[:0]
            if len(present):
                index.remove(present)
            nonzero = np.linalg.norm(vectors, axis=1) > 0
            if nonzero.any():
                index.add(keys_arr[nonzero], np.ascontiguousarray(vectors[nonzero]))
        if save:
            _save(index)


def remove(keys: Sequence[int], *, save: bool = True) -> None:
    with _lock:
        index = get_index()
        keys_arr = np.asarray(keys, dtype=np.uint64)
        if len(keys_arr) and len(index):
            present = keys_arr[index.contains(keys_arr)]
            if len(present):
                index.remove(present)
        if save:
            _save(index)


def rebuild(keys: Sequence[int], vectors: NDArray[np.float32]) -> int:
    """Replace the whole index by these vectors; return its size."""
    with _lock:
        index = _new_index()
        keys_arr = np.asarray(keys, dtype=np.uint64)
        nonzero = np.linalg.norm(vectors, axis=1) > 0 if len(keys_arr) else np.zeros(0, bool)
        if nonzero.any():
            index.add(keys_arr[nonzero], np.ascontiguousarray(vectors[nonzero]), threads=0)
        _state.update(index=index, path=index_path())
        _save(index)
        return len(index)


def ann_search(query: NDArray[np.float32], k: int) -> list[tuple[int, float]]:
    """The ``k`` nearest documents to ``query`` as ``(id, cosine)``, best first."""
    index = get_index()
    if not len(index) or k <= 0:
        return []
    found = index.search(query, min(k, len(index)))
    return [
        (int(key), 1.0 - float(dist)) for key, dist in zip(found.keys, found.distances, strict=True)
    ]


def stored_vectors(keys: Sequence[int]) -> dict[int, NDArray[np.float32]]:
    """The vectors the index holds for ``keys`` (keys it does not hold are left out)."""
    index = get_index()
    if not len(index) or not keys:
        return {}
    keys_arr = np.asarray(keys, dtype=np.uint64)
    held = keys_arr[index.contains(keys_arr)]
    if not len(held):
        return {}
    vectors = index.get(held)
    return {int(k): v for k, v in zip(held, vectors, strict=True) if v is not None}


def index_size() -> int:
    return len(get_index())


def to_bytes(vector: NDArray[np.float32]) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data: bytes | memoryview) -> NDArray[np.float32]:
    if not data:
        return np.zeros(DIMENSIONS, dtype=np.float32)
    return np.frombuffer(bytes(data), dtype=np.float32)
