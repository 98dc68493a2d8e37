"""citypeers restore FILE [--force]: replace the database and the media folder by an archive's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citypeers.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `citypeers backup` into a migrated database (one "
        "transaction: a damaged archive changes nothing), then rebuild the search indexes."
    )

    # The checks import every URL module (seconds); the command needs none of them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="the .tar.gz written by citypeers backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that holds data and a media folder that holds files",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restore(options["archive"], force=options["force"], log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Restored; counts and checksums match the archive.")
