"""citypeers revoke-api-token USERNAME PREFIX: revoke a user's token, as that user."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from citypeers.accounts.models import ApiToken
from citypeers.accounts.services import api_token_revoke
from citypeers.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Revoke the API token of USERNAME whose first characters are PREFIX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("prefix", help="The first eight characters of the token.")

    def handle(self, *args: Any, **options: Any) -> None:
        token = (
            ApiToken.objects.select_related("user")
            .filter(user__username=options["username"], prefix=options["prefix"][:8])
            .first()
        )
        if token is None:
            raise CommandError(_("No such token."))
        try:
            api_token_revoke(actor=token.user, token=token)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(_("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
