"""citypeers create-database: create the PostgreSQL database of DATABASE_URL if it is missing.

For the first start of the production profile on a fresh server (``make run-prod`` runs it). It
connects to the server's ``postgres`` maintenance database with the same credentials; nothing
happens for SQLite, or when the database exists.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Create the PostgreSQL database named in DATABASE_URL when it does not exist yet."

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write(f"{connection.vendor}: nothing to create.")
            return
        import psycopg
        from psycopg import sql

        params = connection.get_connection_params()
        name = params.pop("dbname", None) or connection.settings_dict["NAME"]
        params.pop("cursor_factory", None)
        params.pop("context", None)
        try:
            with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as server:
                exists = server.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [name]
                ).fetchone()
                if exists:
                    self.stdout.write(f"Database {name} exists.")
                    return
                server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error as error:
            raise CommandError(f"Could not create database {name}: {error}") from error
        self.stdout.write(f"Database {name} created.")
