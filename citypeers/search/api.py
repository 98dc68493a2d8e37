"""API of the search: one endpoint over practices, organisations and partnerships.

``GET /search?q=…`` asks the engine (``search/engine.py``: lexical and semantic, cross-lingual,
fused) and answers ``{"count", "items", "facets", "took_ms"}``. Filters apply before ranking.

Choices made here, and documented in ``docs/api.md``:

* ``q`` is required: an empty or blank query is a 422 naming ``q`` (there is no "browse
  everything" mode; the list endpoints of each type do that).
* ``types`` is a comma-separated list; an unknown type is a 422 naming ``types``.
* ``snippet`` is plain text without the engine's markers; ``highlights`` gives the matched spans
  as ``[start, end)`` offsets in Unicode code points of ``snippet``. A client escapes the text
  and wraps the spans itself; no HTML ever comes out of this endpoint.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import field_validator
from pydantic_core.core_schema import ValidationInfo

from citypeers.accounts.services import api_token_authenticate
from citypeers.api.auth import acting_user
from citypeers.search import engine
from citypeers.search.highlights import split_marks

router = Router(tags=["search"])
MAX_QUERY = 500
FACET_NAMES = ("type", "theme", "country", "language")


def parse_types(value: str) -> tuple[str, ...]:
    """``"practice, organisation"`` → ``("practice", "organisation")``; every type when empty.

    Raises ``ValueError`` naming the unknown types.
    """
    chosen = tuple(dict.fromkeys(t.strip().lower() for t in value.split(",") if t.strip()))
    unknown = [t for t in chosen if t not in engine.TYPES]
    if unknown:
        raise ValueError(
            _("unknown type %(unknown)s; use one or more of: %(types)s")
            % {"unknown": ", ".join(unknown), "types": ", ".join(engine.TYPES)}
        )
    return chosen or tuple(engine.TYPES)


class SearchQuery(Schema):
    q: str = Field(
        ...,
        max_length=MAX_QUERY,
        description="The words to look for, in any language (required, not blank).",
    )
    types: str = Field(
        ",".join(engine.TYPES),
        description="Comma-separated types to search: " + ", ".join(engine.TYPES) + ".",
    )
    theme: str = Field("", description="Theme slug (see /themes).")
    sdg: int | None = Field(None, ge=1, le=17, description="SDG number.")
    country: str = Field("", description="ISO 3166-1 alpha-3 code.")
    region: str = Field("", description="UN M49 code of a region at any level.")
    south: bool | None = Field(None, description="Global South (true) or North (false).")
    language: str = Field("", description="Only documents in this language (ISO 639-1).")
    date_from: dt.date | None = Field(
        None, description="Only documents dated (period, start, publication) on or after."
    )
    date_to: dt.date | None = Field(None, description="Only documents dated on or before.")
    lang: str = Field(
        "",
        description="The reader's language, for titles and snippets where a translation exists "
        "(default: the request's language).",
    )
    limit: int = Field(20, ge=1, le=100, description="Items per page (at most 100).")
    offset: int = Field(0, ge=0, le=10_000, description="Items to skip.")

    @field_validator("q")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError(_("type at least one word to search for"))
        return value

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: str) -> str:
        return ",".join(parse_types(value))

    @field_validator("country")
    @classmethod
    def _country_code(cls, value: str) -> str:
        return value.strip().upper()

    @field_validator("language", "lang")
    @classmethod
    def _language_code(cls, value: str) -> str:
        return value.strip().lower()

    @field_validator("date_to")
    @classmethod
    def _after_start(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("date_from")
        if value and start and value < start:
            raise ValueError(_("must not be before date_from"))
        return value

    def to_filters(self) -> "engine.SearchFilters":
        return engine.SearchFilters(
            types=parse_types(self.types),
            theme=self.theme.strip(),
            sdg=self.sdg,
            country=self.country,
            region=self.region.strip(),
            south=self.south,
            language=self.language,
            date_from=self.date_from,
            date_to=self.date_to,
        )


class SearchHitOut(Schema):
    type: str = Field(json_schema_extra={"enum": list(engine.TYPES)})
    id: int
    external_id: str
    title: str
    language: str = Field(description="Language of the title and snippet shown.")
    score: float = Field(description="Fused relevance; higher first. Comparable within a query.")
    snippet: str = Field(description="Plain text around the matched words, without markup.")
    highlights: list[tuple[int, int]] = Field(
        description="Matched spans of `snippet` as [start, end) offsets in Unicode code points."
    )
    url: str = Field(description="Path of the document's page.")


class FacetValueOut(Schema):
    value: str
    count: int


class SearchFacetsOut(Schema):
    type: list[FacetValueOut]
    theme: list[FacetValueOut] = Field(description="Theme slugs.")
    country: list[FacetValueOut] = Field(description="ISO 3166-1 alpha-3 codes.")
    language: list[FacetValueOut]


class SearchOut(Schema):
    count: int = Field(description="Documents that match the query and the filters.")
    items: list[SearchHitOut]
    facets: SearchFacetsOut = Field(
        description="Counts per type, theme, country and language of the matching documents."
    )
    took_ms: float


def _user(request: HttpRequest) -> Any:
    """Who reads: the write auth's user, else a valid bearer token's, else the session's."""
    user = acting_user(request)
    if user is not None:
        return user
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        token_user = api_token_authenticate(raw=header[7:].strip())
        if token_user is not None:
            return token_user
    return getattr(request, "user", None)


def hit_record(hit: "engine.SearchHit") -> dict[str, Any]:
    snippet, spans = split_marks(hit.snippet)
    return {
        "type": hit.type,
        "id": hit.id,
        "external_id": hit.external_id,
        "title": hit.title,
        "language": hit.language,
        "score": hit.score,
        "snippet": snippet,
        "highlights": spans,
        "url": hit.url,
    }


@router.get(
    "/search",
    response=SearchOut,
    summary="Search practices, organisations and partnerships in any language",
)
def search(request: HttpRequest, params: Query[SearchQuery]) -> dict[str, Any]:
    results = engine.search(
        params.q,
        filters=params.to_filters(),
        limit=params.limit,
        offset=params.offset,
        reader_language=(params.lang or get_language() or "en").split("-")[0],
        user=_user(request),
    )
    return {
        "count": results.count,
        "items": [hit_record(hit) for hit in results.items],
        "facets": {
            name: [{"value": str(v), "count": n} for v, n in results.facets.get(name, [])]
            for name in FACET_NAMES
        },
        "took_ms": round(results.took_ms, 1),
    }
