"""The learning pages over HTTP: the event list and its filters, an event's page (its zone and the
reader's, the join link, JSON-LD), the organisers' forms, registration buttons, participants and
attendance, learning notes, news pages, and no script from a user or inline anywhere."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from citypeers.accounts.models import OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    theme,
)
from citypeers.knowledge import services as knowledge_services
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.learning.models import (
    AttendanceMode,
    Event,
    LearningNote,
    NewsArticle,
    Registration,
    Visibility,
)
from citypeers.learning.tests.factories import (
    EventFactory,
    LearningNoteFactory,
    NewsArticleFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db

JOIN = "https://meet.example.org/room-9"
LYON = 2996944


@pytest.fixture(autouse=True)
def no_followups(monkeypatch):
    monkeypatch.setattr(knowledge_services, "AFTER_TEXT_SAVED", [])


def editor_of(organisation):
    return OrganisationRoleFactory(
        organisation=organisation, role=OrganisationRole.Role.EDITOR
    ).user


def json_ld(page: str) -> dict | None:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1)) if match else None


class Scripts(HTMLParser):
    """Every <script> and every inline event handler of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[list[tuple[str, str | None]]] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(attrs)
        self.handlers += [name for name, _v in attrs if name.startswith("on")]


def assert_no_inline_script(page: str) -> None:
    parser = Scripts()
    parser.feed(page)
    assert not parser.handlers
    for attrs in parser.scripts:
        names = dict(attrs)
        assert "src" in names or names.get("type") == "application/ld+json", attrs


@pytest.fixture
def org():
    return OrganisationFactory(name="Lyon Métropole", slug="lyon-metropole")


class TestList:
    def test_upcoming_by_default_with_filters(self, client):
        water = theme("water-sanitation")
        EventFactory(title="Kiosk exchange", themes=[water])
        EventFactory(title="Webinar on waste", kind="webinar", attendance_mode="online", venue="")
        EventFactory(
            title="Old visit",
            starts_at=timezone.now() - dt.timedelta(days=30),
            ends_at=timezone.now() - dt.timedelta(days=29),
        )
        EventFactory(title="Members forum", visibility=Visibility.MEMBERS)
        page = client.get("/en/learning/").content.decode()
        assert "Kiosk exchange" in page and "Webinar on waste" in page
        assert "Old visit" not in page and "Members forum" not in page
        assert "Old visit" in client.get("/en/learning/?when=past").content.decode()
        filtered = client.get("/en/learning/?kind=webinar").content.decode()
        assert "Webinar on waste" in filtered and "Kiosk exchange" not in filtered
        online = client.get("/en/learning/?online=online").content.decode()
        assert "Webinar on waste" in online and "Kiosk exchange" not in online
        by_theme = client.get("/en/learning/?theme=water-sanitation").content.decode()
        assert "Kiosk exchange" in by_theme and "Webinar on waste" not in by_theme
        assert "/learning/calendar/themes/water-sanitation.ics" in by_theme
        assert_no_inline_script(page)

    def test_events_of_one_organisation(self, client, org):
        EventFactory(organisers=[org], title="Ours")
        EventFactory(title="Theirs")
        page = client.get("/en/learning/?organisation=lyon-metropole").content.decode()
        assert "Ours" in page and "Theirs" not in page
        assert "/learning/calendar/organisations/lyon-metropole.ics" in page
        assert (
            "No event matches" in client.get("/en/learning/?organisation=nobody").content.decode()
        )

    def test_htmx_gets_the_results_alone(self, client):
        EventFactory(title="Kiosk exchange")
        response = client.get("/en/learning/?kind=workshop", headers={"HX-Request": "true"})
        fragment = response.content.decode()
        assert "Kiosk exchange" in fragment and "<html" not in fragment
        assert response["HX-Push-Url"] == "/en/learning/?kind=workshop"

    def test_query_count(self, client, django_assert_max_num_queries):
        for _ in range(10):
            EventFactory(themes=[theme("water-sanitation")])
        with django_assert_max_num_queries(12):
            assert client.get("/en/learning/").status_code == 200


