"""The knowledge base API over HTTP: reads in the reader's language, writes through the services
with their permission outcomes (401 anonymous, 403 strangers, 404 drafts for those who may not
see them), the workflow, translations, revisions, SDG suggestions, transfers, a hostile practice,
and the query count of the list."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from citypeers.accounts.models import OrganisationRole
from citypeers.accounts.services import api_token_create
from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    theme,
)
from citypeers.knowledge import services
from citypeers.knowledge.models import (
    MAX_TEXT,
    AdoptionReport,
    Practice,
    Revision,
    SdgSuggestion,
    Status,
)
from citypeers.knowledge.tests.factories import (
    PracticeFactory,
    PracticeTextFactory,
    SdgSuggestionFactory,
    sdg,
)

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
LYON = 2996944


@pytest.fixture(autouse=True)
def no_followups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave the after-commit callbacks (the encoder) out of API tests."""
    monkeypatch.setattr(services, "AFTER_TEXT_SAVED", [])


def problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert body["status"] == status and body["detail"]
    if field is not None:
        fields = {body.get("field")} | {e["field"] for e in body.get("errors", [])}
        assert any(f and f.split(".")[-1] == field for f in fields), body
    return body


class Elements(HTMLParser):
    """The tags and attributes a browser would build from an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += [(name.lower(), (value or "").strip()) for name, value in attrs]


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
def organisation() -> Any:
    return OrganisationFactory(name="Lyon Water Solidarity")


@pytest.fixture
def moderator() -> Any:
    return UserFactory(is_staff=True)


NEW = {
    "language": "en",
    "title": "Water kiosks run by women's groups",
    "summary": "Kiosks **sell** clean water.",
    "lessons": "Start small.",
    "themes": ["water-sanitation"],
    "sdgs": [6, 5],
    "country": "FRA",
    "city": LYON,
    "period_start": "2019-01-01",
    "period_end": "2021-12-31",
}


# --- reads -----------------------------------------------------------------------------------


class TestRead:
    def test_list_shows_published_practices_in_the_asked_language(self, client):
        practice = PracticeFactory(
            title="Water kiosks",
            texts={"summary": "Clean water"},
            themes=[theme("water-sanitation")],
        )
        PracticeTextFactory(practice=practice, language="fr", title="Kiosques à eau")
        PracticeFactory(status=Status.DRAFT, title="Secret draft")

        body = client.get("/api/v1/practices?lang=fr").json()

        assert body["count"] == 1
        item = body["items"][0]
        assert item["title"] == "Kiosques à eau"
        assert item["language"] == "fr"
        assert item["original_language"] == "en"
        assert sorted(item["languages"]) == ["en", "fr"]
        assert item["themes"] == ["water-sanitation"]
        assert item["url"] == practice.get_absolute_url()
        english = client.get("/api/v1/practices?lang=es").json()["items"][0]
        assert (english["title"], english["language"]) == ("Water kiosks", "en")

    def test_list_filters(self, client):
        PracticeFactory(title="On water", themes=[theme("water-sanitation")], sdgs=[sdg(6)])
        PracticeFactory(title="On something else")
        assert client.get("/api/v1/practices?theme=water-sanitation").json()["count"] == 1
        assert client.get("/api/v1/practices?sdg=6").json()["count"] == 1
        assert client.get("/api/v1/practices?q=water").json()["count"] == 1

    def test_list_query_count_is_bounded(self, client, django_assert_max_num_queries):
        for n in range(30):
            practice = PracticeFactory(
                title=f"Practice {n}", themes=[theme("water-sanitation")], sdgs=[sdg(6)]
            )
            PracticeTextFactory(practice=practice, language="fr")
        with django_assert_max_num_queries(8):
            body = client.get("/api/v1/practices?limit=30").json()
        assert len(body["items"]) == 30

    def test_detail_has_every_text_with_html(self, client):
        practice = PracticeFactory(texts={"lessons": "Start **small**."})
        PracticeTextFactory(practice=practice, language="es", title="Quioscos", lessons="Empezar")
        body = client.get(f"/api/v1/practices/{practice.pk}").json()
        texts = {t["language"]: t for t in body["texts"]}
        assert texts["en"]["is_original"] and not texts["es"]["is_original"]
        assert texts["en"]["html"]["lessons"] == "<p>Start <strong>small</strong>.</p>\n"
        assert texts["es"]["lessons"] == "Empezar"

    def test_drafts_are_404_to_those_who_may_not_see_them(self, client):
        author = UserFactory()
        draft = PracticeFactory(status=Status.DRAFT, created_by=author)
        url = f"/api/v1/practices/{draft.pk}"
        problem(client.get(url), 404)
        problem(client.get(url, headers=bearer(UserFactory())), 404)
        assert client.get(url, headers=bearer(author)).status_code == 200
        problem(client.get(f"{url}/revisions"), 404)
        problem(client.get(f"{url}/sdg-suggestions"), 404)

    def test_facets(self, client):
        PracticeFactory(themes=[theme("water-sanitation")], sdgs=[sdg(6)])
        PracticeFactory(themes=[theme("water-sanitation")])
        body = client.get("/api/v1/practices/facets").json()
        assert {"value": "water-sanitation", "count": 2} in body["theme"]
        assert body["sdg"] == [{"value": "6", "count": 1}]
        assert {"value": "en", "count": 2} in body["language"]


# --- writes ----------------------------------------------------------------------------------


class TestWrite:
    def test_anonymous_writes_are_401(self, client):
        practice = PracticeFactory()
        problem(send(client, "post", "/api/v1/practices", NEW), 401)
        problem(send(client, "patch", f"/api/v1/practices/{practice.pk}", {"title": "x"}), 401)
        problem(
            send(client, "post", f"/api/v1/practices/{practice.pk}/status", {"status": "archived"}),
            401,
        )
        assert Practice.objects.count() == 1

    def test_create_then_read(self, client, organisation):
        user = editor_of(organisation)
        partner = OrganisationFactory()
        payload = {
            **NEW,
            "owner": organisation.pk,
            "organisations": [{"id": partner.pk, "role": "partner"}],
            "external_id": "wk-1",
        }
        response = send(client, "post", "/api/v1/practices", payload, **bearer(user))
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "draft"
        assert body["title"] == NEW["title"]
        assert body["sdgs"] == [5, 6]
        assert body["country"] == "FRA" and body["city"]["geonameid"] == LYON
        assert body["owner"]["id"] == organisation.pk
        assert body["organisations"] == [
            {
                "organisation": {"id": partner.pk, "slug": partner.slug, "name": partner.name},
                "role": "partner",
            }
        ]
        assert body["external_id"] == "wk-1"
        assert (
            body["texts"][0]["html"]["summary"]
            == "<p>Kiosks <strong>sell</strong> clean water.</p>\n"
        )

        # the draft is the author's: strangers and anonymous readers get 404
        problem(client.get(f"/api/v1/practices/{body['id']}"), 404)
        again = send(client, "post", "/api/v1/practices", payload, **bearer(user))
        problem(again, 409, "external_id")

    def test_unknown_references_are_400_naming_the_field(self, client):
        user = UserFactory()
        for key, value in (("themes", ["no-such-theme"]), ("country", "XXX"), ("sdgs", [18])):
            response = send(
                client, "post", "/api/v1/practices", {**NEW, key: value}, **bearer(user)
            )
            problem(response, 400, key)
        problem(
            send(client, "post", "/api/v1/practices", {**NEW, "owner": 999999}, **bearer(user)),
            400,
            "owner",
        )
        problem(send(client, "post", "/api/v1/practices", {"language": "en"}, **bearer(user)), 422)
        assert not Practice.objects.exists()

    def test_oversized_field_is_400_naming_it(self, client):
        user = UserFactory()
        response = send(
            client,
            "post",
            "/api/v1/practices",
            {**NEW, "context": "x" * (MAX_TEXT + 1)},
            **bearer(user),
        )
        problem(response, 400, "context")
        response = send(
            client, "post", "/api/v1/practices", {**NEW, "title": "t" * 251}, **bearer(user)
        )
        problem(response, 400, "title")
        assert not Practice.objects.exists()

    def test_hostile_practice_is_stored_as_text_and_rendered_harmless(self, client):
        user = UserFactory()
        hostile = {
            **NEW,
            "title": "<script>alert(1)</script>",
            "summary": "<script>alert('x')</script> **bold**",
            "context": '<img src=x onerror="alert(1)"> <a href="#" onclick="steal()">hi</a>',
            "objectives": "[click](javascript:alert(1)) and [ok](https://example.org)",
            "results": '<svg onload="alert(1)"></svg><iframe src="https://evil"></iframe>',
            "lessons": "[x](JaVaScRiPt:alert(1)) <style>body{}</style>",
        }
        created = send(client, "post", "/api/v1/practices", hostile, **bearer(user))
        assert created.status_code == 201, created.content
        body = send(
            client, "get", f"/api/v1/practices/{created.json()['id']}", **bearer(user)
        ).json()
        text = body["texts"][0]
        assert text["summary"] == hostile["summary"]  # stored as written
        assert text["title"] == hostile["title"]
        html = " ".join(text["html"].values())
        elements = Elements()
        elements.feed(html)
        assert elements.tags <= {"p", "a", "strong"}, elements.tags
        assert all(not name.startswith("on") for name, _value in elements.attributes)
        hrefs = [value for name, value in elements.attributes if name == "href"]
        assert hrefs == ["https://example.org"]
        assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in html

    def test_patch_by_strangers_is_403_and_by_the_author_a_revision(self, client):
        author = UserFactory()
        practice = PracticeFactory(created_by=author, texts={"summary": "Old"})
        url = f"/api/v1/practices/{practice.pk}"
        problem(send(client, "patch", url, {"summary": "Mine"}, **bearer(UserFactory())), 403)

        response = send(
            client,
            "patch",
            url,
            {"summary": "New", "themes": ["water-sanitation"], "note": "why"},
            **bearer(author),
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["summary"] == "New" and body["themes"] == ["water-sanitation"]
        assert body["title"] == practice.original_text.title  # untouched fields kept
        latest = Revision.objects.filter(practice=practice).first()
        assert (latest.number, latest.note, latest.data["summary"]) == (2, "why", "New")

    def test_patch_of_a_language_without_text_is_400(self, client):
        author = UserFactory()
        practice = PracticeFactory(created_by=author)
        response = send(
            client,
            "patch",
            f"/api/v1/practices/{practice.pk}",
            {"language": "fr", "title": "x"},
            **bearer(author),
        )
        problem(response, 400, "language")

    def test_workflow(self, client, organisation, moderator):
        author = UserFactory()
        practice = PracticeFactory(status=Status.DRAFT, created_by=author, owner=organisation)
        url = f"/api/v1/practices/{practice.pk}/status"

        submitted = send(client, "post", url, {"status": "submitted"}, **bearer(author))
        assert submitted.json()["status"] == "submitted"
        problem(send(client, "post", url, {"status": "published"}, **bearer(author)), 403)
        problem(send(client, "post", url, {"status": "nonsense"}, **bearer(author)), 422)
        published = send(
            client, "post", url, {"status": "published", "note": "ok"}, **bearer(moderator)
        )
        assert published.json()["status"] == "published"
        assert published.json()["published_at"]
        problem(
            send(client, "post", url, {"status": "submitted"}, **bearer(moderator)), 409, "status"
        )
        assert client.get(f"/api/v1/practices/{practice.pk}").status_code == 200

    def test_editors_of_the_organisation_publish(self, client, organisation):
        practice = PracticeFactory(status=Status.SUBMITTED, owner=organisation)
        response = send(
            client,
            "post",
            f"/api/v1/practices/{practice.pk}/status",
            {"status": "published"},
            **bearer(editor_of(organisation)),
        )
        assert response.json()["status"] == "published"

    def test_translation(self, client):
        author = UserFactory()
        practice = PracticeFactory(created_by=author, title="Water kiosks")
        url = f"/api/v1/practices/{practice.pk}/translations/fr"
        payload = {"title": "Kiosques à eau", "summary": "De l'eau *propre*"}
        problem(send(client, "put", url, payload), 401)
        problem(send(client, "put", url, payload, **bearer(UserFactory())), 403)
        response = send(client, "put", url, payload, **bearer(author))
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["title"], body["language"]) == ("Kiosques à eau", "fr")
        french = next(t for t in body["texts"] if t["language"] == "fr")
        assert not french["is_original"]
        assert french["html"]["summary"] == "<p>De l'eau <em>propre</em></p>\n"
        original = send(
            client,
            "put",
            f"/api/v1/practices/{practice.pk}/translations/en",
            payload,
            **bearer(author),
        )
        problem(original, 400, "language")


class TestRevisions:
    def test_list_compare_and_restore(self, client):
        author = UserFactory()
        practice = PracticeFactory(created_by=author, texts={"summary": "First words"})
        url = f"/api/v1/practices/{practice.pk}"
        send(client, "patch", url, {"summary": "Second words"}, **bearer(author))

        revisions = client.get(f"{url}/revisions").json()
        assert revisions["count"] == 2
        assert [r["number"] for r in revisions["items"]] == [2, 1]

        diff = client.get(f"{url}/revisions/compare?from=1&to=2").json()
        assert diff["changes"]["summary"][-2:] == ["-First words", "+Second words"]
        assert list(diff["changes"]) == ["summary"]
        problem(client.get(f"{url}/revisions/compare?from=1&to=9"), 404)

        first = next(r for r in revisions["items"] if r["number"] == 1)
        restore = f"/api/v1/revisions/{first['id']}/restore"
        problem(send(client, "post", restore), 401)
        problem(send(client, "post", restore, **bearer(UserFactory())), 403)
        response = send(client, "post", restore, **bearer(author))
        assert response.status_code == 201, response.content
        assert response.json()["number"] == 3
        assert client.get(url).json()["summary"] == "First words"

    def test_revisions_of_a_draft_are_hidden(self, client):
        draft = PracticeFactory(status=Status.DRAFT)
        revision = draft.revisions.get()
        problem(
            send(
                client, "post", f"/api/v1/revisions/{revision.pk}/restore", **bearer(UserFactory())
            ),
            404,
        )


class TestSuggestions:
    def test_list_and_decide(self, client):
        author = UserFactory()
        practice = PracticeFactory(created_by=author)
        accept = SdgSuggestionFactory(practice=practice, sdg=sdg(6), score=0.8)
        reject = SdgSuggestionFactory(practice=practice, sdg=sdg(11), score=0.4)

        listed = client.get(f"/api/v1/practices/{practice.pk}/sdg-suggestions").json()
        assert [(s["sdg"], s["state"]) for s in listed] == [(6, "pending"), (11, "pending")]

        problem(send(client, "post", f"/api/v1/sdg-suggestions/{accept.pk}", {"accept": True}), 401)
        problem(
            send(
                client,
                "post",
                f"/api/v1/sdg-suggestions/{accept.pk}",
                {"accept": True},
                **bearer(UserFactory()),
            ),
            403,
        )
        yes = send(
            client,
            "post",
            f"/api/v1/sdg-suggestions/{accept.pk}",
            {"accept": True},
            **bearer(author),
        )
        no = send(
            client,
            "post",
            f"/api/v1/sdg-suggestions/{reject.pk}",
            {"accept": False},
            **bearer(author),
        )
        assert (yes.json()["state"], no.json()["state"]) == ("accepted", "rejected")
        assert list(practice.sdgs.values_list("number", flat=True)) == [6]
        assert SdgSuggestion.objects.get(pk=reject.pk).state == "rejected"

    def test_suggestion_of_a_hidden_draft_is_404(self, client):
        suggestion = SdgSuggestionFactory(practice=PracticeFactory(status=Status.DRAFT))
        problem(
            send(
                client,
                "post",
                f"/api/v1/sdg-suggestions/{suggestion.pk}",
                {"accept": True},
                **bearer(UserFactory()),
            ),
            404,
        )


class TestTransfers:
    def test_adoption(self, client, organisation):
        practice = PracticeFactory()
        url = f"/api/v1/practices/{practice.pk}/adoptions"
        payload = {"organisation": organisation.pk, "adopted_on": "2023-05-01", "outcome": "Works"}
        problem(send(client, "post", url, payload), 401)
        problem(send(client, "post", url, payload, **bearer(UserFactory())), 403)
        response = send(client, "post", url, payload, **bearer(editor_of(organisation)))
        assert response.status_code == 201, response.content
        assert response.json()["organisation"]["id"] == organisation.pk
        assert AdoptionReport.objects.filter(practice=practice).count() == 1
        detail = client.get(f"/api/v1/practices/{practice.pk}").json()
        assert detail["adoptions"][0]["outcome"] == "Works"
        problem(
            send(
                client,
                "post",
                url,
                {**payload, "organisation": 999999},
                **bearer(editor_of(organisation)),
            ),
            400,
            "organisation",
        )

    def test_adapt(self, client, organisation):
        source = PracticeFactory(title="Water kiosks", themes=[theme("water-sanitation")])
        url = f"/api/v1/practices/{source.pk}/adapt"
        problem(send(client, "post", url, {"organisation": organisation.pk}), 401)
        problem(
            send(client, "post", url, {"organisation": organisation.pk}, **bearer(UserFactory())),
            403,
        )
        editor = editor_of(organisation)
        response = send(client, "post", url, {"organisation": organisation.pk}, **bearer(editor))
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["adapted_from"] == source.pk
        assert body["status"] == "draft"
        assert body["owner"]["id"] == organisation.pk
        assert body["themes"] == ["water-sanitation"]
        assert client.get(f"/api/v1/practices/{source.pk}").json()["adaptations"] == []

    def test_draft_cannot_be_adapted_by_strangers(self, client, organisation):
        draft = PracticeFactory(status=Status.DRAFT)
        response = send(
            client,
            "post",
            f"/api/v1/practices/{draft.pk}/adapt",
            {"organisation": organisation.pk},
            **bearer(editor_of(organisation)),
        )
        problem(response, 404)
