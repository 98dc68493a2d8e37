"""citypeers import-practices FILE.jsonl --as USERNAME: practices from JSON Lines.

The format, the rules and what happens on a bad line are in ``docs/import-export.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from citypeers.accounts.models import User
from citypeers.core.errors import ApplicationError
from citypeers.interop.practices import practices_import, split_lines


class Command(BaseCommand):
    help = (
        "Import practices from a JSON Lines file, as a staff user or moderator. A file with any "
        "invalid line is refused whole unless --skip-invalid."
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
            help="Import the valid lines and write the invalid ones to --rejects.",
        )
        parser.add_argument(
            "--rejects",
            type=Path,
            help="Where --skip-invalid writes the rejected lines (default: FILE-rejects.jsonl).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every line, write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        actor = User.objects.filter(username=options["as_user"]).first()
        if actor is None:
            raise CommandError(_("No user named %(name)r.") % {"name": options["as_user"]})
        try:
            content = path.read_bytes()
            report = practices_import(
                actor=actor,
                lines=split_lines(content),
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
            )
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

        for error in report.errors:
            self.stderr.write(str(error))
        summary = _("%(created)d created, %(updated)d updated, %(rejected)d lines invalid.") % {
            "created": report.created,
            "updated": report.updated,
            "rejected": len(report.rejected),
        }
        if report.rejected and options["skip_invalid"]:
            rejects = options["rejects"] or path.with_name(f"{path.stem}-rejects.jsonl")
            with rejects.open("w", encoding="utf-8") as file:
                for rejected in report.rejected:
                    file.write(json.dumps(rejected.as_record(), ensure_ascii=False) + "\n")
            self.stderr.write(_("Rejected lines written to %(path)s") % {"path": rejects})
        if options["dry_run"]:
            self.stdout.write(_("Dry run, nothing written: %(summary)s") % {"summary": summary})
            if report.rejected and not options["skip_invalid"]:
                raise CommandError(_("The file has invalid lines."))
            return
        if not report.committed:
            raise CommandError(
                _("Nothing imported: %(summary)s Fix the lines above, or use --skip-invalid.")
                % {"summary": summary}
            )
        self.stdout.write(self.style.SUCCESS(summary))
