"""A rebuild of the engine's snapshot runs in the background: requests never wait for it.

The test commits for real (``transaction=True``): the rebuild thread reads the database on its
own connection, which sees only committed data. The database is emptied afterwards, so the module
loads the session's reference data again for the tests that run after it.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from citypeers.directory.tests.factories import OrganisationFactory
from citypeers.matching import engine, snapshot
from citypeers.partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def reference_data_again(django_db_blocker):
    """After the module (and the flush of its last test), load the reference data again."""
    yield
    from citypeers.directory.services import theme_sync
    from citypeers.partnerships.services import capacity_sync
    from citypeers.places.services import reference_load

    with django_db_blocker.unblock():
        reference_load()
        theme_sync()
        capacity_sync()


def _in_thread(call):
    """Run ``call`` in another thread (another connection, as another request would), and
    return what it returned, or ``"still waiting"`` after 20 seconds."""
    out = ["still waiting"]

    def run():
        try:
            out[0] = call()
        finally:
            connections.close_all()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=20)
    return out[0]


def ids(suggestions):
    return [s.organisation_id for s in suggestions]


def test_requests_are_served_from_the_previous_snapshot_while_one_rebuild_runs(settings):
    settings.CITYPEERS_MATCHING_BACKGROUND_REBUILD = True
    a, b, c, d = (OrganisationFactory(country=None) for _ in range(4))
    PartnershipFactory(members=[a, b])
    PartnershipFactory(members=[b, c])
    first = snapshot.current()
    assert c.pk in ids(engine.suggest_for_organisation(a.pk, mode="partners", k=5))

    PartnershipFactory(members=[a, c])  # a change: the next request starts a rebuild
    # Hold the build lock, as a slow rebuild would: a request that waited for the rebuild
    # would still be waiting when the helper gives up.
    with snapshot._lock:
        assert _in_thread(snapshot.current) is first
        assert snapshot.rebuilding()
        found = _in_thread(lambda: ids(engine.suggest_for_organisation(a.pk, mode="partners", k=5)))
        assert found != "still waiting"
        assert c.pk in found  # the previous snapshot: c is not yet a partner of a
        assert snapshot.current() is first  # one rebuild at a time, the others still served
    assert snapshot.wait_for_rebuild(timeout=60)
    fresh = snapshot.current()
    assert fresh is not first
    assert fresh.partners.neighbours(fresh.position[a.pk]).size == 2
    assert c.pk not in ids(engine.suggest_for_organisation(a.pk, mode="partners", k=5))
    assert d.pk in ids(engine.suggest_for_organisation(a.pk, mode="partners", k=5))


def test_inside_a_transaction_the_request_rebuilds_itself(settings):
    """Another connection could not see this transaction's writes: no background rebuild."""
    from django.db import transaction

    settings.CITYPEERS_MATCHING_BACKGROUND_REBUILD = True
    a, b = OrganisationFactory(country=None), OrganisationFactory(country=None)
    first = snapshot.current()
    with transaction.atomic():
        PartnershipFactory(members=[a, b])
        snapshot.bump_version()
        second = snapshot.current()
        assert second is not first and not snapshot.rebuilding()
        assert second.partners.neighbours(second.position[a.pk]).size == 1
