"""One search over practices, organisations and partnerships: lexical + semantic, fused.

``search()`` works on :class:`~citypeers.search.models.SearchDocument` rows (one per object and
language), in this order:

1. **Filters first.** The filters become one queryset of allowed documents; both sides search
   only inside it, so a selective filter never loses results to a top-k cut taken before it.
2. **Lexical** (:mod:`.lexical`): FTS5 / tsvector, accent-folded, prefix on the last word.
3. **Semantic** (:mod:`.semantic`): the query's embedding against the documents' embeddings.
   Without filters, the ANN index answers. With filters, an exact scan (dot products over the
   candidates' stored vectors) when at most ``EXACT_SCAN_MAX`` documents pass them, else the ANN
   queried with a growing ``k`` until enough of its hits pass the filters (or it is exhausted).
   Only documents with a cosine over ``SEMANTIC_MIN`` count as matches.
4. **Fusion** per object (its best document in each list): reciprocal-rank fusion
   ``Σ 1 / (RRF_K + rank)``, plus ``TITLE_BOOST`` when a title equals the folded query.
   A query in French reaches a Spanish practice through the semantic list alone.
5. Facets are counted over every matching object (after filters), the page is cut, and each hit's
   snippet comes from its best-matching language, matched words wrapped in ``\\x02…\\x03``.

Only public objects are ever indexed (see :mod:`.indexing`), so nothing here depends on the user.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np

from citypeers.core.text import fold
from citypeers.knowledge import encoder
from citypeers.knowledge.language import detect_language

from . import lexical, semantic
from .models import SearchDocument, split_codes

TYPES = ("practice", "organisation", "partnership")
RRF_K = 60
TITLE_BOOST = 1.0
SEMANTIC_MIN = 0.35
SEMANTIC_DEPTH = 200
EXACT_SCAN_MAX = 20_000
SNIPPET_CHARS = 220
MARK_START, MARK_END = "\x02", "\x03"

#: ``fold`` of titles and words, remembered: the same titles and words come back in every query.
_fold = lru_cache(maxsize=65_536)(fold)


@dataclass(frozen=True)
class SearchFilters:
    types: tuple[str, ...] = TYPES
    theme: str = ""
    sdg: int | None = None
    country: str = ""
    region: str = ""
    south: bool | None = None
    language: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class SearchHit:
    type: str
    id: int
    external_id: str
    title: str
    language: str
    score: float
    snippet: str
    url: str
    lexical_rank: int | None
    semantic_rank: int | None


@dataclass
class SearchResults:
    count: int
    items: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    took_ms: float = 0.0


def _filtered(filters: SearchFilters) -> tuple[Any, bool]:
    """The allowed documents, and whether anything narrows them."""
    docs = SearchDocument.objects.all()
    narrowed = False
    types = tuple(t for t in filters.types if t in TYPES)
    if set(types) != set(TYPES):
        docs = docs.filter(doc_type__in=types)
        narrowed = True
    if filters.theme:
        docs = docs.filter(themes__contains=f"|{filters.theme}|")
    if filters.sdg is not None:
        docs = docs.filter(sdgs__contains=f"|{int(filters.sdg)}|")
    if filters.country:
        docs = docs.filter(countries__contains=f"|{filters.country.upper()}|")
    if filters.region:
        docs = docs.filter(regions__contains=f"|{filters.region}|")
    if filters.south is not None:
        docs = docs.filter(south=filters.south)
    if filters.language:
        docs = docs.filter(language=filters.language)
    if filters.date_from:
        docs = docs.filter(date__gte=filters.date_from)
    if filters.date_to:
        docs = docs.filter(date__lte=filters.date_to)
    narrowed = narrowed or any(
        (
            filters.theme,
            filters.sdg is not None,
            filters.country,
            filters.region,
            filters.south is not None,
            filters.language,
            filters.date_from,
            filters.date_to,
        )
    )
    return docs, narrowed


def _semantic(query: Any, docs: Any, narrowed: bool, depth: int) -> list[tuple[int, float]]:
    """``(document id, cosine)`` of the best documents among ``docs``, best first."""
    if narrowed:
        ids = list(docs.values_list("pk", flat=True)[: EXACT_SCAN_MAX + 1])
        if len(ids) <= EXACT_SCAN_MAX:
            return _exact(query, ids, depth)
    k = depth * 2
    size = semantic.index_size()
    while True:
        hits = [(pk, s) for pk, s in semantic.ann_search(query, k) if s >= SEMANTIC_MIN]
        if not narrowed:
            return hits[:depth]  # every document is allowed (a stale key finds no row later)
        allowed = set(docs.filter(pk__in=[pk for pk, _s in hits]).values_list("pk", flat=True))
        kept = [(pk, s) for pk, s in hits if pk in allowed]
        # Done when enough hits pass, when the index is exhausted, or when the weakest hit is
        # already under the threshold (a wider search would only add weaker ones).
        if len(kept) >= depth or k >= size or len(hits) < k:
            return kept[:depth]
        k *= 4


def _exact(query: Any, ids: list[int], depth: int) -> list[tuple[int, float]]:
    if not ids:
        return []
    held = semantic.stored_vectors(ids)
    missing = [pk for pk in ids if pk not in held]
    for start in range(0, len(missing), 2000):
        chunk = missing[start : start + 2000]
        for pk, data in SearchDocument.objects.filter(pk__in=chunk).values_list("pk", "embedding"):
            held[pk] = semantic.from_bytes(data)
    keys = list(held)
    matrix = np.stack([held[k] for k in keys]).astype(np.float32)
    scores = matrix @ np.asarray(query, dtype=np.float32)
    order = np.argsort(-scores)[:depth]
    return [(keys[i], float(scores[i])) for i in order if scores[i] >= SEMANTIC_MIN]


def _ranks(doc_ids: list[int], object_of: dict[int, tuple[str, int]]) -> dict[Any, int]:
    ranks: dict[Any, int] = {}
    for pk in doc_ids:
        key = object_of.get(pk)
        if key is not None and key not in ranks:
            ranks[key] = len(ranks) + 1
    return ranks


def snippet(body: str, terms: list[str], length: int = SNIPPET_CHARS) -> str:
    """A window of ``body`` around the first matched word, matched words wrapped in markers."""
    text = re.sub(r"\s+", " ", (body or "").replace(MARK_START, "").replace(MARK_END, "")).strip()
    words = list(re.finditer(r"\w+", text))

    def matches(word: str) -> bool:
        folded = _fold(word)
        return bool(folded) and any(folded.startswith(t) for t in terms)

    first = next((m for m in words if matches(m.group())), None)
    start = 0
    if first is not None and first.start() > length // 3:
        start = text.rfind(" ", 0, first.start() - length // 3) + 1
    end = min(len(text), start + length)
    if end < len(text):
        end = max(text.rfind(" ", start, end), start + length // 2)
    out, pos = [], start
    for m in words:
        if m.start() < start or m.end() > end:
            continue
        if matches(m.group()):
            out.append(text[pos : m.start()] + MARK_START + m.group() + MARK_END)
            pos = m.end()
    out.append(text[pos:end])
    return ("… " if start else "") + "".join(out) + (" …" if end < len(text) else "")


def search(
    q: str,
    *,
    filters: SearchFilters = SearchFilters(),
    limit: int = 20,
    offset: int = 0,
    reader_language: str = "en",
    user: Any = None,
) -> SearchResults:
    """Search every public object for ``q`` within ``filters``; see the module docstring."""
    started = time.perf_counter()
    q = (q or "").strip()[:500]
    terms = lexical.query_terms(q)
    if not q or not terms:
        return SearchResults(count=0, items=[], facets=_facets([], {}), took_ms=0.0)
    docs, narrowed = _filtered(filters)
    candidates = docs.values("pk").query.sql_with_params() if narrowed else None
    lexical_ids = lexical.search(q, candidates=candidates)
    depth = max(SEMANTIC_DEPTH, offset + limit)
    semantic_hits = _semantic(encoder.encode_one(q), docs, narrowed, depth)
    semantic_ids = [pk for pk, _s in semantic_hits]

    meta = {
        row[0]: row
        for row in SearchDocument.objects.filter(
            pk__in=set(lexical_ids) | set(semantic_ids)
        ).values_list("pk", "doc_type", "object_id", "language", "title", "themes", "countries")
    }
    object_of = {pk: (row[1], row[2]) for pk, row in meta.items()}
    # Words shared across languages ("2030", names) make noisy lexical matches: when the query's
    # language is clear, only documents in that language count on the lexical side, and other
    # languages are reached through the embeddings.
    query_language = detect_language(q)
    lex_ranks = _ranks(
        [
            pk
            for pk in lexical_ids
            if pk in meta and (query_language is None or meta[pk][3] == query_language)
        ],
        object_of,
    )
    sem_ranks = _ranks([pk for pk in semantic_ids if pk in meta], object_of)

    folded_q = fold(q)
    scores: dict[Any, float] = {}
    best_doc: dict[Any, int] = {}
    for pk in [*lexical_ids, *semantic_ids]:  # lexical first: its documents matched the words
        if pk in meta:
            best_doc.setdefault(object_of[pk], pk)
    for key in best_doc:
        score = 0.0
        if key in lex_ranks:
            score += 1.0 / (RRF_K + lex_ranks[key])
        if key in sem_ranks:
            score += 1.0 / (RRF_K + sem_ranks[key])
        scores[key] = score
    for pk, row in meta.items():
        if _fold(row[4]) == folded_q and scores.get(object_of[pk], 0) < TITLE_BOOST:
            scores[object_of[pk]] += TITLE_BOOST
            best_doc[object_of[pk]] = pk
    # Prefer the reader's language for the snippet when that document matched too.
    for pk, row in meta.items():
        key = object_of[pk]
        current = meta[best_doc[key]]
        if row[3] == reader_language != current[3] and _fold(current[4]) != folded_q:
            best_doc[key] = pk
    ordered = sorted(scores, key=lambda k: (-scores[k], k))
    page = ordered[offset : offset + limit]

    page_rows = {
        pk: (body, external_id, url)
        for pk, body, external_id, url in SearchDocument.objects.filter(
            pk__in=[best_doc[k] for k in page]
        ).values_list("pk", "body", "external_id", "url")
    }
    bodies = {pk: row[0] for pk, row in page_rows.items()}
    extra = {pk: row[1] for pk, row in page_rows.items()}
    urls = {pk: row[2] for pk, row in page_rows.items()}
    items = []
    for key in page:
        pk = best_doc[key]
        row = meta[pk]
        items.append(
            SearchHit(
                type=row[1],
                id=row[2],
                external_id=extra.get(pk, ""),
                title=row[4],
                language=row[3],
                score=round(scores[key], 6),
                snippet=snippet(bodies.get(pk, ""), terms),
                url=urls.get(pk, ""),
                lexical_rank=lex_ranks.get(key),
                semantic_rank=sem_ranks.get(key),
            )
        )
    return SearchResults(
        count=len(ordered),
        items=items,
        facets=_facets(list(meta.values()), scores),
        took_ms=round((time.perf_counter() - started) * 1000, 2),
    )


def _facets(rows: list[tuple[Any, ...]], scores: dict[Any, float]) -> dict[str, list[Any]]:
    """Counts of matching objects per type, theme, country and language (each object once)."""
    per_object: dict[Any, tuple[Any, ...]] = {}
    languages: dict[Any, set[str]] = {}
    for row in rows:
        key = (row[1], row[2])
        if key in scores:
            per_object.setdefault(key, row)
            languages.setdefault(key, set()).add(row[3])
    counts: dict[str, Counter[str]] = {
        "type": Counter(),
        "theme": Counter(),
        "country": Counter(),
        "language": Counter(),
    }
    for key, row in per_object.items():
        counts["type"][row[1]] += 1
        counts["theme"].update(split_codes(row[5]))
        counts["country"].update(split_codes(row[6]))
        counts["language"].update(languages[key])
    return {name: sorted(c.items(), key=lambda kv: (-kv[1], kv[0])) for name, c in counts.items()}
