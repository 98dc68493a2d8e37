"""Insights pages: the public dashboard, a theme's and an organisation's dashboards, the world map,
and the CSV of every chart. Each view reads stored figures through the selectors and renders;
nothing here counts rows of the domain tables.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from citypeers.core.errors import NotFound
from citypeers.partnerships.models import Geography

from . import selectors
from .charts import Chart
from .forms import FIGURES, MapFilterForm
from .selectors import Dashboard, Labels


def _with_csv_urls(board: Dashboard, url_name: str, **kwargs: str) -> Dashboard:
    for chart in [*board.charts, *board.tables]:
        chart.csv_url = reverse(url_name, kwargs={**kwargs, "key": chart.key})
    return board


def _csv(chart: Chart | None, filename: str) -> HttpResponse:
    if chart is None:
        raise Http404(_("No such chart."))
    response = HttpResponse(chart.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{chart.key}.csv"'
    return response


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    board = _with_csv_urls(selectors.platform_dashboard(), "insights:chart-csv")
    return render(request, "insights/dashboard.html", {"board": board})


@require_GET
def dashboard_csv(request: HttpRequest, key: str) -> HttpResponse:
    return _csv(selectors.platform_dashboard().chart(key), "citypeers")


def _theme(slug: str) -> Dashboard:
    try:
        return selectors.theme_dashboard(slug=slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_GET
def theme(request: HttpRequest, slug: str) -> HttpResponse:
    board = _with_csv_urls(_theme(slug), "insights:theme-chart-csv", slug=slug)
    return render(request, "insights/theme.html", {"board": board, "slug": slug})


@require_GET
def theme_csv(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    return _csv(_theme(slug).chart(key), f"theme-{slug}")


def _organisation(slug: str) -> Dashboard:
    try:
        return selectors.organisation_dashboard(slug=slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_GET
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    board = _with_csv_urls(_organisation(slug), "insights:organisation-chart-csv", slug=slug)
    return render(
        request,
        "insights/organisation.html",
        {"board": board, "peers_url": selectors.peers_url(slug)},
    )


@require_GET
def organisation_csv(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    return _csv(_organisation(slug).chart(key), f"organisation-{slug}")


def _map_table(countries: list[selectors.CountryFigures]) -> Chart:
    from .charts import Series

    return Chart(
        key="countries",
        title=_("Figures per country"),
        category_label=_("Country"),
        categories=[(c.iso3, c.name) for c in countries],
        series=[
            Series("partnerships", _("Partnerships"), [float(c.partnerships) for c in countries]),
            Series(
                "south_south_share",
                _("South–South share"),
                [round(c.south_south_share or 0.0, 3) for c in countries],
                percent=True,
            ),
            Series("practices", _("Published practices"), [float(c.practices) for c in countries]),
            Series("events", _("Events"), [float(c.events) for c in countries]),
            Series(
                "organisations", _("Organisations"), [float(c.organisations) for c in countries]
            ),
        ],
        kind="table",
    )


@require_GET
def world_map(request: HttpRequest) -> HttpResponse:
    """The map page; without JavaScript, the same figures as a table (filters apply)."""
    form = MapFilterForm(request.GET, themes=Labels(["theme"]))
    filters = form.filters()
    countries = selectors.map_countries(filters)
    table = _map_table(countries)
    query = request.GET.urlencode()
    table.csv_url = reverse("insights:map-csv") + (f"?{query}" if query else "")
    first, last = selectors.map_years()
    context = {
        "form": form,
        "state": selectors.fill_state(),
        "table": table,
        "countries": countries,
        "figure": form.chosen_figure(),
        "figures": FIGURES,
        "first_year": first,
        "last_year": last,
        "filtered": not filters.is_empty,
        "geographies": Geography.choices,
        "map_strings": {
            "partnerships": _("partnerships"),
            "organisations": _("organisations"),
            "practices": _("practices"),
            "events": _("events"),
            "southSouthShare": _("South–South share"),
            "noData": _("no data"),
            "showing": _("Showing the %(shown)s heaviest of %(total)s links."),
            "loading": _("Loading…"),
            "failed": _("The map data could not be loaded."),
            "cities": _("Cities and towns"),
            "countries": _("Countries"),
            "between": _("between"),
        },
    }
    status = 400 if form.errors else 200
    return render(request, "insights/map.html", context, status=status)


@require_GET
def map_csv(request: HttpRequest) -> HttpResponse:
    form = MapFilterForm(request.GET, themes=Labels(["theme"]))
    return _csv(_map_table(selectors.map_countries(form.filters())), "map")
