"""API of the insights: every figure the dashboards and the map show, from the stored figures.

- ``/insights/status`` — the fill state (when the figures were computed);
- ``/insights/refresh`` (POST, platform moderators) — queue a refresh;
- ``/insights/platform``, ``/insights/themes/{slug}``, ``/insights/organisations/{id}`` — the
  dashboards: totals and every chart's rows (the same rows as their tables and CSV files);
- ``/insights/actors``, ``/insights/synergies``, ``/insights/figures`` — paginated lists;
- ``/insights/map/countries`` (JSON), ``/insights/map/points`` and ``/insights/map/links``
  (GeoJSON ``FeatureCollection``, RFC 7946) — the map's layers, aggregated per country or city
  and thinned to the heaviest features. GeoJSON responses are gzip-compressed when the client
  accepts it (public data, no secret to leak through compression).
"""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import AfterValidator, BaseModel

from citypeers.api.auth import WRITE_AUTH, acting_user
from citypeers.api.pagination import LimitOffset
from citypeers.partnerships.models import Geography, Modality

from . import selectors, services
from .charts import Chart
from .models import Synergy
from .selectors import Dashboard, MapFilters

router = Router(tags=["insights"])


# --- schemas ---------------------------------------------------------------------------------


class StatusOut(BaseModel):
    computed_at: str | None = Field(description="When the figures shown were computed (UTC).")
    duration_ms: int | None
    rows: dict[str, int] = Field(description="Rows stored per table by that refresh.")
    running: bool = Field(description="A refresh is running now.")
    last_failed: bool = Field(description="The last refresh failed (older figures are shown).")


class TotalOut(BaseModel):
    key: str
    label: str
    value: float


class ChartRowOut(BaseModel):
    key: str
    label: str
    values: dict[str, float]


class ChartOut(BaseModel):
    key: str
    title: str
    kind: Literal["bars", "grouped", "columns", "lines", "table"]
    percent: bool = Field(description="Values are shares between 0 and 1.")
    category: str = Field(description="What the rows are (region, theme, year …).")
    series: dict[str, str] = Field(description="Series key → label.")
    rows: list[ChartRowOut]


class DashboardOut(BaseModel):
    title: str
    status: StatusOut
    totals: list[TotalOut]
    facts: dict[str, str]
    charts: list[ChartOut]


class ActorOut(Schema):
    organisation_id: int
    name: str
    slug: str
    actor_type: str
    country: str = Field(description="ISO 3166-1 alpha-3 code, or empty.")
    region: str = Field(description="UN M49 region code, or empty.")
    partners: int
    partnerships: int
    memberships: int
    betweenness: float
    regions_reached: int
    cross_region_partners: int
    community: int | None
    rank_in_region: int | None


class SynergyOut(Schema):
    organisation_a_id: int
    a_name: str
    a_slug: str
    organisation_b_id: int
    b_name: str
    b_slug: str
    scope: Literal["country", "region"]
    country: str
    region: str
    themes: list[str]
    reasons: list[dict[str, str]]
    score: float
    suggest_url: str = Field(description="The matching page where the connection is proposed.")

    @staticmethod
    def resolve_suggest_url(obj: Synergy) -> str:
        return f"{selectors.peers_url(obj.a_slug)}?with={obj.b_slug}"


class FigureOut(Schema):
    name: str
    scope_type: str
    scope_key: str
    subgroup: str
    period: str = Field(description='"" for all time, else a year.')
    value: float


class CountryFiguresOut(BaseModel):
    iso3: str
    numeric: str = Field(description="ISO 3166-1 numeric code: the id of world-atlas shapes.")
    name: str
    region: str
    partnerships: int
    south_south: int
    south_south_share: float | None
    organisations: int
    practices: int
    events: int


class CountriesOut(BaseModel):
    status: StatusOut
    items: list[CountryFiguresOut]


class PointGeometry(BaseModel):
    type: Literal["Point"]
    coordinates: list[float]


