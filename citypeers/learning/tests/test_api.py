"""The learning API over HTTP: events (times in the event's zone, the join link only for those who
may see it), registrations with the waiting list, attendance, learning notes and news, with the
permission outcomes (401 anonymous, 403 not allowed, 404 hidden, 409 conflicts, 400/422 bad input)
and the query count of the lists."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from citypeers.accounts.models import OrganisationRole
from citypeers.accounts.services import api_token_create
from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    theme,
)
from citypeers.knowledge import services as knowledge_services
from citypeers.knowledge.models import Practice
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
from citypeers.notifications.models import Notification

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
LYON = 2996944
JOIN = "https://meet.example.org/room-42"


@pytest.fixture(autouse=True)
def no_followups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave the knowledge base's after-commit callbacks (the encoder) out of these tests."""
    monkeypatch.setattr(knowledge_services, "AFTER_TEXT_SAVED", [])


def problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    if field is not None:
        fields = {body.get("field")} | {e["field"] for e in body.get("errors", [])}
        assert any(f and f.split(".")[-1] == field for f in fields), body
    return body


def bearer(user: Any) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def send(client: Client, method: str, url: str, data: Any = None, **headers: Any) -> Any:
    return getattr(client, method)(
        url,
        data=json.dumps(data) if data is not None else None,
        content_type="application/json",
        headers=headers,
    )


def editor_of(organisation: Any) -> Any:
    return OrganisationRoleFactory(
        organisation=organisation, role=OrganisationRole.Role.EDITOR
    ).user


@pytest.fixture
def org() -> Any:
    return OrganisationFactory(name="Lyon Water Solidarity")


def new_event(org: Any, **changes: Any) -> dict[str, Any]:
    return {
        "title": "Kiosk exchange",
        "kind": "learning_exchange",
        "attendance_mode": "hybrid",
        "starts_at": "2031-06-10T09:30:00",
        "ends_at": "2031-06-10T17:00:00",
        "time_zone": "Europe/Paris",
        "organisers": [org.pk],
        "city": LYON,
        "venue": "Town hall",
        "join_url": JOIN,
        "capacity": 2,
        "themes": ["water-sanitation"],
        "sdgs": [6],
        "languages": ["en", "fr"],
        "interpretation": ["es"],
        "agenda": [{"title": "Welcome", "starts_at": "2031-06-10T09:30:00", "speakers": "Mayor"}],
        **changes,
    }


