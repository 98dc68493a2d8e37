"""citypeers create-api-token USERNAME --name NAME [--scope read|write]: issue an API token."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from citypeers.accounts.models import User
from citypeers.accounts.services import api_token_create
from citypeers.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Issue an API token for a user and print it once (only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument(
            "--scope",
            choices=["read", "write"],
            default="write",
            help="read: reads only; write: reads and writes (default).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("No user named %(name)r.") % {"name": options["username"]})
        try:
            token, raw = api_token_create(user=user, name=options["name"], scope=options["scope"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(
            _("Token %(prefix)s… for %(user)s. Keep it now: it cannot be shown again.")
            % {"prefix": token.prefix, "user": user.username}
        )
        self.stdout.write(raw)
