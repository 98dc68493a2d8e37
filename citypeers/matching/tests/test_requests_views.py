"""The match-request pages over HTTP: the list and its filters, a request's page with suggestions
and reasons, posting, inviting, answering, withdrawing and closing through the forms; anonymous
visitors sent to log in, strangers refused, errors shown next to their field."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.utils import translation

from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.models import ActorType, ProfileItem
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    ProfileItemFactory,
    city,
    theme,
)
from citypeers.matching.models import InvitationStatus, MatchInvitation, MatchRequest, RequestStatus
from citypeers.matching.tests.factories import (
    MatchInvitationFactory,
    MatchRequestFactory,
    person,
)
from citypeers.partnerships.models import Status

pytestmark = pytest.mark.django_db
DAKAR, LYON, ACCRA = 2253354, 2996944, 2306104


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def text(response) -> str:
    return response.content.decode()


def plain(page: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def field_error(page: str, field: str) -> str:
    match = re.search(rf'id="id_{field}_error" role="alert">(.*?)</div>', page, re.S)
    return plain(match.group(1)) if match else ""


def municipality(name: str, geonameid: int):
    place = city(geonameid)
    return OrganisationFactory(
        name=name,
        actor_type=ActorType.MUNICIPALITY,
        country=place.country,
        city=place,
        population_served=place.population,
        themes=[theme("water-sanitation")],
    )


@pytest.fixture
def world():
    dakar = municipality("Ville de Dakar", DAKAR)
    lyon = municipality("Lyon", LYON)
    ProfileItemFactory(
        organisation=lyon,
        kind=ProfileItem.Kind.EXPERTISE,
        theme=theme("water-sanitation"),
        text="District metering and active leak detection halved our water losses.",
    )
    return {
        "dakar": dakar,
        "lyon": lyon,
        "accra": municipality("Accra", ACCRA),
        "amina": person(dakar, "admin", "fr"),
        "lucia": person(lyon, "editor", "es"),
        "stranger": UserFactory(),
    }


def test_posting_a_request_through_the_form(client, world):
    client.force_login(world["amina"])
    page = client.get("/en/peers/requests/new/")
    assert page.status_code == 200
    assert 'value="' + world["dakar"].slug + '"' in text(page)

    response = client.post(
        "/en/peers/requests/new/",
        {
            "organisation": world["dakar"].slug,
            "title": "Reducing water losses",
            "text": "We lose a third of our water through leaks.\n\n<script>alert(1)</script>",
            "language": "en",
            "themes": ["water-sanitation"],
            "mode": "partners",
            "modality": "c2c",
            "regions": ["150"],
            "languages": ["fr", "en"],
        },
    )

    match_request = MatchRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == (
        f"/en/peers/requests/{match_request.pk}/"
    )
    assert match_request.organisation == world["dakar"]
    assert [r.m49 for r in match_request.regions.all()] == ["150"]
    assert match_request.languages == ["fr", "en"]
    # the text is shown escaped, never as HTML
    page = text(client.get(response["Location"]))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_form_error_is_shown_next_to_its_field(client, world):
    client.force_login(world["amina"])
    response = client.post(
        "/en/peers/requests/new/",
        {
            "organisation": world["dakar"].slug,
            "title": "Reducing water losses",
            "text": "We lose water.",
            "mode": "partners",
            "modality": "c2c",
        },
    )
    assert response.status_code == 400
    assert field_error(text(response), "themes")
    assert not MatchRequest.objects.exists()


def test_a_service_error_is_shown_next_to_its_field(client, world):
    client.force_login(world["amina"])
    response = client.post(
        "/en/peers/requests/new/",
        {
            "organisation": world["dakar"].slug,
            "title": "   ",
            "text": "We lose water.",
            "themes": ["water-sanitation"],
            "mode": "partners",
            "modality": "c2c",
        },
    )
    assert response.status_code == 400
    assert field_error(text(response), "title")


def test_only_own_organisations_are_offered(client, world):
    client.force_login(world["stranger"])
    page = client.get("/en/peers/requests/new/")
    assert "You do not edit for any organisation yet" in plain(text(page))
    response = client.post(
        "/en/peers/requests/new/",
        {
            "organisation": world["dakar"].slug,
            "title": "Takeover",
            "text": "Posting for someone else.",
            "themes": ["water-sanitation"],
            "mode": "partners",
            "modality": "c2c",
        },
    )
    assert response.status_code == 400 and field_error(text(response), "organisation")
    assert not MatchRequest.objects.exists()


def test_the_list_shows_open_requests_and_filters_them(client, world):
    water = MatchRequestFactory(organisation=world["dakar"], title="Water from Dakar")
    MatchRequestFactory(organisation=world["lyon"], title="Waste in Lyon", themes=[theme("waste")])
    MatchRequestFactory(
        organisation=world["accra"], title="Closed one", status=RequestStatus.CLOSED
    )

    page = plain(text(client.get("/en/peers/requests/")))
    assert "Water from Dakar" in page and "Waste in Lyon" in page
    assert "Closed one" not in page and "2 open requests" in page

    filtered = plain(text(client.get("/en/peers/requests/?theme=water-sanitation")))
    assert "Water from Dakar" in filtered and "Waste in Lyon" not in filtered

    fragment = client.get("/en/peers/requests/?country=SEN", headers={"HX-Request": "true"})
    assert "<html" not in text(fragment) and "Water from Dakar" in text(fragment)
    assert fragment["HX-Push-Url"] == "/en/peers/requests/?country=SEN"
    assert water.get_absolute_url() in text(fragment)


def test_the_list_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(15):
        MatchRequestFactory(organisation=world["dakar"])
    with django_assert_max_num_queries(12):
        response = client.get("/en/peers/requests/")
    assert "15 open requests" in plain(text(response))


def test_a_request_page_and_its_suggestions_with_reasons(client, world):
    from citypeers.knowledge.tests.factories import PracticeFactory

    practice = PracticeFactory(owner=world["lyon"], title="District metering in Lyon")
    match_request = MatchRequestFactory(organisation=world["dakar"], title="Reducing water losses")

    page = text(client.get(match_request.get_absolute_url()))
    assert "Reducing water losses" in page
    assert f'hx-get="/en/peers/requests/{match_request.pk}/suggestions/"' in page
    assert "Invite organisations" not in page  # anonymous

    fragment = client.get(
        f"/en/peers/requests/{match_request.pk}/suggestions/", headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in text(fragment)
    assert "Lyon" in text(fragment) and "Ville de Dakar" not in text(fragment)
    assert 'class="reasons"' in text(fragment)
    assert practice.get_absolute_url() in text(fragment)
    assert "District metering in Lyon" in text(fragment)

    full = client.get(f"/en/peers/requests/{match_request.pk}/suggestions/")
    assert "<html" in text(full) and "Lyon" in text(full)


def test_a_closed_request_is_hidden_from_strangers(client, world):
    match_request = MatchRequestFactory(organisation=world["dakar"], status=RequestStatus.CLOSED)
    assert client.get(match_request.get_absolute_url()).status_code == 404
    client.force_login(world["stranger"])
    assert client.get(match_request.get_absolute_url()).status_code == 404
    client.force_login(world["amina"])
    assert client.get(match_request.get_absolute_url()).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    match_request = MatchRequestFactory(organisation=world["dakar"])
    invitation = MatchInvitationFactory(request=match_request, organisation=world["lyon"])
    for method, url in [
        ("get", "/en/peers/requests/new/"),
        ("get", "/en/peers/requests/mine/"),
        ("get", f"/en/peers/requests/{match_request.pk}/edit/"),
        ("post", f"/en/peers/requests/{match_request.pk}/close/"),
        ("post", f"/en/peers/requests/{match_request.pk}/invite/"),
        ("get", f"/en/peers/requests/invitations/{invitation.pk}/"),
        ("post", f"/en/peers/requests/invitations/{invitation.pk}/answer/"),
        ("post", f"/en/peers/requests/invitations/{invitation.pk}/withdraw/"),
    ]:
        response = getattr(client, method)(url, {"answer": "accept"})
        assert response.status_code == 302, url
        assert response["Location"].startswith("/en/accounts/log-in/?next="), url
    assert MatchInvitation.objects.get().status == InvitationStatus.PENDING


def test_strangers_are_refused_every_write(client, world):
    match_request = MatchRequestFactory(organisation=world["dakar"])
    invitation = MatchInvitationFactory(request=match_request, organisation=world["lyon"])
    client.force_login(world["stranger"])
    for method, url, data in [
        ("get", f"/en/peers/requests/{match_request.pk}/edit/", {}),
        ("post", f"/en/peers/requests/{match_request.pk}/close/", {"reason": "x"}),
        (
            "post",
            f"/en/peers/requests/{match_request.pk}/invite/",
            {"organisation": world["accra"].slug, "message": "Hi"},
        ),
        ("post", f"/en/peers/requests/invitations/{invitation.pk}/answer/", {"answer": "accept"}),
        ("post", f"/en/peers/requests/invitations/{invitation.pk}/withdraw/", {}),
    ]:
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
        assert invitation.message not in text(response)
    # the invitation's page is private
    assert client.get(f"/en/peers/requests/invitations/{invitation.pk}/").status_code == 404
    assert MatchInvitation.objects.get().status == InvitationStatus.PENDING
    assert MatchRequest.objects.get().status == RequestStatus.OPEN


def test_inviting_a_suggested_peer_and_one_found_by_name(client, world):
    match_request = MatchRequestFactory(organisation=world["dakar"])
    client.force_login(world["amina"])
    page = text(client.get(f"/en/peers/requests/{match_request.pk}/invite/"))
    assert f'value="{world["lyon"].slug}"' in page  # Lyon is among the suggestions to tick

    lookup = client.get("/en/peers/requests/lookup/", {"organisation_search": "accra"})
    assert f'value="{world["accra"].slug}"' in text(lookup)

    response = client.post(
        f"/en/peers/requests/{match_request.pk}/invite/",
        {
            "suggested": [world["lyon"].slug],
            "organisation": world["accra"].slug,
            "message": "Would you share how you did it?",
        },
    )
    assert response.status_code == 302
    invitations = {i.organisation_id: i for i in match_request.invitations.all()}
    assert set(invitations) == {world["lyon"].pk, world["accra"].pk}
    assert invitations[world["lyon"].pk].suggested_rank is not None


def test_an_invitation_needs_a_message_and_an_organisation(client, world):
    match_request = MatchRequestFactory(organisation=world["dakar"])
    client.force_login(world["amina"])
    url = f"/en/peers/requests/{match_request.pk}/invite/"
    response = client.post(url, {"message": "Hello"})
    assert response.status_code == 400 and field_error(text(response), "organisation")
    response = client.post(url, {"organisation": world["accra"].slug, "message": ""})
    assert response.status_code == 400 and field_error(text(response), "message")
    response = client.post(url, {"organisation": world["dakar"].slug, "message": "Hi"})
    assert response.status_code == 400 and field_error(text(response), "organisation")
    assert not match_request.invitations.exists()


def test_accepting_through_the_form_leads_to_the_proposed_partnership(client, world):
    invitation = MatchInvitationFactory(
        request=MatchRequestFactory(organisation=world["dakar"]), organisation=world["lyon"]
    )
    client.force_login(world["lucia"])
    page = text(client.get(f"/en/peers/requests/invitations/{invitation.pk}/"))
    assert invitation.message in page and 'name="answer"' in page

    response = client.post(
        f"/en/peers/requests/invitations/{invitation.pk}/answer/", {"answer": "accept"}
    )

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.partnership is not None
    assert invitation.partnership.status == Status.PROPOSED
    assert response.status_code == 302
    assert response["Location"] == invitation.partnership.get_absolute_url()
    # answering twice: 409, shown on the page
    again = client.post(
        f"/en/peers/requests/invitations/{invitation.pk}/answer/",
        {"answer": "decline", "note": "x"},
    )
    assert again.status_code == 409


def test_declining_through_the_form_needs_a_reason(client, world):
    invitation = MatchInvitationFactory(
        request=MatchRequestFactory(organisation=world["dakar"]), organisation=world["lyon"]
    )
    client.force_login(world["lucia"])
    url = f"/en/peers/requests/invitations/{invitation.pk}/answer/"
    response = client.post(url, {"answer": "decline"})
    assert response.status_code == 400 and field_error(text(response), "note")
    response = client.post(url, {"answer": "decline", "note": "Not this year."})
    assert response.status_code == 302 and response["Location"] == "/en/peers/requests/mine/"
    invitation.refresh_from_db()
    assert (invitation.status, invitation.answer_note) == ("declined", "Not this year.")


def test_withdrawing_and_closing_through_the_pages(client, world):
    match_request = MatchRequestFactory(organisation=world["dakar"])
    withdrawn = MatchInvitationFactory(request=match_request, organisation=world["lyon"])
    waiting = MatchInvitationFactory(request=match_request, organisation=world["accra"])
    client.force_login(world["amina"])

    page = text(client.get(match_request.get_absolute_url()))
    assert f"/en/peers/requests/invitations/{withdrawn.pk}/withdraw/" in page

    response = client.post(f"/en/peers/requests/invitations/{withdrawn.pk}/withdraw/")
    assert response.status_code == 302
    withdrawn.refresh_from_db()
    assert withdrawn.status == InvitationStatus.WITHDRAWN

    response = client.post(
        f"/en/peers/requests/{match_request.pk}/close/", {"reason": "Found a partner."}
    )
    assert response.status_code == 302
    match_request.refresh_from_db()
    waiting.refresh_from_db()
    assert match_request.status == RequestStatus.CLOSED
    assert waiting.status == InvitationStatus.WITHDRAWN
    page = plain(text(client.get(match_request.get_absolute_url())))
    assert "This request was closed" in page and "Found a partner." in page


def test_editing_a_request(client, world):
    match_request = MatchRequestFactory(organisation=world["dakar"], title="Old")
    client.force_login(world["amina"])
    page = text(client.get(f"/en/peers/requests/{match_request.pk}/edit/"))
    assert 'value="Old"' in page
    response = client.post(
        f"/en/peers/requests/{match_request.pk}/edit/",
        {
            "title": "New",
            "text": match_request.text,
            "language": "en",
            "themes": ["water-sanitation", "waste"],
            "mode": "peers",
            "modality": "twinning",
        },
    )
    assert response.status_code == 302
    match_request.refresh_from_db()
    assert (match_request.title, match_request.mode, match_request.modality) == (
        "New",
        "peers",
        "twinning",
    )


def test_my_requests_and_invitations(client, world):
    mine = MatchRequestFactory(organisation=world["dakar"], title="Our own need")
    MatchInvitationFactory(request=mine, organisation=world["lyon"])
    theirs = MatchRequestFactory(organisation=world["lyon"], title="Their need")
    MatchInvitationFactory(request=theirs, organisation=world["dakar"])
    MatchRequestFactory(organisation=world["accra"], title="Somebody else's")
    client.force_login(world["amina"])
    page = plain(text(client.get("/en/peers/requests/mine/")))
    assert "Our own need" in page and "Their need" in page
    assert "Somebody else's" not in page