class TestEvents:
    def test_an_editor_organises_and_publishes(self, client, org):
        headers = bearer(editor_of(org))
        response = send(client, "post", "/api/v1/events", new_event(org), **headers)
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "draft"
        assert body["starts_at"] == "2031-06-10T09:30:00+02:00"
        assert body["time_zone"] == "Europe/Paris"
        assert body["city"] == {"geonameid": LYON, "name": "Lyon", "country": "FRA"}
        assert body["agenda"][0]["starts_at"] == "2031-06-10T09:30:00+02:00"
        assert body["join_url"] == JOIN  # the organiser sees it
        assert body["organisers"][0]["id"] == org.pk
        assert body["registration_closes_at"] == body["starts_at"]
        # A draft is hidden from the public.
        assert client.get(f"/api/v1/events/{body['id']}").status_code == 404
        published = send(client, "post", f"/api/v1/events/{body['id']}/publish", **headers)
        assert published.json()["status"] == "published"
        public = client.get(f"/api/v1/events/{body['id']}").json()
        assert public["join_url"] is None
        assert public["registration_open"] is True
        assert public["seats_taken"] == 0 and public["capacity"] == 2

    def test_a_time_with_an_offset_is_kept_as_that_instant(self, client, org):
        data = new_event(org, starts_at="2031-06-10T07:30:00Z", ends_at="2031-06-10T15:00:00Z")
        body = send(client, "post", "/api/v1/events", data, **bearer(editor_of(org))).json()
        assert body["starts_at"] == "2031-06-10T09:30:00+02:00"

    @pytest.mark.parametrize(
        ("changes", "status", "field"),
        [
            ({"time_zone": "Europe/Atlantis"}, 400, "time_zone"),
            ({"ends_at": "2031-06-10T08:00:00"}, 400, "ends_at"),
            ({"kind": "party"}, 422, "kind"),
            ({"city": 1}, 400, "city"),
            ({"themes": ["nope"]}, 400, "themes"),
            ({"organisers": [999999]}, 400, "organisers"),
            ({"join_url": "ftp://x"}, 400, "join_url"),
            (
                {"starts_at": "2031-03-30T02:30:00", "ends_at": "2031-03-30T05:00:00"},
                400,
                "starts_at",
            ),
        ],
    )
    def test_bad_input_names_the_field(self, client, org, changes, status, field):
        response = send(
            client, "post", "/api/v1/events", new_event(org, **changes), **bearer(editor_of(org))
        )
        problem(response, status, field)

    def test_permissions(self, client, org):
        problem(send(client, "post", "/api/v1/events", new_event(org)), 401)
        problem(
            send(client, "post", "/api/v1/events", new_event(org), **bearer(UserFactory())), 403
        )
        event = EventFactory(organisers=[org])
        problem(
            send(
                client,
                "patch",
                f"/api/v1/events/{event.pk}",
                {"title": "X"},
                **bearer(UserFactory()),
            ),
            403,
        )
        problem(send(client, "post", f"/api/v1/events/{event.pk}/cancel", {}), 401)
        problem(client.get("/api/v1/events/999999"), 404)

    def test_patch_changes_only_what_is_sent(self, client, org):
        event = EventFactory(organisers=[org], capacity=5, venue="Old hall")
        body = send(
            client,
            "patch",
            f"/api/v1/events/{event.pk}",
            {"venue": "New hall", "capacity": None},
            **bearer(editor_of(org)),
        ).json()
        assert body["venue"] == "New hall" and body["capacity"] is None
        assert body["title"] == event.title
        event.refresh_from_db()
        assert event.venue == "New hall"

    def test_cancel(self, client, org):
        event = EventFactory(organisers=[org])
        seat = RegistrationFactory(event=event)
        body = send(
            client,
            "post",
            f"/api/v1/events/{event.pk}/cancel",
            {"reason": "Storm"},
            **bearer(editor_of(org)),
        ).json()
        assert body["status"] == "cancelled" and body["cancel_reason"] == "Storm"
        assert Notification.objects.filter(
            recipient=seat.user, kind="learning.event_cancelled"
        ).exists()
        problem(
            send(client, "post", f"/api/v1/events/{event.pk}/cancel", {}, **bearer(editor_of(org))),
            409,
            "status",
        )

    def test_list_filters_and_query_count(self, client, org, django_assert_max_num_queries):
        water = theme("water-sanitation")
        for n in range(6):
            EventFactory(organisers=[org], themes=[water], title=f"Upcoming {n}")
        EventFactory(
            title="Webinar",
            attendance_mode=AttendanceMode.ONLINE,
            kind="webinar",
            starts_at=timezone.now() - dt.timedelta(days=3),
            ends_at=timezone.now() - dt.timedelta(days=3) + dt.timedelta(hours=1),
        )
        EventFactory(title="Members", visibility=Visibility.MEMBERS)
        EventFactory(title="Draft", status="draft")
        with django_assert_max_num_queries(8):
            body = client.get("/api/v1/events?limit=50").json()
        assert body["count"] == 7
        titles = lambda url: {e["title"] for e in client.get(url).json()["items"]}  # noqa: E731
        assert titles("/api/v1/events?when=past") == {"Webinar"}
        assert titles("/api/v1/events?kind=webinar") == {"Webinar"}
        assert titles("/api/v1/events?online=true") == {"Webinar"}
        assert len(titles("/api/v1/events?theme=water-sanitation&when=upcoming")) == 6
        assert titles(f"/api/v1/events?organisation={org.pk}&q=Upcoming%203") == {"Upcoming 3"}


