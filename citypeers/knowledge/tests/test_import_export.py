"""``citypeers import-practices`` and ``export-practices``: a good file, a file refused whole for
one bad line (named with its field), invalid UTF-8, --skip-invalid with a rejects file, re-import
by external id, language detection, and the export → import round trip."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.tests.factories import OrganisationFactory, theme
from citypeers.knowledge import services
from citypeers.knowledge.models import MAX_TEXT, Practice, Revision, Status
from citypeers.knowledge.tests.factories import PracticeFactory, PracticeTextFactory, sdg

pytestmark = pytest.mark.django_db
LYON = 2996944


@pytest.fixture(autouse=True)
def no_followups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "AFTER_TEXT_SAVED", [])


@pytest.fixture(autouse=True)
def english():
    """The reports are read in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def staff() -> Any:
    return UserFactory(username="importer", is_staff=True)


def line(**fields: Any) -> dict[str, Any]:
    return {"language": "en", "title": f"Practice {fields.get('external_id')}", **fields}


def write(path: Path, *lines: Any) -> Path:
    with path.open("wb") as file:
        for item in lines:
            file.write(item if isinstance(item, bytes) else json.dumps(item).encode())
            file.write(b"\n")
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import-practices", str(path), "--as", "importer", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_good_file(tmp_path, staff):
    OrganisationFactory(slug="lyon-water")
    lead = OrganisationFactory(slug="grand-lyon")
    path = write(
        tmp_path / "p.jsonl",
        line(
            external_id="a",
            title="Water kiosks",
            summary="Kiosks sell water.",
            lessons="Start small.",
            themes=["water-sanitation"],
            sdgs=[6],
            country="FRA",
            city="Lyon",
            organisations=["lyon-water", {"organisation": lead.pk, "role": "lead"}],
            period_start="2019-01-01",
            period_end="2020-06-30",
        ),
        line(external_id="b", status="draft", city=LYON),
        b"",
    )
    out, _err = run(path)
    assert "2 created" in out
    a = Practice.objects.get(external_id="a")
    assert a.status == Status.PUBLISHED and a.published_at is not None
    assert a.original_text.lessons == "Start small."
    assert [t.slug for t in a.themes.all()] == ["water-sanitation"]
    assert a.city.geonameid == LYON and a.country.iso3 == "FRA"
    assert sorted((r.organisation.slug, r.role) for r in a.organisation_roles.all()) == [
        ("grand-lyon", "lead"),
        ("lyon-water", "partner"),
    ]
    b = Practice.objects.get(external_id="b")
    assert b.status == Status.DRAFT and b.country.iso3 == "FRA"


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (b"{not json", "line"),
        (json.dumps(line(external_id="x", themes=["no-such-theme"])).encode(), "themes"),
        (json.dumps({"external_id": "x", "language": "en"}).encode(), "title"),
        (json.dumps(line(title="No id")).encode(), "external_id"),
        (json.dumps(line(external_id="x", context="c" * (MAX_TEXT + 1))).encode(), "context"),
        (json.dumps(line(external_id="x", period_start="2020-13-01")).encode(), "period_start"),
        (json.dumps(line(external_id="x", sdgs=[18])).encode(), "sdgs"),
        (json.dumps(line(external_id="x", country="XXX")).encode(), "country"),
        (json.dumps(line(external_id="x", status="gone")).encode(), "status"),
        (json.dumps(line(external_id="x", colour="red")).encode(), "colour"),
        (json.dumps(line(external_id="x", language="", title="Ok")).encode(), "language"),
        ('{"external_id": "x", "title": "caf\xe9"}'.encode("latin-1"), "line"),
    ],
)
def test_one_bad_line_refuses_the_whole_file(tmp_path, staff, bad, field):
    path = write(tmp_path / "p.jsonl", line(external_id="a"), bad, line(external_id="c"))
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command(
            "import-practices", str(path), "--as", "importer", stderr=err, stdout=StringIO()
        )
    assert f"line 2, {field}: " in err.getvalue()
    assert "line 1" not in err.getvalue() and "line 3" not in err.getvalue()
    assert not Practice.objects.exists()
    assert not Revision.objects.exists()


