from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Start each test in English and leave no other language active after it: a request to
    /fr/ or /es/ activates that language for the rest of the thread."""
    with translation.override("en"):
        yield
