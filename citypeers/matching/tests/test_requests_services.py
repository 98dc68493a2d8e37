"""Match requests through their services: the whole flow from a posted need to a proposed
partnership, declines, withdrawals and closing, who may do each write, and the rules on input."""

from __future__ import annotations

import pytest

from citypeers.accounts.models import AuditEvent
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import ApplicationError, Conflict, PermissionDenied
from citypeers.directory.models import ActorType, ProfileItem
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    ProfileItemFactory,
    city,
    country,
    theme,
)
from citypeers.matching import selectors, services
from citypeers.matching.models import InvitationStatus, MatchRequest, RequestStatus
from citypeers.matching.tests.factories import (
    MatchInvitationFactory,
    MatchRequestFactory,
    person,
)
from citypeers.notifications.models import Notification
from citypeers.partnerships import services as partnership_services
from citypeers.partnerships.models import Modality, PartnershipMember, Status
from citypeers.partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db
Role = PartnershipMember.Role
DAKAR, LYON, ACCRA, SEVILLA = 2253354, 2996944, 2306104, 2510911


WATER_NEED = (
    "Our water network loses a third of what it carries through leaks. We look for a city that "
    "set up district metering and active leak detection and halved its losses."
)


def municipality(name: str, geonameid: int, **kwargs):
    place = city(geonameid)
    return OrganisationFactory(
        name=name,
        actor_type=ActorType.MUNICIPALITY,
        country=place.country,
        city=place,
        population_served=place.population,
        **kwargs,
    )


@pytest.fixture
def world():
    """Dakar needs help with water losses; Lyon has the expertise; Accra and Sevilla exist."""
    water = theme("water-sanitation")
    dakar = municipality("Ville de Dakar", DAKAR, languages=["fr", "en"], themes=[water])
    lyon = municipality("Lyon", LYON, languages=["fr", "en"], themes=[water])
    ProfileItemFactory(
        organisation=lyon,
        kind=ProfileItem.Kind.EXPERTISE,
        theme=water,
        text="District metering and active leak detection halved our water losses.",
    )
    ProfileItemFactory(
        organisation=dakar,
        kind=ProfileItem.Kind.CHALLENGE,
        theme=water,
        text="A third of the drinking water is lost through leaks.",
    )
    accra = municipality("Accra", ACCRA, languages=["en"])
    sevilla = municipality("Sevilla", SEVILLA, languages=["es", "en"])
    return {
        "dakar": dakar,
        "lyon": lyon,
        "accra": accra,
        "sevilla": sevilla,
        "amina": person(dakar, "admin", "fr"),
        "dakar_editor": person(dakar, "editor", "en"),
        "dakar_member": person(dakar, "member", "en"),
        "lucia": person(lyon, "editor", "es"),
        "lyon_admin": person(lyon, "admin", "en"),
        "lyon_member": person(lyon, "member", "fr"),
    }


def post(world, **kwargs) -> MatchRequest:
    values = {
        "actor": world["amina"],
        "organisation": world["dakar"],
        "title": "Reducing water losses",
        "text": WATER_NEED,
        "themes": [theme("water-sanitation")],
        "language": "en",
        "modality": Modality.C2C,
    }
    values.update(kwargs)
    return services.match_request_create(**values)


def notes(kind: str) -> dict[str, Notification]:
    """Notifications of this kind, by recipient username."""
    return {n.recipient.username: n for n in Notification.objects.filter(kind=kind)}


# The whole flow


