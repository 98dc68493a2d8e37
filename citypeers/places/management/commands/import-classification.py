"""citypeers import-classification PATH: a World Bank CLASS file or UN WESP groups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citypeers.core.errors import ApplicationError
from citypeers.partnerships.services import geography_recompute_all
from citypeers.places.services import classification_import


class Command(BaseCommand):
    help = (
        "Load a development classification: the World Bank CLASS file (.xlsx, or the economies "
        ".csv) or a UN WESP country-groups .csv. The file is checked whole; a bad row refuses it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            help="Date of the classification (read from 'FY2026' in the file name otherwise).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = classification_import(path=options["path"], as_of=options["as_of"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for line in report.skipped:
            self.stdout.write(self.style.WARNING(line))
        release = report.release
        self.stdout.write(
            self.style.SUCCESS(
                f"{release.label}: {release.country_count} countries classified "
                f"(as of {release.as_of}), {report.changed} changed."
            )
        )
        self.stdout.write(f"Partnership geography re-derived: {geography_recompute_all()} changed.")
