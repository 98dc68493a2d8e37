"""Every search test gets an ANN index directory of its own (the database is rolled back after
each test; the index file must not outlive it)."""

from __future__ import annotations

import pytest

from citypeers.search import semantic


@pytest.fixture(autouse=True)
def search_index_dir(settings, tmp_path):
    settings.CITYPEERS_SEARCH_INDEX_DIR = tmp_path / "search"
    semantic._state.update(index=None, path=None, mtime=None)
    yield settings.CITYPEERS_SEARCH_INDEX_DIR
    semantic._state.update(index=None, path=None, mtime=None)
