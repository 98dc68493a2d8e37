"""Benchmark of the search engine: build throughput, latency at two sizes, ANN recall, memory,
and the cross-lingual SDG check.

Usage::

    .venv/bin/python bench/search.py [--sizes 10000,100000] [--encode-sample 1000] [--queries 200]
    .venv/bin/python bench/search.py --sdg-check

Runs on a fresh temporary SQLite database (``DATABASE_URL`` to use another one). Practices are
composed from sentence templates in en/fr/es/pt about the project's themes. Throughput is measured
with the real encoder on ``--encode-sample`` practices (encoding alone vs the whole write path,
showing which one limits). For the larger corpora, encoding 100,000 texts would take far longer
than this 2-core machine allows, so each further practice gets the vector of a real encoded
practice plus small Gaussian noise (re-normalised); the text, lexical index and ANN are real.
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

THEMES = {
    "en": [
        ("water kiosks", "informal settlements"),
        ("participatory budgeting", "neighbourhood assemblies"),
        ("bus rapid transit", "commuters"),
        ("social housing", "tenants"),
        ("local taxes", "market traders"),
        ("climate adaptation", "flood-prone districts"),
        ("waste recycling", "cooperatives of waste pickers"),
    ],
    "fr": [
        ("kiosques à eau", "quartiers précaires"),
        ("budget participatif", "conseils de quartier"),
        ("bus à haut niveau de service", "navetteurs"),
        ("logement social", "locataires"),
        ("fiscalité locale", "commerçants des marchés"),
        ("adaptation au climat", "quartiers inondables"),
        ("recyclage des déchets", "coopératives de récupérateurs"),
    ],
    "es": [
        ("quioscos de agua", "asentamientos informales"),
        ("presupuesto participativo", "asambleas barriales"),
        ("autobús de tránsito rápido", "usuarios del transporte"),
        ("vivienda social", "inquilinos"),
        ("impuestos locales", "comerciantes de mercado"),
        ("adaptación climática", "barrios inundables"),
        ("reciclaje de residuos", "cooperativas de recicladores"),
    ],
    "pt": [
        ("quiosques de água", "assentamentos informais"),
        ("orçamento participativo", "assembleias de bairro"),
        ("corredores de ônibus", "passageiros"),
        ("habitação social", "inquilinos"),
        ("impostos locais", "comerciantes"),
        ("adaptação climática", "bairros sujeitos a cheias"),
        ("reciclagem de resíduos", "cooperativas de catadores"),
    ],
}
TEMPLATES = {
    "en": [
        "The city of {city} set up {topic} with {people}.",
        "Before the project, {people} had little say in {topic}.",
        "After {n} years, {topic} reached {k} thousand residents.",
        "The main challenge was to keep {people} involved once funding ended.",
        "A peer city helped {city} adapt {topic} to local rules.",
    ],
    "fr": [
        "La ville de {city} a mis en place {topic} avec {people}.",
        "Avant le projet, {people} avaient peu de prise sur {topic}.",
        "Après {n} ans, {topic} touchait {k} mille habitants.",
        "Le principal défi fut de garder {people} impliqués après le financement.",
        "Une ville pair a aidé {city} à adapter {topic} aux règles locales.",
    ],
    "es": [
        "La ciudad de {city} puso en marcha {topic} con {people}.",
        "Antes del proyecto, {people} tenían poca voz en {topic}.",
        "Después de {n} años, {topic} llegó a {k} mil habitantes.",
        "El reto principal fue mantener a {people} implicados sin financiación.",
        "Una ciudad par ayudó a {city} a adaptar {topic} a las normas locales.",
    ],
    "pt": [
        "A cidade de {city} criou {topic} com {people}.",
        "Antes do projeto, {people} tinham pouca voz sobre {topic}.",
        "Depois de {n} anos, {topic} chegou a {k} mil moradores.",
        "O principal desafio foi manter {people} envolvidos sem financiamento.",
        "Uma cidade parceira ajudou {city} a adaptar {topic} às regras locais.",
    ],
}
CITIES = ["Dakar", "Rosario", "Lyon", "Recife", "Nairobi", "Quito", "Porto", "Tunis", "Cebu"]


def make_practice(rng: random.Random) -> tuple[str, str, str, str]:
    """(language, title, summary, body) of one realistic practice."""
    lang = rng.choice(list(THEMES))
    topic, people = rng.choice(THEMES[lang])
    city = rng.choice(CITIES)
    values = {"city": city, "topic": topic, "people": people, "n": rng.randint(2, 12)}
    values["k"] = rng.randint(3, 400)
    sentences = [t.format(**values) for t in TEMPLATES[lang]]
    rng.shuffle(sentences)
    title = f"{topic[0].upper()}{topic[1:]} — {city}"
    return lang, title, sentences[0], " ".join(sentences[1:])


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


def run(args: argparse.Namespace) -> None:
    import numpy as np

    from citypeers.knowledge import encoder
    from citypeers.search import engine, indexing, semantic
    from citypeers.search.models import SearchDocument

    rng = random.Random(7)
    sample = [make_practice(rng) for _ in range(args.encode_sample)]
    encoder.encode(["warm-up"])
    texts = [indexing._embed_text(t, s, b) for _l, t, s, b in sample]
    t = time.perf_counter()
    vectors = encoder.encode(texts)
    encode_s = time.perf_counter() - t
    t = time.perf_counter()
    bulk_documents(sample, vectors, 1)
    write_s = time.perf_counter() - t
    t = time.perf_counter()
    indexing.rebuild_ann_index()
    ann_s = time.perf_counter() - t
    n = len(sample)
    print(f"build, {n} practices with the real encoder ({encoder.encoder_threads()} threads):")
    print(
        f"  encoding {n / encode_s:,.0f} docs/s; database + FTS writes {n / write_s:,.0f} docs/s;"
        f" ANN build {n / ann_s:,.0f} docs/s → end to end "
        f"{n / (encode_s + write_s + ann_s):,.0f} docs/s (encoder "
        f"{100 * encode_s / (encode_s + write_s + ann_s):.0f}% of the time)"
    )

    queries = [make_practice(rng)[1].split(" — ")[0] for _ in range(args.queries // 2)]
    queries += [" ".join(make_practice(rng)[2].split()[:5]) for _ in range(args.queries // 2)]
    qvecs = encoder.encode(queries)
    for size in args.sizes:
        have = SearchDocument.objects.count()
        if size > have:
            extra = [make_practice(rng) for _ in range(size - have)]
            base = vectors[[rng.randrange(n) for _ in extra]]
            noisy = encoder.normalise(
                base + np.random.default_rng(size).normal(0, 0.02, base.shape)
            )
            t = time.perf_counter()
            bulk_documents(extra, noisy, have + 1)
            write_s = time.perf_counter() - t
            t = time.perf_counter()
            indexing.rebuild_ann_index()
            ann_s = time.perf_counter() - t
            print(
                f"\n{size:,} practices: +{len(extra):,} written in {write_s:.1f} s "
                f"({len(extra) / write_s:,.0f} docs/s), ANN rebuilt in {ann_s:.1f} s"
            )
        engine.search("warm up")
        lat = []
        for q in queries:
            t = time.perf_counter()
            engine.search(q, limit=10)
            lat.append((time.perf_counter() - t) * 1000)
        filt = []
        for q in queries[: len(queries) // 2]:
            t = time.perf_counter()
            engine.search(q, limit=10, filters=engine.SearchFilters(language="pt"))
            filt.append((time.perf_counter() - t) * 1000)
        # recall@10 of the ANN against an exact scan over every stored vector
        ids = np.array(list(SearchDocument.objects.order_by("pk").values_list("pk", flat=True)))
        matrix = np.stack(
            [
                semantic.from_bytes(b)
                for b in SearchDocument.objects.order_by("pk")
                .values_list("embedding", flat=True)
                .iterator(chunk_size=5000)
            ]
        )
        recalls = []
        for qv in qvecs:
            exact = set(ids[np.argsort(-(matrix @ qv))[:10]].tolist())
            ann = {pk for pk, _s in semantic.ann_search(qv, 10)}
            recalls.append(len(exact & ann) / 10)
        index_mb = semantic.index_path().stat().st_size / 1e6
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
    parser.add_argument("--encode-sample", type=int, default=1000)
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
