"""citypeers import-twinnings FILE.csv: real twin-town / sister-city pairs as partnerships.

The rules are in ``citypeers/partnerships/twinning.py`` and ``docs/twinning-import.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from citypeers.core.errors import ApplicationError
from citypeers.partnerships.twinning import (
    REASONS,
    ImportReport,
    twinnings_import,
    unresolved_report_write,
)


class Command(BaseCommand):
    help = (
        "Import twin towns and sister cities (columns city1,country1,lat1,lng1,city2,country2,"
        "lat2,lng2) as twinning partnerships. Safe to run again: existing pairs are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument("--limit", type=int, default=None, help="Read only the first N rows.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Match and count, but write nothing."
        )
        parser.add_argument(
            "--stored-cities-only",
            action="store_true",
            help="Match only the cities already stored, not GeoNames' towns of 500+ (faster).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Match every row again even if this file was imported completely before.",
        )
        parser.add_argument(
            "--report",
            type=Path,
            default=None,
            help="Where to write the unresolved rows (default: var/twinning-unresolved.csv).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])

        def progress(report: ImportReport) -> None:
            if verbosity > 1:
                self.stdout.write(
                    _("… %(n)d partnerships created") % {"n": report.partnerships_created}
                )

        try:
            report = twinnings_import(
                path=options["file"],
                limit=options["limit"],
                dry_run=options["dry_run"],
                force=options["force"],
                small_towns=not options["stored_cities_only"],
                progress=progress,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        report_path: Path = options["report"] or Path(settings.VAR_DIR) / "twinning-unresolved.csv"
        write = self.stdout.write
        if report.skipped_as_done is not None:
            if verbosity:
                write(
                    _(
                        "%(file)s was imported completely on %(when)s (%(n)d partnerships): "
                        "nothing to do. Use --force to match it again."
                    )
                    % {
                        "file": options["file"].name,
                        "when": f"{report.skipped_as_done:%Y-%m-%d %H:%M}",
                        "n": report.partnerships_existing,
                    }
                )
            return
        unresolved_report_write(report, report_path)
        if verbosity == 0:
            return
        if report.dry_run:
            write(_("Dry run: nothing was written."))
        write(
            _("Rows: %(rows)d; resolved: %(resolved)d (%(rate).1f%%)")
            % {"rows": report.rows, "resolved": report.resolved, "rate": 100 * report.rate}
        )
        write(
            _(
                "Partnerships: %(created)d created, %(existing)d already imported, "
                "%(repeated)d pairs repeated in the file"
            )
            % {
                "created": report.partnerships_created,
                "existing": report.partnerships_existing,
                "repeated": report.repeated_pairs,
            }
        )
        write(
            _("Organisations created: %(orgs)d; GeoNames places added: %(cities)d")
            % {"orgs": report.organisations_created, "cities": report.cities_added}
        )
        if report.match_methods:
            methods = ", ".join(f"{k} {v}" for k, v in report.match_methods.most_common())
            write(_("Cities matched by: %(methods)s") % {"methods": methods})
        unresolved = len(report.unresolved)
        write(
            _("Unresolved rows: %(n)d, written to %(path)s")
            % {"n": unresolved, "path": report_path}
        )
        for reason, count in report.reasons.most_common():
            write(f"  {count:6d}  {reason}: {REASONS[reason]}")
        if report.unresolved_labels:
            labels = ", ".join(f"{k!r} ({v})" for k, v in report.unresolved_labels.most_common())
            write(_("Unresolved country labels: %(labels)s") % {"labels": labels})
        write(self.style.SUCCESS(_("Done in %(s).1f s.") % {"s": report.seconds}))
