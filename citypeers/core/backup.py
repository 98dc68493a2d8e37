"""Backup and restore of the whole platform: every table and the media folder in one archive.

The archive is a ``.tar.gz`` that moves between SQLite and PostgreSQL:

``manifest.json``
    format, versions, the database vendor it came from, the applied migrations, and for each table
    its row count, the SHA-256 of its data file and an order-independent checksum of its rows;
    for each media file its size and SHA-256.
``data/<app>.<model>.jsonl``
    one JSON object per row (columns by attribute name, keys sorted), tables in dependency order.
``media/<path>``
    the files of ``MEDIA_ROOT``.

Values are written in one canonical, vendor-neutral form (ISO 8601 date-times with microseconds,
decimals as strings, bytes as base64, JSON documents with sorted keys), so a row read back from
either database gives the same line; the checksum of a table is the sum, modulo 2²⁵⁶, of the
SHA-256 of its lines, which does not depend on the order rows come back in (string keys sort
differently on SQLite and PostgreSQL). Restore compares the checksums of what it wrote, read back
from the database, with the manifest.

Tables that are not models are not in the archive, on purpose: ``django_migrations`` is compared,
not copied (restore refuses an archive whose migrations differ from the code's); the SQLite FTS5
table and the PostgreSQL ``tsvector`` column of the search app are derived from the search
documents by triggers (the FTS5 table is rebuilt after a restore for good measure), and the ANN
index file is rebuilt from the stored vectors. Content types and permissions are restored with
their ids, replacing the rows ``migrate`` made, so every reference to them stays right without
natural keys.

Restore runs in one transaction: rows are checked (foreign keys, counts, checksums) before it
commits, and the media folder is swapped in only after the commit, from a staging folder that
was verified file by file; a broken archive leaves the database and the media folder as they were.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import itertools
import json
import os
import shutil
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils.duration import duration_string

FORMAT = "citypeers-backup/1"
MANIFEST = "manifest.json"
DATA_DIR = "data"
MEDIA_DIR = "media"
#: Tables that ``migrate`` fills by itself; restore replaces their rows and does not count them
#: when it decides whether a database is empty.
MIGRATE_FILLED = {"contenttypes.contenttype", "auth.permission"}
BATCH = 1000
CHUNK = 2000

Log = Callable[[str], None]


class BackupError(Exception):
    """The archive cannot be written or restored; the message says why and what to do."""


# --- which tables, in which order ---------------------------------------------------------------


def backup_models() -> list[type[models.Model]]:
    """Every table Django manages (m2m tables included), parents before the tables that refer
    to them (cycles are broken by name order; foreign keys are checked at the end anyway)."""
    candidates = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]
    candidates.sort(key=lambda m: m._meta.label_lower)
    depends: dict[type[models.Model], set[type[models.Model]]] = {m: set() for m in candidates}
    for model in candidates:
        for f in model._meta.local_concrete_fields:
            target = f.related_model if f.is_relation else None
            if isinstance(target, type) and target in depends and target is not model:
                depends[model].add(target)
    ordered: list[type[models.Model]] = []
    done: set[type[models.Model]] = set()
    pending = list(candidates)
    while pending:
        ready = [m for m in pending if depends[m] <= done] or pending[:1]
        for model in ready:
            ordered.append(model)
            done.add(model)
        pending = [m for m in pending if m not in done]
    return ordered


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    if model._meta.parents:
        # Multi-table inheritance would need a per-table insert; no model of the platform uses it.
        raise BackupError(f"{_label(model)}: multi-table inheritance is not supported")
    return list(model._meta.local_concrete_fields)


# --- canonical values ---------------------------------------------------------------------------


def encode_value(value: Any) -> Any:
    """A database value as the archive writes it (the same whichever database it came from)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.timedelta):
        return duration_string(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict | list):
        return value  # JSONField: written as JSON, keys sorted with the line
    return str(value)


def decode_value(f: models.Field[Any, Any], value: Any) -> Any:
    """The Python value a field takes from its archived form (``to_python`` knows every form)."""
    if value is None:
        return None
    if isinstance(f, models.JSONField):
        return value
    return f.to_python(value)


