"""citypeers eval-partners: the matching engine on twinning lists in CSV, without a database.

Ranking::

    citypeers eval-partners --known KNOWN.csv --candidates CANDIDATES.csv \
        --queries QUERIES.csv --k 50 --out RESULTS.jsonl

Hold-out evaluation (engine, baselines and ablation on one split)::

    citypeers eval-partners --known KNOWN.csv --candidates CANDIDATES.csv --holdout 0.1 --seed 1
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citypeers.core.errors import ApplicationError
from citypeers.matching import evaluation
from citypeers.matching.features import Network
from citypeers.matching.graph import Graph


class Command(BaseCommand):
    help = (
        "Suggest partner cities for each city of QUERIES from the twinning pairs of KNOWN, "
        "among the cities of CANDIDATES (JSON lines), or score the engine on a hold-out of KNOWN."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--known", type=Path, required=True, help="known pairs (CSV)")
        parser.add_argument("--candidates", type=Path, required=True, help="cities (CSV)")
        parser.add_argument("--queries", type=Path, help="cities to suggest partners for (CSV)")
        parser.add_argument("--k", type=int, default=50, help="suggestions per query")
        parser.add_argument("--out", type=Path, help="results (JSON lines); '-' for stdout")
        parser.add_argument(
            "--holdout",
            type=float,
            default=None,
            help="hide this share of KNOWN and score Hit@10 and MRR (e.g. 0.1)",
        )
        parser.add_argument("--seed", type=int, default=0, help="seed of the hold-out split")
        parser.add_argument(
            "--protocol",
            choices=evaluation.PROTOCOLS,
            default="random",
            help=(
                "which pairs the hold-out hides: 'random' (default) a random share; 'connected' "
                "only pairs whose two cities both keep another known pair (no city isolated)"
            ),
        )
        parser.add_argument("--no-ablation", action="store_true", help="skip the ablation")
        parser.add_argument(
            "--max-queries", type=int, default=None, help="score at most N hold-out queries"
        )
        parser.add_argument(
            "--no-population",
            action="store_true",
            help="do not enrich cities with GeoNames populations",
        )
        parser.add_argument(
            "--print-model", action="store_true", help="print the learned weights as JSON"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        k = options["k"]
        if k < 1:
            raise CommandError("--k must be at least 1.")
        share = options["holdout"]
        rank = options["queries"] is not None or options["out"] is not None
        if share is None and rank and (options["queries"] is None or options["out"] is None):
            raise CommandError("Give --queries and --out, or --holdout SHARE.")
        if share is None and not rank and not options["print_model"]:
            raise CommandError("Give --queries and --out, or --holdout SHARE.")
        if share is not None and not 0 < share < 1:
            raise CommandError("--holdout must be between 0 and 1 (e.g. 0.1).")
        try:
            known = evaluation.read_known(options["known"])
            candidates = evaluation.read_cities(options["candidates"], "candidates")
            queries = (
                evaluation.read_cities(options["queries"], "queries") if options["queries"] else []
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        started = time.perf_counter()
        universe = evaluation.build_universe(
            known, candidates, queries, enrich=not options["no_population"]
        )
        self.stderr.write(
            f"{universe.n} cities, {len(universe.a)} known pairs; countries resolved "
            f"{100 * universe.resolved_countries:.1f}%, population known "
            f"{100 * universe.with_population:.1f}% "
            f"({time.perf_counter() - started:.1f} s)"
        )
        if share is not None:
            self._holdout(universe, share, options)
            return
        t0 = time.perf_counter()
        model, groups = evaluation.learn(universe, seed=options["seed"])
        self.stderr.write(
            f"learned from {len(groups)} training queries in {time.perf_counter() - t0:.1f} s"
        )
        if options["print_model"]:
            self.stdout.write(json.dumps(model.as_dict()))
        if not rank:
            return
        network = Network(Graph.from_edges(universe.n, *universe.edges()), universe.nodes)
        ranker = evaluation.Ranker(universe, network, model)
        t0 = time.perf_counter()
        if str(options["out"]) == "-":
            count = evaluation.write_results(universe, ranker, queries, k, self.stdout)
        else:
            try:
                with options["out"].open("w", encoding="utf-8") as out:
                    count = evaluation.write_results(universe, ranker, queries, k, out)
            except OSError as exc:
                raise CommandError(f"{options['out']}: {exc.strerror or exc}") from exc
        elapsed = time.perf_counter() - t0
        self.stderr.write(
            f"{count} queries ranked in {elapsed:.1f} s "
            f"({1000 * elapsed / max(count, 1):.1f} ms each); total "
            f"{time.perf_counter() - started:.1f} s"
        )

    def _holdout(self, universe: evaluation.Universe, share: float, options: Any) -> None:
        results, ablations, model = evaluation.holdout(
            universe,
            share=share,
            seed=options["seed"],
            protocol=options["protocol"],
            k=options["k"],
            ablation=not options["no_ablation"],
            max_queries=options["max_queries"],
            log=self.stderr.write,
        )
        self.stdout.write(
            f"Hold-out of {100 * share:g}% of the known pairs (seed {options['seed']}, "
            f"protocol {options['protocol']}), cut-off k={options['k']}"
        )
        self.stdout.write(evaluation.table(results))
        if ablations:
            self.stdout.write("")
            self.stdout.write("Ablation: the engine relearned without one signal")
            self.stdout.write(evaluation.table([results[0], *ablations], reference=results[0]))
        self.stdout.write("")
        weights = ", ".join(f"{name} {w:+.2f}" for name, w in model.signal_weights().items())
        self.stdout.write(f"learned weights, summed per signal (standardised): {weights}")
        if options["print_model"]:
            self.stdout.write(json.dumps(model.as_dict()))
