"""The directory pages over HTTP: list and filters, organisation page, forms, claims, people."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.utils import translation

from citypeers.accounts.models import OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.models import ActorType, Membership, Organisation, ProfileItem
from citypeers.directory.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    OrganisationRoleFactory,
    ProfileItemFactory,
    city,
    country,
    theme,
)
from citypeers.places.models import Sdg

pytestmark = pytest.mark.django_db

PARIS = 2988507
LAGOS = 2332459
Role = OrganisationRole.Role


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def text(response) -> str:
    return response.content.decode()


def result_names(response) -> set[str]:
    return set(re.findall(r'<h3><a href="/en/directory/[^"]+/">([^<]+)</a>', text(response)))


def field_error(page: str, field: str) -> str:
    """The error text shown under ``field`` (empty when none)."""
    match = re.search(rf'id="id_{field}_error" role="alert">(.*?)</div>', page, re.S)
    return unescape(re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else ""


def role_of(user, organisation: Organisation) -> str | None:
    return (
        OrganisationRole.objects.filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )


@pytest.fixture
def world():
    """A small directory across regions, types, themes and sizes."""
    dakar = OrganisationFactory(
        name="Ville de Dakar",
        actor_type=ActorType.MUNICIPALITY,
        country=country("SEN"),
        population_served=1_200_000,
        themes=[theme("waste")],
    )
    lyon = OrganisationFactory(
        name="Métropole de Lyon",
        actor_type=ActorType.METROPOLITAN,
        country=country("FRA"),
        population_served=1_400_000,
        themes=[theme("mobility")],
    )
    suva = OrganisationFactory(
        name="Suva City Council",
        actor_type=ActorType.MUNICIPALITY,
        country=country("FJI"),
        population_served=90_000,
        themes=[theme("waste"), theme("climate-resilience")],
    )
    lab = OrganisationFactory(
        name="Urban Lab",
        actor_type=ActorType.ACADEMIA,
        country=country("CAN"),
        descriptions={"en": "Research on informal water markets."},
    )
    return {"dakar": dakar, "lyon": lyon, "suva": suva, "lab": lab}


class TestList:
    def test_lists_every_organisation_with_type_place_and_themes(self, client, world):
        response = client.get("/en/directory/")

        assert response.status_code == 200
        page = text(response)
        assert "4 organisations" in page
        assert result_names(response) == {
            "Ville de Dakar",
            "Métropole de Lyon",
            "Suva City Council",
            "Urban Lab",
        }
        assert "Municipality / city</span> · " in page
        assert "Senegal" in page
        assert "<li>Waste management</li>" in page

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("actor_type=municipality", {"Ville de Dakar", "Suva City Council"}),
            ("country=SEN", {"Ville de Dakar"}),
            ("country=fra", {"Métropole de Lyon"}),
            ("region=002", {"Ville de Dakar"}),  # Africa
            ("region=009", {"Suva City Council"}),  # Oceania
            ("south=south", {"Ville de Dakar", "Suva City Council"}),
            ("south=north", {"Métropole de Lyon", "Urban Lab"}),
            ("theme=waste", {"Ville de Dakar", "Suva City Council"}),
            ("population=1m-5m", {"Ville de Dakar", "Métropole de Lyon"}),
            ("population=50k-250k", {"Suva City Council"}),
            ("q=water", {"Urban Lab"}),
            ("q=metropole", {"Métropole de Lyon"}),
            ("theme=waste&south=south&region=002", {"Ville de Dakar"}),
        ],
    )
    def test_filters(self, client, world, query, expected):
        response = client.get(f"/en/directory/?{query}")

        assert response.status_code == 200
        assert result_names(response) == expected

    def test_an_unknown_country_is_reported_and_ignored(self, client, world):
        response = client.get("/en/directory/?country=XXX")

        assert response.status_code == 200
        assert field_error(text(response), "country") == "Choose a country from the list."
        assert len(result_names(response)) == 4

    def test_htmx_gets_the_results_fragment_alone(self, client, world):
        response = client.get("/en/directory/?theme=waste", HTTP_HX_REQUEST="true")

        page = text(response)
        assert response.status_code == 200
        assert "<html" not in page
        assert 'class="filters"' not in page
        assert "2 organisations" in page
        assert result_names(response) == {"Ville de Dakar", "Suva City Council"}
        assert "HX-Request" in response["Vary"]

    def test_htmx_pushes_a_short_shareable_url(self, client, world):
        response = client.get(
            "/en/directory/?q=&actor_type=&country=&theme=waste&population=",
            HTTP_HX_REQUEST="true",
        )

        assert response["HX-Push-Url"] == "/en/directory/?theme=waste"
        assert client.get("/en/directory/?q=", HTTP_HX_REQUEST="true")["HX-Push-Url"] == (
            "/en/directory/"
        )

    def test_a_history_restore_gets_the_whole_page(self, client, world):
        response = client.get(
            "/en/directory/?theme=waste",
            HTTP_HX_REQUEST="true",
            HTTP_HX_HISTORY_RESTORE_REQUEST="true",
        )

        assert "<html" in text(response)

    def test_the_page_is_shareable_with_its_filters_chosen(self, client, world):
        response = client.get("/en/directory/?theme=waste&country=SEN")

        page = text(response)
        assert "<html" in page
        assert '<option value="waste" selected>' in page
        assert '<option value="SEN" selected>' in page
        assert result_names(response) == {"Ville de Dakar"}
        # the filter form updates the results in place and pushes the URL
        assert 'hx-get="/en/directory/"' in page
        assert 'hx-push-url="true"' in page
        assert 'hx-target="#results"' in page

    def test_paginates_by_25_keeping_the_filters(self, client):
        for n in range(30):
            OrganisationFactory(name=f"Waste Org {n:02d}", themes=[theme("waste")])
        OrganisationFactory(name="Other")

        first = client.get("/en/directory/?theme=waste&q=&country=")
        second = client.get("/en/directory/?theme=waste&page=2")

        assert "30 organisations" in text(first)
        assert len(result_names(first)) == 25
        assert 'href="?theme=waste&amp;page=2"' in text(first)
        assert len(result_names(second)) == 5
        assert 'href="?theme=waste&amp;page=1"' in text(second)

    def test_runs_a_bounded_number_of_queries(self, client, django_assert_max_num_queries):
        sdgs = list(Sdg.objects.all()[:3])
        for n in range(30):
            OrganisationFactory(
                name=f"Org {n}",
                country=country("SEN" if n % 2 else "FRA"),
                themes=[theme("waste"), theme("mobility")],
                sdgs=sdgs,
            )
        client.force_login(UserFactory())

        # Nine with the header's unread-notifications count of a signed-in reader.
        with django_assert_max_num_queries(9):
            response = client.get("/en/directory/")
        with django_assert_max_num_queries(9):
            client.get("/en/directory/?page=2&theme=waste", HTTP_HX_REQUEST="true")

        assert len(result_names(response)) == 25

    def test_links_the_directory_from_the_navigation(self, client):
        page = text(client.get("/en/directory/"))

        assert '<a href="/en/directory/" aria-current="page">Directory</a>' in page


@pytest.fixture
def network():
    return OrganisationFactory(
        name="Water Cities Network",
        slug="water-cities-network",
        actor_type=ActorType.NETWORK,
        country=None,
    )


@pytest.fixture
def paris(network):
    org = OrganisationFactory(
        name="Ville de Paris",
        slug="ville-de-paris",
        actor_type=ActorType.MUNICIPALITY,
        country=country("FRA"),
        city=city(PARIS),
        admin_area=city(PARIS).admin_area,
        population_served=2_100_000,
        languages=["fr", "en"],
        website="https://www.paris.fr/",
        original_language="fr",
        descriptions={"fr": "La capitale.\nDeuxième ligne."},
        is_demo=True,
        themes=[theme("water-sanitation")],
        sdgs=[Sdg.objects.get(number=6)],
    )
    ProfileItemFactory(organisation=org, kind="challenge", text="Heat waves in summer.")
    ProfileItemFactory(organisation=org, kind="expertise", text="Running a public water utility.")
    MembershipFactory(member=org, parent=network, role=Membership.Role.FOUNDING)
    return org


def json_ld(page: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match, "no JSON-LD block"
    return json.loads(match.group(1))


class TestOrganisationPage:
    def test_shows_the_profile(self, client, paris):
        response = client.get("/en/directory/ville-de-paris/")

        assert response.status_code == 200
        page = text(response)
        assert "<h1>Ville de Paris" in page
        assert "Municipality / city" in page
        assert f'<a href="/en/places/cities/{PARIS}/">Paris</a>' in page
        assert '<a href="/en/places/countries/fra/">France</a>' in page
        assert "2,100,000" in page
        assert "French, English" in page
        assert 'href="https://www.paris.fr/"' in page
        assert "<p>La capitale.<br>Deuxième ligne.</p>" in page
        assert "Water and sanitation" in page
        assert "Clean Water and Sanitation" in page or "sdg-6" in page
        assert "Heat waves in summer." in page
        assert "Running a public water utility." in page
        assert "demo content" in page

    def test_says_which_language_the_description_is_shown_in(self, client, paris):
        english = text(client.get("/en/directory/ville-de-paris/"))
        french = text(client.get("/fr/directory/ville-de-paris/"))

        assert "Shown in French, the language it was written in" in english
        assert 'lang="fr"' in english
        assert "the language it was written in" not in french and "Shown in" not in french

    def test_shows_memberships_on_both_sides(self, client, paris, network):
        member_page = text(client.get("/en/directory/ville-de-paris/"))
        network_page = text(client.get("/en/directory/water-cities-network/"))

        assert '<a href="/en/directory/water-cities-network/">Water Cities Network</a>' in (
            member_page
        )
        assert "Founding member" in member_page
        assert '<a href="/en/directory/ville-de-paris/">Ville de Paris</a>' in network_page

    def test_json_ld_describes_a_government_organisation(self, client, paris):
        data = json_ld(text(client.get("/en/directory/ville-de-paris/")))

        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "GovernmentOrganization"
        assert data["name"] == "Ville de Paris"
        assert data["url"] == "http://testserver/en/directory/ville-de-paris/"
        assert data["address"]["addressCountry"] == "FR"
        assert data["areaServed"] == {"@type": "City", "name": "Paris"}
        assert data["sameAs"] == "https://www.paris.fr/"
        assert data["memberOf"] == [
            {
                "@type": "Organization",
                "name": "Water Cities Network",
                "url": "http://testserver/en/directory/water-cities-network/",
            }
        ]

    def test_json_ld_of_a_network_lists_its_members_and_escapes_text(self, client, paris, network):
        Organisation.objects.filter(pk=network.pk).update(name="Water </script><b>Network")

        page = text(client.get("/en/directory/water-cities-network/"))

        data = json_ld(page)
        assert data["@type"] == "Organization"
        assert data["name"] == "Water </script><b>Network"
        assert data["member"][0]["name"] == "Ville de Paris"
        assert data["member"][0]["@type"] == "GovernmentOrganization"
        assert "<b>Network" not in page

    def test_shows_people_only_to_signed_in_readers(self, client, paris):
        OrganisationRoleFactory(
            organisation=paris, role=Role.EDITOR, user=UserFactory(display_name="Ana Lima")
        )

        anonymous = text(client.get("/en/directory/ville-de-paris/"))
        client.force_login(UserFactory())
        signed_in = text(client.get("/en/directory/ville-de-paris/"))

        assert "Ana Lima" not in anonymous
        assert "to see who acts for this organisation" in anonymous
        assert "Ana Lima" in signed_in
        assert "Editor" in signed_in

    @pytest.mark.parametrize(
        ("role", "links"),
        [
            (None, set()),
            (Role.MEMBER, set()),
            (Role.EDITOR, {"edit", "logo", "profile", "memberships"}),
            (Role.ADMIN, {"edit", "logo", "profile", "memberships", "people", "audit", "delete"}),
        ],
    )
    def test_offers_the_management_links_the_reader_may_use(self, client, paris, role, links):
        user = UserFactory()
        if role:
            OrganisationRoleFactory(organisation=paris, user=user, role=role)
        client.force_login(user)

        page = text(client.get("/en/directory/ville-de-paris/"))

        shown = set(re.findall(r'href="/en/directory/ville-de-paris/([a-z]+)/"', page))
        assert shown == links

    def test_runs_a_bounded_number_of_queries(self, client, paris, django_assert_max_num_queries):
        from citypeers.knowledge.tests.factories import PracticeFactory
        from citypeers.partnerships.tests.factories import PartnershipFactory

        for _n in range(10):
            PracticeFactory(owner=paris)
            MembershipFactory(parent=paris.memberships.first().parent)
            ProfileItemFactory(organisation=paris)
            PartnershipFactory(members=[paris, OrganisationFactory()], themes=[theme("waste")])
        client.force_login(OrganisationRoleFactory(organisation=paris, role=Role.ADMIN).user)

        # The partnerships section adds three: the partnerships, their members, their themes;
        # the practices section two: the practices and their texts; the header one (unread
        # notifications of the signed-in reader).
        with django_assert_max_num_queries(16):
            response = client.get("/en/directory/water-cities-network/")
        with django_assert_max_num_queries(16):
            client.get("/en/directory/ville-de-paris/")

        assert response.status_code == 200

    def test_an_unknown_organisation_is_not_found(self, client):
        assert client.get("/en/directory/nobody-here/").status_code == 404


def organisation_form(**changes) -> dict:
    data = {
        "name": "Friends of Water",
        "acronym": "",
        "actor_type": "ngo",
        "country": "SEN",
        "admin_area": "",
        "city_search": "",
        "city": "",
        "population_served": "",
        "languages": ["fr", "en"],
        "website": "https://water.example.org",
        "original_language": "fr",
        "description": "Une association pour l'eau.",
        "description_en": "An association for water.",
        "description_fr": "",
        "description_es": "",
        "themes": ["water-sanitation", "gender"],
        "sdgs": ["6", "5"],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


class TestCreate:
    def test_anonymous_readers_are_sent_to_log_in(self, client):
        response = client.get("/en/directory/new/")

        assert response.status_code == 302
        assert response["Location"].startswith("/en/accounts/log-in/?next=/en/directory/new/")

    def test_the_form_labels_its_fields(self, client):
        client.force_login(UserFactory())

        page = text(client.get("/en/directory/new/"))

        assert '<label for="id_name">Name' in page
        assert 'aria-describedby="id_acronym_helptext"' in page
        assert '<p class="help" id="id_acronym_helptext">' in page
        assert "<legend>Themes</legend>" in page
        assert 'hx-get="/en/directory/lookup/cities/"' in page

    def test_creates_the_organisation_and_makes_its_creator_admin(self, client):
        user = UserFactory()
        client.force_login(user)

        response = client.post("/en/directory/new/", organisation_form())

        organisation = Organisation.objects.get(name="Friends of Water")
        assert response.status_code == 302
        assert response["Location"] == organisation.get_absolute_url()
        assert organisation.country.iso3 == "SEN"
        assert organisation.languages == ["fr", "en"]
        assert organisation.descriptions == {
            "fr": "Une association pour l'eau.",
            "en": "An association for water.",
        }
        assert {t.slug for t in organisation.themes.all()} == {"water-sanitation", "gender"}
        assert {s.number for s in organisation.sdgs.all()} == {5, 6}
        assert role_of(user, organisation) == Role.ADMIN

    def test_a_municipality_takes_its_city_and_country_from_the_city(self, client):
        client.force_login(UserFactory())

        client.post(
            "/en/directory/new/",
            organisation_form(
                name="Lagos State", actor_type="municipality", country="NGA", city=str(LAGOS)
            ),
        )

        organisation = Organisation.objects.get(name="Lagos State")
        assert organisation.city.geonameid == LAGOS
        assert organisation.country.iso3 == "NGA"

    def test_without_javascript_the_typed_city_name_is_taken(self, client):
        client.force_login(UserFactory())

        client.post(
            "/en/directory/new/",
            organisation_form(
                name="Ville de Paris", actor_type="municipality", country="FRA", city_search="Paris"
            ),
        )

        assert Organisation.objects.get(name="Ville de Paris").city.geonameid == PARIS

    def test_a_rule_broken_in_the_service_is_shown_on_its_field(self, client):
        client.force_login(UserFactory())

        response = client.post(
            "/en/directory/new/", organisation_form(actor_type="municipality", city="")
        )

        page = text(response)
        assert response.status_code == 400
        assert field_error(page, "city") == "A city or metropolitan government needs its city."
        assert re.search(r'<select name="city"[^>]*aria-invalid="true"', page)
        assert re.search(r'aria-describedby="id_city_helptext id_city_error"', page)
        assert not Organisation.objects.filter(name="Friends of Water").exists()

    def test_shape_errors_name_their_field(self, client):
        client.force_login(UserFactory())

        response = client.post(
            "/en/directory/new/",
            organisation_form(name="", website="not a url", description_fr="Texte"),
        )

        page = text(response)
        assert response.status_code == 400
        assert field_error(page, "name") == "This field is required."
        assert field_error(page, "website") == "Enter a valid URL."
        assert "original language" in field_error(page, "description_fr")

    def test_an_organisation_called_new_does_not_hide_the_form(self, client):
        client.force_login(UserFactory())

        client.post("/en/directory/new/", organisation_form(name="New"))

        assert Organisation.objects.get(name="New").slug != "new"
        assert client.get("/en/directory/new/").status_code == 200


class TestEdit:
    def test_anonymous_readers_are_sent_to_log_in(self, client, paris):
        for url in ("edit", "delete", "profile", "memberships", "people"):
            response = client.get(f"/en/directory/ville-de-paris/{url}/")

            assert response.status_code == 302
            assert "/en/accounts/log-in/" in response["Location"]

    def test_a_signed_in_non_editor_is_refused_with_403(self, client, paris):
        client.force_login(OrganisationRoleFactory(organisation=paris, role=Role.MEMBER).user)

        assert client.get("/en/directory/ville-de-paris/edit/").status_code == 403
        response = client.post("/en/directory/ville-de-paris/edit/", organisation_form())
        assert response.status_code == 403
        assert "You are not allowed to do this." in text(response)
        assert client.get("/en/directory/ville-de-paris/profile/").status_code == 403
        assert client.get("/en/directory/ville-de-paris/memberships/").status_code == 403
        paris.refresh_from_db()
        assert paris.name == "Ville de Paris"

    def test_the_form_starts_from_the_profile(self, client, paris):
        client.force_login(OrganisationRoleFactory(organisation=paris, role=Role.EDITOR).user)

        page = text(client.get("/en/directory/ville-de-paris/edit/"))

        assert 'value="Ville de Paris"' in page
        assert f'<option value="{PARIS}" selected>Paris, Île-de-France, France</option>' in page
        assert '<option value="fr" selected>French</option>' in page
        assert "La capitale.\nDeuxième ligne.</textarea>" in page

    def test_an_editor_saves_changes(self, client, paris):
        client.force_login(OrganisationRoleFactory(organisation=paris, role=Role.EDITOR).user)

        response = client.post(
            "/en/directory/ville-de-paris/edit/",
            organisation_form(
                name="City of Paris",
                actor_type="municipality",
                country="FRA",
                city=str(PARIS),
                original_language="fr",
                description="La capitale.",
                description_es="La capital.",
                description_en="",
            ),
        )

        assert response.status_code == 302
        paris.refresh_from_db()
        assert paris.name == "City of Paris"
        assert paris.descriptions == {"fr": "La capitale.", "es": "La capital."}

    def test_a_new_city_brings_its_region(self, client, paris):
        client.force_login(OrganisationRoleFactory(organisation=paris, role=Role.EDITOR).user)
        lyon = city(2996944)

        response = client.post(
            "/en/directory/ville-de-paris/edit/",
            organisation_form(
                name="Ville de Paris",
                actor_type="metropolitan",
                country="FRA",
                admin_area=str(paris.admin_area_id),
                city=str(lyon.geonameid),
                description_en="",
            ),
        )

        assert response.status_code == 302
        paris.refresh_from_db()
        assert paris.city == lyon
        assert paris.admin_area == lyon.admin_area

    def test_only_an_organisation_admin_deletes(self, client, paris):
        client.force_login(OrganisationRoleFactory(organisation=paris, role=Role.EDITOR).user)
        assert client.post("/en/directory/ville-de-paris/delete/").status_code == 403

        client.force_login(OrganisationRoleFactory(organisation=paris, role=Role.ADMIN).user)
        confirm = client.get("/en/directory/ville-de-paris/delete/")
        response = client.post("/en/directory/ville-de-paris/delete/")

        assert "Delete Ville de Paris?" in text(confirm)
        assert response.status_code == 302
        assert response["Location"] == "/en/directory/"
        assert not Organisation.objects.filter(slug="ville-de-paris").exists()


class TestProfileItems:
    def test_an_editor_adds_and_removes_items(self, client, paris):
        client.force_login(OrganisationRoleFactory(organisation=paris, role=Role.EDITOR).user)

        response = client.post(
            "/en/directory/ville-de-paris/profile/",
            {"action": "add", "kind": "expertise", "theme": "mobility", "text": "Bike lanes."},
        )
        item = ProfileItem.objects.get(organisation=paris, text="Bike lanes.")
        removed = client.post(
            "/en/directory/ville-de-paris/profile/", {"action": "remove", "item": item.pk}
        )

        assert response.status_code == 302
        assert removed.status_code == 302
        assert not ProfileItem.objects.filter(pk=item.pk).exists()

    def test_a_missing_text_is_shown_on_its_field(self, client, paris):
        client.force_login(OrganisationRoleFactory(organisation=paris, role=Role.EDITOR).user)

        response = client.post(
            "/en/directory/ville-de-paris/profile/",
            {"action": "add", "kind": "challenge", "theme": "mobility", "text": "   "},
        )

        assert response.status_code == 400
        assert field_error(text(response), "text")


class TestMemberships:
    def test_the_member_search_fills_the_member_list(self, client, paris, network):
        client.force_login(OrganisationRoleFactory(organisation=network, role=Role.EDITOR).user)

        response = client.get(
            "/en/directory/lookup/organisations/?member_search=paris", HTTP_HX_REQUEST="true"
        )

        page = text(response)
        assert 'id="field-member"' in page
        assert '<option value="ville-de-paris" selected>Ville de Paris (France)</option>' in page

    def test_an_editor_of_the_network_records_and_removes_a_member(self, client, network):
        client.force_login(OrganisationRoleFactory(organisation=network, role=Role.EDITOR).user)
        lab = OrganisationFactory(name="Urban Lab", slug="urban-lab")

        response = client.post(
            "/en/directory/water-cities-network/memberships/",
            {
                "action": "add",
                "member": "urban-lab",
                "role": "associate",
                "start_date": "2020-01-01",
                "end_date": "",
            },
        )
        membership = Membership.objects.get(member=lab, parent=network)
        removed = client.post(
            "/en/directory/water-cities-network/memberships/",
            {"action": "remove", "membership": membership.pk},
        )

        assert response.status_code == 302
        assert membership.role == "associate"
        assert str(membership.start_date) == "2020-01-01"
        assert removed.status_code == 302
        assert not Membership.objects.filter(pk=membership.pk).exists()

    def test_dates_in_the_wrong_order_are_shown_on_the_end_date(self, client, network):
        client.force_login(OrganisationRoleFactory(organisation=network, role=Role.EDITOR).user)
        OrganisationFactory(slug="urban-lab")

        response = client.post(
            "/en/directory/water-cities-network/memberships/",
            {
                "action": "add",
                "member": "urban-lab",
                "role": "member",
                "start_date": "2020-01-01",
                "end_date": "2019-01-01",
            },
        )

        assert response.status_code == 400
        assert field_error(text(response), "end_date") == (
            "A membership cannot end before it starts."
        )

    def test_recording_the_same_member_twice_is_a_conflict(self, client, paris, network):
        client.force_login(OrganisationRoleFactory(organisation=network, role=Role.EDITOR).user)

        response = client.post(
            "/en/directory/water-cities-network/memberships/",
            {"action": "add", "member": "ville-de-paris", "role": "founding_member"},
        )

        assert response.status_code == 409
        assert "already recorded" in field_error(text(response), "member")


@pytest.fixture
def mail_sent(django_capture_on_commit_callbacks):
    """Run the on-commit work (e-mails) of the requests made inside the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class TestPeople:
    def test_invitation_from_e_mail_to_role(self, client, paris, mailoutbox, mail_sent):
        admin = OrganisationRoleFactory(organisation=paris, role=Role.ADMIN).user
        invited = UserFactory(email="ana@example.org", display_name="Ana Lima")
        client.force_login(admin)

        # when the admin invites Ana as editor
        with mail_sent():
            response = client.post(
                "/en/directory/ville-de-paris/people/",
                {"action": "invite", "email": "Ana@Example.org", "role": "editor"},
            )

        # then an e-mail carries a link to the invitation
        assert response.status_code == 302
        assert len(mailoutbox) == 1
        assert mailoutbox[0].to == ["ana@example.org"]
        link = re.search(
            r"http://testserver(/en/directory/invitations/[^/\s]+/)", mailoutbox[0].body
        )
        assert link, mailoutbox[0].body
        path = link.group(1)

        # an anonymous reader of the link is asked to log in
        client.logout()
        page = client.get(path)
        assert "Join Ville de Paris" in text(page)
        assert "Log in</a> to accept" in text(page)
        assert client.post(path).status_code == 302
        assert role_of(invited, paris) is None

        # Ana accepts and appears as editor
        client.force_login(invited)
        accepted = client.post(path)
        assert accepted.status_code == 302
        assert accepted["Location"] == "/en/directory/ville-de-paris/"
        assert role_of(invited, paris) == Role.EDITOR
        people = text(client.get("/en/directory/ville-de-paris/people/"))
        assert re.search(r"Ana Lima.*?Editor", people, re.S)

        # the link serves once
        assert client.get(path).status_code == 404

    def test_only_an_organisation_admin_invites(self, client, paris, mailoutbox, mail_sent):
        client.force_login(OrganisationRoleFactory(organisation=paris, role=Role.EDITOR).user)

        with mail_sent():
            response = client.post(
                "/en/directory/ville-de-paris/people/",
                {"action": "invite", "email": "x@example.org", "role": "admin"},
            )

        assert response.status_code == 403
        assert mailoutbox == []

    def test_an_invalid_e_mail_is_shown_on_its_field(self, client, paris):
        client.force_login(OrganisationRoleFactory(organisation=paris, role=Role.ADMIN).user)

        response = client.post(
            "/en/directory/ville-de-paris/people/",
            {"action": "invite", "email": "nobody", "role": "member"},
        )

        assert response.status_code == 400
        assert field_error(text(response), "email") == "Enter a valid email address."

    def test_the_admin_changes_a_role_and_removes_a_person(self, client, paris):
        UserFactory.create_batch(3)  # user ids and role ids differ: the form sends the user's
        admin = OrganisationRoleFactory(organisation=paris, role=Role.ADMIN).user
        person = OrganisationRoleFactory(organisation=paris, role=Role.MEMBER).user
        client.force_login(admin)

        changed = client.post(
            "/en/directory/ville-de-paris/people/",
            {"action": "role", "user": person.pk, "role": "editor"},
        )
        assert changed.status_code == 302
        assert role_of(person, paris) == Role.EDITOR

        removed = client.post(
            "/en/directory/ville-de-paris/people/", {"action": "remove", "user": person.pk}
        )
        assert removed.status_code == 302
        assert role_of(person, paris) is None

    def test_the_last_admin_cannot_leave(self, client, paris):
        admin = OrganisationRoleFactory(organisation=paris, role=Role.ADMIN).user
        client.force_login(admin)

        response = client.post("/en/directory/ville-de-paris/people/", {"action": "leave"})

        assert response.status_code == 400
        assert "keeps at least one admin" in text(response)
        assert role_of(admin, paris) == Role.ADMIN

    def test_a_member_leaves(self, client, paris):
        member = OrganisationRoleFactory(organisation=paris, role=Role.MEMBER).user
        client.force_login(member)

        response = client.post("/en/directory/ville-de-paris/people/", {"action": "leave"})

        assert response.status_code == 302
        assert role_of(member, paris) is None

    def test_a_member_cannot_change_roles(self, client, paris):
        member = OrganisationRoleFactory(organisation=paris, role=Role.MEMBER).user
        client.force_login(member)

        response = client.post(
            "/en/directory/ville-de-paris/people/",
            {"action": "role", "user": member.pk, "role": "admin"},
        )

        assert response.status_code == 403
        assert role_of(member, paris) == Role.MEMBER


