"""Hostile files through the imports (organisations CSV, practices JSON Lines): bytes that are not
UTF-8, NUL bytes, oversized fields and script are refused with the row or line and the field
named, or stored and shown harmless; nothing crashes."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from citypeers.accounts.models import User
from citypeers.directory.models import Organisation
from citypeers.knowledge.models import Practice

from .hostile import CORPUS, OVERSIZED, executable_forms

pytestmark = pytest.mark.django_db

#: The corpus strings that are text an import may well store (NUL is refused, see below).
STORABLE = [s for s in CORPUS if "\x00" not in s]


@pytest.fixture
def staff():
    return User.objects.create_user(
        username="importer",
        email="importer@example.org",
        password="a-long-passphrase",
        is_staff=True,
        is_superuser=True,
    )


def run(command: str, path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, str(path), "--as", "importer", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(command: str, path) -> str:
    """Run an import that must be refused whole; return what it said (errors and summary)."""
    err = io.StringIO()
    with pytest.raises(CommandError) as stopped:
        call_command(command, str(path), "--as", "importer", stdout=io.StringIO(), stderr=err)
    return f"{err.getvalue()}\n{stopped.value}"


def organisations_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(
        out,
        fieldnames=[
            "external_id",
            "name",
            "actor_type",
            "country",
            "acronym",
            "description",
            "website",
        ],
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_organisations_csv_with_script_is_stored_harmless(tmp_path, staff):
    rows = [
        {
            "external_id": f"hostile-{n}",
            "name": f"Town {n} {text[:80]}",
            "actor_type": "ngo",
            "country": "FRA",
            "acronym": "",
            "description": text,
            "website": "",
        }
        for n, text in enumerate(STORABLE)
    ]
    path = tmp_path / "orgs.csv"
    path.write_bytes(organisations_csv(rows))

    out, err = run("import-organisations", path, "--skip-invalid")

    imported = Organisation.objects.filter(external_id__startswith="hostile-")
    assert imported.count() >= len(STORABLE) - 2, (out, err)
    viewer = Client()
    viewer.force_login(staff)
    for organisation in imported:
        page = viewer.get(organisation.get_absolute_url())
        assert page.status_code == 200
        assert executable_forms(page.content) == [], organisation.external_id
    listing = viewer.get("/en/directory/", {"q": "Town"})
    assert executable_forms(listing.content) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("external_id,name,actor_type\nx,Caf\xe9,ngo\n".encode("latin-1"), "not UTF-8"),
        (b"external_id,name,actor_type\nx,\xff\xfe\xfa,ngo\n", "not UTF-8"),
    ],
)
def test_organisations_csv_that_is_not_utf8_is_refused(tmp_path, staff, content, message):
    path = tmp_path / "orgs.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run("import-organisations", path)
    assert not Organisation.objects.filter(external_id="x").exists()


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"name": "Nul\x00town"}, "name"),
        ({"name": OVERSIZED}, "name"),
        ({"acronym": "A" * 500}, "acronym"),
        ({"description": OVERSIZED}, "description"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "data:text/html,<script>alert(1)</script>"}, "website"),
    ],
)
def test_organisations_csv_refuses_bad_fields_naming_row_and_field(tmp_path, staff, row, field):
    base = {
        "external_id": "bad",
        "name": "Badtown",
        "actor_type": "ngo",
        "country": "FRA",
        "acronym": "",
        "description": "",
        "website": "",
    }
    path = tmp_path / "orgs.csv"
    path.write_bytes(organisations_csv([{**base, **row}]))

    said = refused("import-organisations", path)

    assert "Nothing imported" in said or "not valid CSV" in said
    assert "row 2" in said.lower() and field in said, said[:500]
    assert not Organisation.objects.filter(external_id="bad").exists()


def practice_line(**fields) -> bytes:
    return json.dumps({"language": "en", **fields}).encode()


def test_practices_jsonl_with_script_is_stored_harmless(tmp_path, staff):
    lines = [
        practice_line(
            external_id=f"hostile-{n}",
            title=f"Practice {n} {text[:100]}",
            summary=text,
            lessons=f"Lessons: {text}",
        )
        for n, text in enumerate(STORABLE)
    ]
    path = tmp_path / "practices.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    out, err = run("import-practices", path, "--skip-invalid")

    imported = Practice.objects.filter(external_id__startswith="hostile-")
    assert imported.count() >= len(STORABLE) - 2, (out, err)
    viewer = Client()
    viewer.force_login(staff)
    for practice in imported:
        page = viewer.get(practice.get_absolute_url())
        assert page.status_code == 200
        assert executable_forms(page.content) == [], practice.external_id
    for url in ("/en/practices/", "/en/practices/feed/rss/", "/en/search/?q=practice"):
        response = viewer.get(url)
        assert response.status_code == 200
        if "html" in response["Content-Type"]:
            assert executable_forms(response.content) == [], url


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"external_id": "x", "language": "en", "title": "Caf\xe9"}', "line"),
        (b'{"external_id": "x", "language": "en", "title": "\xff\xfe"}', "line"),
        (practice_line(external_id="x", title=OVERSIZED), "title"),
        (practice_line(external_id="x", title="T", summary=OVERSIZED), "summary"),
        (b'{"external_id": "x", "title": ', "line"),
        (b"[1, 2, 3]", "line"),
    ],
)
def test_practices_jsonl_refuses_bad_lines_naming_line_and_field(tmp_path, staff, raw, field):
    path = tmp_path / "practices.jsonl"
    path.write_bytes(raw + b"\n")

    said = refused("import-practices", path)

    assert "Nothing imported" in said
    assert "line 1" in said.lower() and field in said, said[:500]
    assert not Practice.objects.filter(external_id="x").exists()


def test_a_nul_in_a_practice_line_is_dropped(tmp_path, staff):
    path = tmp_path / "practices.jsonl"
    path.write_bytes(practice_line(external_id="x", title="Nul\x00title") + b"\n")
    run("import-practices", path)
    assert Practice.objects.get(external_id="x").texts.get().title == "Nultitle"
