"""The practice pages over HTTP: list, filters and facets, a practice in the reader's language,
hostile text, the editorial workflow, translations, revisions, SDG suggestions and transfers."""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.utils import translation

from citypeers.accounts.models import OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    country,
    theme,
)
from citypeers.knowledge.models import Practice, Revision, SdgSuggestion, Status
from citypeers.knowledge.tests.factories import (
    AdoptionReportFactory,
    PracticeFactory,
    PracticeTextFactory,
    SdgSuggestionFactory,
    sdg,
)

pytestmark = pytest.mark.django_db

Role = OrganisationRole.Role


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def text(response) -> str:
    return response.content.decode()


def titles(response) -> list[str]:
    return [
        unescape(t)
        for t in re.findall(
            r'<h3><a href="/[a-z]{2}/practices/[^"]+/"[^>]*>([^<]+)</a>', text(response)
        )
    ]


class _Elements(HTMLParser):
    """Every element of a page with its attributes (escaped text is not an element)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.found.append((tag, attrs))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def json_ld(page: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Ville de Dakar", slug="ville-de-dakar", country=country("SEN"))


@pytest.fixture
def editor(organisation):
    return OrganisationRoleFactory(organisation=organisation, role=Role.EDITOR).user


def practice_form(**changes) -> dict:
    data = {
        "language": "en",
        "title": "Participatory budgeting in the districts",
        "summary": "Residents choose **a tenth** of the investment budget.",
        "context": "Low trust in the council.",
        "objectives": "",
        "results": "- 40 projects\n- 12,000 voters",
        "challenges": "",
        "lessons": "Start small.",
        "owner": "",
        "period_start": "2019-01-01",
        "period_end": "",
        "country": "SEN",
        "city_search": "",
        "city": "",
        "themes": ["governance-participation"],
        "sdgs": ["11", "16"],
        "organisations": "",
    }
    data.update(changes)
    return data


class TestList:
    def test_lists_published_practices_only(self, client):
        PracticeFactory(title="Open data portal")
        PracticeFactory(title="Secret draft", status=Status.DRAFT)

        response = client.get("/en/practices/")

        assert response.status_code == 200
        assert titles(response) == ["Open data portal"]
        assert '<a href="/en/practices/" aria-current="page">Practices</a>' in text(response)

    def test_filters_by_theme_sdg_country_and_language(self, client):
        water = PracticeFactory(
            title="Water kiosks", country=country("SEN"), themes=[theme("water-sanitation")]
        )
        water.sdgs.set([sdg(6)])
        PracticeFactory(title="Bus lanes", country=country("FRA"), themes=[theme("mobility")])
        spanish = PracticeFactory(title="Presupuesto participativo", language="es")

        assert titles(client.get("/en/practices/?theme=water-sanitation")) == ["Water kiosks"]
        assert titles(client.get("/en/practices/?sdg=6")) == ["Water kiosks"]
        assert titles(client.get("/en/practices/?country=FRA")) == ["Bus lanes"]
        assert titles(client.get("/en/practices/?south=south")) == ["Water kiosks"]
        assert titles(client.get("/en/practices/?language=es")) == [spanish.texts.get().title]
        assert titles(client.get("/en/practices/?q=kiosks")) == ["Water kiosks"]

    def test_facets_count_and_link_to_a_filter(self, client):
        for n in range(3):
            PracticeFactory(title=f"Waste {n}", themes=[theme("waste")], country=country("SEN"))
        PracticeFactory(title="Bus lanes", themes=[theme("mobility")], country=country("FRA"))

        page = text(client.get("/en/practices/"))

        waste = re.search(r'<a href="(\?theme=waste)"[^>]*data-facet="theme"[^>]*>(.*?)</a>', page)
        assert waste, page
        assert re.search(r'<span class="n">3</span>', waste.group(2))
        senegal = re.search(r'href="\?country=SEN"[^>]*>.*?<span class="n">(\d+)</span>', page)
        assert senegal and senegal.group(1) == "3"
        # Following the facet keeps the other filters and marks the chosen value.
        filtered = text(client.get("/en/practices/?country=SEN&theme=waste"))
        assert 'data-facet="theme" data-value="waste" aria-current="true"' in filtered
        assert "4 practices" not in filtered and "3 practices" in filtered

    def test_htmx_gets_the_results_fragment_and_a_shareable_url(self, client):
        PracticeFactory(title="Water kiosks", themes=[theme("water-sanitation")])

        response = client.get("/en/practices/?theme=water-sanitation&q=", HTTP_HX_REQUEST="true")

        assert "<html" not in text(response)
        assert titles(response) == ["Water kiosks"]
        assert response["HX-Push-Url"] == "/en/practices/?theme=water-sanitation"

    def test_shows_the_reader_language_else_the_original_marked(self, client):
        both = PracticeFactory(title="Street lighting", language="en")
        PracticeTextFactory(practice=both, language="fr", title="Éclairage public")
        PracticeFactory(title="Huertos urbanos", language="es")

        page = text(client.get("/fr/practices/"))

        assert "Éclairage public" in unescape(page)
        assert "Street lighting" not in page
        assert re.search(r'lang="es">Huertos urbanos</a> <span class="tag lang"', page)

    def test_paginates_by_twenty_with_a_bounded_number_of_queries(
        self, client, django_assert_max_num_queries
    ):
        for n in range(30):
            p = PracticeFactory(
                title=f"Practice number {n}",
                country=country("SEN" if n % 2 else "FRA"),
                themes=[theme("waste"), theme("mobility")],
                owner=OrganisationFactory(),
            )
            p.sdgs.set([sdg(11), sdg(6)])
            PracticeTextFactory(practice=p, language="fr")
        client.force_login(UserFactory())

        with django_assert_max_num_queries(20) as first:
            response = client.get("/en/practices/")
        with django_assert_max_num_queries(len(first.captured_queries)):
            client.get("/en/practices/?page=2&theme=waste", HTTP_HX_REQUEST="true")

        assert len(titles(response)) == 20
        assert "Page 1 of 2" in text(response)


class TestDetail:
    def test_shows_the_structured_template_from_markdown(self, client):
        practice = PracticeFactory(
            title="Participatory budgeting",
            texts={"summary": "Residents **decide**.", "lessons": "- start small\n- publish"},
            country=country("SEN"),
        )

        page = text(client.get(f"/en/practices/{practice.slug}/"))

        assert "<h1>Participatory budgeting</h1>" in page
        assert "Residents <strong>decide</strong>." in page
        assert "Lessons learned</h2>" in page
        assert "<li>start small</li>" in page
        assert "Written in English, its original language." in page
        data = json_ld(page)
        assert data["@type"] == "Article"
        assert data["name"] == "Participatory budgeting"
        assert data["inLanguage"] == "en"
        assert data["spatialCoverage"]["name"] == "Senegal"

    def test_shows_the_original_with_a_note_when_no_translation(self, client):
        practice = PracticeFactory(title="Huertos urbanos", language="es")

        page = text(client.get(f"/en/practices/{practice.slug}/"))

        assert "<h1>Huertos urbanos</h1>" in page
        assert (
            "Shown in Spanish, its original language: no translation into your language yet."
            in page
        )

    def test_shows_the_human_translation_in_the_reader_language(self, client):
        practice = PracticeFactory(title="Huertos urbanos", language="es")
        PracticeTextFactory(practice=practice, language="en", title="Urban gardens")

        page = text(client.get(f"/en/practices/{practice.slug}/"))
        original = text(client.get(f"/en/practices/{practice.slug}/?lang=es"))

        assert "<h1>Urban gardens</h1>" in page
        assert "Translated by a person from Spanish." in page
        assert 'href="?lang=es"' in page
        assert "<h1>Huertos urbanos</h1>" in original
        assert "Shown in Spanish, its original language." in original
        assert json_ld(page)["inLanguage"] == "en"

    def test_hostile_text_never_runs(self, client):
        practice = PracticeFactory(
            title="<script>alert(1)</script>",
            texts={
                "summary": "<img src=x onerror=alert(1)> and [x](javascript:alert(1))",
                "context": '<a href="javascript:alert(2)">click</a>',
                "lessons": "<script>alert(3)</script>\n\n<SCRIPT>alert(4)</SCRIPT>",
                "results": "[y](JaVaScRiPt:alert(5)) </script><script>alert(6)</script>",
            },
        )
        practice.resources.create(title="<script>alert(7)</script>", url="https://example.org/")

        page = text(client.get(f"/en/practices/{practice.slug}/"))
        listing = text(client.get("/en/practices/"))

        for html in (page, listing):
            for tag, attrs in elements(html):
                if tag == "script":
                    # Only the platform's own scripts and the JSON-LD data block.
                    assert attrs in ([("type", "application/ld+json")],) or (
                        dict(attrs).get("src", "").startswith("/static/")
                    ), attrs
                for name, value in attrs:
                    assert not name.startswith("on"), (tag, attrs)
                    assert "javascript:" not in (value or "").lower().replace(" ", ""), attrs
            # What the author typed stays visible, as inert text.
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        # The JSON-LD block cannot be closed by the title it carries.
        data = re.search(r'ld\+json">(.*?)</script>', page, re.S)
        assert data and "<" not in data.group(1)
        assert json_ld(page)["name"] == "<script>alert(1)</script>"

    def test_drafts_are_not_found_for_strangers(self, client, editor, organisation):
        draft = PracticeFactory(status=Status.DRAFT, owner=organisation)

        assert client.get(f"/en/practices/{draft.slug}/").status_code == 404
        client.force_login(UserFactory())
        assert client.get(f"/en/practices/{draft.slug}/").status_code == 404
        client.force_login(editor)
        page = text(client.get(f"/en/practices/{draft.slug}/"))
        assert 'data-status="draft"' in page
        assert "Submit for review" in page

    def test_an_unknown_practice_is_not_found(self, client):
        assert client.get("/en/practices/nothing-here/").status_code == 404


class TestWorkflow:
    def test_write_submit_publish_translate_and_read_in_french(self, client, editor, organisation):
        client.force_login(editor)

        # Write
        response = client.post(
            "/en/practices/new/", practice_form(owner=organisation.slug, city_search="")
        )
        practice = Practice.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/en/practices/{practice.slug}/"
        assert practice.status == Status.DRAFT
        assert practice.owner == organisation
        assert practice.country.iso3 == "SEN"
        assert {s.number for s in practice.sdgs.all()} == {11, 16}
        # Submit, then publish as the organisation's editor (the default setting)
        client.post(f"/en/practices/{practice.slug}/status/", {"status": "submitted"})
        practice.refresh_from_db()
        assert practice.status == Status.SUBMITTED
        queue = text(client.get("/en/practices/review/"))
        assert "Participatory budgeting in the districts" in queue
        client.post(f"/en/practices/{practice.slug}/status/", {"status": "published"})
        practice.refresh_from_db()
        assert practice.status == Status.PUBLISHED
        # Translate
        form = text(client.get(f"/en/practices/{practice.slug}/translate/?lang=fr"))
        assert "Residents choose **a tenth** of the investment budget." in form
        response = client.post(
            f"/en/practices/{practice.slug}/translate/",
            {
                "language": "fr",
                "title": "Budget participatif dans les quartiers",
                "summary": "Les habitants choisissent.",
            },
        )
        assert response.status_code == 302
        client.logout()

        with translation.override("fr"):
            page = text(client.get(f"/fr/practices/{practice.slug}/"))
            listing = text(client.get("/fr/practices/"))
        assert "<h1>Budget participatif dans les quartiers</h1>" in page
        assert 'data-language="fr"' in page
        assert "Budget participatif dans les quartiers" in listing

    def test_publishing_is_refused_with_403_to_those_not_allowed(self, client, organisation):
        author = UserFactory()
        practice = PracticeFactory(status=Status.SUBMITTED, created_by=author)
        client.force_login(author)

        response = client.post(f"/en/practices/{practice.slug}/status/", {"status": "published"})

        assert response.status_code == 403
        practice.refresh_from_db()
        assert practice.status == Status.SUBMITTED
        assert "Publish" not in text(client.get(f"/en/practices/{practice.slug}/"))

    def test_a_stranger_cannot_change_a_published_practice(self, client):
        practice = PracticeFactory()
        client.force_login(UserFactory())

        response = client.post(f"/en/practices/{practice.slug}/status/", {"status": "archived"})

        assert response.status_code == 403
        assert client.get(f"/en/practices/{practice.slug}/edit/").status_code == 403
        assert client.get(f"/en/practices/{practice.slug}/revisions/").status_code == 403

    def test_a_stranger_cannot_publish_a_draft_they_cannot_see(self, client, organisation):
        practice = PracticeFactory(status=Status.SUBMITTED, owner=organisation)
        client.force_login(UserFactory())

        response = client.post(f"/en/practices/{practice.slug}/status/", {"status": "published"})

        assert response.status_code == 404
        assert text(client.get("/en/practices/review/")).count("<h3>") == 0

    def test_the_form_shows_a_service_error_next_to_its_field(self, client, editor):
        client.force_login(editor)

        response = client.post(
            "/en/practices/new/", practice_form(period_start="2020-01-01", period_end="2019-01-01")
        )

        assert response.status_code == 400
        assert "The period cannot end before it starts." in text(response)
        assert not Practice.objects.exists()

    def test_writing_needs_a_signed_in_person(self, client):
        response = client.get("/en/practices/new/")

        assert response.status_code == 302
        assert "/log-in/" in response["Location"]


class TestRevisions:
    def test_compare_and_restore(self, client, editor, organisation):
        practice = PracticeFactory(
            owner=organisation, title="Water kiosks", texts={"lessons": "Start small."}
        )
        client.force_login(editor)
        data = practice_form(
            title="Water kiosks", lessons="Start with <b>two</b> districts.", note="Sharper"
        )
        data.pop("language")
        assert client.post(f"/en/practices/{practice.slug}/edit/", data).status_code == 302
        assert Revision.objects.filter(practice=practice).count() == 2

        page = text(client.get(f"/en/practices/{practice.slug}/revisions/?lang=en&a=1&b=2"))
        assert "Changes from revision 1 to revision 2" in page
        assert '<span class="diff-removed">-Start small.</span>' in page
        assert (
            '<span class="diff-added">+Start with &lt;b&gt;two&lt;/b&gt; districts.</span>' in page
        )

        response = client.post(f"/en/practices/{practice.slug}/revisions/en/1/restore/")
        assert response.status_code == 302
        practice.refresh_from_db()
        assert practice.original_text.lessons == "Start small."
        assert Revision.objects.filter(practice=practice).count() == 3


class TestSdgSuggestions:
    def test_editor_accepts_and_rejects(self, client, editor, organisation):
        practice = PracticeFactory(owner=organisation)
        accepted = SdgSuggestionFactory(practice=practice, sdg=sdg(6), score=0.8)
        rejected = SdgSuggestionFactory(practice=practice, sdg=sdg(13), score=0.4)
        assert "Suggested goals" not in text(client.get(f"/en/practices/{practice.slug}/"))
        client.force_login(editor)
        assert "Suggested goals" in text(client.get(f"/en/practices/{practice.slug}/"))

        url = f"/en/practices/{practice.slug}/sdgs/"
        client.post(url, {"suggestion": accepted.pk, "decision": "accept"})
        client.post(url, {"suggestion": rejected.pk, "decision": "reject"})

        accepted.refresh_from_db()
        rejected.refresh_from_db()
        assert accepted.state == SdgSuggestion.State.ACCEPTED
        assert rejected.state == SdgSuggestion.State.REJECTED
        assert [s.number for s in practice.sdgs.all()] == [6]

    def test_a_stranger_cannot_decide(self, client):
        suggestion = SdgSuggestionFactory()
        client.force_login(UserFactory())

        response = client.post(
            f"/en/practices/{suggestion.practice.slug}/sdgs/",
            {"suggestion": suggestion.pk, "decision": "accept"},
        )

        assert response.status_code == 403


class TestTransfers:
    def test_adapt_makes_a_draft_adapted_from_the_source(self, client, editor, organisation):
        source = PracticeFactory(title="Water kiosks", themes=[theme("water-sanitation")])
        client.force_login(editor)

        response = client.post(
            f"/en/practices/{source.slug}/adapt/", {"organisation": organisation.slug}
        )

        adapted = Practice.objects.exclude(pk=source.pk).get()
        assert response.status_code == 302
        assert response["Location"] == f"/en/practices/{adapted.slug}/edit/"
        assert adapted.adapted_from == source
        assert adapted.status == Status.DRAFT
        assert adapted.owner == organisation
        page = text(client.get(f"/en/practices/{adapted.slug}/"))
        assert f'href="/en/practices/{source.slug}/" class="adapted-from"' in page

    def test_adapt_is_refused_for_an_organisation_one_does_not_edit_for(self, client):
        source = PracticeFactory()
        other = OrganisationFactory()
        client.force_login(UserFactory())

        response = client.post(f"/en/practices/{source.slug}/adapt/", {"organisation": other.slug})

        assert response.status_code == 400
        assert Practice.objects.count() == 1

    def test_an_adoption_report_is_shown_on_the_practice_page(self, client, editor, organisation):
        practice = PracticeFactory(title="Water kiosks")
        client.force_login(editor)

        response = client.post(
            f"/en/practices/{practice.slug}/adoptions/new/",
            {
                "organisation": organisation.slug,
                "adopted_on": "2023-05-01",
                "what_changed": "Solar pumps instead of grid power.",
                "outcome": "Six kiosks running.",
            },
        )

        assert response.status_code == 302
        page = text(client.get(f"/en/practices/{practice.slug}/"))
        assert "Ville de Dakar" in page
        assert "Solar pumps instead of grid power." in page
        assert "May 2023" in page

    def test_resources_are_added_by_editors(self, client, editor, organisation):
        practice = PracticeFactory(owner=organisation)
        client.force_login(editor)

        response = client.post(
            f"/en/practices/{practice.slug}/resources/new/",
            {"title": "Final report", "url": "https://example.org/report.pdf"},
        )

        assert response.status_code == 302
        page = text(client.get(f"/en/practices/{practice.slug}/"))
        assert 'href="https://example.org/report.pdf"' in page

    def test_the_organisation_page_lists_its_practices(self, client, organisation):
        PracticeFactory(title="Water kiosks", owner=organisation)
        PracticeFactory(title="Hidden draft", owner=organisation, status=Status.DRAFT)
        AdoptionReportFactory()

        page = text(client.get(f"/en/directory/{organisation.slug}/"))

        assert "Water kiosks" in page
        assert "Hidden draft" not in page
