"""citypeers export-practices: every practice as JSON Lines, the format import-practices reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from citypeers.interop import practices as interop


class Command(BaseCommand):
    help = "Write every practice as JSON Lines to --output or standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="File to write (default: standard output).")
        parser.add_argument(
            "--all-languages",
            action="store_true",
            help="Add each practice's translations under the key 'translations'.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        lines = interop.export_lines(
            interop.export_queryset(), all_languages=options["all_languages"]
        )
        output: Path | None = options["output"]
        if output is None:
            for line in lines:
                self.stdout.write(line, ending="")
            return
        with output.open("w", encoding="utf-8") as file:
            for line in lines:
                file.write(line)
        self.stderr.write(_("Wrote %(path)s") % {"path": output})