class LineGeometry(BaseModel):
    type: Literal["LineString"]
    coordinates: list[list[float]]


class PointFeature(BaseModel):
    type: Literal["Feature"]
    id: str
    geometry: PointGeometry
    properties: dict[str, Any]


class LineFeature(BaseModel):
    type: Literal["Feature"]
    id: str
    geometry: LineGeometry
    properties: dict[str, Any]


class PointsOut(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[PointFeature]
    total: int = Field(description="Features matching before the limit (the rest are thinned).")
    limit: int


class LinksOut(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[LineFeature]
    total: int = Field(description="Links matching before the limit (the rest are thinned).")
    limit: int


def _choice(values: list[str]) -> Any:
    def check(value: str) -> str:
        if value and value not in values:
            raise ValueError(_("use one of: %(values)s") % {"values": ", ".join(values)})
        return value

    return AfterValidator(check)


def _bbox(value: str) -> str:
    if not value:
        return value
    parts = value.split(",")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise ValueError(_("four numbers: west,south,east,north")) from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise ValueError(_("longitudes between -180 and 180, latitudes between -90 and 90"))
    return value


class MapFilterIn(Schema):
    theme: str = Field("", description="Theme slug (see /themes).")
    modality: Annotated[str, _choice(list(Modality.values))] = ""
    geography: Annotated[str, _choice(list(Geography.values))] = ""
    year_from: int | None = Field(None, ge=1900, le=2100, description="First start year.")
    year_to: int | None = Field(None, ge=1900, le=2100, description="Last start year.")

    def to_filters(self) -> MapFilters:
        return MapFilters(
            theme=self.theme,
            modality=self.modality,
            geography=self.geography,
            year_from=self.year_from,
            year_to=self.year_to,
        )


class LayerIn(MapFilterIn):
    level: Literal["country", "city"] = "country"
    bbox: Annotated[str, AfterValidator(_bbox)] = Field(
        "", description="west,south,east,north in degrees: only features in this view."
    )

    def box(self) -> tuple[float, float, float, float] | None:
        if not self.bbox:
            return None
        west, south, east, north = (float(p) for p in self.bbox.split(","))
        return west, south, east, north


# --- helpers ---------------------------------------------------------------------------------


def _status() -> StatusOut:
    state = selectors.fill_state()
    last = state.last
    return StatusOut(
        computed_at=last.finished_at.isoformat() if last and last.finished_at else None,
        duration_ms=last.duration_ms if last else None,
        rows={k: int(v) for k, v in (last.rows if last else {}).items()},
        running=state.running,
        last_failed=state.failed is not None,
    )


def _chart(chart: Chart) -> ChartOut:
    return ChartOut(
        key=chart.key,
        title=chart.title,
        kind=chart.kind,  # type: ignore[arg-type]
        percent=chart.percent,
        category=chart.category_label,
        series={s.key: s.label for s in chart.series},
        rows=[
            ChartRowOut(key=key, label=label, values={s.key: s.values[i] for s in chart.series})
            for i, (key, label) in enumerate(chart.categories)
        ],
    )


def _dashboard(board: Dashboard) -> DashboardOut:
    return DashboardOut(
        title=board.title,
        status=_status(),
        totals=[TotalOut(key=k, label=label, value=v) for k, label, v in board.totals],
        facts=dict(board.facts),
        charts=[_chart(c) for c in [*board.charts, *board.tables]],
    )


# --- endpoints ---------------------------------------------------------------------------------


@router.get("/insights/status", response=StatusOut, summary="When the figures were computed")
def insights_status(request: HttpRequest) -> StatusOut:
    return _status()


@router.post(
    "/insights/refresh",
    response={202: StatusOut},
    auth=WRITE_AUTH,
    summary="Queue a refresh of every figure (platform moderators)",
)
def insights_refresh(request: HttpRequest) -> Status:
    services.insights_refresh_request(actor=acting_user(request))
    return Status(202, _status())


@router.get(
    "/insights/platform", response=DashboardOut, summary="The public dashboard of the platform"
)
def insights_platform(request: HttpRequest) -> DashboardOut:
    return _dashboard(selectors.platform_dashboard())


@router.get("/insights/themes/{slug}", response=DashboardOut, summary="A theme's dashboard")
def insights_theme(request: HttpRequest, slug: str) -> DashboardOut:
    return _dashboard(selectors.theme_dashboard(slug=slug))


@router.get(
    "/insights/organisations/{id}",
    response=DashboardOut,
    summary="An organisation's dashboard: its network, partners by region, activity over time",
)
def insights_organisation(request: HttpRequest, id: int) -> DashboardOut:
    return _dashboard(selectors.organisation_dashboard(pk=id))


@router.get("/insights/actors", response=list[ActorOut], summary="Organisations in the network")
@paginate(LimitOffset)
def insights_actors(
    request: HttpRequest,
    region: str = Query("", description="UN M49 region code."),
    order: Literal["partners", "betweenness", "regions_reached"] = "partners",
) -> Any:
    return selectors.actor_list(region=region, order=order)


@router.get(
    "/insights/synergies",
    response=list[SynergyOut],
    summary="Organisations on the same theme nearby that do not cooperate yet",
)
@paginate(LimitOffset)
def insights_synergies(
    request: HttpRequest,
    organisation: int | None = Query(None, description="Id of one of the two organisations."),
    theme: str = Query("", description="Theme slug."),
    country: str = Query("", description="ISO 3166-1 alpha-3 code (same-country synergies)."),
    region: str = Query("", description="UN M49 region code."),
) -> Any:
    return selectors.synergy_list(
        organisation_id=organisation, theme=theme, country=country, region=region
    )


@router.get("/insights/figures", response=list[FigureOut], summary="Every stored figure")
@paginate(LimitOffset)
def insights_figures(
    request: HttpRequest,
    name: str = "",
    scope_type: str = "",
    scope_key: str = "",
    period: str | None = Query(None, description='"" for all-time figures, or a year.'),
) -> Any:
    return selectors.figure_list(
        name=name, scope_type=scope_type, scope_key=scope_key, period=period
    )


@router.get(
    "/insights/map/countries",
    response=CountriesOut,
    url_name="insights-map-countries",
    summary="The map's figures per country (filters apply to partnerships)",
)
@decorate_view(gzip_page)
def insights_map_countries(request: HttpRequest, filters: Query[MapFilterIn]) -> CountriesOut:
    return CountriesOut(
        status=_status(),
        items=[
            CountryFiguresOut(**{**c.__dict__, "south_south_share": c.south_south_share})
            for c in selectors.map_countries(filters.to_filters())
        ],
    )


@router.get(
    "/insights/map/points",
    response=PointsOut,
    url_name="insights-map-points",
    summary="GeoJSON points: organisations and partnerships per country or city",
)
@decorate_view(gzip_page)
def insights_map_points(
    request: HttpRequest,
    layer: Query[LayerIn],
    limit: int = Query(selectors.MAP_POINT_LIMIT, ge=1, le=5000),
) -> dict[str, Any]:
    found = selectors.map_points(
        level=layer.level, filters=layer.to_filters(), bbox=layer.box(), limit=limit
    )
    return {
        "type": "FeatureCollection",
        "features": found.features,
        "total": found.total,
        "limit": found.limit,
    }


@router.get(
    "/insights/map/links",
    response=LinksOut,
    url_name="insights-map-links",
    summary="GeoJSON lines: partnerships between countries or cities, heaviest first",
)
@decorate_view(gzip_page)
def insights_map_links(
    request: HttpRequest,
    layer: Query[LayerIn],
    limit: int = Query(selectors.MAP_LINK_LIMIT, ge=1, le=5000),
) -> dict[str, Any]:
    found = selectors.map_links(
        level=layer.level, filters=layer.to_filters(), bbox=layer.box(), limit=limit
    )
    return {
        "type": "FeatureCollection",
        "features": found.features,
        "total": found.total,
        "limit": found.limit,
    }
