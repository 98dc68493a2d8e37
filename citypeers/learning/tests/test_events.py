"""Events and registrations through the services: who may organise, the rules of an event's
times and place, registration with a waiting list (a freed seat goes to the first waiting, who is
told), cancellation, attendance and members-only events."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.core import mail
from django.utils import timezone

from citypeers.accounts.models import OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from citypeers.directory.models import ActorType
from citypeers.directory.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    OrganisationRoleFactory,
    city,
)
from citypeers.learning import permissions, selectors, services
from citypeers.learning.models import (
    AttendanceMode,
    EventStatus,
    Registration,
    RegistrationStatus,
    Visibility,
)
from citypeers.learning.tests.factories import EventFactory, RegistrationFactory
from citypeers.notifications.models import Notification

pytestmark = pytest.mark.django_db

LYON, BOGOTA = 2996944, 3688689


def editor_of(organisation, role=OrganisationRole.Role.EDITOR):
    return OrganisationRoleFactory(organisation=organisation, role=role).user


def data(orgs, **changes) -> services.EventData:
    base = services.EventData(
        title="Water kiosks: a learning exchange",
        kind="learning_exchange",
        attendance_mode="onsite",
        starts_at=dt.datetime(2031, 6, 10, 9, 30),
        ends_at=dt.datetime(2031, 6, 10, 17, 0),
        time_zone="Europe/Paris",
        organisers=orgs,
        venue="Hôtel de Ville",
    )
    return replace(base, **changes)


@pytest.fixture
def org():
    return OrganisationFactory(actor_type=ActorType.MUNICIPALITY)


class TestCreate:
    def test_an_editor_writes_a_draft_with_local_times_made_aware(self, org):
        actor = editor_of(org)
        agenda = [services.AgendaEntry(title="Welcome", starts_at=dt.datetime(2031, 6, 10, 9, 30))]
        event = services.event_create(actor=actor, data=data([org], agenda=agenda))
        assert event.status == EventStatus.DRAFT
        assert event.slug == "water-kiosks-a-learning-exchange"
        # 09:30 in Paris in June is 07:30 UTC (summer time, UTC+2).
        assert event.starts_at == dt.datetime(2031, 6, 10, 7, 30, tzinfo=dt.UTC)
        assert list(event.organisers.all()) == [org]
        assert event.agenda.get().starts_at == dt.datetime(2031, 6, 10, 7, 30, tzinfo=dt.UTC)
        # Winter: the same wall-clock time is one hour later in UTC.
        winter = services.event_create(
            actor=actor,
            data=data(
                [org],
                starts_at=dt.datetime(2031, 12, 10, 9, 30),
                ends_at=dt.datetime(2031, 12, 10, 17, 0),
            ),
        )
        assert winter.starts_at == dt.datetime(2031, 12, 10, 8, 30, tzinfo=dt.UTC)
        assert winter.slug == "water-kiosks-a-learning-exchange-2"

    def test_the_city_gives_the_zone_when_none_is_given(self, org):
        event = services.event_create(
            actor=editor_of(org), data=data([org], time_zone="", city=city(BOGOTA), venue="")
        )
        assert event.time_zone == "America/Bogota"
        assert event.starts_at == dt.datetime(2031, 6, 10, 14, 30, tzinfo=dt.UTC)

    def test_publish_at_once(self, org):
        event = services.event_create(actor=editor_of(org), data=data([org]), publish=True)
        assert event.status == EventStatus.PUBLISHED and event.published_at

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"title": "  "}, "title"),
            ({"kind": "party"}, "kind"),
            ({"attendance_mode": "telepathy"}, "attendance_mode"),
            ({"visibility": "secret"}, "visibility"),
            ({"time_zone": "Mars/Olympus"}, "time_zone"),
            ({"ends_at": dt.datetime(2031, 6, 10, 9, 0)}, "ends_at"),
            ({"ends_at": dt.datetime(2031, 8, 10, 9, 0)}, "ends_at"),
            # 02:30 on the last Sunday of March does not exist in Paris: clocks jump to 03:00.
            (
                {
                    "starts_at": dt.datetime(2031, 3, 30, 2, 30),
                    "ends_at": dt.datetime(2031, 3, 30, 5, 0),
                },
                "starts_at",
            ),
            ({"venue": ""}, "city"),
            ({"join_url": "https://meet.example.org/x"}, "join_url"),
            ({"attendance_mode": "online", "join_url": "javascript:alert(1)"}, "join_url"),
            ({"capacity": 0}, "capacity"),
            ({"registration_closes_at": dt.datetime(2031, 6, 11, 9, 0)}, "registration_closes_at"),
            (
                {
                    "registration_opens_at": dt.datetime(2031, 6, 9),
                    "registration_closes_at": dt.datetime(2031, 6, 8),
                },
                "registration_opens_at",
            ),
            ({"organisers": []}, "organisers"),
            ({"languages": ["english"]}, "languages"),
            (
                {"agenda": [services.AgendaEntry("Late", dt.datetime(2031, 6, 11, 9, 0))]},
                "agenda",
            ),
            ({"agenda": [services.AgendaEntry("")]}, "agenda"),
        ],
    )
    def test_bad_input_names_the_field(self, org, changes, field):
        with pytest.raises(ApplicationError) as error:
            services.event_create(actor=editor_of(org), data=data([org], **changes))
        assert error.value.field == field
        assert error.value.status == 400

    def test_an_online_event_needs_no_place(self, org):
        event = services.event_create(
            actor=editor_of(org),
            data=data([org], attendance_mode="online", venue="", join_url="https://m.example/1"),
        )
        assert event.is_online and not event.is_onsite

    def test_only_editors_organise(self, org):
        member = editor_of(org, role=OrganisationRole.Role.MEMBER)
        for actor in (None, UserFactory(), member):
            with pytest.raises(PermissionDenied):
                services.event_create(actor=actor, data=data([org]))

    def test_an_editor_names_an_organisation_they_edit_for(self, org):
        other = OrganisationFactory()
        actor = editor_of(other)
        with pytest.raises(PermissionDenied):
            services.event_create(actor=actor, data=data([org]))
        event = services.event_create(actor=actor, data=data([org, other]))
        assert set(event.organisers.all()) == {org, other}
        # Co-organisers' editors edit the event too.
        assert permissions.can_edit_event(editor_of(org), event)


class TestRegistration:
    def test_seats_then_the_waiting_list_in_order(self):
        event = EventFactory(capacity=2)
        people = UserFactory.create_batch(4)
        statuses = [services.registration_create(actor=p, event=event).status for p in people]
        assert statuses == ["registered", "registered", "waiting", "waiting"]
        third, fourth = (selectors.registration_of(user=p, event=event) for p in people[2:])
        assert selectors.waiting_position(third) == 1
        assert selectors.waiting_position(fourth) == 2
        counts = selectors.seat_counts(event)
        assert (counts.registered, counts.waiting) == (2, 2)

    def test_a_cancellation_promotes_the_first_waiting_who_is_told(
        self, django_capture_on_commit_callbacks
    ):
        event = EventFactory(capacity=1, title="Kiosk exchange")
        first, second, third = UserFactory.create_batch(3)
        seat = services.registration_create(actor=first, event=event)
        services.registration_create(actor=second, event=event)
        services.registration_create(actor=third, event=event)
        with django_capture_on_commit_callbacks(execute=True):
            services.registration_cancel(actor=first, registration=seat)
        statuses = dict(Registration.objects.filter(event=event).values_list("user", "status"))
        assert statuses == {first.pk: "cancelled", second.pk: "registered", third.pk: "waiting"}
        note = Notification.objects.get(recipient=second)
        assert note.kind == "learning.promoted"
        assert "Kiosk exchange" in note.message
        assert note.url == event.get_absolute_url()
        assert not Notification.objects.filter(recipient=third).exists()
        assert [m.to for m in mail.outbox] == [[second.email]]
        assert selectors.waiting_position(selectors.registration_of(user=third, event=event)) == 1

    def test_leaving_the_waiting_list_promotes_nobody(self):
        event = EventFactory(capacity=1)
        services.registration_create(actor=UserFactory(), event=event)
        waiting = services.registration_create(actor=UserFactory(), event=event)
        last = services.registration_create(actor=UserFactory(), event=event)
        services.registration_cancel(actor=waiting.user, registration=waiting)
        last.refresh_from_db()
        assert last.status == RegistrationStatus.WAITING
        assert not Notification.objects.exists()

    def test_twice_is_a_conflict_and_coming_back_goes_to_the_end(self):
        event = EventFactory(capacity=1)
        me = UserFactory()
        mine = services.registration_create(actor=me, event=event)
        with pytest.raises(Conflict):
            services.registration_create(actor=me, event=event)
        services.registration_create(actor=UserFactory(), event=event)  # waiting
        services.registration_cancel(actor=me, registration=mine)  # promotes the other
        again = services.registration_create(actor=me, event=event)
        assert again.pk == mine.pk and again.status == RegistrationStatus.WAITING
        with pytest.raises(Conflict):
            services.registration_cancel(actor=me, registration=mine)
            services.registration_cancel(actor=me, registration=mine)

    def test_no_limit_means_everyone_has_a_seat(self):
        event = EventFactory(capacity=None)
        assert {
            services.registration_create(actor=u, event=event).status
            for u in UserFactory.create_batch(5)
        } == {"registered"}

    @pytest.mark.parametrize(
        ("attributes", "message"),
        [
            ({"status": "cancelled"}, "cancelled"),
            ({"registration_opens_at": timezone.now() + dt.timedelta(days=1)}, "not opened"),
            ({"registration_closes_at": timezone.now() - dt.timedelta(minutes=1)}, "closed"),
            ({"starts_at": timezone.now() - dt.timedelta(minutes=5)}, "closed"),
        ],
    )
    def test_outside_the_window_is_a_conflict(self, attributes, message):
        event = EventFactory(**attributes)
        with pytest.raises(Conflict) as error:
            services.registration_create(actor=UserFactory(), event=event)
        assert message in error.value.message

    def test_drafts_are_not_found_and_strangers_must_sign_in(self):
        with pytest.raises(NotFound):
            services.registration_create(actor=UserFactory(), event=EventFactory(status="draft"))
        with pytest.raises(PermissionDenied):
            services.registration_create(actor=None, event=EventFactory())

    def test_only_the_person_or_the_organisers_cancel(self):
        org = OrganisationFactory()
        event = EventFactory(organisers=[org], capacity=1)
        seat = services.registration_create(actor=UserFactory(), event=event)
        waiting = services.registration_create(actor=UserFactory(), event=event)
        with pytest.raises(PermissionDenied):
            services.registration_cancel(actor=UserFactory(), registration=seat)
        services.registration_cancel(actor=editor_of(org), registration=seat)
        assert Notification.objects.filter(
            recipient=seat.user, kind="learning.registration_cancelled"
        ).exists()
        waiting.refresh_from_db()
        assert waiting.status == RegistrationStatus.REGISTERED

    def test_no_cancelling_once_started(self):
        event = EventFactory(starts_at=timezone.now() - dt.timedelta(minutes=1))
        seat = RegistrationFactory(event=event)
        with pytest.raises(Conflict):
            services.registration_cancel(actor=seat.user, registration=seat)


class TestOrganiserActions:
    def test_more_seats_promote_the_waiting_in_order(self, org):
        actor = editor_of(org)
        event = services.event_create(actor=actor, data=data([org], capacity=1), publish=True)
        event.starts_at = timezone.now() + dt.timedelta(days=3)
        event.ends_at = event.starts_at + dt.timedelta(hours=3)
        event.save()
        people = UserFactory.create_batch(4)
        for p in people:
            services.registration_create(actor=p, event=event)
        more = replace(services.event_data(event), capacity=3)
        services.event_update(actor=actor, event=event, data=more)
        statuses = [selectors.registration_of(user=p, event=event).status for p in people]
        assert statuses == ["registered", "registered", "registered", "waiting"]
        promoted = Notification.objects.filter(kind="learning.promoted")
        assert {n.recipient_id for n in promoted} == {people[1].pk, people[2].pk}

    def test_fewer_seats_than_people_holding_one_is_refused(self, org):
        event = EventFactory(organisers=[org], capacity=3)
        for p in UserFactory.create_batch(2):
            services.registration_create(actor=p, event=event)
        with pytest.raises(ApplicationError) as error:
            services.event_update(
                actor=editor_of(org),
                event=event,
                data=replace(services.event_data(event), capacity=1),
            )
        assert error.value.field == "capacity"

    def test_a_new_time_is_told_to_people_with_a_place(self, org):
        event = EventFactory(organisers=[org], capacity=1)
        seat = services.registration_create(actor=UserFactory(), event=event)
        waiting = services.registration_create(actor=UserFactory(), event=event)
        later = services.event_data(event)
        later = replace(
            later,
            starts_at=later.starts_at + dt.timedelta(hours=1),
            ends_at=later.ends_at + dt.timedelta(hours=1),
        )
        services.event_update(actor=editor_of(org), event=event, data=later)
        told = set(
            Notification.objects.filter(kind="learning.event_changed").values_list(
                "recipient", flat=True
            )
        )
        assert told == {seat.user_id, waiting.user_id}
        # A change of the title alone tells nobody.
        Notification.objects.all().delete()
        services.event_update(
            actor=editor_of(org),
            event=event,
            data=replace(services.event_data(event), title="New title"),
        )
        assert not Notification.objects.exists()

    def test_publish_and_cancel(self, org, django_capture_on_commit_callbacks):
        actor = editor_of(org)
        event = EventFactory(organisers=[org], status="draft", capacity=1)
        with pytest.raises(PermissionDenied):
            services.event_publish(actor=UserFactory(), event=event)
        services.event_publish(actor=actor, event=event)
        with pytest.raises(Conflict):
            services.event_publish(actor=actor, event=event)
        seat = services.registration_create(actor=UserFactory(), event=event)
        waiting = services.registration_create(actor=UserFactory(), event=event)
        with pytest.raises(PermissionDenied):
            services.event_cancel(actor=seat.user, event=event)
        with django_capture_on_commit_callbacks(execute=True):
            services.event_cancel(actor=actor, event=event, reason="Floods")
        assert event.status == EventStatus.CANCELLED and event.cancel_reason == "Floods"
        told = Notification.objects.filter(kind="learning.event_cancelled")
        assert {n.recipient_id for n in told} == {seat.user_id, waiting.user_id}
        assert len(mail.outbox) == 2
        with pytest.raises(Conflict):
            services.registration_create(actor=UserFactory(), event=event)
        with pytest.raises(Conflict):
            services.event_cancel(actor=actor, event=event)
        with pytest.raises(Conflict):
            services.event_update(actor=actor, event=event, data=services.event_data(event))

    def test_attendance(self, org):
        event = EventFactory(organisers=[org], starts_at=timezone.now() - dt.timedelta(hours=1))
        came, absent = RegistrationFactory(event=event), RegistrationFactory(event=event)
        waiting = RegistrationFactory(event=event, status="waiting")
        actor = editor_of(org)
        with pytest.raises(PermissionDenied):
            services.attendance_mark(actor=came.user, registration=came, attended=True)
        with pytest.raises(Conflict):
            services.attendance_mark(actor=actor, registration=waiting, attended=True)
        services.attendance_mark(actor=actor, registration=came, attended=True)
        assert came.attended is True and came.attendance_marked_at
        assert services.attendance_set(actor=actor, event=event, present={came.pk}) == 1
        absent.refresh_from_db()
        assert absent.attended is False
        assert selectors.seat_counts(event).attended == 1
        with pytest.raises(ApplicationError):
            services.attendance_set(actor=actor, event=event, present={waiting.pk})

    def test_no_attendance_before_the_start(self, org):
        event = EventFactory(organisers=[org])
        seat = RegistrationFactory(event=event)
        with pytest.raises(Conflict):
            services.attendance_mark(actor=editor_of(org), registration=seat, attended=True)


class TestMembersOnly:
    def test_people_of_the_organisers_and_of_their_members(self):
        network = OrganisationFactory(actor_type=ActorType.NETWORK)
        city_member = MembershipFactory(parent=network).member
        former = MembershipFactory(
            parent=network, start_date=dt.date(2010, 1, 1), end_date=dt.date(2015, 1, 1)
        ).member
        event = EventFactory(organisers=[network], visibility=Visibility.MEMBERS)
        of_network = OrganisationRoleFactory(organisation=network).user
        of_member = OrganisationRoleFactory(organisation=city_member).user
        of_former = OrganisationRoleFactory(organisation=former).user
        stranger = UserFactory()
        assert permissions.can_view_event(of_network, event)
        assert permissions.can_view_event(of_member, event)
        assert not permissions.can_view_event(of_former, event)
        assert not permissions.can_view_event(stranger, event)
        assert not permissions.can_view_event(None, event)
        services.registration_create(actor=of_member, event=event)
        with pytest.raises(NotFound):
            services.registration_create(actor=stranger, event=event)
        listed = set(selectors.event_list(user=of_member))
        assert event in listed
        assert event not in set(selectors.event_list(user=stranger))
        assert event not in set(selectors.event_list(user=None))


class TestJoinLink:
    def test_shown_to_seats_and_organisers_only(self):
        org = OrganisationFactory()
        event = EventFactory(
            organisers=[org],
            attendance_mode=AttendanceMode.HYBRID,
            join_url="https://meet.example.org/kiosks",
            capacity=1,
        )
        seat = services.registration_create(actor=UserFactory(), event=event)
        waiting = services.registration_create(actor=UserFactory(), event=event)
        assert permissions.can_see_join_link(seat.user, event, seat)
        assert not permissions.can_see_join_link(waiting.user, event, waiting)
        assert not permissions.can_see_join_link(UserFactory(), event, None)
        assert permissions.can_see_join_link(editor_of(org), event, None)

    def test_an_open_online_event_shows_it_to_all(self):
        event = EventFactory(
            attendance_mode=AttendanceMode.ONLINE,
            join_url="https://meet.example.org/open",
            capacity=None,
        )
        assert event.join_link_is_public
        assert permissions.can_see_join_link(None, event, None)
        event.capacity = 100
        assert not permissions.can_see_join_link(None, event, None)
