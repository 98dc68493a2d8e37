"""Every test of the matching app starts from a fresh engine snapshot.

The engine keeps one snapshot per process and rebuilds it when the database's stamp changes; in
tests, rolled-back transactions can bring a stamp back to an earlier value, so each test forgets
the snapshot and checks the stamp on every request. Text vectors are cached in one file for the
session (encoding is the slow part), outside the project's ``var/``.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def _vectors_file(tmp_path_factory):
    return tmp_path_factory.mktemp("matching") / "text-vectors.npz"


@pytest.fixture(autouse=True)
def _fresh_engine(settings, _vectors_file):
    from citypeers.matching import snapshot

    settings.CITYPEERS_MATCHING_VECTORS = str(_vectors_file)
    settings.CITYPEERS_MATCHING_CHECK_SECONDS = 0
    snapshot.invalidate()
    yield
    snapshot.invalidate()
