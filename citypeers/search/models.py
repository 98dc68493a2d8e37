"""The search index: one :class:`SearchDocument` per searchable object and language.

A document is a denormalised copy of what search needs: the text (for the lexical index — an
FTS5 table on SQLite, a ``tsvector`` column on PostgreSQL, both kept in step by database
triggers created in the migrations), the embedding (for the semantic side), and the facts the
filters and facets use, so a filtered search never joins the domain tables.

Multi-valued facts (themes, SDGs, countries, M49 regions) are stored as ``|a|b|`` strings so that
one ``contains "|a|"`` condition filters them on every database.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocType(models.TextChoices):
    PRACTICE = "practice", _("Practice")
    ORGANISATION = "organisation", _("Organisation")
    PARTNERSHIP = "partnership", _("Partnership")


def codes(values: object) -> str:
    """``["a", "b"]`` → ``"|a|b|"`` (empty string for no value)."""
    items = [str(v) for v in values or [] if str(v)]  # type: ignore[attr-defined]
    return f"|{'|'.join(items)}|" if items else ""


def split_codes(value: str) -> list[str]:
    return [item for item in (value or "").split("|") if item]


class SearchDocument(models.Model):
    doc_type = models.CharField(_("type"), max_length=16, choices=DocType.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    language = models.CharField(_("language"), max_length=8)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    external_id = models.CharField(_("external id"), max_length=120, blank=True)
    url = models.CharField(_("address"), max_length=300, blank=True)
    themes = models.CharField(max_length=600, blank=True, default="")
    sdgs = models.CharField(max_length=100, blank=True, default="")
    countries = models.CharField(max_length=400, blank=True, default="")
    regions = models.CharField(max_length=400, blank=True, default="")
    south = models.BooleanField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    embedding = models.BinaryField(_("embedding (float32)"), default=b"")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(
                fields=["doc_type", "object_id", "language"], name="search_doc_per_language"
            )
        ]
        indexes = [
            models.Index(fields=["doc_type", "object_id"], name="search_doc_object"),
            models.Index(fields=["language"], name="search_doc_language"),
            models.Index(fields=["date"], name="search_doc_date"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.object_id} [{self.language}] {self.title}"
