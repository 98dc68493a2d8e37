"""citypeers export-partnerships: the registry as CSV, JSON, GeoJSON or IATI activity XML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from citypeers.interop import partnerships_export as interop
from citypeers.partnerships.models import Geography, Modality, Status
from citypeers.partnerships.selectors import PartnershipFilters


class Command(BaseCommand):
    help = "Write partnerships to --output or standard output, filtered like the list."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=sorted(interop.FORMATS), default="csv")
        parser.add_argument("--output", type=Path, help="File to write (default: standard output).")
        parser.add_argument(
            "--base-url",
            default="",
            help="Address of the site (https://host), for absolute links in the IATI export.",
        )
        parser.add_argument("--q", default="", help="Words that must all appear.")
        parser.add_argument("--modality", default="", choices=["", *Modality.values])
        parser.add_argument("--geography", default="", choices=["", *Geography.values])
        parser.add_argument("--status", default="", choices=["", *Status.values])
        parser.add_argument("--theme", default="", help="Theme slug.")
        parser.add_argument("--region", default="", help="UN M49 code of a member's region.")
        parser.add_argument("--country", default="", help="ISO 3166-1 alpha-3 code of a member.")
        parser.add_argument("--organisation", type=int, help="Id of a member organisation.")
        parser.add_argument(
            "--international-only",
            action="store_true",
            help="Leave out partnerships whose members are all in one country.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        filters = PartnershipFilters(
            q=options["q"],
            modality=options["modality"],
            geography=options["geography"],
            status=options["status"],
            theme=options["theme"],
            region=options["region"],
            country=options["country"],
            organisation=options["organisation"],
            international_only=options["international_only"],
        )
        chunks = interop.export_chunks(
            options["format"], filters, base_url=options["base_url"].rstrip("/")
        )
        output: Path | None = options["output"]
        if output is None:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            return
        with output.open("w", encoding="utf-8", newline="") as file:
            for chunk in chunks:
                file.write(chunk)
        self.stderr.write(_("Wrote %(path)s") % {"path": output})
