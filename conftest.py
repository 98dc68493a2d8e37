"""Test set-up shared by every app: the test database holds the real reference data.

The reference load (countries, M49 regions, the built-in classification, ~34,000 GeoNames cities,
SDGs, the theme taxonomy) runs once per session after the test database is created; each test
then runs in a transaction that is rolled back, so every test starts from the same real reference
data.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Whitenoise expects the collected-static folder; tests serve assets through finders."""
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from citypeers.directory.services import theme_sync
    from citypeers.partnerships.services import capacity_sync
    from citypeers.places.services import reference_load

    with django_db_blocker.unblock():
        reference_load()
        theme_sync()
        capacity_sync()


@pytest.fixture(autouse=True)
def _english_by_default():  # type: ignore[no-untyped-def]
    """Each test starts in English: a request to /fr/ must not change the next test's language."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")
