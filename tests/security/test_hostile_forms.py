"""Hostile input through the web forms: every text field of every form page that writes content.

Generic over the HTML: each page is fetched, its POST form read (lxml), filled with what the page
proposes (and plain values where a required field is empty), and every text field then receives
corpus strings, rotating, as in the API test. The answer is never a 5xx; a form sent back names
the field at fault next to it; a saved record's page, and every page visited, holds no executable
form of any string.
"""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest
from django.test import Client
from django.utils import timezone

from citypeers.accounts.models import OrganisationRole, User
from citypeers.directory.tests.factories import OrganisationFactory
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.learning.tests.factories import EventFactory, NewsArticleFactory, ThreadFactory
from citypeers.partnerships.tests.factories import PartnershipFactory

from .hostile import CORPUS, OVERSIZED, executable_forms

pytestmark = pytest.mark.django_db

PLAIN = "Plain words"
#: Text inputs that hold codes or look-ups (a slug, a language, a place): they get the corpus too,
#: but a refusal there is expected and no record is counted as stored for them.
TEXT_TYPES = {"text", "search", "", None}
FILL = {
    "email": "someone@example.org",
    "url": "https://example.org/page",
    "date": "2031-05-01",
    "datetime-local": "2031-05-01T10:00",
    "time": "10:00",
    "number": "5",
    "password": "a-long-enough-passphrase-42",
}


#: Choices that need no further fact (a local government would need its city).
PREFER = {"actor_type": "ngo"}


def _texts_in(form: lxml.html.FormElement) -> int:
    return sum(
        1
        for e in form.inputs
        if e.tag == "textarea" or (e.tag == "input" and (e.get("type") or "") in TEXT_TYPES)
    )


def _post_form(document: lxml.html.HtmlElement) -> lxml.html.FormElement | None:
    """The page's main POST form: the one with the most text fields (not the log-out button)."""
    forms = [f for f in document.forms if (f.method or "").lower() == "post"]
    return max(forms, key=_texts_in, default=None)


def read_form(html: bytes) -> tuple[dict[str, object], list[str], str | None]:
    """``(values, text fields, action)`` of a page's main form, required blanks filled."""
    document = lxml.html.document_fromstring(html)
    form = _post_form(document)
    if form is None:
        return {}, [], None
    values: dict[str, object] = {}
    texts: list[str] = []
    for element in form.inputs:
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        tag = element.tag
        kind = (element.get("type") or "").lower() if tag == "input" else tag
        if kind in {"submit", "button", "file", "image", "reset"}:
            continue
        if kind in {"checkbox", "radio"}:
            if element.checked:
                values.setdefault(name, [])
                values[name].append(element.get("value", "on"))  # type: ignore[union-attr]
            elif element.get("required") is not None and name not in values:
                values[name] = [element.get("value", "on")]
            continue
        if tag == "select":
            chosen = element.value
            if element.multiple:
                values[name] = list(chosen)
            else:
                options = [o.get("value", o.text or "") for o in element.iter("option")]
                values[name] = chosen or next((o for o in options if o), "")
                if PREFER.get(name) in options:
                    values[name] = PREFER[name]
            continue
        value = element.value or ""
        if not value and element.get("required") is not None:
            later = any(word in name for word in ("end", "until", "closes"))
            value = FILL.get(kind, PLAIN)
            if kind == "date" and later:
                value = "2031-06-01"
            if kind == "datetime-local" and later:
                value = "2031-05-01T12:00"
        values[name] = value
        if (tag == "textarea" or kind in TEXT_TYPES) and name != "csrfmiddlewaretoken":
            texts.append(name)
    return values, texts, form.get("action")


def fields_in_error(html: bytes, names: list[str]) -> list[str]:
    """The fields the page marks as wrong: inside an element whose class says so, or
    ``aria-invalid``."""
    document = lxml.html.document_fromstring(html)
    flagged = []
    for name in names:
        for element in document.xpath("//*[@name=$name]", name=name):
            marked = element.get("aria-invalid") == "true" or any(
                {"invalid", "error", "has-error"} & set((a.get("class") or "").split())
                for a in list(element.iterancestors())[:3]
            )
            if marked:
                flagged.append(name)
                break
    return flagged


