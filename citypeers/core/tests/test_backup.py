"""Backup and restore: a round trip through an emptied database gives back every table (counts and
checksums), the media files and a working search, on SQLite and on PostgreSQL alike (the same
tests run on both); a damaged or foreign archive changes nothing.

The test database holds the real reference data (some 40,000 rows), so each round trip moves a
realistic amount of data.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings

from citypeers.accounts.models import ApiToken, AuditEvent, User
from citypeers.accounts.services import api_token_create
from citypeers.core import backup
from citypeers.directory.tests.factories import OrganisationFactory
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.learning.tests.factories import RegistrationFactory
from citypeers.notifications.services import notify
from citypeers.partnerships.tests.factories import IndicatorFactory
from citypeers.search import indexing
from citypeers.search.engine import search

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
# The smallest valid PNG: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


@dataclass
class Made:
    """The archive made once for the module, from the reference data plus :func:`make_content`
    (rolled back afterwards), and what the database held when it was made."""

    archive: Path
    manifest: dict
    fingerprints: dict
    practice_id: int
    logo_name: str


def make_content():
    """A little of everything: accounts and tokens, an organisation with a logo, a published
    practice in the search index, a partnership indicator (decimals, dates), a registration, a
    notification, audit events (JSON)."""
    user = User.objects.create_user(username="ana", email="ana@example.org", password="x" * 12)
    api_token_create(user=user, name="ci")
    organisation = OrganisationFactory(name="Ciudad de Prueba")
    organisation.logo.save("logo.png", SimpleUploadedFile("logo.png", PNG), save=True)
    practice = PracticeFactory(
        title="Rainwater harvesting in public schools",
        texts={"summary": "Cisterns on school roofs water the gardens through the dry season."},
        created_by=user,
    )
    indexing.index_objects("practice", [practice.pk])
    IndicatorFactory()
    RegistrationFactory(user=user)
    notify([user], kind="test.backup", message=lambda: "Hello", url="/en/")
    return practice, organisation


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("backup")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=folder / "made-media"),
        transaction.atomic(),
    ):
        practice, organisation = make_content()
        archive = folder / "site.tar.gz"
        manifest = backup.backup_create(archive)
        made = Made(archive, manifest, backup.fingerprints(), practice.pk, organisation.logo.name)
        transaction.set_rollback(True)
    return made


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def empty_database():
    """What a freshly migrated database holds: no rows but content types and permissions (made
    again by flush's post-migrate step, with new ids)."""
    if connection.vendor == "postgresql":
        connection.check_constraints()  # TRUNCATE refuses pending deferred checks
    call_command("flush", interactive=False, verbosity=0)


def test_the_archive_describes_the_database(made):
    assert oct(made.archive.stat().st_mode & 0o777) == "0o600"
    assert made.manifest["vendor"] == connection.vendor
    assert made.manifest["migrations"] == backup.applied_migrations()
    tables = {t["model"]: (t["rows"], t["checksum"]) for t in made.manifest["tables"]}
    assert tables == made.fingerprints
    assert tables["places.city"][0] > 1000  # the real reference data travel too
    assert [m["path"] for m in made.manifest["media"]] == [made.logo_name]
    with tarfile.open(made.archive) as tar:
        names = tar.getnames()
    assert names[0] == "manifest.json" and names[1] == f"media/{made.logo_name}"
    # Dependency order: a table comes after the tables it refers to.
    order = [n for n in names if n.startswith("data/")]
    assert order.index("data/places.country.jsonl") < order.index("data/places.city.jsonl")
    assert order.index("data/accounts.user.jsonl") < order.index("data/accounts.apitoken.jsonl")


def test_round_trip_through_an_emptied_database(made, media):
    empty_database()
    assert backup.tables_with_data() == []
    assert not search("rainwater harvesting").items

    report = backup.restore(made.archive)

    assert backup.fingerprints() == made.fingerprints
    assert report.rows == sum(rows for rows, _ in made.fingerprints.values())
    assert (Path(media) / made.logo_name).read_bytes() == PNG
    # Search works again: the lexical index (FTS5 / tsvector) and the ANN index are rebuilt.
    hits = search("rainwater harvesting schools").items
    assert hits and hits[0].type == "practice" and hits[0].id == made.practice_id
    assert hits[0].lexical_rank == 1 and hits[0].semantic_rank is not None
    assert report.ann_vectors >= 1
    # The data are usable: new rows get fresh ids (sequences reset), the token still works.
    latest = User.objects.order_by("-pk").first().pk
    assert User.objects.create_user(username="new", email="n@example.org").pk > latest
    assert ApiToken.objects.get(user__username="ana").name == "ci"


def test_restore_refuses_a_database_with_data_unless_forced(made, media):
    # The test database holds the reference data.
    out = io.StringIO()
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(made.archive), stdout=out)
    assert not User.objects.filter(username="ana").exists()

    call_command("restore", str(made.archive), force=True, stdout=out)
    assert "counts and checksums match" in out.getvalue()
    assert User.objects.filter(username="ana").exists()