def test_post_suggest_invite_accept_makes_a_proposed_partnership(world):
    # Given a request posted by Dakar's admin
    match_request = post(world, regions=[], languages=["fr", "en"])
    assert match_request.status == RequestStatus.OPEN
    assert match_request.created_by == world["amina"]

    # Then the engine suggests Lyon, with reasons, and never Dakar itself
    suggestions = selectors.request_suggestions(match_request)
    by_id = {s.organisation.pk: s for s in suggestions}
    assert world["dakar"].pk not in by_id
    assert world["lyon"].pk in by_id
    lyon = by_id[world["lyon"].pk]
    assert lyon.reasons and all(r.text for r in lyon.reasons)
    assert [s.rank for s in suggestions] == list(range(1, len(suggestions) + 1))
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)

    # When Dakar invites Lyon
    (invitation,) = services.match_invitation_create(
        actor=world["amina"],
        match_request=match_request,
        organisations=[world["lyon"]],
        message="Would you share how you did it?",
    )

    # Then the invitation keeps Lyon's rank among the suggestions, and Lyon's editors and admin
    # (not its plain member, not the inviter) are told, each in their language, with a link to
    # the invitation's page in that language
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.suggested_rank == lyon.rank
    assert invitation.suggested_score == pytest.approx(lyon.score)
    invited = notes("matching.invited")
    assert set(invited) == {world["lucia"].username, world["lyon_admin"].username}
    spanish, english = invited[world["lucia"].username], invited[world["lyon_admin"].username]
    assert spanish.url == f"/es/peers/requests/invitations/{invitation.pk}/"
    assert english.url == f"/en/peers/requests/invitations/{invitation.pk}/"
    assert "Ville de Dakar" in english.message and "Reducing water losses" in english.message
    # the parts the platform names are in the recipient's language (here the theme's label)
    assert "(Water and sanitation)" in english.message
    assert "(Agua y saneamiento)" in spanish.message
    assert (spanish.target_type, spanish.target_id) == ("match_invitation", str(invitation.pk))

    # When Lyon's editor accepts
    invitation = services.match_invitation_answer(
        actor=world["lucia"], invitation=invitation, accept=True, note="With pleasure."
    )

    # Then a proposed partnership exists with Dakar as lead (to confirm) and Lyon as partner
    partnership = invitation.partnership
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.answered_by == world["lucia"]
    assert partnership is not None and partnership.status == Status.PROPOSED
    assert partnership.title == "Reducing water losses"
    assert partnership.modality == Modality.C2C
    assert partnership.descriptions == {"en": WATER_NEED}
    assert [t.slug for t in partnership.themes.all()] == ["water-sanitation"]
    members = {m.organisation_id: m for m in partnership.members.all()}
    assert set(members) == {world["dakar"].pk, world["lyon"].pk}
    assert (members[world["dakar"].pk].role, members[world["dakar"].pk].accepted) == (
        Role.LEAD,
        False,
    )
    assert (members[world["lyon"].pk].role, members[world["lyon"].pk].accepted) == (
        Role.PARTNER,
        True,
    )

    # And Dakar's admin and editor are told, in French and English, with the partnership's link
    accepted = notes("matching.accepted")
    assert set(accepted) == {world["amina"].username, world["dakar_editor"].username}
    french, english = accepted[world["amina"].username], accepted[world["dakar_editor"].username]
    assert french.url == f"/fr/partnerships/{partnership.slug}/"
    assert english.url == f"/en/partnerships/{partnership.slug}/"
    assert "Coopération de ville à ville" in french.message
    assert "City-to-city cooperation" in english.message
    assert english.message.startswith("Lyon accepted")

    # And Dakar confirms it through the partnership registry, which makes it active
    partnership = partnership_services.partnership_answer(
        actor=world["amina"], partnership=partnership, organisation=world["dakar"], accept=True
    )
    assert partnership.status == Status.ACTIVE

    # And every write is in the audit log
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="match_").values_list("verb", flat=True)
    )
    assert sorted(verbs) == [
        "match_invitation.accept",
        "match_invitation.create",
        "match_request.create",
    ]


def test_the_requester_and_its_partners_are_never_suggested(world):
    PartnershipFactory(members=[world["dakar"], world["accra"]])
    match_request = post(world)
    suggested = {s.organisation.pk for s in selectors.request_suggestions(match_request)}
    assert world["accra"].pk not in suggested
    assert world["dakar"].pk not in suggested
    assert world["lyon"].pk in suggested


def test_preferred_countries_narrow_the_suggestions(world):
    match_request = post(world, countries=[country("ESP")])
    suggested = {s.organisation.country.iso3 for s in selectors.request_suggestions(match_request)}
    assert suggested == {"ESP"}


def test_languages_wished_narrow_the_suggestions(world):
    match_request = post(world, languages=["es"])
    suggested = {s.organisation.pk for s in selectors.request_suggestions(match_request)}
    assert suggested == {world["sevilla"].pk}  # the only one working in Spanish