def test_the_report_names_the_line_and_field(tmp_path, staff):
    path = write(
        tmp_path / "p.jsonl",
        line(external_id="a"),
        line(external_id="b", themes=["no-such-theme"]),
        b'{"external_id": "c", "title": "caf\xe9 cr\xe8me"}',
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import-practices", str(path), "--as", "importer", stderr=err, stdout=StringIO()
        )
    report = err.getvalue()
    assert "line 2, themes: Unknown themes: no-such-theme." in report
    assert "line 3, line: Not UTF-8 text" in report


def test_skip_invalid_imports_the_good_lines_and_writes_rejects(tmp_path, staff):
    path = write(
        tmp_path / "p.jsonl",
        line(external_id="a"),
        line(external_id="b", period_end="soon"),
        line(external_id="c"),
    )
    rejects = tmp_path / "rejects.jsonl"
    out, err = run(path, "--skip-invalid", "--rejects", str(rejects))
    assert "2 created" in out and "1 lines invalid" in out
    assert sorted(Practice.objects.values_list("external_id", flat=True)) == ["a", "c"]
    [rejected] = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert rejected["line"] == 2
    assert rejected["errors"][0]["field"] == "period_end"
    assert json.loads(rejected["source"])["external_id"] == "b"


def test_dry_run_writes_nothing(tmp_path, staff):
    path = write(tmp_path / "p.jsonl", line(external_id="a"))
    out, _err = run(path, "--dry-run")
    assert "Dry run" in out
    assert not Practice.objects.exists()


def test_reimport_updates_the_original_text_with_a_revision(tmp_path, staff):
    run(
        write(
            tmp_path / "1.jsonl",
            line(external_id="a", summary="First", themes=["water-sanitation"]),
        )
    )
    practice = Practice.objects.get(external_id="a")
    published_at = practice.published_at

    out, _err = run(write(tmp_path / "2.jsonl", line(external_id="a", summary="Second", sdgs=[6])))

    assert "1 updated" in out
    practice = Practice.objects.get(external_id="a")
    assert Practice.objects.count() == 1
    assert practice.original_text.summary == "Second"
    assert [s.number for s in practice.sdgs.all()] == [6]
    assert [t.slug for t in practice.themes.all()] == ["water-sanitation"]  # not in the line: kept
    assert practice.published_at == published_at
    assert list(practice.revisions.values_list("number", flat=True)) == [2, 1]


def test_only_staff_import(tmp_path):
    UserFactory(username="importer")
    with pytest.raises(CommandError, match="moderators"):
        run(write(tmp_path / "p.jsonl", line(external_id="a")))


def test_language_is_detected_when_absent(tmp_path, staff):
    text = {
        "external_id": "fr-1",
        "title": "Des kiosques à eau gérés par des associations de femmes",
        "summary": "La municipalité a confié la gestion des points d'eau aux habitantes du "
        "quartier, qui vendent l'eau potable à un prix abordable.",
    }
    run(write(tmp_path / "p.jsonl", text))
    assert Practice.objects.get(external_id="fr-1").original_language == "fr"


def test_export_then_import_round_trip(tmp_path, staff):
    owner = OrganisationFactory()
    practice = PracticeFactory(
        title="Water kiosks",
        texts={"summary": "Kiosks", "lessons": "Start small."},
        themes=[theme("water-sanitation")],
        sdgs=[sdg(6)],
        owner=owner,
        external_id="wk",
    )
    PracticeTextFactory(practice=practice, language="fr", title="Kiosques", summary="Des kiosques")
    PracticeFactory(title="A draft", status=Status.DRAFT)
    exported = tmp_path / "export.jsonl"
    call_command("export-practices", "--output", str(exported), "--all-languages")
    first = exported.read_text(encoding="utf-8")
    assert len(first.splitlines()) == 2
    assert json.loads(first.splitlines()[0])["translations"]["fr"]["title"] == "Kiosques"

    Practice.objects.all().delete()
    run(exported)
    again = tmp_path / "again.jsonl"
    call_command("export-practices", "--output", str(again), "--all-languages")
    assert again.read_text(encoding="utf-8") == first