def row_line(values: dict[str, Any]) -> bytes:
    return json.dumps(
        {key: encode_value(v) for key, v in values.items()},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


class RowChecksum:
    """Sum of the SHA-256 of each line, modulo 2²⁵⁶: the same whatever order rows come in."""

    MODULUS = 1 << 256

    def __init__(self) -> None:
        self.total = 0
        self.rows = 0

    def add(self, line: bytes) -> None:
        self.total = (self.total + int.from_bytes(hashlib.sha256(line).digest(), "big")) % (
            self.MODULUS
        )
        self.rows += 1

    def hexdigest(self) -> str:
        return f"{self.total:064x}"


def _rows(model: type[models.Model], using: str) -> Iterator[bytes]:
    names = [f.attname for f in _fields(model)]
    query = model._base_manager.using(using).order_by("pk").values_list(*names)
    for values in query.iterator(chunk_size=CHUNK):
        yield row_line(dict(zip(names, values, strict=True)))


def table_fingerprint(model: type[models.Model], using: str = DEFAULT_DB_ALIAS) -> tuple[int, str]:
    """``(rows, checksum)`` of a table as it is in the database now."""
    checksum = RowChecksum()
    for line in _rows(model, using):
        checksum.add(line)
    return checksum.rows, checksum.hexdigest()


def fingerprints(using: str = DEFAULT_DB_ALIAS) -> dict[str, tuple[int, str]]:
    """``{model label: (rows, checksum)}`` of every table in the archive's scope."""
    return {_label(m): table_fingerprint(m, using) for m in backup_models()}


# --- migrations ---------------------------------------------------------------------------------


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[list[str]]:
    executor = MigrationExecutor(connections[using])
    return sorted([app, name] for app, name in executor.recorder.applied_migrations())


def _check_migrated(using: str) -> None:
    executor = MigrationExecutor(connections[using])
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if unapplied:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in unapplied[:5])
        raise BackupError(
            f"The database is not migrated ({names}…): run `citypeers migrate` first."
        )
    existing = set(connections[using].introspection.table_names())
    tableless = [_label(m) for m in backup_models() if m._meta.db_table not in existing]
    if tableless:
        raise BackupError(
            f"No table for {', '.join(tableless)}: a migration is missing (makemigrations)."
        )


def _check_migrations(archived: list[list[str]], using: str) -> None:
    _check_migrated(using)
    here = {tuple(item) for item in applied_migrations(using)}
    there = {(str(a), str(n)) for a, n in archived}
    unknown = sorted(there - here)
    missing = sorted(here - there)
    if unknown:
        raise BackupError(
            "The archive was made by a newer version of CityPeers: it has migrations this code "
            f"does not have ({', '.join('.'.join(m) for m in unknown[:5])}). Restore it with the "
            "code that made it (or a newer one)."
        )
    if missing:
        raise BackupError(
            "The archive was made by an older version of CityPeers: this code has migrations it "
            f"does not have ({', '.join('.'.join(m) for m in missing[:5])}). Restore it with the "
            "code that made it, then upgrade and run `citypeers migrate`."
        )


# --- backup -------------------------------------------------------------------------------------


@contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """One consistent view of every table for the whole backup, without blocking writers."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield  # already inside a transaction (tests, or a caller's own): read in it
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # A deferred transaction reads one snapshot of the WAL database and takes no write lock
        # (the configured IMMEDIATE mode would hold off every writer for the whole backup).
        connection.ensure_connection()  # connecting sets transaction_mode from the settings
        mode = getattr(connection, "transaction_mode", None)
        connection.transaction_mode = "DEFERRED"  # type: ignore[attr-defined]
        try:
            with transaction.atomic(using=using):
                connection.transaction_mode = mode  # type: ignore[attr-defined]
                yield
        finally:
            connection.transaction_mode = mode  # type: ignore[attr-defined]
    else:
        with transaction.atomic(using=using):
            yield


def _media_files(root: Path) -> Iterator[tuple[str, Path]]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path.relative_to(root).as_posix(), path


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("citypeers")
    except PackageNotFoundError:
        return "unknown"


def backup_create(
    output: Path | IO[bytes], *, using: str = DEFAULT_DB_ALIAS, log: Log | None = None
) -> dict[str, Any]:
    """Write the archive to ``output`` (a path, written atomically, or a binary stream) and
    return its manifest."""
    import django

    say = log or (lambda _line: None)
    started = time.perf_counter()
    connection = connections[using]
    media_root = Path(settings.MEDIA_ROOT)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "citypeers_version": _version(),
        "django_version": django.get_version(),
        "vendor": connection.vendor,
        "migrations": [],
        "tables": [],
        "media": [],
    }
    with tempfile.TemporaryDirectory(prefix="citypeers-backup-") as tmp:
        tmp_dir = Path(tmp)
        _check_migrated(using)
        with _snapshot(using):
            manifest["migrations"] = applied_migrations(using)
            for model in backup_models():
                name = f"{DATA_DIR}/{_label(model)}.jsonl"
                checksum = RowChecksum()
                file_digest = hashlib.sha256()
                with (tmp_dir / f"{_label(model)}.jsonl").open("wb") as fh:
                    for line in _rows(model, using):
                        checksum.add(line)
                        data = line + b"\n"
                        file_digest.update(data)
                        fh.write(data)
                manifest["tables"].append(
                    {
                        "model": _label(model),
                        "table": model._meta.db_table,
                        "file": name,
                        "rows": checksum.rows,
                        "checksum": checksum.hexdigest(),
                        "sha256": file_digest.hexdigest(),
                    }
                )
                if checksum.rows:
                    say(f"{_label(model)}: {checksum.rows} rows")
        media = list(_media_files(media_root))
        for rel, path in media:
            manifest["media"].append(
                {"path": rel, "size": path.stat().st_size, "sha256": _file_sha256(path)}
            )
        manifest["seconds"] = round(time.perf_counter() - started, 2)
        _write_tar(output, manifest, tmp_dir, media)
    say(
        f"{sum(t['rows'] for t in manifest['tables'])} rows in {len(manifest['tables'])} tables, "
        f"{len(manifest['media'])} media files, {time.perf_counter() - started:.1f} s"
    )
    return manifest


def _write_tar(
    output: Path | IO[bytes],
    manifest: dict[str, Any],
    data_dir: Path,
    media: list[tuple[str, Path]],
) -> None:
    def fill(tar: tarfile.TarFile) -> None:
        body = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
        tar.addfile(info, io.BytesIO(body))
        # Media first: restore checks them before it touches the database.
        for rel, path in media:
            tar.add(str(path), arcname=f"{MEDIA_DIR}/{rel}", recursive=False)
        for table in manifest["tables"]:
            tar.add(str(data_dir / f"{table['model']}.jsonl"), arcname=table["file"])

    if isinstance(output, Path):
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        # The archive holds password and token hashes: readable by its owner only.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w:gz") as tar:
                fill(tar)
            partial.replace(output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    else:
        with tarfile.open(fileobj=output, mode="w|gz") as tar:
            fill(tar)


# --- restore ------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    media_files: int = 0
    ann_vectors: int = 0
    per_table: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def tables_with_data(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The tables holding rows (other than those ``migrate`` fills); empty list = empty."""
    return [
        _label(m)
        for m in backup_models()
        if _label(m) not in MIGRATE_FILLED and m._base_manager.using(using).exists()
    ]


def _safe_media_path(name: str) -> str:
    """The path inside the media folder of an archive member, refusing anything that would
    land outside it."""
    rel = PurePosixPath(name).relative_to(MEDIA_DIR)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts or "\x00" in name:
        raise BackupError(f"Refusing the archive member {name!r}: it points outside media/.")
    return rel.as_posix()


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isfile():
        raise BackupError("Not a CityPeers backup: the archive does not start with manifest.json.")
    fh = tar.extractfile(first)
    assert fh is not None
    try:
        manifest = json.loads(fh.read())
    except ValueError as exc:
        raise BackupError(f"The manifest is not valid JSON: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown archive format {manifest.get('format')!r} (expected {FORMAT}).")
    return dict(manifest)