def test_practices_that_address_the_need_come_with_the_peers(world):
    from citypeers.knowledge.tests.factories import PracticeFactory

    practice = PracticeFactory(
        owner=world["lyon"], title="Halving water losses by district metering"
    )
    matches = selectors.request_matches(post(world))
    assert [p.practice.pk for p in matches.practices] == [practice.pk]
    assert matches.practices[0].title and matches.practices[0].reasons


def test_suggestions_mark_the_organisations_already_invited(world):
    match_request = post(world)
    invitation = MatchInvitationFactory(request=match_request, organisation=world["lyon"])
    lyon = next(
        s
        for s in selectors.request_suggestions(match_request)
        if s.organisation.pk == world["lyon"].pk
    )
    assert lyon.invitation == invitation


def test_an_organisation_found_by_name_is_invited_without_a_rank(world):
    match_request = post(world, countries=[country("ESP")])
    (invitation,) = services.match_invitation_create(
        actor=world["amina"],
        match_request=match_request,
        organisations=[world["accra"]],
        message="Hello",
    )
    assert invitation.suggested_rank is None and invitation.suggested_score is None


def test_the_language_of_the_text_is_recognised_when_not_given(world):
    match_request = post(
        world,
        language="",
        text="Notre réseau d'eau perd un tiers de ce qu'il transporte à cause des fuites. Nous "
        "cherchons une ville qui a mis en place la sectorisation et la recherche active de fuites.",
    )
    assert match_request.language == "fr"


# Declining, withdrawing, closing


def test_declining_needs_a_reason_and_tells_the_requester(world):
    invitation = MatchInvitationFactory(request=post(world), organisation=world["lyon"])
    with pytest.raises(ApplicationError) as error:
        services.match_invitation_answer(actor=world["lucia"], invitation=invitation, accept=False)
    assert error.value.field == "note"

    services.match_invitation_answer(
        actor=world["lucia"], invitation=invitation, accept=False, note="No capacity this year."
    )

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert invitation.partnership is None
    assert invitation.answer_note == "No capacity this year."
    declined = notes("matching.declined")
    assert set(declined) == {world["amina"].username, world["dakar_editor"].username}
    assert "No capacity this year." in declined[world["amina"].username].message
    assert declined[world["amina"].username].url == (f"/fr/peers/requests/{invitation.request_id}/")
    assert AuditEvent.objects.filter(verb="match_invitation.decline").count() == 1


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("second", [True, False])
def test_an_invitation_is_answered_once(world, first, second):
    invitation = MatchInvitationFactory(request=post(world), organisation=world["lyon"])
    services.match_invitation_answer(
        actor=world["lucia"], invitation=invitation, accept=first, note="First answer."
    )
    with pytest.raises(Conflict):
        services.match_invitation_answer(
            actor=world["lyon_admin"], invitation=invitation, accept=second, note="Again."
        )
    invitation.refresh_from_db()
    assert invitation.status == (InvitationStatus.ACCEPTED if first else InvitationStatus.DECLINED)
    assert invitation.answered_by == world["lucia"]


