"""citypeers reindex: bring the search index in step with the database, and rebuild the ANN.

Safe to run at any time and as often as wanted (nightly, say): unchanged documents are neither
re-encoded nor rewritten; objects that are gone or no longer public lose their documents.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citypeers.search import indexing, semantic


class Command(BaseCommand):
    help = "Index every public practice, organisation and partnership; rebuild the ANN index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--types",
            default=",".join(indexing.TYPES),
            help="comma-separated document types (default: all)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        types = [t.strip() for t in options["types"].split(",") if t.strip()]
        unknown = set(types) - set(indexing.TYPES)
        if unknown:
            raise CommandError(f"Unknown type(s): {', '.join(sorted(unknown))}")
        report = indexing.reindex(types)
        for doc_type in types:
            self.stdout.write(f"{doc_type}: {report.per_type.get(doc_type, 0)} documents")
        self.stdout.write(
            f"{report.objects} objects, {report.documents} documents, {report.encoded} encoded, "
            f"{report.deleted} removed, ANN index {semantic.index_size()} vectors, "
            f"{report.seconds:.1f} s"
        )
