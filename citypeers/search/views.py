"""The search page: one box over practices, organisations and partnerships, with filters, facets
and highlighted snippets.

The view parses the query with :class:`~citypeers.search.forms.SearchForm`, asks the engine once
and renders. The form's own requests (typing, changing a filter) are htmx requests for the results
fragment (``_results.html``) and push the shareable URL; facet and page links are boosted and get
the whole page, so the form always shows the filters in force.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from citypeers.core.htmx import is_htmx
from citypeers.core.translation import active_language
from citypeers.search import engine

from .forms import SearchForm

PAGE_SIZE = 20
MAX_PAGE = 50  # deeper than 1,000 results, a reader refines the query instead
FACET_SIZE = 12


def _fragment_only(request: HttpRequest) -> bool:
    """The form's htmx request for the results; boosted links and history restores get the page."""
    htmx = getattr(request, "htmx", None)
    return is_htmx(request) and not htmx.boosted and not htmx.history_restore_request  # type: ignore[union-attr]


def _with(query: QueryDict, **values: str) -> str:
    """``query`` with ``values`` set (or removed when empty), back on the first page."""
    out = query.copy()
    out.pop("page", None)
    for key, value in values.items():
        if value:
            out.setlist(key, [value])
        else:
            out.pop(key, None)
    return f"?{out.urlencode()}" if out else "?"


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    chosen: bool
    query: str


@dataclass
class ResultPage:
    """One page of results, with what the pagination links need."""

    number: int
    count: int
    size: int = PAGE_SIZE

    @property
    def num_pages(self) -> int:
        return min(MAX_PAGE, max(1, math.ceil(self.count / self.size)))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def _page_number(value: str | None) -> int:
    try:
        return min(MAX_PAGE, max(1, int(value or 1)))
    except ValueError:
        return 1


def _facets(
    form: SearchForm, query: QueryDict, counts: dict[str, list[tuple[str, int]]]
) -> list[dict[str, Any]]:
    """Each facet's values as links that add (or, once chosen, remove) that filter."""
    chosen = getattr(form, "cleaned_data", {})
    labels: dict[str, dict[str, str]] = {
        "type": form.type_labels,
        "theme": form.theme_labels,
        "country": form.country_labels,
        "language": form.language_labels,
    }
    facets: list[dict[str, Any]] = []
    for name, field, title in (
        ("type", "types", _("Types")),
        ("theme", "theme", _("Themes")),
        ("country", "country", _("Countries")),
        ("language", "language", _("Languages")),
    ):
        current = chosen.get(field) or ([] if field == "types" else "")
        values = []
        for value, count in counts.get(name, [])[:FACET_SIZE]:
            value = str(value)
            is_chosen = current == [value] if field == "types" else current == value
            values.append(
                FacetValue(
                    value=value,
                    label=str(labels[name].get(value, value)),
                    count=count,
                    chosen=is_chosen,
                    query=_with(query, **{field: "" if is_chosen else value}),
                )
            )
        facets.append({"name": name, "title": title, "values": values})
    return facets


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Results for ``q`` with the filters of the query string; the fragment alone for htmx."""
    form = SearchForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    reader = active_language()
    # The filters as a short, shareable query: empty and unknown fields left out.
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [v for v in values if v]
        if kept and key in form.fields:
            query.setlist(key, kept)
    q = form.query()
    page = ResultPage(number=_page_number(request.GET.get("page")), count=0)
    results = None
    if q:
        results = engine.search(
            q,
            filters=form.filters(),
            limit=PAGE_SIZE,
            offset=page.offset,
            reader_language=reader,
            user=request.user,
        )
        page.count = results.count
    context = {
        "form": form,
        "q": q,
        "query": query,
        "results": results,
        "hits": results.items if results else [],
        "page": page,
        "facets": _facets(form, query, results.facets) if results else [],
        "reader": reader,
    }
    if not _fragment_only(request):
        response = render(request, "search/search.html", context)
    else:
        response = render(request, "search/_results.html", {**context, "fragment": True})
        shown = query.copy()
        if page.number > 1:
            shown["page"] = str(page.number)
        push_url(response, f"{request.path}?{shown.urlencode()}" if shown else request.path)
    patch_vary_headers(response, ("HX-Request", "HX-Boosted"))
    return response