class TestClaimCity:
    def test_the_city_page_offers_the_claim_to_signed_in_readers(self, client):
        anonymous = text(client.get(f"/en/places/cities/{PARIS}/"))
        client.force_login(UserFactory())
        signed_in = text(client.get(f"/en/places/cities/{PARIS}/"))

        assert "Claim this city" not in anonymous
        assert "to claim this city" in anonymous
        assert f'action="/en/directory/claim/{PARIS}/"' in signed_in
        assert "Claim this city</button>" in signed_in

    def test_anonymous_claims_are_sent_to_log_in(self, client):
        response = client.post(f"/en/directory/claim/{PARIS}/")

        assert response.status_code == 302
        assert "/en/accounts/log-in/" in response["Location"]
        assert not Organisation.objects.filter(city__geonameid=PARIS).exists()

    def test_claim_then_a_second_claim_shows_the_first(self, client):
        first, second = UserFactory(), UserFactory()
        client.force_login(first)

        response = client.post(f"/en/directory/claim/{PARIS}/")

        organisation = Organisation.objects.get(city__geonameid=PARIS)
        assert response.status_code == 302
        assert response["Location"] == organisation.get_absolute_url()
        assert organisation.actor_type == "municipality"
        assert organisation.country.iso3 == "FRA"
        assert role_of(first, organisation) == Role.ADMIN

        client.force_login(second)
        again = client.post(f"/en/directory/claim/{PARIS}/")

        assert again.status_code == 409
        assert f'<a href="{organisation.get_absolute_url()}">' in text(again)
        assert Organisation.objects.filter(city__geonameid=PARIS).count() == 1
        # and the city page now links the organisation instead of the button
        page = text(client.get(f"/en/places/cities/{PARIS}/"))
        assert "Claim this city</button>" not in page
        assert f'<a href="{organisation.get_absolute_url()}">Paris</a>' in page


class TestLookups:
    def test_cities_of_the_chosen_country(self, client):
        response = client.get(
            "/en/directory/lookup/cities/?city_search=par&country=FRA", HTTP_HX_REQUEST="true"
        )

        page = text(response)
        assert 'id="field-city"' in page
        assert f'<option value="{PARIS}" selected>Paris, Île-de-France, France</option>' in page
        assert "Paraguay" not in page

    def test_regions_of_the_chosen_country(self, client):
        page = text(client.get("/en/directory/lookup/admin-areas/?country=FRA"))

        assert 'id="field-admin_area"' in page
        assert ">Île-de-France</option>" in page