def test_the_backup_command(made, media, tmp_path):
    archive = tmp_path / "cli.tar.gz"
    out = io.StringIO()
    call_command("backup", output=str(archive), stdout=out)
    assert f"Archive written to {archive}" in out.getvalue()
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {t["model"]: (t["rows"], t["checksum"]) for t in manifest["tables"]} == (
        backup.fingerprints()
    )


def rewrite(archive: Path, target: Path, change) -> None:
    """Copy an archive member by member, letting ``change(name, bytes)`` alter each."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for member in src:
            handle = src.extractfile(member) if member.isfile() else None
            data = handle.read() if handle else b""
            data = change(member.name, data)
            if data is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))


def test_a_damaged_archive_changes_nothing(made, media, tmp_path):
    archive = made.archive
    AuditEvent.objects.create(verb="after.backup", target_type="x", target_id="1")
    before = backup.fingerprints()
    damaged = tmp_path / "damaged.tar.gz"

    def tamper(name, data):  # one changed character in the users' table
        return data.replace(b'"ana"', b'"anx"') if name == "data/accounts.user.jsonl" else data

    rewrite(archive, damaged, tamper)

    with pytest.raises(backup.BackupError, match="damaged"):
        backup.restore(damaged, force=True)
    assert backup.fingerprints() == before  # the wipe and the rows loaded so far rolled back


def test_a_truncated_archive_changes_nothing(made, media, tmp_path):
    before = backup.fingerprints()
    cut = tmp_path / "cut.tar.gz"
    raw = gzip.decompress(made.archive.read_bytes())
    cut.write_bytes(gzip.compress(raw[: len(raw) // 10]))

    with pytest.raises(backup.BackupError):
        backup.restore(cut, force=True)
    assert backup.fingerprints() == before


def test_an_archive_from_other_code_is_refused(made, media, tmp_path):
    archive = made.archive
    before = backup.fingerprints()
    newer, older = tmp_path / "newer.tar.gz", tmp_path / "older.tar.gz"

    def with_migrations(edit):
        def change(name, data):
            if name != "manifest.json":
                return data
            manifest = json.loads(data)
            manifest["migrations"] = edit(manifest["migrations"])
            return json.dumps(manifest).encode()

        return change

    rewrite(archive, newer, with_migrations(lambda m: [*m, ["search", "9999_future"]]))
    rewrite(archive, older, with_migrations(lambda m: [x for x in m if x[0] != "learning"]))

    with pytest.raises(backup.BackupError, match=r"newer version.*search\.9999_future"):
        backup.restore(newer, force=True)
    with pytest.raises(backup.BackupError, match=r"older version.*learning\.0001"):
        backup.restore(older, force=True)
    assert backup.fingerprints() == before


def test_members_outside_the_media_folder_are_refused(made, media, tmp_path):
    archive = made.archive
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "r:gz") as src:
        members = [(m, src.extractfile(m).read() if m.isfile() else b"") for m in src]
    with tarfile.open(evil, "w:gz") as dst:
        for member, data in [*members, (tarfile.TarInfo("media/../../escaped.txt"), b"boo")]:
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))

    with pytest.raises(backup.BackupError, match="outside media"):
        backup.restore(evil, force=True)
    assert not (tmp_path / "escaped.txt").exists()
    assert not (Path(media).parent / "escaped.txt").exists()


def test_not_a_backup_is_refused(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    with pytest.raises(backup.BackupError, match="Cannot read"):
        backup.restore(junk)


def test_restore_into_a_fresh_sqlite_database_in_another_process(made, tmp_path):
    """The archive (from this run's database, SQLite or PostgreSQL) restored by the command line
    into a new, committed SQLite database: also the cross-database direction PostgreSQL → SQLite
    when the suite runs on PostgreSQL."""
    archive, manifest = made.archive, made.manifest
    var = tmp_path / "var"
    env = {
        **os.environ,
        "CITYPEERS_ENV": "test",
        "CITYPEERS_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'restored.sqlite3'}",
        "MEDIA_ROOT": str(var / "media"),
        "CITYPEERS_SEARCH_INDEX_DIR": str(var / "search"),
    }
    citypeers = str(Path(sys.executable).parent / "citypeers")
    for args in (["migrate", "--noinput", "-v", "0"], ["restore", str(archive)]):
        done = subprocess.run(
            [citypeers, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-2000:]
    assert "counts and checksums match" in done.stdout
    check = (
        "from citypeers.core import backup; from citypeers.search.engine import search; "
        "import json; print(json.dumps({'fp': backup.fingerprints(), "
        "'hits': [h.id for h in search('rainwater harvesting schools').items]}))"
    )
    done = subprocess.run(
        [citypeers, "shell", "-c", check], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["fp"] == {t["model"]: [t["rows"], t["checksum"]] for t in manifest["tables"]}
    assert result["hits"][:1] == [made.practice_id]
    assert (var / "media" / made.logo_name).read_bytes() == PNG
