"""iCalendar feeds, parsed back with the icalendar library: times in the event's zone with a
VTIMEZONE that carries the zone's DST rules, the join link only where it may be seen, the personal
feed behind a revocable secret."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import icalendar
import pytest
from django.utils import timezone

from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.tests.factories import OrganisationFactory, city, theme
from citypeers.learning import services
from citypeers.learning.models import AttendanceMode, CalendarToken, Visibility
from citypeers.learning.tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
LYON = 2996944
JOIN = "https://meet.example.org/kiosks-7f3"


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def events_of(calendar: icalendar.Calendar) -> dict[str, Any]:
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def local(year, month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def org():
    return OrganisationFactory(slug="lyon-metropole", name="Lyon Métropole")


class TestDaylightSaving:
    def test_a_weekly_forum_across_the_spring_change_keeps_its_local_time(self, client, org):
        # Europe/Paris moves to summer time on the last Sunday of March: next year's.
        year = timezone.now().year + 1
        march_31 = dt.date(year, 3, 31)
        change = march_31 - dt.timedelta(days=(march_31.weekday() + 1) % 7)
        week_before, week_after = change - dt.timedelta(days=3), change + dt.timedelta(days=4)
        before = EventFactory(
            organisers=[org],
            title="Forum 1",
            starts_at=local(year, 3, week_before.day, 10),
            ends_at=local(year, 3, week_before.day, 12),
        )
        after = EventFactory(
            organisers=[org],
            title="Forum 2",
            starts_at=local(year, week_after.month, week_after.day, 10),
            ends_at=local(year, week_after.month, week_after.day, 12),
        )
        feed = parse(client.get("/en/learning/calendar/organisations/lyon-metropole.ics"))
        found = events_of(feed)
        one, two = found["Forum 1"], found["Forum 2"]
        # Written in the event's zone, with its TZID, at the same wall-clock time…
        assert one["DTSTART"].params["TZID"] == "Europe/Paris"
        assert two["DTSTART"].params["TZID"] == "Europe/Paris"
        assert one["DTSTART"].to_ical() == f"{week_before:%Y%m%d}T100000".encode()
        assert two["DTSTART"].to_ical() == f"{week_after:%Y%m%d}T100000".encode()
        # …and the instants are right: 09:00 UTC before the change, 08:00 UTC after it.
        assert one.decoded("DTSTART") == before.starts_at
        assert two.decoded("DTSTART") == after.starts_at
        assert one.decoded("DTSTART").astimezone(dt.UTC).hour == 9
        assert two.decoded("DTSTART").astimezone(dt.UTC).hour == 8
        # The calendar carries the zone's own rules: a client that knows no tz database gets the
        # offsets from the VTIMEZONE alone.
        (vtimezone,) = feed.walk("VTIMEZONE")
        assert vtimezone["TZID"] == "Europe/Paris"
        rules = vtimezone.to_tz(lookup_tzid=False)
        assert not isinstance(rules, zoneinfo.ZoneInfo)
        at = dt.datetime.combine(week_before, dt.time(10), tzinfo=rules)
        assert at.utcoffset() == dt.timedelta(hours=1)
        at = dt.datetime.combine(week_after, dt.time(10), tzinfo=rules)
        assert at.utcoffset() == dt.timedelta(hours=2)
        assert dt.datetime(year, 11, 5, 10, tzinfo=rules).utcoffset() == dt.timedelta(hours=1)

    def test_one_vtimezone_per_zone_used(self, client):
        water = theme("water-sanitation")
        EventFactory(themes=[water], title="In Paris", time_zone="Europe/Paris")
        EventFactory(themes=[water], title="In Bogota", time_zone="America/Bogota")
        EventFactory(themes=[water], title="Also Paris", time_zone="Europe/Paris")
        feed = parse(client.get("/en/learning/calendar/themes/water-sanitation.ics"))
        assert sorted(str(z["TZID"]) for z in feed.walk("VTIMEZONE")) == [
            "America/Bogota",
            "Europe/Paris",
        ]
        bogota = events_of(feed)["In Bogota"]
        assert bogota["DTSTART"].params["TZID"] == "America/Bogota"
        assert bogota.decoded("DTSTART").utcoffset() == dt.timedelta(hours=-5)


class TestPublicFeeds:
    def test_an_event_feed_carries_description_place_and_agenda(self, client, org):
        event = EventFactory(
            organisers=[org],
            title="Kiosk study visit",
            summary="Peers visit the kiosks.",
            city=city(LYON),
            venue="Hôtel de la Métropole",
            themes=[theme("water-sanitation")],
        )
        event.agenda.create(
            position=0, title="Welcome", starts_at=event.starts_at, speakers="Mayor"
        )
        feed = parse(client.get(f"/en/learning/events/{event.slug}/calendar.ics"))
        item = events_of(feed)["Kiosk study visit"]
        assert "Peers visit the kiosks." in str(item["DESCRIPTION"])
        assert "Welcome (Mayor)" in str(item["DESCRIPTION"])
        assert str(item["LOCATION"]) == "Hôtel de la Métropole, Lyon, France"
        assert str(item["STATUS"]) == "CONFIRMED"
        assert str(item["URL"]).endswith(event.get_absolute_url())
        assert str(item["UID"]).startswith(f"event-{event.pk}@")
        assert item.decoded("GEO") is not None

    def test_the_join_link_of_a_limited_event_stays_out(self, client, org):
        event = EventFactory(
            organisers=[org],
            title="Hybrid",
            attendance_mode=AttendanceMode.HYBRID,
            join_url=JOIN,
            capacity=10,
        )
        for url in (
            f"/en/learning/events/{event.slug}/calendar.ics",
            "/en/learning/calendar/organisations/lyon-metropole.ics",
        ):
            response = client.get(url)
            assert JOIN.encode() not in response.content
            assert "CONFERENCE" not in events_of(parse(response))["Hybrid"]

    def test_an_open_online_event_carries_it(self, client, org):
        EventFactory(
            organisers=[org],
            title="Open webinar",
            attendance_mode=AttendanceMode.ONLINE,
            venue="",
            join_url=JOIN,
            capacity=None,
        )
        item = events_of(
            parse(client.get("/en/learning/calendar/organisations/lyon-metropole.ics"))
        )["Open webinar"]
        assert str(item["CONFERENCE"]) == JOIN
        assert str(item["LOCATION"]) == JOIN
        assert JOIN in str(item["DESCRIPTION"])

    def test_only_public_listed_events_and_cancellations_marked(self, client, org):
        EventFactory(organisers=[org], title="Public")
        EventFactory(organisers=[org], title="Members", visibility=Visibility.MEMBERS)
        EventFactory(organisers=[org], title="Draft", status="draft")
        EventFactory(organisers=[org], title="Called off", status="cancelled")
        EventFactory(
            organisers=[org],
            title="Long ago",
            starts_at=timezone.now() - dt.timedelta(days=800),
            ends_at=timezone.now() - dt.timedelta(days=799),
        )
        found = events_of(
            parse(client.get("/en/learning/calendar/organisations/lyon-metropole.ics"))
        )
        assert set(found) == {"Public", "Called off"}
        assert str(found["Called off"]["STATUS"]) == "CANCELLED"

    def test_unknown_organisation_theme_or_hidden_event_is_404(self, client):
        hidden = EventFactory(visibility=Visibility.MEMBERS)
        assert client.get("/en/learning/calendar/organisations/nobody.ics").status_code == 404
        assert client.get("/en/learning/calendar/themes/nothing.ics").status_code == 404
        assert client.get(f"/en/learning/events/{hidden.slug}/calendar.ics").status_code == 404

    def test_an_organiser_gets_the_link_in_the_event_feed(self, client, org):
        from citypeers.directory.tests.factories import OrganisationRoleFactory

        event = EventFactory(
            organisers=[org], attendance_mode=AttendanceMode.ONLINE, join_url=JOIN, capacity=5
        )
        client.force_login(OrganisationRoleFactory(organisation=org, role="editor").user)
        response = client.get(f"/en/learning/events/{event.slug}/calendar.ics")
        assert JOIN.encode() in response.content
        assert response["Cache-Control"].startswith("private")


class TestPersonalFeed:
    def test_my_seats_with_their_links_and_my_waiting_places(self, client):
        me = UserFactory()
        seat = EventFactory(
            title="Seat",
            attendance_mode=AttendanceMode.ONLINE,
            join_url=JOIN,
            capacity=5,
            time_zone="America/Bogota",
        )
        waiting = EventFactory(
            title="Queue",
            attendance_mode=AttendanceMode.ONLINE,
            join_url="https://meet.example.org/queue",
            capacity=1,
        )
        members_only = EventFactory(title="Network forum", visibility=Visibility.MEMBERS)
        RegistrationFactory(event=seat, user=me)
        RegistrationFactory(event=waiting, user=me, status="waiting")
        RegistrationFactory(event=members_only, user=me)
        RegistrationFactory(event=EventFactory(title="Given up"), user=me, status="cancelled")
        RegistrationFactory(event=EventFactory(title="Someone else's"))
        _token, raw = services.calendar_token_create(actor=me)

        response = client.get(f"/fr/learning/calendar/personal/{raw}.ics")
        found = events_of(parse(response))
        assert response["Cache-Control"].startswith("private")
        from django.utils import translation

        with translation.override("fr"):  # the feed speaks the language of its address
            queued = translation.gettext("%(title)s (waiting list)") % {"title": "Queue"}
        assert set(found) == {"Seat", queued, "Network forum"}
        assert str(found["Seat"]["CONFERENCE"]) == JOIN
        assert found["Seat"]["DTSTART"].params["TZID"] == "America/Bogota"
        assert str(found[queued]["STATUS"]) == "TENTATIVE"
        assert b"meet.example.org/queue" not in response.content
        assert CalendarToken.objects.get(user=me).last_used_at is not None

    def test_a_new_address_stops_the_old_and_revoking_stops_all(self, client):
        me = UserFactory()
        _t, first = services.calendar_token_create(actor=me)
        _t, second = services.calendar_token_create(actor=me)
        assert client.get(f"/en/learning/calendar/personal/{first}.ics").status_code == 404
        assert client.get(f"/en/learning/calendar/personal/{second}.ics").status_code == 200
        assert services.calendar_token_revoke(actor=me) is True
        assert client.get(f"/en/learning/calendar/personal/{second}.ics").status_code == 404
        assert client.get("/en/learning/calendar/personal/guess.ics").status_code == 404

    def test_the_page_shows_the_address_once(self, client):
        me = UserFactory()
        client.force_login(me)
        page = client.post("/en/learning/calendar/", {"action": "create"}).content.decode()
        assert "/learning/calendar/personal/" in page
        token = CalendarToken.objects.get(user=me)
        assert token.prefix in page
        again = client.get("/en/learning/calendar/").content.decode()
        assert "/learning/calendar/personal/" not in again
        assert f"{token.prefix}…" in again
        client.post("/en/learning/calendar/", {"action": "revoke"})
        assert not CalendarToken.objects.filter(user=me).exists()
