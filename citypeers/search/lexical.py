"""The lexical side: full-text search in the database itself.

- **SQLite** (embedded default): an FTS5 table ``search_fts`` with *external content* (the
  ``SearchDocument`` table), kept in step by triggers. Tokenizer
  ``porter unicode61 remove_diacritics 2``: accents are folded on both sides ("educacion" finds
  "educación"), prefix indexes of 2 and 3 characters make the last word's prefix query cheap, and
  the Porter stemmer gives English stemming. FTS5 has no French or Spanish stemmer: in those
  languages a query matches inflected forms only through the prefix on the last word and through
  the semantic side.
- **PostgreSQL** (production): a ``search_vector`` tsvector column filled by a trigger with the
  configuration of the document's language (english, french, spanish, portuguese; ``simple``
  otherwise) over accent-folded text (``unaccent`` when the extension could be created, else a
  ``translate`` table), with a GIN index. A query is folded the same way and matched against the
  union of the english, french, spanish and simple parses of it, the last word as a prefix
  (``:*``).

Both return document ids, best first, restricted to a candidate sub-query (the filters), so
filters apply before ranking.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from citypeers.core.text import fold

#: At most this many documents come from the lexical side (enough for fusion and facets).
LEXICAL_LIMIT = 1000
PG_CONFIGS = ("english", "french", "spanish", "simple")


def query_terms(q: str) -> list[str]:
    """The folded words of a query (ASCII letters and digits only: safe in either syntax)."""
    return fold(q).split()[:12]


def _sqlite_match(terms: list[str], operator: str) -> str:
    quoted = [f'"{t}"' for t in terms]
    quoted[-1] += "*"
    return f" {operator} ".join(quoted)


def _pg_query(terms: list[str], operator: str) -> str:
    parts = list(terms)
    parts[-1] += ":*"
    return f" {operator} ".join(parts)


def search(
    q: str, *, candidates: tuple[str, Any] | None = None, limit: int = LEXICAL_LIMIT
) -> list[int]:
    """Document ids matching ``q`` (every word; any word when no document has them all).

    ``candidates`` is ``(sql, params)`` of a sub-query selecting the allowed document ids.
    """
    terms = query_terms(q)
    if not terms:
        return []
    for operator in ("AND", "OR") if len(terms) > 1 else ("AND",):
        found = (_postgres if connection.vendor == "postgresql" else _sqlite)(
            terms, operator, candidates, limit
        )
        if found:
            return found
    return []


def _sqlite(
    terms: list[str], operator: str, candidates: tuple[str, Any] | None, limit: int
) -> list[int]:
    sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH %s"
    params: list[Any] = [_sqlite_match(terms, operator)]
    if candidates is not None:
        # "+rowid": the filter must not become a rowid lookup into FTS5 (one full-text probe
        # per candidate); SQLite then runs the MATCH once and checks the candidates after it.
        sql += f" AND +rowid IN ({candidates[0]})"
        params.extend(candidates[1])
    # bm25 with the title weighing five times the body; smaller is better.
    sql += " ORDER BY bm25(search_fts, 5.0, 1.0) LIMIT %s"
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _postgres(
    terms: list[str], operator: str, candidates: tuple[str, Any] | None, limit: int
) -> list[int]:
    text = _pg_query(terms, "&" if operator == "AND" else "|")
    tsquery = " || ".join(f"to_tsquery('{cfg}', %s)" for cfg in PG_CONFIGS)
    sql = (
        # Only fixed configuration names are interpolated; the words are parameters.
        f"WITH q AS (SELECT ({tsquery}) AS tsq) "  # noqa: S608
        "SELECT d.id FROM search_searchdocument d, q WHERE d.search_vector @@ q.tsq"
    )
    params: list[Any] = [text] * len(PG_CONFIGS)
    if candidates is not None:
        sql += f" AND d.id IN ({candidates[0]})"
        params.extend(candidates[1])
    sql += " ORDER BY ts_rank_cd(d.search_vector, q.tsq) DESC, d.id LIMIT %s"
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
