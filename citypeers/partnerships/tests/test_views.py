"""The partnership pages over HTTP: list, filters and counts, a partnership's page, proposing and
answering, running and ending a partnership, permissions, and capacity self-assessments."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from citypeers.accounts.models import OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.models import ActorType
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    country,
    theme,
)
from citypeers.partnerships import services
from citypeers.partnerships.models import (
    CapacityAssessment,
    Modality,
    Partnership,
    PartnershipAssessment,
    Status,
)
from citypeers.partnerships.tests.factories import (
    ActivityFactory,
    CapacityAssessmentFactory,
    IndicatorFactory,
    PartnershipFactory,
    ResultFactory,
)

pytestmark = pytest.mark.django_db
Role = OrganisationRole.Role


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def text(response) -> str:
    return response.content.decode()


def plain(page: str) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def titles(response) -> set[str]:
    return set(re.findall(r'<h3><a href="/en/partnerships/[^"]+/">([^<]+)</a>', text(response)))


def geography_counts(response) -> dict[str, int]:
    found = re.findall(
        r'data-geography="([a-z_]+)"><span class="n">([\d,]+)</span>', text(response)
    )
    return {g: int(n.replace(",", "")) for g, n in found}


def field_error(page: str, field: str) -> str:
    """The error text shown under ``field`` (empty when none)."""
    match = re.search(rf'id="id_{field}_error" role="alert">(.*?)</div>', page, re.S)
    return plain(match.group(1)) if match else ""


def editor_of(*organisations, **kwargs):
    user = UserFactory(**kwargs)
    for organisation in organisations:
        OrganisationRoleFactory(user=user, organisation=organisation, role=Role.EDITOR)
    return user


@pytest.fixture
def orgs():
    """Local governments North and South, and a network without a country."""
    return {
        "lyon": OrganisationFactory(
            name="Métropole de Lyon", actor_type=ActorType.METROPOLITAN, country=country("FRA")
        ),
        "lille": OrganisationFactory(
            name="Ville de Lille", actor_type=ActorType.MUNICIPALITY, country=country("FRA")
        ),
        "leipzig": OrganisationFactory(
            name="Stadt Leipzig", actor_type=ActorType.MUNICIPALITY, country=country("DEU")
        ),
        "dakar": OrganisationFactory(
            name="Ville de Dakar", actor_type=ActorType.MUNICIPALITY, country=country("SEN")
        ),
        "accra": OrganisationFactory(
            name="Accra Metropolitan Assembly",
            actor_type=ActorType.METROPOLITAN,
            country=country("GHA"),
        ),
        "network": OrganisationFactory(
            name="Water Cities Network", actor_type=ActorType.NETWORK, country=None
        ),
    }


@pytest.fixture
def registry(orgs):
    """One partnership of each geography class, with modalities, statuses and themes."""
    o = orgs
    return {
        "ns": PartnershipFactory(
            title="Lyon and Dakar water", members=[o["lyon"], o["dakar"]], themes=[theme("waste")]
        ),
        "ss": PartnershipFactory(
            title="Dakar and Accra exchange",
            members=[o["dakar"], o["accra"]],
            modality=Modality.TWINNING,
        ),
        "tri": PartnershipFactory(
            title="Sahel triangle",
            members=[o["dakar"], o["accra"], (o["network"], "facilitator")],
            status=Status.DORMANT,
        ),
        "nn": PartnershipFactory(title="Lyon Leipzig twinning", members=[o["lyon"], o["leipzig"]]),
        "home": PartnershipFactory(title="Lyon Lille metro", members=[o["lyon"], o["lille"]]),
    }


# The list


class TestList:
    def test_shows_every_visible_partnership_with_counts_by_geography(self, client, registry):
        PartnershipFactory(title="Refused", status=Status.DECLINED)

        response = client.get("/en/partnerships/")

        assert response.status_code == 200
        assert titles(response) == {
            "Lyon and Dakar water",
            "Dakar and Accra exchange",
            "Sahel triangle",
            "Lyon Leipzig twinning",
            "Lyon Lille metro",
        }
        assert geography_counts(response) == {
            "north_north": 2,
            "north_south": 1,
            "south_south": 1,
            "triangular": 1,
            "unclassified": 0,
        }
        assert "5 partnerships" in text(response)

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("geography=south_south", {"Dakar and Accra exchange"}),
            ("geography=triangular", {"Sahel triangle"}),
            ("modality=twinning", {"Dakar and Accra exchange"}),
            ("status=dormant", {"Sahel triangle"}),
            ("theme=waste", {"Lyon and Dakar water"}),
            ("country=GHA", {"Dakar and Accra exchange", "Sahel triangle"}),
            ("region=150", {"Lyon and Dakar water", "Lyon Leipzig twinning", "Lyon Lille metro"}),
            ("q=leipzig", {"Lyon Leipzig twinning"}),
            ("q=accra+sahel", {"Sahel triangle"}),
            ("country=FRA&international=on", {"Lyon and Dakar water", "Lyon Leipzig twinning"}),
            ("organisation=ville-de-lille", {"Lyon Lille metro"}),
            ("organisation=nobody", set()),
        ],
    )
    def test_filters(self, client, registry, orgs, query, expected):
        orgs["lille"].slug = "ville-de-lille"
        orgs["lille"].save()

        response = client.get(f"/en/partnerships/?{query}")

        assert response.status_code == 200
        assert titles(response) == expected

    def test_counts_follow_the_other_filters_and_the_chosen_class_gives_the_count(
        self, client, registry
    ):
        response = client.get("/en/partnerships/?country=FRA&geography=north_north")

        assert titles(response) == {"Lyon Leipzig twinning", "Lyon Lille metro"}
        assert geography_counts(response) == {
            "north_north": 2,
            "north_south": 1,
            "south_south": 0,
            "triangular": 0,
            "unclassified": 0,
        }
        assert "2 partnerships" in text(response)
        assert 'href="?country=FRA&amp;geography=north_south"' in text(response)

    def test_an_invalid_filter_is_reported_and_ignored(self, client, registry):
        response = client.get("/en/partnerships/?geography=west_east")

        assert response.status_code == 200
        assert len(titles(response)) == 5
        assert field_error(text(response), "geography")

    def test_htmx_gets_the_results_fragment_with_a_shareable_address(self, client, registry):
        response = client.get(
            "/en/partnerships/?geography=north_north&q=&status=", headers={"HX-Request": "true"}
        )

        page = text(response)
        assert "<html" not in page
        assert titles(response) == {"Lyon Leipzig twinning", "Lyon Lille metro"}
        assert 'data-geography="north_north"' in page
        assert response["HX-Push-Url"] == "/en/partnerships/?geography=north_north"
        assert "HX-Request" in response["Vary"]

    def test_paginates_by_25(self, client, orgs):
        for n in range(30):
            PartnershipFactory(title=f"Pair {n:02d}", members=[orgs["lyon"], orgs["dakar"]])

        first = client.get("/en/partnerships/")
        second = client.get("/en/partnerships/?page=2")

        assert len(titles(first)) == 25
        assert len(titles(second)) == 5
        assert "Page 1 of 2" in text(first)
        assert "30 partnerships" in text(second)

    def test_runs_a_bounded_number_of_queries(self, client, orgs, django_assert_max_num_queries):
        for n in range(30):
            PartnershipFactory(
                title=f"Pair {n:02d}",
                members=[OrganisationFactory(country=country("KEN")), orgs["lyon"]],
                themes=[theme("waste"), theme("mobility")],
            )
        client.force_login(UserFactory())

        with django_assert_max_num_queries(13) as captured:
            response = client.get("/en/partnerships/")
        with django_assert_max_num_queries(13):
            client.get("/en/partnerships/?region=002&q=pair&theme=waste&page=2")
        with django_assert_max_num_queries(13):
            client.get("/en/partnerships/?geography=north_south", headers={"HX-Request": "true"})

        assert len(titles(response)) == 25
        assert len(captured) >= 8  # the filters' lists, stats, one page, members and themes


# A partnership's page


@pytest.fixture
def lyon_editor(orgs):
    return editor_of(orgs["lyon"], username="lyon-editor", display_name="Léa Lyon")


@pytest.fixture
def dakar_editor(orgs):
    return editor_of(orgs["dakar"], username="dakar-editor", display_name="Moussa Dakar")


def propose(client, orgs, user, **extra) -> Partnership:
    client.force_login(user)
    data = {
        "organisation": orgs["lyon"].slug,
        "role": "lead",
        "partner": orgs["dakar"].slug,
        "partner_role": "partner",
        "other_role": "facilitator",
        "modality": "c2c",
        "title": "Lyon–Dakar water utilities",
        "started_on": "2024-01-15",
        "objectives": "Halve non-revenue water\n\nTrain twenty technicians",
        "original_language": "fr",
        "description": "Coopération sur l'eau potable.",
        "description_en": "Cooperation on drinking water.",
        "themes": ["water-sanitation"],
        "sdgs": ["6"],
        **extra,
    }
    response = client.post("/en/partnerships/new/", data)
    assert response.status_code == 302, field_errors_of(response)
    return Partnership.objects.get(title=data["title"] or "Métropole de Lyon – Ville de Dakar")


def field_errors_of(response) -> str:
    return plain(text(response))[:2000]


class TestDetail:
    def test_shows_members_geography_and_every_part_of_the_record(self, client, orgs):
        partnership = PartnershipFactory(
            title="Sahel triangle",
            members=[(orgs["dakar"], "lead"), orgs["accra"], (orgs["network"], "facilitator")],
            descriptions={"fr": "Échanges sur la gestion des déchets."},
            original_language="fr",
        )
        ActivityFactory(
            partnership=partnership, title="Study tour to Accra", participants=[orgs["dakar"]]
        )
        result = ResultFactory(partnership=partnership, title="Leak unit in every district")
        IndicatorFactory(result=result)  # 42 → 25, actual 31.50
        agreement_file = SimpleUploadedFile("mou.pdf", b"%PDF-1.4 memorandum")
        services.agreement_add(
            actor=editor_of(orgs["dakar"]),
            partnership=partnership,
            title="Memorandum of understanding",
            document=agreement_file,
        )

        response = client.get(f"/en/partnerships/{partnership.slug}/")

        page = plain(text(response))
        assert response.status_code == 200
        assert "Ville de Dakar Lead partner · Dakar" not in page  # no city recorded
        assert "Ville de Dakar Lead partner · Senegal (Global South)" in page
        assert "Water Cities Network Facilitator / third party · International" in page
        assert (
            "2 members in the Global South, 1 beyond it, of which 1 without a country "
            "(an international body). At least two Southern members and at least one from "
            "beyond the South make it triangular." in page
        )
        assert "Shown in French, the language it was written in" in page
        assert "Échanges sur la gestion des déchets." in page
        assert (
            "Study tour to Accra Engineers of both cities compare their leak detection. "
            "Exchange visit March 1, 2021 – March 5, 2021 — 12 people Ville de Dakar" in page
        )
        assert "Non-revenue water (%) 42 Jan. 1, 2020 25 31.5 June 30, 2022" in page
        assert "62% of the way from the baseline to the target." in page
        assert "Memorandum of understanding (download)" in page
        assert "Set the figures" not in page  # factories write no history
        assert "Added the agreement “Memorandum of understanding”" in page

    def test_downloads_an_uploaded_agreement(self, client, orgs):
        partnership = PartnershipFactory(members=[orgs["dakar"], orgs["lyon"]])
        agreement = services.agreement_add(
            actor=editor_of(orgs["dakar"]),
            partnership=partnership,
            title="MoU",
            document=SimpleUploadedFile("mou.pdf", b"%PDF-1.4 memorandum"),
        )

        response = client.get(f"/en/partnerships/{partnership.slug}/agreements/{agreement.pk}/")

        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 memorandum"
        assert "attachment" in response["Content-Disposition"]

    def test_a_declined_proposal_is_hidden_from_strangers(self, client):
        partnership = PartnershipFactory(status=Status.DECLINED)

        assert client.get(f"/en/partnerships/{partnership.slug}/").status_code == 404
        assert client.get("/en/partnerships/no-such-thing/").status_code == 404

    def test_shows_the_capacity_change_of_linked_assessments(self, client, orgs):
        partnership = PartnershipFactory(members=[orgs["dakar"], orgs["lyon"]])
        before = CapacityAssessmentFactory(
            organisation=orgs["dakar"], scores={"local-finance": 2}, assessed_on=dt.date(2020, 1, 1)
        )
        after = CapacityAssessmentFactory(
            organisation=orgs["dakar"], scores={"local-finance": 4}, assessed_on=dt.date(2023, 1, 1)
        )
        PartnershipAssessment.objects.create(
            partnership=partnership, assessment=before, kind="baseline"
        )
        PartnershipAssessment.objects.create(
            partnership=partnership, assessment=after, kind="follow_up"
        )

        page = plain(text(client.get(f"/en/partnerships/{partnership.slug}/")))

        assert "Ville de Dakar Local finance and revenue 2 4 +2" in page

    def test_runs_a_bounded_number_of_queries(self, client, orgs, django_assert_max_num_queries):
        partnership = PartnershipFactory(members=[orgs["dakar"], orgs["lyon"], orgs["accra"]])
        for _n in range(5):
            ActivityFactory(partnership=partnership, participants=[orgs["dakar"]])
            IndicatorFactory(result=ResultFactory(partnership=partnership))
        client.force_login(editor_of(orgs["lyon"]))

        with django_assert_max_num_queries(22):
            response = client.get(f"/en/partnerships/{partnership.slug}/")

        assert response.status_code == 200


# Proposing, answering, running and ending: the browser flow


class TestLifecycle:
    def test_propose_accept_run_and_end(self, client, orgs, lyon_editor, dakar_editor):
        # Given the editor of Lyon proposes a partnership to Dakar
        form = client.get(f"/en/partnerships/new/?with={orgs['dakar'].slug}")
        assert form.status_code == 302  # not signed in yet
        client.force_login(lyon_editor)
        form = text(client.get(f"/en/partnerships/new/?with={orgs['dakar'].slug}"))
        assert f'<option value="{orgs["dakar"].slug}" selected>Ville de Dakar</option>' in form
        partnership = propose(client, orgs, lyon_editor)
        assert partnership.status == Status.PROPOSED
        page = plain(text(client.get(partnership.get_absolute_url())))
        assert "Ville de Dakar Partner · Senegal (Global South) invited, waiting for an answer" in (
            page
        )
        assert [o.text for o in partnership.objectives.all()] == [
            "Halve non-revenue water",
            "Train twenty technicians",
        ]

        # When the editor of Dakar sees the invitation and accepts it
        client.force_login(dakar_editor)
        invitations = text(client.get("/en/partnerships/invitations/"))
        assert "Lyon–Dakar water utilities" in invitations
        assert "Ville de Dakar is invited as Partner." in plain(invitations)
        response = client.post(
            f"/en/partnerships/{partnership.slug}/answer/",
            {"organisation": orgs["dakar"].pk, "answer": "accept", "note": "Avec plaisir"},
        )

        # Then the partnership is active
        assert response.status_code == 302
        partnership.refresh_from_db()
        assert partnership.status == Status.ACTIVE
        assert "Lyon–Dakar" not in text(client.get("/en/partnerships/invitations/"))

        # And Dakar's editor runs it: an activity, a result with its indicator
        response = client.post(
            f"/en/partnerships/{partnership.slug}/activities/new/",
            {
                "kind": "study_tour",
                "title": "Study tour of Lyon's water utility",
                "start_date": "2024-05-06",
                "end_date": "2024-05-10",
                "city": "2996944",  # Lyon
                "participant_count": "8",
                "participants": [str(orgs["dakar"].pk)],
            },
        )
        assert response.status_code == 302, field_errors_of(response)
        objective = partnership.objectives.first()
        response = client.post(
            f"/en/partnerships/{partnership.slug}/results/new/",
            {
                "title": "Leak detection unit set up",
                "objective": str(objective.pk),
                "achieved_on": "2024-12-01",
                "indicator_name": "Non-revenue water",
                "unit": "%",
                "baseline": "40",
                "target": "20",
                "actual": "30",
            },
        )
        assert response.status_code == 302, field_errors_of(response)

        # And Lyon's editor ends it, with a reason
        client.force_login(lyon_editor)
        refused = client.post(
            f"/en/partnerships/{partnership.slug}/status/",
            {"status": "ended", "on": "2025-06-30", "reason": ""},
        )
        assert refused.status_code == 400
        assert field_error(text(refused), "reason") == "Say why the partnership ended."
        response = client.post(
            f"/en/partnerships/{partnership.slug}/status/",
            {"status": "ended", "on": "2025-06-30", "reason": "The project's funding ended."},
        )
        assert response.status_code == 302

        # Then the page shows everything, and every step is in the history
        page = plain(text(client.get(partnership.get_absolute_url())))
        assert "Study tour of Lyon's water utility Study tour May 6, 2024 – May 10, 2024 Lyon" in (
            page
        )
        assert "8 people" in page
        assert "Non-revenue water (%) 40 20 30 50% of the way from the baseline to the target." in (
            page
        )
        assert "Objective: Halve non-revenue water" in page
        assert "Why it ended: The project's funding ended." in page
        history = page.split("History", 1)[1]
        steps = [
            "Proposed the partnership between Métropole de Lyon, Ville de Dakar by Léa Lyon",
            "Accepted the invitation for Ville de Dakar by Moussa Dakar",
            "Avec plaisir",
            "Changed the status from Proposed to Active by Moussa Dakar",
            "Added the activity “Study tour of Lyon's water utility” by Moussa Dakar",
            "Recorded the result “Leak detection unit set up” by Moussa Dakar",
            "Set the figures of the indicator “Non-revenue water” (actual: 30) by Moussa Dakar",
            "Changed the status from Active to Ended as of June 30, 2025 by Léa Lyon",
            "The project's funding ended.",
        ]
        positions = [history.find(step) for step in steps]
        assert -1 not in positions, list(zip(steps, positions, strict=True))
        assert positions == sorted(positions)

    def test_recording_between_own_organisations_is_active_at_once(self, client, orgs):
        user = editor_of(orgs["lyon"], orgs["dakar"])

        partnership = propose(client, orgs, user, title="")

        assert partnership.title == "Métropole de Lyon – Ville de Dakar"
        assert partnership.status == Status.ACTIVE
        assert partnership.geography == "north_south"
        assert partnership.descriptions == {
            "fr": "Coopération sur l'eau potable.",
            "en": "Cooperation on drinking water.",
        }

    def test_a_third_organisation_makes_it_triangular(self, client, orgs, lyon_editor):
        partnership = propose(
            client,
            orgs,
            lyon_editor,
            role="facilitator",
            partner=orgs["accra"].slug,
            other=orgs["dakar"].slug,
            other_role="partner",
        )

        assert partnership.geography == "triangular"
        assert partnership.members.filter(accepted=False).count() == 2

    def test_decline(self, client, orgs, lyon_editor, dakar_editor):
        partnership = propose(client, orgs, lyon_editor)
        client.force_login(dakar_editor)

        response = client.post(
            f"/en/partnerships/{partnership.slug}/answer/",
            {"organisation": orgs["dakar"].pk, "answer": "decline", "note": "Not now"},
        )

        assert response.status_code == 302
        assert response["Location"] == "/en/partnerships/invitations/"
        partnership.refresh_from_db()
        assert partnership.status == Status.DECLINED
        assert client.get(partnership.get_absolute_url()).status_code == 404
        client.force_login(lyon_editor)
        history = plain(text(client.get(partnership.get_absolute_url()))).split("History", 1)[1]
        assert "Declined the invitation for Ville de Dakar by Moussa Dakar" in history
        assert "Changed the status from Proposed to Declined" in history

    def test_only_the_invited_side_may_answer(self, client, orgs, lyon_editor):
        partnership = propose(client, orgs, lyon_editor)

        page = text(client.get(partnership.get_absolute_url()))
        response = client.post(
            f"/en/partnerships/{partnership.slug}/answer/",
            {"organisation": orgs["dakar"].pk, "answer": "accept"},
        )

        assert "Accept for" not in page
        assert response.status_code == 403
        assert Partnership.objects.get(pk=partnership.pk).status == Status.PROPOSED

    def test_form_errors_are_shown_next_to_their_field(self, client, orgs, lyon_editor):
        client.force_login(lyon_editor)

        response = client.post(
            "/en/partnerships/new/",
            {
                "organisation": orgs["lyon"].slug,
                "role": "partner",
                "partner": orgs["lyon"].slug,
                "partner_role": "partner",
                "other_role": "facilitator",
                "modality": "c2c",
                "original_language": "en",
            },
        )

        assert response.status_code == 400
        assert field_error(text(response), "partner") == (
            "Choose another organisation than your own."
        )

    def test_a_service_refusal_comes_back_on_the_form(self, client, orgs, lyon_editor):
        client.force_login(lyon_editor)

        response = client.post(
            "/en/partnerships/new/",
            {
                "organisation": orgs["lyon"].slug,
                "role": "partner",
                "partner": orgs["dakar"].slug,
                "partner_role": "partner",
                "other_role": "facilitator",
                "modality": "c2c",
                "original_language": "fr",
                "description_en": "Only a translation.",
            },
        )

        assert response.status_code == 400
        assert field_error(text(response), "original_language").startswith(
            "Give the description in its original language"
        )

    def test_edit_and_add_an_objective_and_an_agreement(self, client, orgs, lyon_editor):
        partnership = PartnershipFactory(members=[orgs["lyon"], orgs["dakar"]])
        client.force_login(lyon_editor)

        form = text(client.get(f"/en/partnerships/{partnership.slug}/edit/"))
        edited = client.post(
            f"/en/partnerships/{partnership.slug}/edit/",
            {
                "title": "Renamed",
                "modality": "twinning",
                "original_language": "en",
                "description": "New words.",
            },
        )
        objective = client.post(
            f"/en/partnerships/{partnership.slug}/objectives/new/", {"text": "Plant trees"}
        )
        agreement = client.post(
            f"/en/partnerships/{partnership.slug}/agreements/new/",
            {"title": "MoU", "url": "https://example.org/mou.pdf", "signed_on": "2024-02-01"},
        )
        no_link = client.post(
            f"/en/partnerships/{partnership.slug}/agreements/new/", {"title": "MoU 2"}
        )

        assert f'value="{partnership.title}"' in form
        assert (edited.status_code, objective.status_code, agreement.status_code) == (302,) * 3
        assert no_link.status_code == 400
        assert field_error(text(no_link), "url") == "Give a link to the agreement or upload it."
        page = plain(text(client.get(partnership.get_absolute_url())))
        assert "Renamed" in page and "New words." in page and "Plant trees" in page
        assert "MoU (link) · signed on Feb. 1, 2024" in page
        assert "Edited the details: title, modality" in page

    def test_update_an_indicator(self, client, orgs, lyon_editor):
        partnership = PartnershipFactory(members=[orgs["lyon"], orgs["dakar"]])
        indicator = IndicatorFactory(result=ResultFactory(partnership=partnership))
        client.force_login(lyon_editor)
        url = f"/en/partnerships/{partnership.slug}/results/{indicator.result_id}/indicators/"

        form = text(client.get(f"{url}{indicator.pk}/"))
        response = client.post(
            f"{url}{indicator.pk}/",
            {
                "name": "Non-revenue water",
                "unit": "%",
                "baseline": "42",
                "target": "25",
                "actual": "20",
            },
        )

        assert 'value="31.50"' in form
        assert response.status_code == 302
        indicator.refresh_from_db()
        assert str(indicator.actual) == "20.00"
        assert "Target reached" in text(client.get(partnership.get_absolute_url()))

    def test_link_an_assessment(self, client, orgs, lyon_editor):
        partnership = PartnershipFactory(members=[orgs["lyon"], orgs["dakar"]])
        assessment = CapacityAssessmentFactory(organisation=orgs["dakar"])
        CapacityAssessmentFactory(organisation=orgs["accra"])  # not a member: not offered
        client.force_login(lyon_editor)

        form = text(client.get(f"/en/partnerships/{partnership.slug}/capacity/"))
        response = client.post(
            f"/en/partnerships/{partnership.slug}/capacity/",
            {"assessment": assessment.pk, "kind": "baseline"},
        )

        assert "Accra" not in form
        assert response.status_code == 302
        assert partnership.assessment_links.get().kind == "baseline"

    def test_add_a_member_invites_it(self, client, orgs, lyon_editor):
        partnership = PartnershipFactory(members=[orgs["lyon"], orgs["dakar"]])
        client.force_login(lyon_editor)

        response = client.post(
            f"/en/partnerships/{partnership.slug}/members/new/",
            {"member": orgs["network"].slug, "role": "funder"},
        )

        assert response.status_code == 302
        member = partnership.members.get(organisation=orgs["network"])
        assert (member.role, member.accepted) == ("funder", False)

        # The network's editor finds the invitation on the page and accepts it
        client.force_login(editor_of(orgs["network"]))
        page = text(client.get(partnership.get_absolute_url()))
        assert "Accept for Water Cities Network" in page
        assert "Water Cities Network" in text(client.get("/en/partnerships/invitations/"))
        client.post(
            f"/en/partnerships/{partnership.slug}/answer/",
            {"organisation": orgs["network"].pk, "answer": "accept"},
        )
        member.refresh_from_db()
        assert member.accepted
        history = plain(text(client.get(partnership.get_absolute_url()))).split("History", 1)[1]
        assert "Invited Water Cities Network as Funder" in history
        assert "Accepted the invitation for Water Cities Network" in history


class TestPermissions:
    @pytest.mark.parametrize(
        "path",
        [
            "new/",
            "invitations/",
            "{slug}/edit/",
            "{slug}/status/",
            "{slug}/activities/new/",
            "{slug}/results/new/",
            "{slug}/agreements/new/",
        ],
    )
    def test_anonymous_readers_are_sent_to_log_in(self, client, path):
        partnership = PartnershipFactory()

        response = client.get("/en/partnerships/" + path.format(slug=partnership.slug))

        assert response.status_code == 302
        assert response["Location"].startswith("/en/accounts/log-in/?next=")

    @pytest.mark.parametrize(
        "path", ["edit/", "status/", "activities/new/", "results/new/", "objectives/new/"]
    )
    def test_a_stranger_is_refused(self, client, path):
        partnership = PartnershipFactory()
        client.force_login(UserFactory())

        assert client.get(f"/en/partnerships/{partnership.slug}/{path}").status_code == 403
        response = client.post(
            f"/en/partnerships/{partnership.slug}/status/",
            {"status": "ended", "reason": "I say so"},
        )
        assert response.status_code == 403
        assert Partnership.objects.get(pk=partnership.pk).status == Status.ACTIVE

    def test_the_page_offers_actions_only_to_members_editors(self, client, orgs, lyon_editor):
        partnership = PartnershipFactory(members=[orgs["lyon"], orgs["dakar"]])
        path = partnership.get_absolute_url()

        anonymous = text(client.get(path))
        client.force_login(UserFactory())
        stranger = text(client.get(path))
        client.force_login(lyon_editor)
        editor = text(client.get(path))

        assert f"{path}edit/" not in anonymous
        assert f"{path}edit/" not in stranger
        assert f"{path}edit/" in editor
        assert f"{path}status/" in editor


# Capacity self-assessments


class TestCapacity:
    def test_an_editor_records_a_self_assessment(self, client, orgs):
        client.force_login(editor_of(orgs["dakar"]))
        url = f"/en/partnerships/capacity/{orgs['dakar'].slug}/"

        form = text(client.get(url))
        response = client.post(
            url,
            {
                "assessed_on": "2024-03-01",
                "level_local-finance": "3",
                "evidence_local-finance": "Budget manual adopted in 2023.",
                "level_participation": "2",
            },
        )

        assert "3 — Established: written procedures, applied" in form
        assert "Services to members" not in form  # a municipality, not an association
        assert response.status_code == 302
        assessment = CapacityAssessment.objects.get(organisation=orgs["dakar"])
        assert {s.dimension.slug: s.level for s in assessment.scores.all()} == {
            "local-finance": 3,
            "participation": 2,
        }
        page = plain(text(client.get(url)))
        assert "Local finance and revenue 3" in page
        assert "Budget manual adopted in 2023." in page

    def test_associations_assess_their_own_dimensions_and_levels_read_in_french(self, client, orgs):
        client.force_login(editor_of(orgs["network"]))

        with translation.override("fr"):
            form = text(client.get(f"/fr/partnerships/capacity/{orgs['network'].slug}/"))

        assert "Services aux membres" in form
        assert "3 — Établie : procédures écrites et appliquées" in form

    def test_nothing_scored_is_refused_and_strangers_cannot_assess(self, client, orgs):
        url = f"/en/partnerships/capacity/{orgs['dakar'].slug}/"
        client.force_login(editor_of(orgs["dakar"]))
        empty = client.post(url, {"assessed_on": "2024-03-01"})
        client.force_login(UserFactory())
        stranger_page = text(client.get(url))
        stranger = client.post(url, {"assessed_on": "2024-03-01", "level_local-finance": "3"})
        client.logout()
        anonymous = client.post(url, {"assessed_on": "2024-03-01", "level_local-finance": "3"})

        assert empty.status_code == 400
        assert "Score at least one dimension." in text(empty)
        assert "Record a self-assessment" not in stranger_page
        assert stranger.status_code == 403
        assert anonymous.status_code == 302
        assert not CapacityAssessment.objects.exists()


# The organisation page and the lookups


class TestOrganisationPage:
    def test_lists_its_partnerships_with_a_link_to_propose_one(self, client, registry, orgs):
        response = client.get(orgs["dakar"].get_absolute_url())

        page = text(response)
        section = plain(page).split("Partnerships", 2)[2]
        assert "Lyon and Dakar water North–South · Active · City-to-city cooperation · Partner" in (
            section
        )
        assert "Sahel triangle" in section
        assert "Lyon Leipzig" not in section
        assert f"/en/partnerships/new/?with={orgs['dakar'].slug}" in page
        assert f"/en/partnerships/capacity/{orgs['dakar'].slug}/" in page

    def test_links_to_all_when_there_are_many(self, client, orgs):
        for n in range(21):
            PartnershipFactory(title=f"Pair {n:02d}", members=[orgs["lyon"], OrganisationFactory()])

        page = text(client.get(orgs["lyon"].get_absolute_url()))

        assert page.count('class="tag geo geo-') == 20
        assert f"/en/partnerships/?organisation={orgs['lyon'].slug}" in page


def test_the_organisation_lookup_fills_the_partner_list(client, orgs):
    response = client.get("/en/partnerships/lookup/partner/", {"partner_search": "dakar"})

    page = text(response)
    assert 'id="field-partner"' in page
    assert (
        f'<option value="{orgs["dakar"].slug}" selected>Ville de Dakar (Senegal)</option>' in page
    )
    assert client.get("/en/partnerships/lookup/password/").status_code == 404


def test_the_city_lookup_fills_the_activity_place(client):
    page = text(client.get("/en/partnerships/lookup/city/", {"city_search": "lyon"}))

    assert 'id="field-city"' in page
    assert '<option value="2996944" selected>Lyon' in page
