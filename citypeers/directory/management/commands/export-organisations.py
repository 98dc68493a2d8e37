"""citypeers export-organisations: the directory as CSV, JSON or Popolo JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from citypeers.directory.models import ActorType
from citypeers.directory.selectors import OrganisationFilters
from citypeers.interop import organisations as interop


class Command(BaseCommand):
    help = "Write organisations (and, for Popolo, memberships) to --output or standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=sorted(interop.FORMATS), default="csv")
        parser.add_argument("--output", type=Path, help="File to write (default: standard output).")
        parser.add_argument("--q", default="", help="Words that must all appear.")
        parser.add_argument("--actor-type", default="", choices=["", *ActorType.values])
        parser.add_argument("--country", default="", help="ISO 3166-1 alpha-3 code.")
        parser.add_argument("--region", default="", help="UN M49 code.")
        parser.add_argument("--theme", default="", help="Theme slug.")

    def handle(self, *args: Any, **options: Any) -> None:
        filters = OrganisationFilters(
            q=options["q"],
            actor_type=options["actor_type"],
            country=options["country"],
            region=options["region"],
            theme=options["theme"],
        )
        _content_type, _filename, chunks = interop.FORMATS[options["format"]]
        lines = chunks(interop.export_queryset(filters))
        output: Path | None = options["output"]
        if output is None:
            for chunk in lines:
                self.stdout.write(chunk, ending="")
            return
        with output.open("w", encoding="utf-8", newline="") as file:
            for chunk in lines:
                file.write(chunk)
        self.stderr.write(_("Wrote %(path)s") % {"path": output})