class TestRegistrations:
    def test_register_wait_cancel_promote(self, client):
        event = EventFactory(capacity=1, attendance_mode=AttendanceMode.HYBRID, join_url=JOIN)
        first, second = UserFactory(), UserFactory()
        url = f"/api/v1/events/{event.pk}/registrations"
        mine = send(client, "post", url, **bearer(first)).json()
        assert mine["status"] == "registered" and mine["position"] is None
        theirs = send(client, "post", url, **bearer(second)).json()
        assert theirs["status"] == "waiting" and theirs["position"] == 1
        # The seat holder sees the join link; the waiting person does not.
        assert (
            client.get(f"/api/v1/events/{event.pk}", headers=bearer(first)).json()["join_url"]
            == JOIN
        )
        detail = client.get(f"/api/v1/events/{event.pk}", headers=bearer(second)).json()
        assert detail["join_url"] is None
        assert detail["my_registration"]["status"] == "waiting"
        problem(send(client, "post", url, **bearer(first)), 409, "event")
        # Someone else cannot cancel my registration, nor even see it.
        problem(
            send(client, "post", f"/api/v1/registrations/{mine['id']}/cancel", **bearer(second)),
            404,
        )
        cancelled = send(
            client, "post", f"/api/v1/registrations/{mine['id']}/cancel", **bearer(first)
        )
        assert cancelled.json()["status"] == "cancelled"
        promoted = client.get("/api/v1/registrations/mine", headers=bearer(second)).json()
        assert promoted["items"][0]["status"] == "registered"
        assert Notification.objects.filter(recipient=second, kind="learning.promoted").exists()
        problem(
            send(client, "post", f"/api/v1/registrations/{mine['id']}/cancel", **bearer(first)), 409
        )

    def test_anonymous_and_hidden(self, client):
        event = EventFactory()
        problem(send(client, "post", f"/api/v1/events/{event.pk}/registrations"), 401)
        problem(client.get("/api/v1/registrations/mine"), 401)
        hidden = EventFactory(visibility=Visibility.MEMBERS)
        problem(
            send(
                client, "post", f"/api/v1/events/{hidden.pk}/registrations", **bearer(UserFactory())
            ),
            404,
        )

    def test_closed_registration_is_a_conflict(self, client):
        event = EventFactory(registration_closes_at=timezone.now() - dt.timedelta(hours=1))
        problem(
            send(
                client, "post", f"/api/v1/events/{event.pk}/registrations", **bearer(UserFactory())
            ),
            409,
        )

    def test_organisers_list_and_mark_attendance(self, client, org, django_assert_max_num_queries):
        event = EventFactory(organisers=[org], starts_at=timezone.now() - dt.timedelta(minutes=30))
        seats = [RegistrationFactory(event=event) for _ in range(4)]
        RegistrationFactory(event=event, status="waiting")
        headers = bearer(editor_of(org))
        with django_assert_max_num_queries(12):
            body = client.get(f"/api/v1/events/{event.pk}/registrations", headers=headers).json()
        assert body["count"] == 5
        assert [r["status"] for r in body["items"]] == ["registered"] * 4 + ["waiting"]
        problem(
            client.get(f"/api/v1/events/{event.pk}/registrations", headers=bearer(seats[0].user)),
            403,
        )
        marked = send(
            client,
            "put",
            f"/api/v1/registrations/{seats[0].pk}/attendance",
            {"attended": True},
            **headers,
        ).json()
        assert marked["attended"] is True
        problem(
            send(
                client,
                "put",
                f"/api/v1/registrations/{seats[1].pk}/attendance",
                {"attended": True},
                **bearer(seats[1].user),
            ),
            403,
        )
        problem(
            send(
                client,
                "put",
                f"/api/v1/registrations/{seats[1].pk}/attendance",
                {"attended": "maybe"},
                **headers,
            ),
            422,
            "attended",
        )