@pytest.fixture
def world():
    staff = User.objects.create_user(
        username="forms-admin",
        email="forms@example.org",
        password="a-long-passphrase",
        is_staff=True,
        is_superuser=True,
        is_moderator=True,
    )
    organisation = OrganisationFactory(name="Form Town")
    OrganisationRole.objects.create(user=staff, organisation=organisation, role="admin")
    partnership = PartnershipFactory(members=[organisation, OrganisationFactory()])
    practice = PracticeFactory(owner=organisation, created_by=staff)
    event = EventFactory(organisers=[organisation], starts_at=timezone.now() - dt.timedelta(days=1))
    news = NewsArticleFactory(organisations=[organisation], created_by=staff)
    thread = ThreadFactory(author=staff)
    client = Client()
    client.force_login(staff)
    return {
        "client": client,
        "pages": [
            "/en/directory/new/",
            f"/en/directory/{organisation.slug}/edit/",
            f"/en/directory/{organisation.slug}/profile/",
            "/en/practices/new/",
            f"/en/practices/{practice.slug}/edit/",
            f"/en/practices/{practice.slug}/translate/?language=fr",
            f"/en/practices/{practice.slug}/adoptions/new/",
            f"/en/practices/{practice.slug}/resources/new/",
            "/en/partnerships/new/",
            f"/en/partnerships/{partnership.slug}/edit/",
            f"/en/partnerships/{partnership.slug}/objectives/new/",
            f"/en/partnerships/{partnership.slug}/activities/new/",
            f"/en/partnerships/{partnership.slug}/results/new/",
            f"/en/partnerships/{partnership.slug}/agreements/new/",
            "/en/learning/events/new/",
            f"/en/learning/events/{event.slug}/edit/",
            f"/en/learning/events/{event.slug}/notes/new/",
            "/en/learning/news/new/",
            f"/en/learning/news/{news.slug}/edit/",
            f"/en/learning/discussions/{thread.community.slug}/new/",
            f"/en/learning/discussions/threads/{thread.pk}/",
        ],
        "always": [
            organisation.get_absolute_url(),
            partnership.get_absolute_url(),
            practice.get_absolute_url(),
            event.get_absolute_url(),
            news.get_absolute_url(),
            f"/en/learning/discussions/threads/{thread.pk}/",
            "/en/directory/",
            "/en/practices/",
            "/en/partnerships/",
            "/en/learning/",
            "/en/learning/news/",
            "/en/search/?q=xss",
        ],
    }


def _check_page(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code < 500, url
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        assert executable_forms(response.content) == [], url
        return response.content
    return b""


def test_every_form_with_hostile_text(world):
    client: Client = world["client"]
    strings = [*CORPUS, OVERSIZED]
    stored: dict[str, int] = {}
    shown: set[str] = set()
    for page in world["pages"]:
        response = client.get(page)
        assert response.status_code == 200, page
        base, texts, action = read_form(response.content)
        assert texts, f"{page}: no text field found"
        target = action or page
        for round_ in range(len(strings)):
            data = dict(base)
            for i, name in enumerate(texts):
                data[name] = strings[(round_ + i) % len(strings)]
            for _attempt in range(len(texts) + 1):
                answer = client.post(target, data)
                assert answer.status_code < 500, (page, {k: str(v)[:40] for k, v in data.items()})
                if answer.status_code in (301, 302, 303):
                    stored[page] = stored.get(page, 0) + 1
                    shown.add(answer["Location"])
                    break
                assert executable_forms(answer.content) == [], page
                if answer.status_code not in (200, 400):
                    break
                # The form came back: it says what is wrong, next to the field at fault.
                flagged = fields_in_error(answer.content, texts)
                body = answer.content.decode()
                assert flagged or 'class="error' in body or 'role="alert"' in body, page
                hostile = [name for name in flagged if data[name] != base[name]]
                if not hostile:
                    break
                for name in hostile:  # give those fields their plain value and send again
                    data[name] = base[name]
    for forms_page in (
        "/en/directory/new/",
        "/en/practices/new/",
        f"/en/practices/{world['pages'][4].split('/')[3]}/edit/",
        "/en/learning/events/new/",
        "/en/learning/news/new/",
    ):
        assert stored.get(forms_page, 0) >= 5, (forms_page, stored)
    showing = 0
    for url in sorted(shown | set(world["always"])):
        showing += b"xss-" in _check_page(client, url)
    assert showing >= 5


@pytest.mark.parametrize(
    "page",
    [
        "/en/search/",
        "/en/places/search/",
        "/en/directory/",
        "/en/practices/",
        "/en/partnerships/",
        "/en/learning/",
        "/en/learning/news/",
        "/api/v1/search",
        "/api/v1/places/search",
        "/api/v1/organisations",
        "/api/v1/practices",
        "/api/v1/partnerships",
        "/api/v1/events",
    ],
)
def test_search_boxes_with_hostile_text(client, page):
    for text in [*CORPUS, OVERSIZED[:60_000]]:
        response = client.get(page, {"q": text})
        assert response.status_code < 500, (page, text[:40])
        if "html" in response.get("Content-Type", ""):
            assert executable_forms(response.content) == [], (page, text[:40])
        elif response.status_code >= 400:
            assert response.json().get("field") or response.json().get("errors"), page
