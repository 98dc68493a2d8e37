"""Parallel requests for the last seats never overbook (PostgreSQL, where rows are really locked).

Each thread is a separate client with its own database connection, released together by a barrier
so their transactions overlap; the event row lock (``SELECT … FOR UPDATE``) in
``registration_create`` makes them count the seats one after the other. Skipped on SQLite, which
serialises writing transactions anyway (and lets only one connection write at a time).

The test commits for real (``transaction=True``), so the database is emptied afterwards; the
module then loads the session's reference data again for the tests that run after it.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.test import Client

from citypeers.accounts.services import api_token_create
from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.tests.factories import OrganisationFactory
from citypeers.learning.models import Registration, RegistrationStatus
from citypeers.learning.tests.factories import EventFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


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


def _in_parallel(requests):
    """Run each ``(client, url, headers)`` POST in its own thread, all released at once."""
    barrier = threading.Barrier(len(requests))
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def run(client: Client, url: str, headers: dict) -> None:
        try:
            barrier.wait(timeout=30)
            response = client.post(url, content_type="application/json", headers=headers)
            with lock:
                results.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token_create(user=user, name='race')[1]}"}


def test_parallel_registrations_for_the_last_seats_never_overbook():
    event = EventFactory(organisers=[OrganisationFactory(country=None)], capacity=3)
    people = UserFactory.create_batch(16)
    url = f"/api/v1/events/{event.pk}/registrations"
    results = _in_parallel([(Client(), url, _bearer(p)) for p in people])

    assert len(results) == 16
    assert {status for status, _body in results} == {201}
    answered = Counter(body["status"] for _status, body in results)
    assert answered == {"registered": 3, "waiting": 13}
    stored = Counter(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert stored == {RegistrationStatus.REGISTERED: 3, RegistrationStatus.WAITING: 13}
    # The waiting list is a queue without gaps or duplicates.
    positions = sorted(body["position"] for _status, body in results if body["position"])
    assert positions == list(range(1, 14))


def test_one_person_clicking_many_times_at_once_is_registered_once():
    event = EventFactory(organisers=[OrganisationFactory(country=None)], capacity=5)
    person = UserFactory()
    headers = _bearer(person)
    url = f"/api/v1/events/{event.pk}/registrations"
    results = _in_parallel([(Client(), url, headers) for _ in range(6)])

    assert sorted(status for status, _body in results) == [201, 409, 409, 409, 409, 409]
    assert Registration.objects.filter(event=event, user=person).count() == 1
