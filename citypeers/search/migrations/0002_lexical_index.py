"""The lexical index, per database vendor (see citypeers/search/lexical.py).

SQLite: an external-content FTS5 table over search_searchdocument, kept in step by triggers.
PostgreSQL: a tsvector column filled by a trigger with the document language's configuration
over accent-folded text (unaccent when the extension can be created, else a translate table),
with a GIN index.
"""

from django.db import migrations, transaction

SQLITE_UP = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body,
        content='search_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2',
        prefix='2 3'
    )""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE OF title, body ON search_searchdocument
    BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]

ACCENTED = "áàâäãåāéèêëēíìîïīóòôöõøōúùûüūçñýÿœæ"
PLAIN = "aaaaaaaeeeeeiiiiiooooooouuuuucnyyoa"

PG_FOLD_UNACCENT = """CREATE OR REPLACE FUNCTION search_fold(t text) RETURNS text AS $$
    SELECT lower(unaccent(coalesce(t, '')))
$$ LANGUAGE sql STABLE"""
PG_FOLD_TRANSLATE = f"""CREATE OR REPLACE FUNCTION search_fold(t text) RETURNS text AS $$
    SELECT translate(lower(coalesce(t, '')), '{ACCENTED}', '{PLAIN}')
$$ LANGUAGE sql IMMUTABLE"""
PG_UP = [
    "ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector",
    """CREATE OR REPLACE FUNCTION search_document_tsv() RETURNS trigger AS $$
    DECLARE cfg regconfig;
    BEGIN
        cfg := CASE NEW.language
            WHEN 'en' THEN 'english' WHEN 'fr' THEN 'french' WHEN 'es' THEN 'spanish'
            WHEN 'pt' THEN 'portuguese' ELSE 'simple' END;
        NEW.search_vector :=
            setweight(to_tsvector(cfg, search_fold(NEW.title)), 'A')
            || setweight(to_tsvector(cfg, search_fold(NEW.body)), 'B');
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER search_document_tsv BEFORE INSERT OR UPDATE OF title, body, language
        ON search_searchdocument FOR EACH ROW EXECUTE FUNCTION search_document_tsv()""",
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (search_vector)",
    "UPDATE search_searchdocument SET title = title",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS search_document_tsv ON search_searchdocument",
    "DROP FUNCTION IF EXISTS search_document_tsv()",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS search_fold(text)",
]


def _unaccent_available(schema_editor) -> bool:  # type: ignore[no-untyped-def]
    """Create the unaccent extension if we may; a refusal leaves the migration usable."""
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        return True
    except Exception:  # noqa: BLE001 - no privilege or no contrib package: fall back
        return False


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in SQLITE_UP:
            schema_editor.execute(sql)
    elif vendor == "postgresql":
        fold = PG_FOLD_UNACCENT if _unaccent_available(schema_editor) else PG_FOLD_TRANSLATE
        schema_editor.execute(fold)
        for sql in PG_UP:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_DOWN if vendor == "sqlite" else PG_DOWN if vendor == "postgresql" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
