"""Benchmark: encoder throughput, and the choices behind the SDG scoring (calibration split only).

Usage: ``.venv/bin/python bench/sdg.py [--threads 1 2] [--seed 7] [--sdg-dir ../shared/data/sdg]``

1. Throughput of ``citypeers.knowledge.encoder`` (model already loaded) on short sentences and on
   the benchmark's paragraphs (~90 words), for each ``--threads`` value.
2. The ablation that chose the scoring of ``citypeers.knowledge.sdg_suggest``: per-language or
   language-averaged label prototypes, centred or not, mean of the top k similarities for several
   k; macro and micro AUC on the **calibration** split of ``citypeers eval-sdg`` — never on the
   test split, whose figures stay an honest estimate. The variant the engine uses is checked
   against the engine's own ``score_embeddings``.

Reads the official texts from the YAML files (no database needed) and the benchmark from the
``sdgclassification-benchmark`` package.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def read_yaml(path: Path) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(k): unicodedata.normalize("NFC", " ".join(str(v).split())) for k, v in data.items()}


def official_texts(directory: Path) -> list[tuple[int, dict[str, str]]]:
    """Goal titles then targets, each with its en/fr/es texts (as the places app stores them)."""
    labels: dict[str, tuple[int, dict[str, str]]] = {}
    for lang in ("en", "fr", "es"):
        for key, text in read_yaml(directory / lang / "global_goals.yml").items():
            number, _sep, kind = key.partition("-")
            if kind == "title" and number.isdigit() and 1 <= int(number) <= 17:
                labels.setdefault(f"goal {number}", (int(number), {}))[1][lang] = text
        for key, text in read_yaml(directory / lang / "global_targets.yml").items():
            parts = key.split("-")
            if len(parts) == 3 and parts[2] == "title":
                labels.setdefault(f"target {parts[0]}.{parts[1]}", (int(parts[0]), {}))[1][lang] = (
                    text
                )
    return list(labels.values())


def throughput(threads: list[int]) -> None:
    from django.test.utils import override_settings

    from citypeers.knowledge import encoder
    from citypeers.knowledge.sdg_eval import load_benchmark

    paragraphs = sorted({row.text for row in load_benchmark()})[:600]
    sentences = [f"Peer learning exchange {i} on water, housing and mobility." for i in range(2000)]
    print("encoder throughput (model loaded, batches of 256)")
    for count in threads:
        with override_settings(CITYPEERS_ENCODER_THREADS=count):
            started = time.perf_counter()
            encoder.encode(["load"])
            loaded = time.perf_counter() - started
            for name, texts in (("sentences", sentences), ("paragraphs", paragraphs)):
                started = time.perf_counter()
                encoder.encode(texts)
                elapsed = time.perf_counter() - started
                print(
                    f"  threads={count}  {name:<10} {len(texts) / elapsed:7.0f} texts/s"
                    f"  (first call incl. load {loaded:.2f} s)"
                )
                loaded = 0.0


def ablation(seed: int, sdg_dir: Path) -> None:
    from citypeers.knowledge import encoder, sdg_suggest
    from citypeers.knowledge.sdg_eval import load_benchmark, roc_auc, split_rows
    from citypeers.places.sdg_titles import SDG_SHORT_TITLES

    calibration, _test = split_rows(load_benchmark(), seed=seed)
    texts = sorted({row.text for row in calibration})
    index = {text: i for i, text in enumerate(texts)}
    embedded = encoder.encode(texts)
    rows = np.array([index[row.text] for row in calibration])
    goals = np.array([row.goal for row in calibration])
    labels_true = np.array([row.label for row in calibration])

    def report(name: str, scores: np.ndarray) -> None:
        picked = scores[rows, goals - 1]
        per_goal = [
            roc_auc(picked[goals == goal], labels_true[goals == goal]) for goal in range(1, 18)
        ]
        macro = np.mean([a for a in per_goal if a is not None])
        print(f"  {name:<46} macro AUC {macro:.3f}  micro AUC {roc_auc(picked, labels_true):.3f}")

    def score(vectors: np.ndarray, owners: np.ndarray, centred: bool, k: int) -> np.ndarray:
        x = embedded
        if centred:
            centre = vectors.mean(axis=0)
            vectors = encoder.normalise(vectors - centre)
            x = encoder.normalise(x - centre)
        sims = x @ vectors.T
        out = np.zeros((len(x), 17))
        for goal in range(1, 18):
            goal_sims = np.sort(sims[:, owners == goal], axis=1)[:, ::-1]
            out[:, goal - 1] = goal_sims[:, :k].mean(axis=1)
        return out

    official = official_texts(sdg_dir)
    owners = np.array([goal for goal, _by_lang in official])
    by_lang = {
        lang: encoder.encode([by_lang[lang] for _goal, by_lang in official])
        for lang in ("en", "fr", "es")
    }
    averaged = encoder.normalise(np.sum(list(by_lang.values()), axis=0))
    stacked = np.vstack(list(by_lang.values()))
    stacked_owners = np.tile(owners, 3)
    print(f"scoring variants on the calibration split (seed {seed}, {len(calibration)} rows)")
    for k in (1, 3, 8, 1000):
        kk = "all" if k == 1000 else k
        report(f"per-language labels, top-{kk}", score(stacked, stacked_owners, False, k))
        report(f"averaged labels, top-{kk}", score(averaged, owners, False, k))
        report(f"averaged labels, centred, top-{kk}", score(averaged, owners, True, k))
    short = [
        (n, {"en": en, "fr": fr, "es": es}) for n, (_c, en, fr, es) in SDG_SHORT_TITLES.items()
    ]
    short_vectors = encoder.normalise(
        np.sum(
            [encoder.encode([t[lang] for _n, t in short]) for lang in ("en", "fr", "es")], axis=0
        )
    )
    report("short titles (fallback), centred", score(short_vectors, np.arange(1, 18), True, 1))

    engine = sdg_suggest.score_embeddings(embedded, sdg_suggest.build_labels("official", official))
    chosen = score(averaged, owners, True, sdg_suggest.TOP_K)
    assert np.allclose(engine, chosen, atol=1e-4), "the engine no longer matches the ablation"
    print(f"  the engine = averaged labels, centred, top-{sdg_suggest.TOP_K} (checked)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sdg-dir", type=Path, default=ROOT.parent / "shared" / "data" / "sdg")
    args = parser.parse_args()
    import django

    django.setup()
    throughput(args.threads)
    if args.sdg_dir.is_dir():
        ablation(args.seed, args.sdg_dir)
    else:
        print(f"{args.sdg_dir} is missing: no ablation")


if __name__ == "__main__":
    main()
