"""The lexical side: full-text search in the database itself.

- **SQLite** (embedded default): an FTS5 table ``search_fts`` with *external content* (the
  ``SearchDocument`` table), kept in step by triggers. Tokenizer
  ``porter unicode61 remove_diacritics 2``: accents are folded on both sides ("educacion" finds
  "educación"), prefix indexes of 2 and 3 characters make the last word's prefix query cheap
  (a last word of three letters or more is a prefix; a shorter one is a whole word), and
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

Neither database prunes while ranking: every matching document is read and scored, so a query's
cost grows with its number of matches. Two rules keep that cost bounded as the corpus grows:

- **Common words are left out of the match** when the query has rarer ones: a word found in more
  than ``COMMON_SHARE`` of the documents ("de", "the", "la") barely moves a BM25 score (its
  inverse document frequency is near zero) but multiplies the documents and positions read.
  Document frequencies are counted once per word and remembered (``_frequency``).
- **At most ``RANK_CAP`` matches are ranked**: when even the rarest words match more documents,
  the most recent ``RANK_CAP`` of them are scored (the semantic side still ranks the whole
  corpus by meaning).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection

from citypeers.core.text import fold

#: At most this many documents come from the lexical side (enough for fusion and facets).
LEXICAL_LIMIT = 300
PG_CONFIGS = ("english", "french", "spanish", "simple")
#: The last word of a query is a prefix only from this length on (see ``Word``).
PREFIX_MIN = 3
#: A word in more than this share of the documents is common (see the module docstring).
COMMON_SHARE = 0.05
#: Below this many documents, every word is kept (frequencies say little, and it is cheap).
PLAN_MIN_DOCUMENTS = 2000
#: At most this many matching documents are ranked.
RANK_CAP = 1000
#: Remembered document frequencies, and for how long the document count is trusted.
FREQUENCY_CACHE_SIZE = 50_000
COUNT_TTL_SECONDS = 60.0


@dataclass(frozen=True)
class Word:
    """A folded query word; the last one is a prefix when it has ``PREFIX_MIN`` letters or more,
    since a one- or two-letter prefix ("a*", "de*") expands to most of the vocabulary."""

    text: str
    prefix: bool = False


def query_terms(q: str) -> list[str]:
    """The folded words of a query (ASCII letters and digits only: safe in either syntax)."""
    return fold(q).split()[:12]


def query_words(q: str) -> list[Word]:
    terms = query_terms(q)
    return [
        Word(t, prefix=i == len(terms) - 1 and len(t) >= PREFIX_MIN) for i, t in enumerate(terms)
    ]


def _sqlite_match(words: list[Word], operator: str) -> str:
    return f" {operator} ".join(f'"{w.text}"' + ("*" if w.prefix else "") for w in words)


def _pg_query(words: list[Word], operator: str) -> str:
    return f" {operator} ".join(w.text + (":*" if w.prefix else "") for w in words)


# Document frequencies


_cache_lock = threading.Lock()
_frequencies: dict[tuple[str, str, bool], tuple[int, int]] = {}
_count: dict[str, tuple[int, float]] = {}


def _document_count() -> int:
    alias = connection.alias
    with _cache_lock:
        cached = _count.get(alias)
    if cached and time.monotonic() - cached[1] < COUNT_TTL_SECONDS:
        return cached[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_searchdocument")
        total = int(cursor.fetchone()[0])
    with _cache_lock:
        _count[alias] = (total, time.monotonic())
    return total


def _frequency(word: Word, total: int) -> int:
    """How many documents hold ``word``: counted once, then remembered while the corpus has not
    grown or shrunk by more than a fifth."""
    key = (connection.alias, word.text, word.prefix)
    with _cache_lock:
        cached = _frequencies.get(key)
    if cached and abs(cached[1] - total) <= total // 5:
        return cached[0]
    if connection.vendor == "postgresql":
        tsquery = " || ".join(f"to_tsquery('{cfg}', %s)" for cfg in PG_CONFIGS)
        # Safe: only the fixed configuration names are interpolated; the word is a parameter.
        where = f"search_vector @@ ({tsquery})"
        sql = "SELECT count(*) FROM search_searchdocument WHERE " + where  # noqa: S608  # nosec B608
        params = [_pg_query([word], "&")] * len(PG_CONFIGS)
    else:
        sql = "SELECT count(*) FROM search_fts WHERE search_fts MATCH %s"
        params = [_sqlite_match([word], "AND")]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = int(cursor.fetchone()[0])
    with _cache_lock:
        if len(_frequencies) >= FREQUENCY_CACHE_SIZE:
            _frequencies.clear()
        _frequencies[key] = (found, total)
    return found


def plan(words: list[Word]) -> list[Word]:
    """The words to match: the selective ones (see the module docstring), in query order."""
    if len(words) < 2:
        return words
    total = _document_count()
    if total < PLAN_MIN_DOCUMENTS:
        return words
    frequency = {w: _frequency(w, total) for w in words}
    kept = [w for w in words if frequency[w] <= COMMON_SHARE * total]
    return kept or [min(words, key=lambda w: frequency[w])]


def clear_caches() -> None:
    with _cache_lock:
        _frequencies.clear()
        _count.clear()


def search(
    q: str, *, candidates: tuple[str, Any] | None = None, limit: int = LEXICAL_LIMIT
) -> list[int]:
    """Document ids matching ``q`` (every selective word; any word when no document has them
    all).

    ``candidates`` is ``(sql, params)`` of a sub-query selecting the allowed document ids.
    """
    words = plan(query_words(q))
    if not words:
        return []
    for operator in ("AND", "OR") if len(words) > 1 else ("AND",):
        found = (_postgres if connection.vendor == "postgresql" else _sqlite)(
            words, operator, candidates, limit
        )
        if found:
            return found
    return []


def _sqlite(
    words: list[Word], operator: str, candidates: tuple[str, Any] | None, limit: int
) -> list[int]:
    # The newest RANK_CAP matches are scored (FTS5 reads rowids in reverse order cheaply); bm25
    # with the title weighing five times the body; smaller is better.
    inner = (
        "SELECT rowid, bm25(search_fts, 5.0, 1.0) AS score FROM search_fts "
        "WHERE search_fts MATCH %s"
    )
    params: list[Any] = [_sqlite_match(words, operator)]
    if candidates is not None:
        # "+rowid": the filter must not become a rowid lookup into FTS5 (one full-text probe
        # per candidate); SQLite then runs the MATCH once and checks the candidates after it.
        inner += f" AND +rowid IN ({candidates[0]})"
        params.extend(candidates[1])
    inner += " ORDER BY rowid DESC LIMIT %s"
    params.extend([RANK_CAP, limit])
    # Safe: ``inner`` is built here from fixed text and the filters' own compiled SQL.
    sql = f"SELECT rowid FROM ({inner}) ORDER BY score, rowid DESC LIMIT %s"  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _postgres(
    words: list[Word], operator: str, candidates: tuple[str, Any] | None, limit: int
) -> list[int]:
    text = _pg_query(words, "&" if operator == "AND" else "|")
    tsquery = " || ".join(f"to_tsquery('{cfg}', %s)" for cfg in PG_CONFIGS)
    inner = (
        # Only fixed configuration names are interpolated; the words are parameters.
        f"WITH q AS (SELECT ({tsquery}) AS tsq) "  # noqa: S608  # nosec B608
        "SELECT d.id, ts_rank_cd(d.search_vector, q.tsq) AS score "
        "FROM search_searchdocument d, q WHERE d.search_vector @@ q.tsq"
    )
    params: list[Any] = [text] * len(PG_CONFIGS)
    if candidates is not None:
        inner += f" AND d.id IN ({candidates[0]})"
        params.extend(candidates[1])
    inner += " ORDER BY d.id DESC LIMIT %s"
    params.extend([RANK_CAP, limit])
    # Safe: ``inner`` is built here from fixed text and the filters' own compiled SQL.
    sql = f"SELECT id FROM ({inner}) AS m ORDER BY score DESC, id DESC LIMIT %s"  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
