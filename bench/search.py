"""Benchmark of the search engine: build throughput, latency at two sizes, ANN recall, memory,
and the cross-lingual SDG check.

Usage::

    .venv/bin/python bench/search.py [--sizes 10000,100000] [--sample 2000] [--queries 200]
    .venv/bin/python bench/search.py --sdg-check

Runs on a fresh temporary SQLite database (``DATABASE_URL`` to use another one, e.g. PostgreSQL:
its tables are created by ``migrate`` and emptied first). Practices come from
``bench/practice_corpus.py`` (realistic multilingual practices in en/fr/es/pt with real place
names) and every one of them gets a vector from the real encoder, so the ANN recall is measured
on distinct, realistically clustered vectors. The encoder's cost grows with the text's length
(100 → 600 characters: about 4× slower per text here), so the corpus vectors are made from
each practice's title and summary (the start of what the product encodes) and kept in
``var/bench-cache/`` (keyed by seed and count): a second run starts at once. Build throughput is
always measured afresh on ``--sample`` practices with the product's own text (title, summary and
the start of the body): encoding alone, database and full-text writes, ANN build.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import practice_corpus  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(tmp: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["CITYPEERS_VAR_DIR"] = tmp
    os.environ["CITYPEERS_SEARCH_INDEX_DIR"] = f"{tmp}/search"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bulk_documents(rows, vectors, start_id: int) -> None:
    """Write (language, title, summary, body) rows as practice documents with their vectors."""
    from citypeers.search import semantic
    from citypeers.search.models import SearchDocument

    SearchDocument.objects.bulk_create(
        [
            SearchDocument(
                doc_type="practice",
                object_id=start_id + i,
                language=lang,
                title=title,
                body=f"{summary}\n\n{body}",
                embedding=semantic.to_bytes(vectors[i]),
            )
            for i, (lang, title, summary, body) in enumerate(rows)
        ],
        batch_size=1000,
    )


def corpus(count: int, seed: int) -> list[tuple[str, str, str, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        p = practice_corpus.practice(rng)
        out.append((p.language, p.title, p.summary, p.body))
    return out


def encoded(rows, seed: int):  # type: ignore[no-untyped-def]
    """The real encoder's vectors of ``rows`` (title and summary: see the module docstring), from
    the cache when this corpus was encoded before."""
    import hashlib

    import numpy as np

    from citypeers.knowledge import encoder
    from citypeers.search import indexing

    key = hashlib.sha256(
        f"{seed}|{len(rows)}|title+summary|{encoder.DIMENSIONS}|{rows[-1]}".encode()
    ).hexdigest()[:16]
    cache = ROOT / "var" / "bench-cache" / f"search-{key}.npy"
    if cache.exists():
        print(f"  vectors of {len(rows):,} practices from {cache.relative_to(ROOT)}")
        return np.load(cache)
    t = time.perf_counter()
    vectors = encoder.encode([indexing._embed_text(t_, s_, "") for _l, t_, s_, _b in rows])
    took = time.perf_counter() - t
    print(f"  encoded {len(rows):,} practices in {took:.0f} s ({len(rows) / took:,.0f}/s)")
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, vectors)
    return vectors


def queries(count: int) -> list[str]:
    """Topics, topic + place, sentence fragments and questions, in the four languages."""
    rng = random.Random(1234)
    out = []
    while len(out) < count:
        p = practice_corpus.practice(rng)
        kind = len(out) % 4
        topic = practice_corpus.TOPICS[p.language][p.topic_index]
        if kind == 0:
            out.append(topic)
        elif kind == 1:
            out.append(f"{topic} {rng.choice(practice_corpus.city_names())}")
        elif kind == 2:
            words = p.results.split()
            start = rng.randrange(max(1, len(words) - 5))
            out.append(" ".join(words[start : start + 5]))
        else:
            out.append(p.title)
    return out


def run(args: argparse.Namespace) -> None:
    import numpy as np

    from citypeers.knowledge import encoder
    from citypeers.search import engine, indexing, semantic
    from citypeers.search.models import SearchDocument

    SearchDocument.objects.all().delete()
    biggest = max(args.sizes)
    print(f"corpus: {biggest:,} generated practices (seed {args.seed})")
    rows = corpus(biggest, args.seed)
    encoder.encode(["warm-up"])

    sample = rows[: args.sample]
    texts = [indexing._embed_text(t, s, b) for _l, t, s, b in sample]
    t = time.perf_counter()
    sample_vectors = encoder.encode(texts)
    encode_s = time.perf_counter() - t
    vectors = encoded(rows, args.seed)
    t = time.perf_counter()
    bulk_documents(sample, sample_vectors, 1)
    write_s = time.perf_counter() - t
    t = time.perf_counter()
    indexing.rebuild_ann_index()
    ann_s = time.perf_counter() - t
    n = len(sample)
    total = encode_s + write_s + ann_s
    print(f"build, {n:,} practices ({encoder.encoder_threads()} encoder threads):")
    print(
        f"  encoding {n / encode_s:,.0f} docs/s; database + FTS writes {n / write_s:,.0f} docs/s;"
        f" ANN build {n / ann_s:,.0f} docs/s → end to end {n / total:,.0f} docs/s "
        f"(the encoder takes {100 * encode_s / total:.0f}% of the time)"
    )

    qs = queries(args.queries)
    qvecs = encoder.encode(qs)
    figures = {}
    for size in args.sizes:
        have = SearchDocument.objects.count()
        if size > have:
            t = time.perf_counter()
            bulk_documents(rows[have:size], vectors[have:size], have + 1)
            write_s = time.perf_counter() - t
            t = time.perf_counter()
            indexing.rebuild_ann_index()
            ann_s = time.perf_counter() - t
            print(
                f"\n{size:,} practices: +{size - have:,} written in {write_s:.1f} s "
                f"({(size - have) / write_s:,.0f} docs/s), ANN rebuilt in {ann_s:.1f} s"
            )
        for q in qs[:10]:
            engine.search(q)  # warm the caches of the database and the index
        lat = []
        for q in qs:
            t = time.perf_counter()
            engine.search(q, limit=10)
            lat.append((time.perf_counter() - t) * 1000)
        filt = []
        for q in qs[: len(qs) // 2]:
            t = time.perf_counter()
            engine.search(q, limit=10, filters=engine.SearchFilters(language="pt"))
            filt.append((time.perf_counter() - t) * 1000)
        # recall@10 of the ANN against an exact scan over every stored vector
        ids = np.arange(1, size + 1)
        matrix = np.concatenate([sample_vectors, vectors[len(sample) : size]])
        recalls = []
        for qv in qvecs:
            exact = set(ids[np.argsort(-(matrix @ qv))[:10]].tolist())
            ann = {pk for pk, _s in semantic.ann_search(qv, 10)}
            recalls.append(len(exact & ann) / 10)
        index_mb = semantic.index_path().stat().st_size / 1e6
        figures[size] = (statistics.median(lat), pct(lat, 0.95))
        print(
            f"  search (lexical + semantic + fusion + facets), {len(lat)} queries: "
            f"median {statistics.median(lat):.1f} ms, p95 {pct(lat, 0.95):.1f} ms"
        )
        print(
            f"  filtered (language=pt): median {statistics.median(filt):.1f} ms, "
            f"p95 {pct(filt, 0.95):.1f} ms"
        )
        print(f"  ANN recall@10 vs exact scan: {statistics.mean(recalls):.3f}")
        print(f"  ANN index file {index_mb:.0f} MB; peak RSS {rss_mb():.0f} MB")
    if len(figures) > 1:
        small, large = min(figures), max(figures)
        print(
            f"\np95 at {large:,} / p95 at {small:,}: "
            f"{figures[large][1] / figures[small][1]:.2f} (target ≤ 2); "
            f"median ratio {figures[large][0] / figures[small][0]:.2f}"
        )


def sdg_check() -> None:
    import yaml

    from citypeers.search import engine, indexing
    from citypeers.search.models import SearchDocument

    data = {}
    for lang in ("en", "fr", "es", "ar"):
        path = ROOT.parent / "shared" / "data" / "sdg" / lang / "global_targets.yml"
        data[lang] = yaml.safe_load(path.read_text())
    keys = [k for k in data["en"] if k.endswith("-title")]
    rows = [("en", data["en"][k], "", "") for k in keys]
    from citypeers.knowledge import encoder

    vectors = encoder.encode([indexing._embed_text(t, "", "") for _l, t, _s, _b in rows])
    SearchDocument.objects.all().delete()
    bulk_documents(rows, vectors, 1)
    indexing.rebuild_ann_index()
    object_of = {k: i + 1 for i, k in enumerate(keys)}
    for lang in ("fr", "es", "ar"):
        total = first = 0
        for key in keys:
            text = data[lang].get(key)
            if not text:
                continue
            total += 1
            items = engine.search(text, limit=1).items
            first += bool(items) and items[0].id == object_of[key]
        print(f"  {lang} → en: {first}/{total} targets ranked first ({100 * first / total:.1f}%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--sdg-check", action="store_true")
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp)
        if args.sdg_check:
            print("cross-lingual check: English SDG targets as documents, queries in fr/es/ar")
            sdg_check()
        else:
            run(args)


if __name__ == "__main__":
    main()