class TestEventPage:
    def test_times_in_the_event_zone_and_the_readers(self, client):
        event = EventFactory(
            title="Kiosk exchange",
            starts_at=dt.datetime(2031, 6, 10, 7, 30, tzinfo=dt.UTC),
            ends_at=dt.datetime(2031, 6, 10, 15, 0, tzinfo=dt.UTC),
        )
        page = client.get(event.get_absolute_url()).content.decode()
        assert "9:30" in page and "17:00" in page and "Europe/Paris" in page
        assert "UTC+02:00" in page
        # No zone known for the reader: the line is hidden, for the script to fill.
        assert re.search(r'data-reader-time[^>]*data-reader-zone=""[^>]*hidden', page)
        client.cookies["citypeers_tz"] = "America/Bogota"
        page = client.get(event.get_absolute_url()).content.decode()
        assert "America/Bogota" in page and "2:30" in page  # 07:30 UTC is 02:30 in Bogotá
        assert not re.search(r"data-reader-time[^>]*hidden", page)
        client.cookies["citypeers_tz"] = "Not/AZone"
        assert "Not/AZone" not in client.get(event.get_absolute_url()).content.decode()

    def test_json_ld_for_public_events_only(self, client, org):
        event = EventFactory(
            organisers=[org],
            title="Kiosk exchange",
            attendance_mode=AttendanceMode.HYBRID,
            join_url=JOIN,
            capacity=30,
            city_id=None,
        )
        data = json_ld(client.get(event.get_absolute_url()).content.decode())
        assert data["@type"] == "Event"
        assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
        assert data["startDate"].endswith(("+01:00", "+02:00"))
        assert data["organizer"][0]["name"] == "Lyon Métropole"
        assert data["maximumAttendeeCapacity"] == 30
        assert JOIN not in json.dumps(data)
        members = EventFactory(organisers=[org], visibility=Visibility.MEMBERS)
        client.force_login(editor_of(org))
        assert json_ld(client.get(members.get_absolute_url()).content.decode()) is None

    def test_hostile_text_is_shown_not_run(self, client):
        event = EventFactory(
            title="<script>alert(1)</script>",
            description="<img src=x onerror=alert(1)> **bold**",
            summary="<b>hi</b>",
        )
        page = client.get(event.get_absolute_url()).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "<img" not in page
        assert "<strong>bold</strong>" in page
        assert json_ld(page)["name"] == "<script>alert(1)</script>"
        assert_no_inline_script(page)

    def test_register_then_wait_then_promoted(self, client):
        event = EventFactory(capacity=1, attendance_mode=AttendanceMode.HYBRID, join_url=JOIN)
        first, second = UserFactory(), UserFactory()
        client.force_login(first)
        page = client.get(event.get_absolute_url()).content.decode()
        assert "Register" in page and JOIN not in page
        response = client.post(f"/en/learning/events/{event.slug}/register/")
        assert response.status_code == 302
        page = client.get(event.get_absolute_url()).content.decode()
        assert 'data-registration="registered"' in page and JOIN in page
        client.force_login(second)
        assert "Join the waiting list" in client.get(event.get_absolute_url()).content.decode()
        client.post(f"/en/learning/events/{event.slug}/register/")
        page = client.get(event.get_absolute_url()).content.decode()
        assert 'data-registration="waiting"' in page and JOIN not in page
        assert client.post(f"/en/learning/events/{event.slug}/register/").status_code == 409
        client.force_login(first)
        client.post(f"/en/learning/events/{event.slug}/unregister/")
        assert Registration.objects.get(user=second).status == "registered"

    def test_anonymous_and_hidden(self, client):
        event = EventFactory()
        page = client.get(event.get_absolute_url()).content.decode()
        assert "Log in to register" in page
        response = client.post(f"/en/learning/events/{event.slug}/register/")
        assert response.status_code == 302 and "/accounts/log-in" in response["Location"]
        assert client.get(EventFactory(status="draft").get_absolute_url()).status_code == 404
        assert client.get(EventFactory(visibility="members").get_absolute_url()).status_code == 404
        assert client.get("/en/learning/events/nothing-here/").status_code == 404