def _load_table(
    model: type[models.Model], fh: IO[bytes], expected: dict[str, Any], using: str
) -> int:
    """Insert the rows of one data file as they are (no ``save()``, no signals, no ``auto_now``:
    the values of the archive, prepared for this database by each field)."""
    fields = _fields(model)
    names = [f.attname for f in fields]
    connection = connections[using]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(str(f.column)) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Only quoted table and column names are interpolated; the values are parameters.
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608  # nosec B608
    file_digest = hashlib.sha256()
    checksum = RowChecksum()
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for number, raw_line in enumerate(fh, start=1):
            file_digest.update(raw_line)
            line = raw_line.rstrip(b"\n")
            checksum.add(line)
            try:
                row = json.loads(line)
                if set(row) != set(names):
                    raise BackupError(f"columns {sorted(row)} instead of {sorted(names)}")
                batch.append(
                    tuple(
                        f.get_db_prep_save(decode_value(f, row[f.attname]), connection)
                        for f in fields
                    )
                )
            except Exception as exc:  # any bad value: say where it is
                raise BackupError(f"{expected['file']}, line {number}: {exc}") from exc
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
    if file_digest.hexdigest() != expected["sha256"] or checksum.rows != expected["rows"]:
        raise BackupError(
            f"{expected['file']} is damaged: {checksum.rows} rows read, "
            f"{expected['rows']} expected, or its SHA-256 differs from the manifest."
        )
    return checksum.rows