def test_withdrawing_an_invitation(world):
    match_request = post(world)
    invitation = MatchInvitationFactory(request=match_request, organisation=world["lyon"])

    services.match_invitation_withdraw(actor=world["dakar_editor"], invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.WITHDRAWN and invitation.withdrawn_at
    withdrawn = notes("matching.withdrawn")
    assert set(withdrawn) == {world["lucia"].username, world["lyon_admin"].username}
    with pytest.raises(Conflict):
        services.match_invitation_answer(actor=world["lucia"], invitation=invitation, accept=True)
    with pytest.raises(Conflict):
        services.match_invitation_withdraw(actor=world["amina"], invitation=invitation)
    # A withdrawn invitation may be made again
    (again,) = services.match_invitation_create(
        actor=world["amina"],
        match_request=match_request,
        organisations=[world["lyon"]],
        message="Let us try again.",
    )
    assert again.pk != invitation.pk and again.status == InvitationStatus.PENDING


def test_an_answered_invitation_cannot_be_withdrawn(world):
    invitation = MatchInvitationFactory(request=post(world), organisation=world["lyon"])
    services.match_invitation_answer(actor=world["lucia"], invitation=invitation, accept=True)
    with pytest.raises(Conflict):
        services.match_invitation_withdraw(actor=world["amina"], invitation=invitation)


def test_an_organisation_is_invited_once(world):
    match_request = post(world)
    MatchInvitationFactory(request=match_request, organisation=world["lyon"])
    with pytest.raises(Conflict) as error:
        services.match_invitation_create(
            actor=world["amina"],
            match_request=match_request,
            organisations=[world["accra"], world["lyon"]],
            message="Hello",
        )
    assert error.value.field == "organisation"
    # all or nothing: Accra was not invited either
    assert not match_request.invitations.filter(organisation=world["accra"]).exists()


def test_closing_withdraws_open_invitations_and_stops_every_write(world):
    match_request = post(world)
    waiting = MatchInvitationFactory(request=match_request, organisation=world["lyon"])
    answered = MatchInvitationFactory(request=match_request, organisation=world["sevilla"])
    services.match_invitation_answer(
        actor=person(world["sevilla"]), invitation=answered, accept=False, note="No."
    )

    services.match_request_close(actor=world["amina"], match_request=match_request, reason="Done")

    match_request.refresh_from_db()
    waiting.refresh_from_db()
    answered.refresh_from_db()
    assert match_request.status == RequestStatus.CLOSED
    assert match_request.closed_by == world["amina"] and match_request.close_reason == "Done"
    assert waiting.status == InvitationStatus.WITHDRAWN
    assert answered.status == InvitationStatus.DECLINED
    assert set(notes("matching.withdrawn")) == {
        world["lucia"].username,
        world["lyon_admin"].username,
    }
    assert not notes("matching.closed")  # the requester closed it: nobody else to tell
    with pytest.raises(Conflict):
        services.match_request_close(actor=world["amina"], match_request=match_request)
    with pytest.raises(Conflict):
        services.match_request_update(actor=world["amina"], match_request=match_request, title="X")
    with pytest.raises(Conflict):
        services.match_invitation_create(
            actor=world["amina"],
            match_request=match_request,
            organisations=[world["accra"]],
            message="Hello",
        )


def test_a_pending_invitation_of_a_closed_request_cannot_be_answered(world):
    match_request = post(world)
    invitation = MatchInvitationFactory(request=match_request, organisation=world["lyon"])
    MatchRequest.objects.filter(pk=match_request.pk).update(status=RequestStatus.CLOSED)
    with pytest.raises(Conflict):
        services.match_invitation_answer(actor=world["lucia"], invitation=invitation, accept=True)


def test_a_moderator_may_close_a_request_and_the_requester_is_told(world):
    match_request = post(world)
    moderator = UserFactory(is_moderator=True)

    services.match_request_close(actor=moderator, match_request=match_request, reason="Spam")

    assert MatchRequest.objects.get(pk=match_request.pk).status == RequestStatus.CLOSED
    closed = notes("matching.closed")
    assert set(closed) == {world["amina"].username, world["dakar_editor"].username}
    assert AuditEvent.objects.get(verb="match_request.close").actor == moderator


def test_editing_an_open_request(world):
    match_request = post(world)
    services.match_request_update(
        actor=world["dakar_editor"],
        match_request=match_request,
        title="Halving water losses",
        themes=[theme("water-sanitation"), theme("climate-resilience")],
        countries=[country("FRA")],
        languages=["fr"],
        mode="peers",
    )
    match_request.refresh_from_db()
    assert match_request.title == "Halving water losses"
    assert {t.slug for t in match_request.themes.all()} == {
        "water-sanitation",
        "climate-resilience",
    }
    assert [c.iso3 for c in match_request.countries.all()] == ["FRA"]
    assert (match_request.languages, match_request.mode) == (["fr"], "peers")
    event = AuditEvent.objects.get(verb="match_request.update")
    assert set(event.data["fields"]) == {"title", "themes", "countries", "languages", "mode"}


# Who may do what


def test_only_editors_of_the_organisation_post_for_it(world):
    for actor in (UserFactory(), world["dakar_member"], world["lucia"], UserFactory(is_staff=True)):
        with pytest.raises(PermissionDenied):
            post(world, actor=actor)
    assert not MatchRequest.objects.exists()
    post(world, actor=world["dakar_editor"])


def test_anonymous_cannot_write(world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        post(world, actor=AnonymousUser())


def test_who_may_manage_a_request(world):
    match_request = post(world)
    outsiders = (
        UserFactory(),
        world["dakar_member"],
        world["lucia"],
        UserFactory(is_moderator=True),
    )
    for actor in outsiders:
        with pytest.raises(PermissionDenied):
            services.match_request_update(actor=actor, match_request=match_request, title="X")
        with pytest.raises(PermissionDenied):
            services.match_invitation_create(
                actor=actor,
                match_request=match_request,
                organisations=[world["accra"]],
                message="Hello",
            )
    for actor in outsiders[:3]:
        with pytest.raises(PermissionDenied):
            services.match_request_close(actor=actor, match_request=match_request)
    invitation = MatchInvitationFactory(request=match_request, organisation=world["lyon"])
    for actor in outsiders:
        with pytest.raises(PermissionDenied):
            services.match_invitation_withdraw(actor=actor, invitation=invitation)
    assert match_request.invitations.count() == 1
    assert (
        not AuditEvent.objects.filter(verb__startswith="match_")
        .exclude(verb="match_request.create")
        .exists()
    )


def test_only_editors_of_the_invited_organisation_answer(world):
    invitation = MatchInvitationFactory(request=post(world), organisation=world["lyon"])
    outsiders = (
        UserFactory(),
        world["lyon_member"],
        world["amina"],
        UserFactory(is_moderator=True),
        UserFactory(is_staff=True),
    )
    for actor in outsiders:
        with pytest.raises(PermissionDenied):
            services.match_invitation_answer(
                actor=actor, invitation=invitation, accept=False, note="No."
            )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


# Rules on input


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"text": ""}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"themes": []}, "themes"),
        ({"languages": ["fr", "xx"]}, "languages"),
        ({"language": "klingon"}, "language"),
        ({"modality": "pen-pals"}, "modality"),
        ({"mode": "triangular"}, "mode"),
    ],
)
def test_bad_input_names_the_field(world, changes, field):
    with pytest.raises(ApplicationError) as error:
        post(world, **changes)
    assert error.value.field == field
    assert error.value.status == 400
    assert not MatchRequest.objects.exists()