class TestNotes:
    def test_a_participant_writes_a_note_linked_to_a_practice(self, client):
        event = EventFactory(starts_at=timezone.now() - dt.timedelta(days=1))
        seat = RegistrationFactory(event=event)
        practice = PracticeFactory(title="Water kiosks")
        draft = PracticeFactory(title="Secret", status="draft")
        url = f"/api/v1/events/{event.pk}/notes"
        data = {
            "title": "What Kisumu taught us",
            "shared": "Kiosks run by **women's groups**.<script>x</script>",
            "shared_by": "Kisumu water office",
            "will_try": "Two kiosks in Dakar.",
            "follow_ups": "Call in March.",
            "practices": [practice.pk],
        }
        response = send(client, "post", url, data, **bearer(seat.user))
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["practices"] == [practice.pk]
        assert "<strong>women's groups</strong>" in body["html"]["shared"]
        assert "<script" not in body["html"]["shared"]
        problem(
            send(client, "post", url, {**data, "practices": [draft.pk]}, **bearer(seat.user)),
            400,
            "practices",
        )
        problem(send(client, "post", url, data, **bearer(UserFactory())), 403)
        problem(send(client, "post", url, data), 401)
        problem(send(client, "post", url, {**data, "title": ""}, **bearer(seat.user)), 400, "title")
        listed = client.get(url).json()
        assert [n["title"] for n in listed] == ["What Kisumu taught us"]

    def test_no_note_before_the_event(self, client, org):
        event = EventFactory(organisers=[org])
        problem(
            send(
                client,
                "post",
                f"/api/v1/events/{event.pk}/notes",
                {"title": "Early", "shared": "x"},
                **bearer(editor_of(org)),
            ),
            403,
        )

    def test_a_note_becomes_a_draft_practice(self, client, org):
        note = LearningNoteFactory(
            event__organisers=[org], event__themes=[theme("water-sanitation")]
        )
        editor = editor_of(org)
        response = send(
            client, "post", f"/api/v1/learning-notes/{note.pk}/practice", **bearer(editor)
        )
        assert response.status_code == 201, response.content
        practice = Practice.objects.get(pk=response.json()["id"])
        assert practice.status == "draft" and practice.owner == org
        assert practice.original_text.title == note.title
        assert "kiosk" in practice.original_text.lessons
        assert list(practice.themes.values_list("slug", flat=True)) == ["water-sanitation"]
        note.refresh_from_db()
        assert note.became == practice and practice in note.practices.all()
        problem(
            send(client, "post", f"/api/v1/learning-notes/{note.pk}/practice", **bearer(editor)),
            409,
        )
        problem(
            send(
                client,
                "post",
                f"/api/v1/learning-notes/{note.pk}/practice",
                **bearer(UserFactory()),
            ),
            403,
        )

    def test_edit_and_delete(self, client):
        note = LearningNoteFactory()
        author = bearer(note.author)
        body = send(
            client, "patch", f"/api/v1/learning-notes/{note.pk}", {"follow_ups": "None."}, **author
        ).json()
        assert body["follow_ups"] == "None." and body["title"] == note.title
        problem(
            send(
                client,
                "patch",
                f"/api/v1/learning-notes/{note.pk}",
                {"title": "X"},
                **bearer(UserFactory()),
            ),
            403,
        )
        problem(
            send(client, "delete", f"/api/v1/learning-notes/{note.pk}", **bearer(UserFactory())),
            403,
        )
        assert (
            send(client, "delete", f"/api/v1/learning-notes/{note.pk}", **author).status_code == 204
        )
        assert not LearningNote.objects.filter(pk=note.pk).exists()
        problem(send(client, "delete", f"/api/v1/learning-notes/{note.pk}", **author), 404)


