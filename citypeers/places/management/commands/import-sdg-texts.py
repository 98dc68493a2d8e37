"""citypeers import-sdg-texts DIR: official SDG goal and target texts from YAML files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citypeers.core.errors import ApplicationError
from citypeers.places.services import sdg_texts_import


class Command(BaseCommand):
    help = "Load DIR/<lang>/global_goals.yml and global_targets.yml for en, fr and es."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = sdg_texts_import(directory=options["dir"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['targets']} targets in {counts['languages']} languages; "
                f"{counts['goals_updated']} goals updated."
            )
        )