def _rebuild_lexical_index(using: str) -> None:
    """SQLite: rebuild the FTS5 table of the search app from the search documents (PostgreSQL's
    ``tsvector`` is computed by a trigger as each row is inserted)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if "search_fts" in connection.introspection.table_names(cursor):
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")


def _swap_media(staging: Path, media_root: Path) -> None:
    """Put the restored media folder in place of the current one."""
    media_root.parent.mkdir(parents=True, exist_ok=True)
    old = media_root.with_name(f".{media_root.name}.replaced-{os.getpid()}")
    try:
        if media_root.exists():
            media_root.rename(old)
        staging.rename(media_root)
    except OSError:
        # MEDIA_ROOT may be a mount point, which cannot be renamed: replace its contents.
        if old.exists() and not media_root.exists():
            old.rename(media_root)
        for child in list(media_root.iterdir()):
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        for child in list(staging.iterdir()):
            shutil.move(str(child), media_root / child.name)
        staging.rmdir()
    shutil.rmtree(old, ignore_errors=True)


def restore(
    archive: Path, *, force: bool = False, using: str = DEFAULT_DB_ALIAS, log: Log | None = None
) -> RestoreReport:
    """Replace the database and the media folder by the archive's.

    Refuses a database that holds data (or a media folder that holds files) unless ``force``,
    and an archive whose migrations differ from the database's. All rows are written in one
    transaction and checked (foreign keys, counts, checksums read back from the database)
    before it commits; anything wrong rolls it back and raises :class:`BackupError`.
    """
    say = log or (lambda _line: None)
    started = time.perf_counter()
    report = RestoreReport()
    media_root = Path(settings.MEDIA_ROOT)
    connection = connections[using]
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{media_root.name}.restore-", dir=media_root.parent))
    try:
        try:
            tar = tarfile.open(archive, mode="r:gz")  # noqa: SIM115 - closed by the with below
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(f"Cannot read {archive}: {exc}") from exc
        with tar:
            try:
                manifest = _read_manifest(tar)
                _check_migrations(manifest.get("migrations", []), using)
                if not force:
                    busy = tables_with_data(using)
                    if busy:
                        raise BackupError(
                            "The database is not empty (" + ", ".join(busy[:5]) + "…): restore "
                            "into a freshly migrated database, or pass --force to replace it."
                        )
                    if any(True for _ in _media_files(media_root)):
                        raise BackupError(
                            f"The media folder {media_root} holds files: empty it, or pass "
                            "--force to replace it."
                        )
                _restore_rows(tar, manifest, staging, using, report, say)
            except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
                raise BackupError(f"The archive is damaged: {exc}") from exc
        _swap_media(staging, media_root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    cache.clear()
    from citypeers.search.indexing import rebuild_ann_index

    report.ann_vectors = rebuild_ann_index()
    report.seconds = time.perf_counter() - started
    say(
        f"{report.rows} rows in {report.tables} tables, {report.media_files} media files, "
        f"ANN index {report.ann_vectors} vectors, {report.seconds:.1f} s ({connection.vendor})"
    )
    return report


def _stage_media(
    tar: tarfile.TarFile, member: tarfile.TarInfo, expected: dict[str, Any], staging: Path
) -> None:
    """Extract one media file into the staging folder, checking its SHA-256 on the way."""
    rel = _safe_media_path(member.name)
    if not member.isfile() or rel not in expected:
        raise BackupError(f"Unexpected archive member {member.name!r}.")
    target = staging / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fh = tar.extractfile(member)
    assert fh is not None
    with target.open("wb") as out:
        while block := fh.read(1 << 20):
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != expected[rel]["sha256"]:
        raise BackupError(f"The media file {rel} is damaged (SHA-256 differs).")


def _restore_rows(
    tar: tarfile.TarFile,
    manifest: dict[str, Any],
    staging: Path,
    using: str,
    report: RestoreReport,
    say: Log,
) -> None:
    """Stage the media files (they come first), then, in one transaction, replace every table
    by the archive's rows and check them before the transaction commits."""
    connection = connections[using]
    ordered = backup_models()
    models_by_label = {_label(m): m for m in ordered}
    expected = {t["model"]: t for t in manifest["tables"]}
    unknown = sorted(set(expected) - set(models_by_label))
    absent = sorted(set(models_by_label) - set(expected))
    if unknown or absent:
        raise BackupError(
            f"The archive's tables do not match the code: unknown {unknown or '-'}, "
            f"absent {absent or '-'}."
        )
    by_file = {t["file"]: models_by_label[t["model"]] for t in manifest["tables"]}
    media_expected = {m["path"]: m for m in manifest.get("media", [])}
    members = iter(tar)
    first_data: list[tarfile.TarInfo] = []
    for member in members:
        if member.name.startswith(MEDIA_DIR + "/"):
            if not member.isdir():
                _stage_media(tar, member, media_expected, staging)
                report.media_files += 1
        elif member.name != MANIFEST:
            first_data.append(member)
            break
    tables = [m._meta.db_table for m in ordered]
    loaded: set[str] = set()
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with deferred foreign-key checks still pending in this
            # transaction: run them now.
            connection.check_constraints()
        with connection.cursor() as cursor:
            for sql in connection.ops.sql_flush(no_style(), tables):
                cursor.execute(sql)
        for member in itertools.chain(first_data, members):
            if member.name in by_file and member.isfile():
                model = by_file[member.name]
                fh = tar.extractfile(member)
                assert fh is not None
                rows = _load_table(model, fh, expected[_label(model)], using)
                loaded.add(_label(model))
                report.per_table[_label(model)] = rows
                if rows:
                    say(f"{_label(model)}: {rows} rows")
            elif member.name.startswith(MEDIA_DIR + "/"):
                if not member.isdir():
                    _stage_media(tar, member, media_expected, staging)
                    report.media_files += 1
            else:
                raise BackupError(f"Unexpected archive member {member.name!r}.")
        if loaded != set(expected):
            raise BackupError(f"The archive lacks the data of {sorted(set(expected) - loaded)}.")
        if report.media_files != len(media_expected):
            raise BackupError(
                f"The archive holds {report.media_files} of its {len(media_expected)} media files."
            )
        connection.check_constraints(table_names=tables)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), ordered):
                cursor.execute(sql)
        _rebuild_lexical_index(using)
        # Read every table back and compare it with the manifest before committing.
        for model in ordered:
            rows, checksum = table_fingerprint(model, using)
            want = expected[_label(model)]
            if rows != want["rows"] or checksum != want["checksum"]:
                raise BackupError(
                    f"{_label(model)} reads back as {rows} rows with checksum {checksum[:12]}…, "
                    f"the archive says {want['rows']} rows, {want['checksum'][:12]}…: "
                    "nothing restored."
                )
    report.tables = len(ordered)
    report.rows = sum(report.per_table.values())
