"""citypeers load-demo: the demo data set (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from citypeers.core.demo import demo_load


class Command(BaseCommand):
    help = "Load the demo data set; safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        for line in demo_load():
            self.stdout.write(line)
