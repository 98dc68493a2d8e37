"""citypeers import-organisations FILE.csv --as USERNAME: organisations from a CSV file.

The columns, the rules and what happens on a bad row are in ``docs/import-export.md``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from citypeers.accounts.models import User
from citypeers.core.errors import ApplicationError
from citypeers.interop.services import organisations_import


class Command(BaseCommand):
    help = (
        "Import organisations from a CSV file, as a staff user or moderator. A file with any "
        "invalid row is refused whole unless --skip-invalid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as",
            dest="as_user",
            required=True,
            metavar="USERNAME",
            help="The staff user or moderator the import acts as (named in the audit log).",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and write the invalid ones to --rejects.",
        )
        parser.add_argument(
            "--rejects",
            type=Path,
            help="Where --skip-invalid writes the rejected rows (default: FILE-rejects.csv).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row, write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        actor = User.objects.filter(username=options["as_user"]).first()
        if actor is None:
            raise CommandError(_("No user named %(name)r.") % {"name": options["as_user"]})
        # Fields longer than csv's default limit (128 KiB) are then refused by the import's
        # own checks, which name the row and the column.
        csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))
        reader: csv.DictReader[str] | None = None
        try:
            with path.open(encoding="utf-8-sig", newline="") as file:
                reader = csv.DictReader(file)
                columns = [c.strip() for c in reader.fieldnames or []]
                reader.fieldnames = columns
                report = organisations_import(
                    actor=actor,
                    columns=columns,
                    rows=reader,
                    skip_invalid=options["skip_invalid"],
                    dry_run=options["dry_run"],
                )
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(_("The file is not UTF-8 text: %(error)s") % {"error": exc}) from exc
        except csv.Error as exc:
            raise CommandError(
                _("The file is not valid CSV at row %(row)d: %(error)s")
                % {"row": reader.line_num if reader else 0, "error": exc}
            ) from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

        for error in report.errors:
            self.stderr.write(str(error))
        summary = _("%(created)d created, %(updated)d updated, %(rejected)d rows invalid.") % {
            "created": report.created,
            "updated": report.updated,
            "rejected": len(report.rejected),
        }
        if report.rejected and options["skip_invalid"]:
            rejects = options["rejects"] or path.with_name(f"{path.stem}-rejects.csv")
            with rejects.open("w", encoding="utf-8", newline="") as file:
                writer = csv.DictWriter(file, fieldnames=[*columns, "error"], extrasaction="ignore")
                writer.writeheader()
                for rejected in report.rejected:
                    writer.writerow({**rejected.values, "error": rejected.error_text})
            self.stderr.write(_("Rejected rows written to %(path)s") % {"path": rejects})
        if options["dry_run"]:
            self.stdout.write(_("Dry run, nothing written: %(summary)s") % {"summary": summary})
            if report.rejected and not options["skip_invalid"]:
                raise CommandError(_("The file has invalid rows."))
            return
        if not report.committed:
            raise CommandError(
                _("Nothing imported: %(summary)s Fix the rows above, or use --skip-invalid.")
                % {"summary": summary}
            )
        self.stdout.write(self.style.SUCCESS(summary))