def test_the_kind_of_peers_must_fit_the_requester(world):
    # Dakar (Senegal) may ask for Southern peers; Lyon may not; neither is an association
    assert post(world, mode="south-south").mode == "south-south"
    with pytest.raises(ApplicationError) as error:
        post(world, actor=world["lucia"], organisation=world["lyon"], mode="south-south")
    assert error.value.field == "mode"
    with pytest.raises(ApplicationError) as error:
        post(world, mode="association")
    assert error.value.field == "mode"


@pytest.mark.parametrize(
    ("organisations", "message", "field"),
    [
        ([], "Hello", "organisation"),
        (["dakar"], "Hello", "organisation"),
        (["lyon", "lyon"], "Hello", "organisation"),
        (["lyon"], "   ", "message"),
        (["lyon"], "x" * 2001, "message"),
    ],
)
def test_bad_invitations_name_the_field(world, organisations, message, field):
    match_request = post(world)
    with pytest.raises(ApplicationError) as error:
        services.match_invitation_create(
            actor=world["amina"],
            match_request=match_request,
            organisations=[world[key] for key in organisations],
            message=message,
        )
    assert (error.value.field, error.value.status) == (field, 400)
    assert not match_request.invitations.exists()


# Who sees what


def test_who_sees_a_closed_request(world):
    open_ = MatchRequestFactory(organisation=world["dakar"])
    closed = MatchRequestFactory(organisation=world["dakar"], status=RequestStatus.CLOSED)
    invited_closed = MatchRequestFactory(organisation=world["accra"], status=RequestStatus.CLOSED)
    MatchInvitationFactory(request=invited_closed, organisation=world["lyon"])

    def visible(user):
        return set(selectors.request_list(selectors.RequestFilters(status=""), user=user))

    assert visible(None) == {open_}
    assert visible(UserFactory()) == {open_}
    assert visible(world["dakar_member"]) == {open_}
    assert visible(world["amina"]) == {open_, closed}
    assert visible(world["lucia"]) == {open_, invited_closed}
    assert visible(UserFactory(is_moderator=True)) == {open_, closed, invited_closed}
