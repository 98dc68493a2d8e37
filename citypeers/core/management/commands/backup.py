"""citypeers backup [--output FILE]: the database and the media folder in one archive."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from citypeers.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write every table and the media folder to a .tar.gz archive that `citypeers restore` "
        "reads back on SQLite or PostgreSQL."
    )

    # The checks import every URL module (seconds); the command needs none of them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            help="the archive to write ('-' for standard output); default "
            "var/backups/citypeers-<UTC time>.tar.gz",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["output"]
        try:
            if target == "-":
                # The archive goes to standard output, so the report goes to standard error.
                backup_create(sys.stdout.buffer, log=self.stderr.write)
                return
            if target:
                path = Path(target)
            else:
                stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
                path = Path(settings.VAR_DIR) / "backups" / f"citypeers-{stamp}.tar.gz"
            backup_create(path, log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Archive written to {path}")
