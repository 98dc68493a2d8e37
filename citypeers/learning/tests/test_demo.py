"""``citypeers load-demo``: the learning forum's demo events, notes and news — in three languages,
marked as demo, with a waiting list and a note that became a practice — and idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from citypeers.knowledge import services as knowledge_services
from citypeers.learning import demo_data
from citypeers.learning.models import (
    Event,
    LearningNote,
    NewsArticle,
    NewsText,
    Registration,
)

pytestmark = pytest.mark.django_db
MODELS = (Event, Registration, LearningNote, NewsArticle, NewsText)


@pytest.fixture
def load_demo(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(knowledge_services, "AFTER_TEXT_SAVED", [])

    def load() -> str:
        out = StringIO()
        call_command("load-demo", stdout=out)
        return out.getvalue()

    return load


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_twice_changes_nothing_the_second_time(load_demo):
    first = load_demo()
    after_first = counts()
    second = load_demo()
    assert counts() == after_first
    n = len(demo_data.EVENTS)
    assert f"Demo events: {n} created, 0 already present." in first
    assert f"Demo events: 0 created, {n} already present." in second
    assert f"Demo news: {len(demo_data.NEWS)} created, 0 already present." in first
    assert f"Demo news: 0 created, {len(demo_data.NEWS)} already present." in second
    assert "skipped" not in first.split("Demo events")[1]


def test_the_demo_shows_every_feature(load_demo):
    load_demo()
    events = list(Event.objects.all())
    assert len(events) == len(demo_data.EVENTS)
    assert all(e.is_demo and e.status == "published" for e in events)
    assert {e.language for e in events} == {"en", "fr", "es"}
    assert {e.attendance_mode for e in events} == {"onsite", "online", "hybrid"}
    assert len({e.time_zone for e in events}) >= 3
    forum = Event.objects.get(external_id="demo:event-network-forum")
    assert forum.visibility == "members"
    assert sorted(forum.registrations.values_list("user__username", "status")) == [
        ("amina", "registered"),
        ("lucia", "waiting"),
    ]
    notes = list(LearningNote.objects.all())
    assert notes and all(n.is_demo for n in notes)
    became = [n.became for n in notes if n.became is not None]
    assert became and all(p.is_demo and p.status == "draft" for p in became)
    assert any(n.practices.exclude(pk__in=[p.pk for p in became]).exists() for n in notes)
    assert {t.language for t in NewsText.objects.all()} == {"en", "fr", "es"}
    assert all(a.status == "published" and a.is_demo for a in NewsArticle.objects.all())


def test_demo_pages_render(load_demo, client):
    load_demo()
    assert client.get("/fr/learning/").status_code == 200
    for event in Event.objects.filter(visibility="public"):
        assert client.get(f"/es/learning/events/{event.slug}/").status_code == 200
    assert client.get("/en/learning/news/").status_code == 200


def test_the_demo_discussions_in_three_languages_once(load_demo, client):
    from citypeers.learning.models import Community, Reply, Thread

    load_demo()
    threads = list(Thread.objects.all())
    assert len(threads) == len(demo_data.THREADS)
    assert all(t.is_demo for t in threads) and {t.language for t in threads} == {"en", "fr", "es"}
    assert all("demo" in t.title.lower() or "démo" in t.title.lower() for t in threads)
    replies = list(Reply.objects.all())
    assert replies and all(r.is_demo for r in replies)
    assert any(r.is_helpful for r in replies)
    network = Community.objects.get(kind="network")
    assert network.is_demo and Thread.objects.filter(community=network).exists()
    before = (Thread.objects.count(), Reply.objects.count(), Community.objects.count())
    load_demo()
    assert (Thread.objects.count(), Reply.objects.count(), Community.objects.count()) == before
    assert client.get("/es/learning/discussions/").status_code == 200
    for thread in threads:
        assert client.get(f"/fr/learning/discussions/threads/{thread.pk}/").status_code == 200
