"""Hostile input through every API write endpoint, then every page that shows what was stored.

Generic over the OpenAPI description: for each POST/PUT/PATCH operation with a JSON body, a
valid request is built from its schema (enums, dates, ids of records of a small world made for
the test, named by the property), and every free-text property receives corpus strings (each
request carries a different one in each field, rotating, so every field meets every string).
The answer is never a 5xx; a 400/422 names the field at fault (that field is then given plain
text and the request sent again, so the other fields' strings still get stored). Afterwards
every page of every record the requests made, and the lists and search, hold no executable form
of any of it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from citypeers.accounts.models import OrganisationRole, User
from citypeers.accounts.services import api_token_create
from citypeers.api.api import api
from citypeers.directory.tests.factories import OrganisationFactory
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.learning.tests.factories import (
    EventFactory,
    LearningNoteFactory,
    NewsArticleFactory,
    ReplyFactory,
    ThreadFactory,
)
from citypeers.partnerships.tests.factories import (
    CapacityAssessmentFactory,
    ObjectiveFactory,
    PartnershipFactory,
    ResultFactory,
)

from .hostile import CORPUS, OVERSIZED, executable_forms, problem_names_a_field

pytestmark = pytest.mark.django_db

PLAIN = "Plain words"
#: Properties that hold codes, not free text (a corpus string there is just a wrong code).
CODE_PROPERTIES = {
    "language",
    "original_language",
    "time_zone",
    "country",
    "admin_area",
    "user",
    "status",
    "kind",
    "role",
    "modality",
    "mode",
    "reason",
    "action",
    "frequency",
    "visibility",
    "attendance_mode",
}
#: Properties that hold addresses: the corpus strings that are addresses go there too.
URL_PROPERTIES = {"website", "url", "join_url"}
#: Choices that need no further fact (a local government would need its city).
PREFERRED = {"actor_type": "ngo"}
#: Operations matching this are left out, and why.
LEFT_OUT = {
    r"^DELETE ": "no free text",
    r"/me$": "deletes the caller's account (tests/…/test_personal_data.py)",
    r"/matching/challenge$": "a search, nothing stored (fuzzed by bench/api_fuzz.py)",
}


def _schema() -> dict[str, Any]:
    return api.get_openapi_schema()


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return _resolve(options[0], components) if options else {"type": "null"}
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], components)
    return schema


def write_operations() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, operations in _schema()["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            if method not in {"post", "put", "patch"}:
                continue
            if any(re.search(pattern, label) for pattern in LEFT_OUT):
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                found.append((method, path, body["schema"]))
    return found


class World:
    """Records every request can name: the acting user is staff and admin of its organisation."""

    def __init__(self) -> None:
        self.user = User.objects.create_user(
            username="hostile-admin",
            email="hostile@example.org",
            password="a-long-passphrase",
            is_staff=True,
            is_superuser=True,
            is_moderator=True,
        )
        self.organisation = OrganisationFactory(name="Hostile Town")
        self.other = OrganisationFactory(name="Peer Town")
        OrganisationRole.objects.create(
            user=self.user, organisation=self.organisation, role="admin"
        )
        self.partnership = PartnershipFactory(members=[self.organisation, self.other])
        self.objective = ObjectiveFactory(partnership=self.partnership)
        self.result = ResultFactory(partnership=self.partnership)
        self.assessment = CapacityAssessmentFactory(organisation=self.organisation)
        self.practice = PracticeFactory(owner=self.organisation, created_by=self.user)
        # Started two days ago: notes are written once an event has begun.
        self.event = EventFactory(
            organisers=[self.organisation],
            starts_at=timezone.now() - dt.timedelta(days=2),
        )
        self.note = LearningNoteFactory(event=self.event, organisation=self.organisation)
        self.news = NewsArticleFactory(organisations=[self.organisation], created_by=self.user)
        self.thread = ThreadFactory(author=self.user)
        self.reply = ReplyFactory(thread=self.thread)
        _token, raw = api_token_create(user=self.user, name="hostile")
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        self.ids = {
            ("organisations", "id"): self.organisation.pk,
            ("organisations", "organisation_id"): self.other.pk,
            ("members", "organisation_id"): self.other.pk,
            ("partnerships", "id"): self.partnership.pk,
            ("results", "id"): self.result.pk,
            ("practices", "id"): self.practice.pk,
            ("events", "id"): self.event.pk,
            ("learning-notes", "id"): self.note.pk,
            ("news", "id"): self.news.pk,
            ("threads", "id"): self.thread.pk,
            ("replies", "id"): self.reply.pk,
            ("communities", "id"): self.thread.community_id,
            ("translations", "lang"): "fr",
        }
        #: Integer properties by name: the record they refer to.
        self.references = {
            "organisation": self.other.pk,
            "member": self.other.pk,
            "parent": self.organisation.pk,
            "owner": self.organisation.pk,
            "organisations": [self.organisation.pk],
            "organisers": [self.organisation.pk],
            "participants": [self.organisation.pk],
            "members": [{"organisation": self.organisation.pk}, {"organisation": self.other.pk}],
            "event": self.event.pk,
            "objective": self.objective.pk,
            "assessment": self.assessment.pk,
            "practices": [self.practice.pk],
            "thread": self.thread.pk,
            "sdgs": [6],
            "country": "FRA",
            "themes": ["water-sanitation"],
        }

    def path(self, template: str) -> str:
        def fill(match: re.Match[str]) -> str:
            segment = template[: match.start()].rstrip("/").rsplit("/", 1)[-1]
            return str(self.ids.get((segment, match.group(1)), 1))

        return re.sub(r"\{(\w+)\}", fill, template)


def _value(name: str, schema: dict[str, Any], world: World, components: dict[str, Any]) -> Any:
    schema = _resolve(schema, components)
    if "enum" in schema:
        preferred = PREFERRED.get(name)
        return preferred if preferred in schema["enum"] else schema["enum"][0]
    kind = schema.get("type")
    reference = world.references.get(name)
    if kind == "array" and "items" in schema:
        items = _resolve(schema["items"], components)
        if items.get("type") == "object" and not (
            isinstance(reference, list) and reference and isinstance(reference[0], dict)
        ):
            item = baseline(items, world, components)
            if "id" in item and isinstance(reference, list) and reference:
                item["id"] = reference[0]
            return [item]
    if reference is not None:
        return reference
    if kind == "string":
        fmt = schema.get("format", "")
        later = name.startswith("end") or name.endswith("_end") or "until" in name
        if fmt == "date":
            return "2031-06-01" if later else "2031-05-01"
        if fmt == "date-time":
            return f"2031-05-01T{'12' if later else '10'}:00:00+02:00"
        if name in URL_PROPERTIES:
            return "https://example.org/page"
        return {
            "language": "en",
            "original_language": "en",
            "time_zone": "Europe/Paris",
            "country": "FRA",
        }.get(name, PLAIN)
    if kind == "integer":
        return 5
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        if name in {"descriptions", "texts"}:
            return {"en": PLAIN}
        return {}
    return None


def _nullable(schema: dict[str, Any]) -> bool:
    return any(option.get("type") == "null" for option in schema.get("anyOf", []))


def baseline(schema: dict[str, Any], world: World, components: dict[str, Any]) -> dict[str, Any]:
    """A valid body: every property with a plain value, optional nullable ones (other than
    text and references to the world) left empty."""
    schema = _resolve(schema, components)
    required = set(schema.get("required", []))
    texts = set(text_fields(schema, components))
    return {
        name: (
            None
            if _nullable(prop) and name not in required | texts and name not in world.references
            else _value(name, prop, world, components)
        )
        for name, prop in schema.get("properties", {}).items()
    }


def text_fields(schema: dict[str, Any], components: dict[str, Any]) -> list[str]:
    """The free-text properties of a request body (and ``descriptions.en`` for translated
    descriptions)."""
    schema = _resolve(schema, components)
    names = []
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(prop, components)
        if name in CODE_PROPERTIES or "enum" in prop or prop.get("format"):
            continue
        if prop.get("type") == "string" or prop.get("type") == "object" and name == "descriptions":
            names.append(name)
    return names


def _put(body: dict[str, Any], name: str, text: str) -> None:
    body[name] = {"en": text} if name == "descriptions" else text


def _send(client: Client, method: str, path: str, body: dict[str, Any], auth: dict[str, str]):
    return getattr(client, method)(path, body, content_type="application/json", **auth)


def _rejected_field(response) -> str | None:
    body = response.json()
    field = body.get("field") or next((e["field"] for e in body.get("errors", [])), "")
    return field.split(".")[-1] if field else None


def test_every_api_write_endpoint_with_hostile_text(client):
    world = World()
    components = _schema()["components"]["schemas"]
    before = {
        m: m._base_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
        for m in _paged_models()
    }
    stored: dict[str, int] = {}
    refused: dict[str, Any] = {}
    operations = write_operations()
    assert len(operations) > 40  # the description lists them all
    strings = [*CORPUS, OVERSIZED]
    for method, template, schema in operations:
        label = f"{method.upper()} {template}"
        fields = text_fields(schema, components)
        if not fields:
            continue
        path = world.path(template)
        properties = _resolve(schema, components).get("properties", {})
        empty = {name: None if _nullable(properties[name]) else "" for name in fields}
        for round_ in range(len(strings)):
            base = baseline(schema, world, components)
            body = dict(base)
            for i, name in enumerate(fields):
                _put(body, name, strings[(round_ + i) % len(strings)])
            for _attempt in range(2 * len(fields) + 1):
                response = _send(client, method, path, body, world.auth)
                assert response.status_code < 500, (label, body, response.content[:500])
                assert (
                    response["Content-Type"].startswith(
                        ("application/json", "application/problem+json")
                    )
                    or response.status_code == 204
                )
                if response.status_code not in (400, 422):
                    break
                problem = response.json()
                assert problem_names_a_field(problem), (label, problem)
                field = _rejected_field(response)
                if field not in fields or body.get(field) in (None, ""):
                    break  # not one of the strings: the baseline itself is refused here
                # Give the field its plain value again; if even that is refused, the field
                # is a lookup by name rather than free text: leave it out.
                body[field] = empty[field] if body[field] == base[field] else base[field]
            if 200 <= response.status_code < 300:
                stored[label] = stored.get(label, 0) + 1
            else:
                refused[label] = (response.status_code, response.content[:300])
    # The main kinds of content took the hostile strings in.
    for expected in (
        "POST /api/v1/organisations",
        "POST /api/v1/partnerships",
        "POST /api/v1/practices",
        "PUT /api/v1/practices/{id}/translations/{lang}",
        "POST /api/v1/events",
        "POST /api/v1/events/{id}/notes",
        "POST /api/v1/news",
        "POST /api/v1/communities/{id}/threads",
        "POST /api/v1/threads/{id}/replies",
        "POST /api/v1/partnerships/{id}/activities",
        "POST /api/v1/partnerships/{id}/results",
    ):
        assert stored.get(expected, 0) >= len(CORPUS) // 2, (expected, refused.get(expected))

    pages = _pages_to_check(before, world)
    assert len(pages) > 20
    viewer = Client()
    viewer.force_login(world.user)
    showing = 0
    for url in pages:
        response = viewer.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            assert executable_forms(response.content) == [], url
            showing += b"xss-" in response.content
    assert showing >= 20  # the pages do show the stored strings, made harmless


def _paged_models() -> list[Any]:
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("citypeers.") and hasattr(m, "get_absolute_url")
    ]


def _pages_to_check(before: dict[Any, int], world: World) -> list[str]:
    """The page of every record made since ``before`` (and the world's), the lists, search."""
    pages = {
        "/en/",
        "/en/directory/",
        "/en/practices/",
        "/en/partnerships/",
        "/en/learning/",
        "/en/learning/news/",
        "/en/learning/discussions/",
        "/en/search/?q=xss",
        "/en/search/?q=alert",
        "/en/notifications/",
        f"/en/directory/{world.organisation.slug}/audit/",
    }
    for model, last in before.items():
        for record in model._base_manager.filter(pk__gt=last)[:200]:
            try:
                pages.add(record.get_absolute_url())
            except Exception:  # noqa: BLE001 - a record without a page of its own
                continue
    for record in (world.organisation, world.partnership, world.practice, world.event, world.news):
        pages.add(record.get_absolute_url())
    return sorted(pages)
