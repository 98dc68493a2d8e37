"""citypeers load-reference: countries, M49 regions, classification, cities, SDGs."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citypeers.core.errors import ApplicationError
from citypeers.directory.services import theme_sync
from citypeers.partnerships.services import capacity_sync, geography_recompute_all
from citypeers.places.services import reference_load


class Command(BaseCommand):
    help = "Load the reference data from the installed packages (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--min-population",
            type=int,
            choices=[500, 1000, 5000, 15000],
            help="Smallest city to load (default: the CITYPEERS_CITY_MIN_POPULATION setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            report = reference_load(min_population=options["min_population"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(f"themes: {theme_sync()} created")
        self.stdout.write(f"capacity dimensions: {capacity_sync()} created")
        # A changed classification rule or source changes partnerships' derived geography.
        self.stdout.write(f"partnership geography: {geography_recompute_all()} changed")
        self.stdout.write(
            self.style.SUCCESS(f"Reference data loaded in {time.perf_counter() - started:.1f} s.")
        )
