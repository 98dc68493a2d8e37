"""The ``citypeers`` command: every Django management command, with the project's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "citypeers"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