class TestOrganiserPages:
    def test_create_publish_edit(self, client, org):
        client.force_login(editor_of(org))
        assert client.get("/en/learning/events/new/").status_code == 200
        data = {
            "title": "Kiosk exchange",
            "kind": "learning_exchange",
            "language": "en",
            "organisers": [org.slug],
            "starts_at": "2031-06-10T09:30",
            "ends_at": "2031-06-10T17:00",
            "time_zone": "Europe/Paris",
            "attendance_mode": "onsite",
            "city": LYON,
            "venue": "Town hall",
            "visibility": "public",
            "capacity": "20",
            "languages": ["en", "fr"],
            "themes": ["water-sanitation"],
            "agenda": "09:30 Welcome | Mayor\n2031-06-10 14:00 Site visit\nClosing words",
            "publish": "1",
        }
        response = client.post("/en/learning/events/new/", data)
        assert response.status_code == 302, response.content.decode()[:3000]
        event = Event.objects.get(title="Kiosk exchange")
        assert event.status == "published"
        assert event.starts_at == dt.datetime(2031, 6, 10, 7, 30, tzinfo=dt.UTC)
        agenda = list(event.agenda.all())
        assert [a.title for a in agenda] == ["Welcome", "Site visit", "Closing words"]
        assert agenda[0].speakers == "Mayor" and agenda[2].starts_at is None
        assert agenda[1].starts_at == dt.datetime(2031, 6, 10, 12, 0, tzinfo=dt.UTC)
        # The edit form shows the local times back.
        form = client.get(f"/en/learning/events/{event.slug}/edit/").content.decode()
        assert 'value="2031-06-10T09:30"' in form
        assert "09:30 Welcome | Mayor" in form
        data.update(venue="New hall")
        assert client.post(f"/en/learning/events/{event.slug}/edit/", data).status_code == 302
        event.refresh_from_db()
        assert event.venue == "New hall"

    def test_a_time_the_clocks_skip_is_shown_on_its_field(self, client, org):
        client.force_login(editor_of(org))
        response = client.post(
            "/en/learning/events/new/",
            {
                "title": "Night",
                "kind": "workshop",
                "language": "en",
                "organisers": [org.slug],
                "starts_at": "2031-03-30T02:30",
                "ends_at": "2031-03-30T05:00",
                "time_zone": "Europe/Paris",
                "attendance_mode": "online",
                "visibility": "public",
            },
        )
        assert response.status_code == 400
        assert "does not exist in Europe/Paris" in response.content.decode()
        assert not Event.objects.exists()

    def test_who_may_organise(self, client, org):
        response = client.get("/en/learning/events/new/")
        assert response.status_code == 302
        client.force_login(UserFactory())
        assert client.get("/en/learning/events/new/").status_code == 403
        event = EventFactory(organisers=[org])
        assert client.get(f"/en/learning/events/{event.slug}/edit/").status_code == 403
        assert client.get(f"/en/learning/events/{event.slug}/participants/").status_code == 403
        assert client.post(f"/en/learning/events/{event.slug}/cancel/").status_code == 403

    def test_cancel_and_participants(self, client, org):
        editor = editor_of(org)
        event = EventFactory(organisers=[org], capacity=1, status="draft")
        client.force_login(editor)
        client.post(f"/en/learning/events/{event.slug}/publish/")
        event.refresh_from_db()
        assert event.status == "published"
        seat = RegistrationFactory(event=event)
        RegistrationFactory(event=event, status="waiting")
        page = client.get(f"/en/learning/events/{event.slug}/participants/").content.decode()
        assert str(seat.user) in page and "can be marked once the event has started" in page
        response = client.post(f"/en/learning/events/{event.slug}/cancel/", {"reason": "Storm"})
        assert response.status_code == 302
        page = client.get(event.get_absolute_url()).content.decode()
        assert "This event is cancelled." in page and "Storm" in page

    def test_attendance(self, client, org):
        event = EventFactory(organisers=[org], starts_at=timezone.now() - dt.timedelta(hours=1))
        came, absent = RegistrationFactory(event=event), RegistrationFactory(event=event)
        client.force_login(editor_of(org))
        response = client.post(
            f"/en/learning/events/{event.slug}/participants/", {"present": [str(came.pk)]}
        )
        assert response.status_code == 302
        came.refresh_from_db()
        absent.refresh_from_db()
        assert (came.attended, absent.attended) == (True, False)