class TestNews:
    def test_write_translate_publish(self, client, org):
        editor = editor_of(org)
        headers = bearer(editor)
        response = send(
            client,
            "post",
            "/api/v1/news",
            {
                "language": "fr",
                "title": "Kiosques à eau : bilan",
                "summary": "Un an après.",
                "body": "Texte *riche*.",
                "owner": org.pk,
                "themes": ["water-sanitation"],
            },
            **headers,
        )
        assert response.status_code == 201, response.content
        article = response.json()
        assert article["status"] == "draft" and article["original_language"] == "fr"
        assert client.get(f"/api/v1/news/{article['id']}").status_code == 404
        translated = send(
            client,
            "put",
            f"/api/v1/news/{article['id']}/translations/en",
            {"title": "Water kiosks: a year on"},
            **headers,
        ).json()
        assert sorted(translated["languages"]) == ["en", "fr"]
        problem(
            send(
                client,
                "put",
                f"/api/v1/news/{article['id']}/translations/fr",
                {"title": "x"},
                **headers,
            ),
            400,
            "language",
        )
        problem(
            send(
                client,
                "post",
                f"/api/v1/news/{article['id']}/status",
                {"status": "published"},
                **bearer(UserFactory()),
            ),
            404,
        )
        published = send(
            client,
            "post",
            f"/api/v1/news/{article['id']}/status",
            {"status": "published"},
            **headers,
        ).json()
        assert published["status"] == "published" and published["published_at"]
        listed = client.get("/api/v1/news?lang=en").json()
        assert listed["items"][0]["title"] == "Water kiosks: a year on"
        assert client.get("/api/v1/news?language=es").json()["count"] == 0
        problem(
            send(
                client,
                "post",
                f"/api/v1/news/{article['id']}/status",
                {"status": "submitted"},
                **headers,
            ),
            409,
            "status",
        )

    def test_permissions_and_bad_input(self, client):
        problem(send(client, "post", "/api/v1/news", {"language": "en", "title": "x"}), 401)
        problem(
            send(
                client,
                "post",
                "/api/v1/news",
                {"language": "english", "title": "x"},
                **bearer(UserFactory()),
            ),
            400,
            "language",
        )
        problem(
            send(
                client,
                "post",
                "/api/v1/news",
                {"language": "en", "title": ""},
                **bearer(UserFactory()),
            ),
            400,
            "title",
        )
        other = OrganisationFactory()
        problem(
            send(
                client,
                "post",
                "/api/v1/news",
                {"language": "en", "title": "x", "owner": other.pk},
                **bearer(UserFactory()),
            ),
            403,
        )
        article = NewsArticleFactory()
        problem(
            send(
                client,
                "patch",
                f"/api/v1/news/{article.pk}",
                {"title": "Mine now"},
                **bearer(UserFactory()),
            ),
            403,
        )
        body = send(
            client,
            "patch",
            f"/api/v1/news/{article.pk}",
            {"title": "Better"},
            **bearer(article.created_by),
        ).json()
        assert body["title"] == "Better"
        assert NewsArticle.objects.get(pk=article.pk).text_in("en").title == "Better"

    def test_list_query_count(self, client, django_assert_max_num_queries):
        for _ in range(8):
            NewsArticleFactory(themes=[theme("water-sanitation")])
        with django_assert_max_num_queries(6):
            body = client.get("/api/v1/news?theme=water-sanitation").json()
        assert body["count"] == 8


def test_events_are_not_created_twice_by_accident(client, org):
    headers = bearer(editor_of(org))
    send(client, "post", "/api/v1/events", new_event(org), **headers)
    send(client, "post", "/api/v1/events", new_event(org), **headers)
    assert sorted(Event.objects.values_list("slug", flat=True)) == [
        "kiosk-exchange",
        "kiosk-exchange-2",
    ]
    assert Registration.objects.count() == 0
