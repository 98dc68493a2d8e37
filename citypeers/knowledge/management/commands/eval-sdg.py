"""citypeers eval-sdg: measure the SDG suggestions on the expert-labelled SDG benchmark."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citypeers.knowledge.sdg_eval import BenchmarkMissing, EvaluationReport, evaluate


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = (
        "Evaluate the SDG suggestions on the sdgclassification-benchmark package: threshold "
        "chosen on a calibration split, AUC and F1 reported on the test split."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="use only N benchmark rows")
        parser.add_argument("--seed", type=int, default=7, help="seed of the split (default 7)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] is not None and options["limit"] < 2:
            raise CommandError("--limit must be at least 2.")
        try:
            report = evaluate(seed=options["seed"], limit=options["limit"])
        except (BenchmarkMissing, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self._table(report)

    def _table(self, report: EvaluationReport) -> None:
        out = self.stdout.write
        out(
            f"SDG suggestions on sdgclassification-benchmark (labels: {report.label_source}, "
            f"seed {report.seed})"
        )
        out(
            f"calibration rows {report.calibration_rows}, test rows {report.test_rows} "
            f"({report.test_texts} texts)"
        )
        out("")
        out(f"{'goal':>5} {'n':>5} {'pos':>5} {'AUC':>7} {'F1':>7}")
        for goal in report.goals:
            out(
                f"{goal.goal:>5} {goal.n:>5} {goal.positives:>5} "
                f"{_figure(goal.auc):>7} {goal.f1:>7.3f}"
            )
        out("")
        rows = [
            ("macro AUC", _figure(report.macro_auc)),
            ("micro AUC", _figure(report.micro_auc)),
            ("threshold (calibration)", f"{report.threshold:.4f}"),
            ("macro F1", f"{report.macro_f1:.3f}"),
            ("micro F1", f"{report.micro_f1:.3f}"),
            ("micro precision", f"{report.micro_precision:.3f}"),
            ("micro recall", f"{report.micro_recall:.3f}"),
            (
                f"micro F1 at default threshold {report.default_threshold:.4f}",
                f"{report.f1_at_default_threshold:.3f}",
            ),
            ("encoding", f"{report.encode_seconds:.1f} s ({report.texts_per_second:.0f} texts/s)"),
            ("total time", f"{report.total_seconds:.1f} s"),
        ]
        width = max(len(name) for name, _value in rows)
        for name, value in rows:
            out(f"{name:<{width}}  {value}")