class TestNotes:
    def test_a_participant_writes_a_note_and_the_event_shows_it(self, client):
        event = EventFactory(starts_at=timezone.now() - dt.timedelta(days=1))
        seat = RegistrationFactory(event=event)
        practice = PracticeFactory(title="Water kiosks", slug="water-kiosks")
        client.force_login(seat.user)
        assert client.get(f"/en/learning/events/{event.slug}/notes/new/").status_code == 200
        response = client.post(
            f"/en/learning/events/{event.slug}/notes/new/",
            {
                "title": "Kiosks travel",
                "language": "en",
                "shared": "Kisumu's **kiosks**.",
                "will_try": "Two kiosks.",
                "practices": "http://testserver/en/practices/water-kiosks/",
            },
        )
        assert response.status_code == 302
        note = LearningNote.objects.get()
        assert list(note.practices.all()) == [practice]
        page = client.get(event.get_absolute_url()).content.decode()
        assert "Kiosks travel" in page and "<strong>kiosks</strong>" in page
        assert "Water kiosks" in page  # among the practices that came out of it

    def test_a_stranger_cannot_write_one(self, client):
        event = EventFactory(starts_at=timezone.now() - dt.timedelta(days=1))
        client.force_login(UserFactory())
        assert client.get(f"/en/learning/events/{event.slug}/notes/new/").status_code == 403

    def test_turn_a_note_into_a_practice(self, client, org):
        note = LearningNoteFactory(event__organisers=[org])
        client.force_login(editor_of(org))
        response = client.post(f"/en/learning/notes/{note.pk}/practice/")
        assert response.status_code == 302 and "/practices/" in response["Location"]
        note.refresh_from_db()
        assert note.became is not None and note.became.status == "draft"
        # The draft shows to the organiser on the event page, not to the public.
        link = note.became.get_absolute_url()
        assert link in client.get(note.event.get_absolute_url()).content.decode()
        client.logout()
        assert link not in client.get(note.event.get_absolute_url()).content.decode()
        client.force_login(note.author)
        assert client.post(f"/en/learning/notes/{note.pk}/practice/").status_code == 409


class TestNewsPages:
    def test_list_page_and_translation(self, client):
        article = NewsArticleFactory(title="Kiosks: a year on", themes=[theme("water-sanitation")])
        article.texts.create(language="fr", title="Kiosques : un an après")
        NewsArticleFactory(title="Unpublished", status="draft")
        page = client.get("/en/learning/news/").content.decode()
        assert "Kiosks: a year on" in page and "Unpublished" not in page
        french = client.get("/fr/learning/news/").content.decode()
        assert "Kiosques : un an après" in french
        detail = client.get(f"/en/learning/news/{article.slug}/").content.decode()
        data = json_ld(detail)
        assert data["@type"] == "NewsArticle" and data["headline"] == "Kiosks: a year on"
        assert_no_inline_script(detail)

    def test_write_submit_publish(self, client, org):
        editor = editor_of(org)
        client.force_login(editor)
        response = client.post(
            "/en/learning/news/new/",
            {"language": "en", "title": "New kiosks", "body": "Text.", "owner": org.slug},
        )
        assert response.status_code == 302
        article = NewsArticle.objects.get()
        assert article.status == "draft" and article.owner == org
        client.post(f"/en/learning/news/{article.slug}/status/", {"status": "submitted"})
        assert "New kiosks" in client.get("/en/learning/news/review/").content.decode()
        client.post(f"/en/learning/news/{article.slug}/status/", {"status": "published"})
        article.refresh_from_db()
        assert article.status == "published"
        response = client.post(
            f"/en/learning/news/{article.slug}/translate/",
            {"language": "es", "title": "Nuevos quioscos"},
        )
        assert response.status_code == 302
        assert (
            "Nuevos quioscos"
            in client.get(f"{article.get_absolute_url()}?lang=es").content.decode()
        )

    def test_a_stranger_cannot_publish(self, client):
        article = NewsArticleFactory(status="submitted")
        client.force_login(UserFactory())
        assert (
            client.post(
                f"/en/learning/news/{article.slug}/status/", {"status": "published"}
            ).status_code
            == 404
        )
        client.force_login(article.created_by)
        assert (
            client.post(
                f"/en/learning/news/{article.slug}/status/", {"status": "published"}
            ).status_code
            == 403
        )
