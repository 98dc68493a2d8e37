"""Reads of the stored figures: dashboards, charts, tables, the map's layers.

Everything here reads the insights tables only (plus, for an organisation's dashboard, the
organisation itself), in a fixed number of queries that does not grow with the platform: the
public dashboard makes eight. Labels of geography classes and modalities come from the code's
translated choices; names of regions, countries, themes and communities from :class:`Label`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, F, IntegerField, Max, Min, Q, QuerySet, Sum, When
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from citypeers.core.errors import NotFound
from citypeers.core.translation import active_language
from citypeers.directory.models import ActorType, Organisation
from citypeers.partnerships.models import Geography, Modality

from .charts import Chart, Series
from .models import (
    ActorMetric,
    Figure,
    Label,
    LinkFact,
    MapPlace,
    PlaceFact,
    RefreshRun,
    Scope,
    Synergy,
)

NO_REGION = "none"
GEOGRAPHY_ORDER = ["north_south", "south_south", "triangular", "north_north", "unclassified"]
# One colour per geography class on every chart (and on the map's arcs).
GEOGRAPHY_CSS = {
    "north_south": "s1",
    "south_south": "s2",
    "triangular": "s3",
    "north_north": "s6",
    "unclassified": "s7",
}
TOP_PER_REGION = 5
MAP_POINT_LIMIT = 1500
MAP_LINK_LIMIT = 400


# --- fill state and labels ----------------------------------------------------------------------


@dataclass
class FillState:
    last: RefreshRun | None  # the last finished run: the figures shown are from it
    running: bool
    failed: RefreshRun | None  # a run that failed after the last finished one


def fill_state() -> FillState:
    runs = list(RefreshRun.objects.order_by("-started_at", "-pk")[:10])
    last = next((r for r in runs if r.state == RefreshRun.State.FINISHED), None)
    running = any(r.state == RefreshRun.State.RUNNING for r in runs)
    failed = next(
        (
            r
            for r in runs
            if r.state == RefreshRun.State.FAILED
            and (last is None or r.started_at > last.started_at)
        ),
        None,
    )
    return FillState(last=last, running=running, failed=failed)


class Labels:
    """Names by (kind, key) in the active language, with translated code labels."""

    def __init__(self, kinds: Iterable[str], keys: Iterable[str] | None = None) -> None:
        qs = Label.objects.filter(kind__in=list(kinds))
        if keys is not None:
            qs = qs.filter(key__in=list(keys))
        self.names = {(lab.kind, lab.key): lab.name for lab in qs}
        self.positions = {(lab.kind, lab.key): lab.position for lab in qs}

    def get(self, kind: str, key: str) -> str:
        if kind == "region" and key in {NO_REGION, ""}:
            return _("Region unknown")
        if kind == "geography":
            return str(Geography(key).label) if key in Geography.values else key
        if kind == "modality":
            return str(Modality(key).label) if key in Modality.values else key
        if kind == "actor_type":
            return str(ActorType(key).label) if key in ActorType.values else key
        return self.names.get((kind, key), key)

    def keys(self, kind: str) -> list[str]:
        found = [k for (kd, k) in self.names if kd == kind]
        return sorted(found, key=lambda k: (self.positions.get((kind, k), 0), self.get(kind, k)))


class FigureSet:
    """Stored figures of some scopes, indexed for lookups."""

    def __init__(self, rows: Iterable[Figure]) -> None:
        self.values: dict[tuple[str, str, str, str, str], float] = {}
        for r in rows:
            self.values[(r.scope_type, r.scope_key, r.name, r.subgroup, r.period)] = r.value

    def get(self, scope: str, key: str, name: str, subgroup: str = "", period: str = "") -> float:
        return self.values.get((scope, key, name, subgroup, period), 0.0)

    def subgroups(self, scope: str, key: str, name: str, period: str = "") -> dict[str, float]:
        return {
            sg: v
            for (st, sk, n, sg, p), v in self.values.items()
            if st == scope and sk == key and n == name and p == period
        }

    def periods(self, scope: str, key: str, name: str, subgroup: str = "") -> dict[str, float]:
        return {
            p: v
            for (st, sk, n, sg, p), v in self.values.items()
            if st == scope and sk == key and n == name and sg == subgroup and p
        }

    def keys(self, scope: str) -> set[str]:
        return {sk for (st, sk, *_rest) in self.values if st == scope}


def figures_for(scopes: dict[str, list[str] | None]) -> FigureSet:
    """The stored figures of the given scopes (scope type → keys, ``None`` for every key)."""
    condition = Q(pk__in=[])
    for scope_type, keys in scopes.items():
        condition |= (
            Q(scope_type=scope_type)
            if keys is None
            else Q(scope_type=scope_type, scope_key__in=keys)
        )
    return FigureSet(Figure.objects.filter(condition))


def figure_list(
    *, name: str = "", scope_type: str = "", scope_key: str = "", period: str | None = None
) -> QuerySet[Figure]:
    qs = Figure.objects.all()
    if name:
        qs = qs.filter(name=name)
    if scope_type:
        qs = qs.filter(scope_type=scope_type)
    if scope_key:
        qs = qs.filter(scope_key=scope_key)
    if period is not None:
        qs = qs.filter(period=period)
    return qs.order_by("scope_type", "scope_key", "name", "subgroup", "period")


# --- links --------------------------------------------------------------------------------------


def peers_url(slug: str) -> str:
    """The matching app's page of an organisation's peers (a plain path until it exists)."""
    try:
        return reverse("matching:organisation-peers", kwargs={"slug": slug})
    except NoReverseMatch:
        return f"/{active_language()}/peers/organisations/{slug}/"


def organisation_dashboard_url(slug: str) -> str:
    return reverse("insights:organisation", kwargs={"slug": slug})


def theme_dashboard_url(slug: str) -> str:
    return reverse("insights:theme", kwargs={"slug": slug})


# --- charts -------------------------------------------------------------------------------------


def _years(*series: dict[str, float]) -> list[str]:
    years = sorted({int(y) for s in series for y in s if y.isdigit()})
    if not years:
        return []
    return [str(y) for y in range(years[0], years[-1] + 1)]


def _geography_bars(
    key: str, title: str, figs: FigureSet, labels: Labels, scope: str, scope_key: str
) -> Chart:
    counts = figs.subgroups(scope, scope_key, "partnerships_by_geography")
    present = [g for g in GEOGRAPHY_ORDER if counts.get(g)]
    return Chart(
        key=key,
        title=title,
        category_label=_("Geography"),
        categories=[(g, labels.get("geography", g)) for g in present],
        series=[Series("partnerships", _("Partnerships"), [counts[g] for g in present])],
    )


def _geography_over_time(figs: FigureSet, labels: Labels, scope: str, key: str) -> list[Chart]:
    per_year = {
        g: figs.periods(scope, key, "partnerships_by_geography", g) for g in GEOGRAPHY_ORDER
    }
    years = _years(*per_year.values())
    present = [g for g in GEOGRAPHY_ORDER if per_year[g]]
    columns = Chart(
        key="geography-over-time",
        title=_("Partnerships by start year and geography"),
        category_label=_("Start year"),
        categories=[(y, y) for y in years],
        series=[
            Series(
                g,
                labels.get("geography", g),
                [per_year[g].get(y, 0.0) for y in years],
                css=GEOGRAPHY_CSS[g],
            )
            for g in present
        ],
        kind="columns",
        description=_(
            "Partnerships without a start date (such as imported twinnings) are not shown."
        ),
    )
    totals = [sum(per_year[g].get(y, 0.0) for g in GEOGRAPHY_ORDER) for y in years]
    shares = Chart(
        key="south-south-share",
        title=_("Share of South–South, North–South and triangular partnerships by start year"),
        category_label=_("Start year"),
        categories=[(y, y) for y in years],
        series=[
            Series(
                g,
                labels.get("geography", g),
                [
                    per_year[g].get(y, 0.0) / t if t else 0.0
                    for y, t in zip(years, totals, strict=True)
                ],
                css=GEOGRAPHY_CSS[g],
            )
            for g in ("south_south", "north_south", "triangular")
        ],
        kind="lines",
        percent=True,
    )
    return [columns, shares]


def _stacked_by_geography(
    key: str,
    title: str,
    category_label: str,
    figs: FigureSet,
    scope: str,
    keys: list[str],
    labels: Labels,
    label_kind: str,
    links: list[str] | None = None,
) -> Chart:
    counts = {k: figs.subgroups(scope, k, "partnerships_by_geography") for k in keys}
    keys = [k for k in keys if sum(counts[k].values())]
    keys.sort(key=lambda k: -sum(counts[k].values()))
    present = [g for g in GEOGRAPHY_ORDER if any(counts[k].get(g) for k in keys)]
    return Chart(
        key=key,
        title=title,
        category_label=category_label,
        categories=[(k, labels.get(label_kind, k)) for k in keys],
        series=[
            Series(
                g,
                labels.get("geography", g),
                [counts[k].get(g, 0.0) for k in keys],
                css=GEOGRAPHY_CSS[g],
            )
            for g in present
        ],
        links=links or [],
    )


# --- the public dashboard -------------------------------------------------------------------------


TOTALS = [
    ("organisations", "Organisations"),
    ("local_governments", "Local governments"),
    ("partnerships", "Partnerships"),
    ("international_partnerships", "International partnerships"),
    ("practices", "Published practices"),
    ("events", "Events"),
    ("countries", "Countries with organisations"),
    ("communities", "Communities in the network"),
]


def _total_label(key: str) -> str:
    return {
        "organisations": _("Organisations"),
        "local_governments": _("Local governments"),
        "partnerships": _("Partnerships"),
        "international_partnerships": _("International partnerships"),
        "practices": _("Published practices"),
        "events": _("Events"),
        "countries": _("Countries with organisations"),
        "communities": _("Communities in the network"),
        "challenges": _("Challenges declared"),
        "expertise": _("Expertise offered"),
    }.get(key, key)


@dataclass
class SynergyRow:
    synergy: Synergy
    themes: list[str]
    reason: str
    suggest_url: str
    a_url: str
    b_url: str


@dataclass
class Dashboard:
    state: FillState
    totals: list[tuple[str, str, float]] = field(default_factory=list)  # key, label, value
    charts: list[Chart] = field(default_factory=list)
    tables: list[Chart] = field(default_factory=list)
    synergies: list[SynergyRow] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    title: str = ""
    subject: Any = None

    def chart(self, key: str) -> Chart | None:
        return next((c for c in [*self.charts, *self.tables] if c.key == key), None)


def _reason(kind: str) -> str:
    return {
        "complementary": _("one's challenge, the other's expertise"),
        "shared_challenge": _("the same challenge"),
        "shared_theme": _("the same theme"),
    }.get(kind, kind)


def _synergy_rows(qs: Iterable[Synergy], labels: Labels) -> list[SynergyRow]:
    rows = []
    for s in qs:
        first = s.reasons[0]["kind"] if s.reasons else "shared_theme"
        rows.append(
            SynergyRow(
                synergy=s,
                themes=[labels.get("theme", t) for t in s.themes],
                reason=_reason(first),
                suggest_url=f"{peers_url(s.a_slug)}?with={s.b_slug}",
                a_url=organisation_dashboard_url(s.a_slug),
                b_url=organisation_dashboard_url(s.b_slug),
            )
        )
    return rows


def _synergy_table(rows: list[SynergyRow], labels: Labels) -> Chart:
    return Chart(
        key="synergies",
        title=_("Synergies: organisations on the same theme nearby that do not cooperate yet"),
        category_label=_("Organisations"),
        categories=[(str(r.synergy.pk), f"{r.synergy.a_name} – {r.synergy.b_name}") for r in rows],
        series=[
            Series("score", _("Score"), [r.synergy.score for r in rows]),
        ],
        kind="table",
    )


def _actor_table(key: str, title: str, actors: list[ActorMetric], labels: Labels) -> Chart:
    return Chart(
        key=key,
        title=title,
        category_label=_("Organisation"),
        categories=[(str(a.organisation_id), a.name) for a in actors],
        series=[
            Series("partners", _("Partners"), [float(a.partners) for a in actors]),
            Series(
                "regions_reached",
                _("Other regions reached"),
                [float(a.regions_reached) for a in actors],
            ),
            Series("betweenness", _("Betweenness"), [round(a.betweenness, 4) for a in actors]),
        ],
        kind="table",
        links=[organisation_dashboard_url(a.slug) for a in actors],
    )


def platform_dashboard() -> Dashboard:
    """The public dashboard of the whole platform, from stored figures (eight queries)."""
    state = fill_state()
    figs = figures_for(
        {
            Scope.PLATFORM: None,
            Scope.REGION: None,
            Scope.THEME: None,
            Scope.COMMUNITY: None,
        }
    )
    labels = Labels(["region", "theme", "community"])
    board = Dashboard(state=state, title=_("Insights"))
    board.totals = [
        (k, _total_label(k), figs.get(Scope.PLATFORM, "", "total", k)) for k, _label in TOTALS
    ]
    board.charts.append(
        _geography_bars(
            "geography",
            _("Partnerships by geography"),
            figs,
            labels,
            Scope.PLATFORM,
            "",
        )
    )
    board.charts.extend(_geography_over_time(figs, labels, Scope.PLATFORM, ""))
    regions = list(figs.keys(Scope.REGION))
    board.charts.append(
        _stacked_by_geography(
            "regions",
            _("Partnerships by region of their members and geography"),
            _("Region"),
            figs,
            Scope.REGION,
            regions,
            labels,
            "region",
        )
    )
    themes = labels.keys("theme")
    theme_chart = _stacked_by_geography(
        "themes",
        _("Partnerships by theme and geography"),
        _("Theme"),
        figs,
        Scope.THEME,
        themes,
        labels,
        "theme",
    )
    theme_chart.links = [theme_dashboard_url(k) for k, _label in theme_chart.categories]
    board.charts.append(theme_chart)
    modality = figs.subgroups(Scope.PLATFORM, "", "partnerships_by_modality")
    board.charts.append(
        Chart(
            key="modality",
            title=_("Partnerships by modality"),
            category_label=_("Modality"),
            categories=[(m, labels.get("modality", m)) for m in Modality.values if modality.get(m)],
            series=[
                Series(
                    "partnerships",
                    _("Partnerships"),
                    [modality[m] for m in Modality.values if modality.get(m)],
                )
            ],
        )
    )
    board.charts.append(region_gap_chart(figs, labels))
    board.tables.append(region_gap_table(figs, labels))
    board.tables.append(theme_gap_table(figs, labels))
    actors = list(
        ActorMetric.objects.filter(rank_in_region__lte=TOP_PER_REGION).order_by(
            "region", "rank_in_region"
        )
    )
    top = _actor_table(
        "connected-actors",
        _("Most connected actors per region"),
        actors,
        labels,
    )
    top.category_label = _("Organisation")
    top.categories = [
        (str(a.organisation_id), f"{labels.get('region', a.region or NO_REGION)} · {a.name}")
        for a in actors
    ]
    board.tables.append(top)
    bridges = list(
        ActorMetric.objects.filter(betweenness__gt=0).order_by("-betweenness", "name")[:15]
    )
    board.tables.append(
        _actor_table(
            "bridging-actors",
            _("Actors who bridge the network (highest betweenness)"),
            bridges,
            labels,
        )
    )
    board.tables.append(community_table(figs, labels))
    synergies = _synergy_rows(Synergy.objects.order_by("-score", "pk")[:20], labels)
    board.synergies = synergies
    board.tables.append(_synergy_table(synergies, labels))
    board.tables.append(country_table())
    return board


def region_gap_chart(figs: FigureSet, labels: Labels) -> Chart:
    regions = list(labels.keys("region"))
    names = [
        ("local_governments", _("Share of local governments (GeoNames places)")),
        ("partnerships", _("Share of partnerships")),
        ("practices", _("Share of practices")),
        ("events", _("Share of events")),
    ]
    return Chart(
        key="representation",
        title=_(
            "Representation: where cooperation and knowledge come from, "
            "against where local governments are"
        ),
        category_label=_("Region"),
        categories=[(r, labels.get("region", r)) for r in regions],
        series=[
            Series(k, label, [figs.get(Scope.REGION, r, "share", k) for r in regions])
            for k, label in names
        ],
        kind="grouped",
        percent=True,
    )


def region_gap_table(figs: FigureSet, labels: Labels) -> Chart:
    regions = labels.keys("region")
    rows = [
        ("representation_practices", _("Practices index"), "representation", "practices"),
        ("representation_partnerships", _("Partnerships index"), "representation", "partnerships"),
        ("representation_events", _("Events index"), "representation", "events"),
        ("share_population", _("Share of population"), "share", "population"),
        ("share_local_governments", _("Share of local governments"), "share", "local_governments"),
    ]
    regions.sort(key=lambda r: figs.get(Scope.REGION, r, "representation", "practices"))
    return Chart(
        key="region-gaps",
        title=_(
            "Under-represented regions (index below 1: fewer than their share of local governments)"
        ),
        category_label=_("Region"),
        categories=[(r, labels.get("region", r)) for r in regions],
        series=[
            Series(
                key,
                label,
                [round(figs.get(Scope.REGION, r, name, sub), 3) for r in regions],
                percent=name == "share",
            )
            for key, label, name, sub in rows
        ],
        kind="table",
    )


def theme_gap_table(figs: FigureSet, labels: Labels) -> Chart:
    themes = labels.keys("theme")
    themes.sort(
        key=lambda t: (
            figs.get(Scope.THEME, t, "representation", "practices")
            if figs.get(Scope.THEME, t, "share", "challenges")
            else 99,
            t,
        )
    )
    return Chart(
        key="theme-gaps",
        title=_("Under-represented themes: challenges declared against practices written"),
        category_label=_("Theme"),
        categories=[(t, labels.get("theme", t)) for t in themes],
        series=[
            Series(
                "challenges",
                _("Challenges"),
                [figs.get(Scope.THEME, t, "total", "challenges") for t in themes],
            ),
            Series(
                "practices",
                _("Practices"),
                [figs.get(Scope.THEME, t, "total", "practices") for t in themes],
            ),
            Series(
                "partnerships",
                _("Partnerships"),
                [figs.get(Scope.THEME, t, "total", "partnerships") for t in themes],
            ),
            Series(
                "representation_practices",
                _("Practices index"),
                [round(figs.get(Scope.THEME, t, "representation", "practices"), 3) for t in themes],
            ),
        ],
        kind="table",
        links=[theme_dashboard_url(t) for t in themes],
    )


def community_table(figs: FigureSet, labels: Labels) -> Chart:
    communities = sorted(
        figs.keys(Scope.COMMUNITY), key=lambda c: -figs.get(Scope.COMMUNITY, c, "size")
    )[:10]
    rows = []
    for c in communities:
        regions = figs.subgroups(Scope.COMMUNITY, c, "members_by_region")
        main = sorted(regions.items(), key=lambda kv: -kv[1])[:3]
        rows.append(
            (
                c,
                labels.get("community", c),
                figs.get(Scope.COMMUNITY, c, "size"),
                len(regions),
                main,
            )
        )
    chart = Chart(
        key="communities",
        title=_("Largest communities of the network"),
        category_label=_("Community (its most connected members)"),
        categories=[
            (
                c,
                f"{name} — " + ", ".join(f"{labels.get('region', r)} {int(n)}" for r, n in main),
            )
            for c, name, _size, _n, main in rows
        ],
        series=[
            Series("members", _("Members"), [size for _c, _name, size, _n, _main in rows]),
            Series("regions", _("Regions"), [float(n) for _c, _name, _size, n, _main in rows]),
        ],
        kind="table",
    )
    return chart


def country_table(limit: int = 30) -> Chart:
    places = list(
        MapPlace.objects.filter(level="country", partnerships__gt=0).order_by(
            "-partnerships", "key"
        )[:limit]
    )
    names = Labels(["country"], [p.key for p in places])
    return Chart(
        key="countries",
        title=_("Countries with the most partnerships"),
        category_label=_("Country"),
        categories=[(p.key, names.get("country", p.key)) for p in places],
        series=[
            Series("partnerships", _("Partnerships"), [float(p.partnerships) for p in places]),
            Series(
                "south_south_share",
                _("South–South share"),
                [
                    round(p.south_south / p.partnerships, 3) if p.partnerships else 0.0
                    for p in places
                ],
                percent=True,
            ),
            Series("organisations", _("Organisations"), [float(p.organisations) for p in places]),
            Series("practices", _("Practices"), [float(p.practices) for p in places]),
            Series("events", _("Events"), [float(p.events) for p in places]),
        ],
        kind="table",
    )


# --- a theme's dashboard --------------------------------------------------------------------------


def theme_dashboard(*, slug: str) -> Dashboard:
    labels = Labels(["region", "theme"])
    if ("theme", slug) not in labels.names:
        raise NotFound(_("No such theme."))
    state = fill_state()
    figs = figures_for({Scope.THEME: [slug]})
    board = Dashboard(state=state, title=labels.get("theme", slug), subject=slug)
    board.totals = [
        (k, _total_label(k), figs.get(Scope.THEME, slug, "total", k))
        for k in ("partnerships", "practices", "events", "organisations", "challenges", "expertise")
    ]
    board.charts.append(
        _geography_bars(
            "geography", _("Partnerships by geography"), figs, labels, Scope.THEME, slug
        )
    )
    regions = [*labels.keys("region"), NO_REGION]
    per = {
        name: figs.subgroups(Scope.THEME, slug, name)
        for name in (
            "partnerships_by_region",
            "practices_by_region",
            "events_by_region",
            "organisations_by_region",
        )
    }
    regions = [r for r in regions if any(per[n].get(r) for n in per)]
    board.charts.append(
        Chart(
            key="regions",
            title=_("Partnerships, practices, events and organisations by region"),
            category_label=_("Region"),
            categories=[(r, labels.get("region", r)) for r in regions],
            series=[
                Series(
                    "partnerships",
                    _("Partnerships"),
                    [per["partnerships_by_region"].get(r, 0.0) for r in regions],
                ),
                Series(
                    "practices",
                    _("Practices"),
                    [per["practices_by_region"].get(r, 0.0) for r in regions],
                ),
                Series(
                    "events", _("Events"), [per["events_by_region"].get(r, 0.0) for r in regions]
                ),
                Series(
                    "organisations",
                    _("Organisations"),
                    [per["organisations_by_region"].get(r, 0.0) for r in regions],
                ),
            ],
            kind="grouped",
        )
    )
    over = {
        name: figs.periods(Scope.THEME, slug, name)
        for name in ("partnerships_by_year", "practices_by_year", "events_by_year")
    }
    years = _years(*over.values())
    board.charts.append(
        Chart(
            key="over-time",
            title=_("Partnerships started, practices published and events held per year"),
            category_label=_("Year"),
            categories=[(y, y) for y in years],
            series=[
                Series(
                    "partnerships",
                    _("Partnerships started"),
                    [over["partnerships_by_year"].get(y, 0.0) for y in years],
                ),
                Series(
                    "practices",
                    _("Practices published"),
                    [over["practices_by_year"].get(y, 0.0) for y in years],
                ),
                Series("events", _("Events"), [over["events_by_year"].get(y, 0.0) for y in years]),
            ],
            kind="lines",
        )
    )
    index = figs.get(Scope.THEME, slug, "representation", "practices")
    board.facts = [
        (
            _("Share of the challenges organisations declare"),
            f"{figs.get(Scope.THEME, slug, 'share', 'challenges') * 100:.1f} %",
        ),
        (
            _("Share of published practices"),
            f"{figs.get(Scope.THEME, slug, 'share', 'practices') * 100:.1f} %",
        ),
        (
            _("Practices index (below 1: fewer practices than the demand)"),
            f"{index:.2f}" if index else "–",
        ),
    ]
    board.synergies = _synergy_rows(
        Synergy.objects.filter(theme_keys__contains=f",{slug},").order_by("-score", "pk")[:20],
        labels,
    )
    board.tables.append(_synergy_table(board.synergies, labels))
    return board


# --- an organisation's dashboard ------------------------------------------------------------------


def organisation_dashboard(*, slug: str = "", pk: int | None = None) -> Dashboard:
    """An organisation's dashboard, by address name or id."""
    lookup = Q(pk=pk) if pk is not None else Q(slug=slug)
    organisation = (
        Organisation.objects.filter(lookup).only("pk", "name", "slug", "actor_type").first()
    )
    if organisation is None:
        raise NotFound(_("No such organisation."))
    state = fill_state()
    key = str(organisation.pk)
    figs = figures_for({Scope.ORGANISATION: [key]})
    labels = Labels(["region", "theme", "community"])
    metric = ActorMetric.objects.filter(organisation_id=organisation.pk).first()
    board = Dashboard(state=state, title=organisation.name, subject=organisation)
    if metric is not None:
        board.totals = [
            ("partners", _("Partners"), float(metric.partners)),
            ("partnerships", _("Partnerships"), float(metric.partnerships)),
            ("memberships", _("Memberships"), float(metric.memberships)),
            ("regions_reached", _("Other regions reached"), float(metric.regions_reached)),
        ]
        board.facts = [
            (_("Rank in its region by partners"), f"{metric.rank_in_region}"),
            (_("Betweenness"), f"{metric.betweenness:.4f}"),
            (
                _("Community"),
                labels.get("community", str(metric.community)) if metric.community else "–",
            ),
        ]
    partners = figs.subgroups(Scope.ORGANISATION, key, "partners_by_region")
    regions = sorted(partners, key=lambda r: -partners[r])
    board.charts.append(
        Chart(
            key="partners-by-region",
            title=_("Partners by region"),
            category_label=_("Region"),
            categories=[(r, labels.get("region", r)) for r in regions],
            series=[Series("partners", _("Partners"), [partners[r] for r in regions])],
        )
    )
    board.charts.append(
        _geography_bars(
            "geography", _("Its partnerships by geography"), figs, labels, Scope.ORGANISATION, key
        )
    )
    over = {
        name: figs.periods(Scope.ORGANISATION, key, name)
        for name in ("partnerships_started", "activities", "results", "practices", "events")
    }
    years = _years(*over.values())
    names = {
        "partnerships_started": _("Partnerships started"),
        "activities": _("Activities"),
        "results": _("Results"),
        "practices": _("Practices published"),
        "events": _("Events organised"),
    }
    board.charts.append(
        Chart(
            key="over-time",
            title=_("Partnerships, activities and results over time"),
            category_label=_("Year"),
            categories=[(y, y) for y in years],
            series=[
                Series(n, names[n], [over[n].get(y, 0.0) for y in years]) for n in names if over[n]
            ],
            kind="columns",
        )
    )
    board.synergies = _synergy_rows(
        Synergy.objects.filter(
            Q(organisation_a_id=organisation.pk) | Q(organisation_b_id=organisation.pk)
        ).order_by("-score", "pk")[:15],
        labels,
    )
    board.tables.append(_synergy_table(board.synergies, labels))
    return board


# --- lists for the API ---------------------------------------------------------------------------


def actor_list(*, region: str = "", order: str = "partners") -> QuerySet[ActorMetric]:
    qs = ActorMetric.objects.all()
    if region:
        qs = qs.filter(region=region)
    ordering = {
        "partners": ["-partners", "name"],
        "betweenness": ["-betweenness", "name"],
        "regions_reached": ["-regions_reached", "-partners", "name"],
    }[order]
    return qs.order_by(*ordering, "pk")


def synergy_list(
    *, organisation_id: int | None = None, theme: str = "", country: str = "", region: str = ""
) -> QuerySet[Synergy]:
    qs = Synergy.objects.all()
    if organisation_id is not None:
        qs = qs.filter(Q(organisation_a_id=organisation_id) | Q(organisation_b_id=organisation_id))
    if theme:
        qs = qs.filter(theme_keys__contains=f",{theme},")
    if country:
        qs = qs.filter(country=country.upper())
    if region:
        qs = qs.filter(region=region)
    return qs.order_by("-score", "pk")


# --- the map --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapFilters:
    theme: str = ""
    modality: str = ""
    geography: str = ""
    year_from: int | None = None
    year_to: int | None = None

    @property
    def is_empty(self) -> bool:
        return self == MapFilters()


def _facts(model: type[PlaceFact] | type[LinkFact], level: str, f: MapFilters) -> QuerySet[Any]:
    qs = model.objects.filter(level=level, theme=f.theme)
    if f.modality:
        qs = qs.filter(modality=f.modality)
    if f.geography:
        qs = qs.filter(geography=f.geography)
    if f.year_from is not None:
        qs = qs.filter(year__gte=f.year_from)
    if f.year_to is not None:
        qs = qs.filter(year__lte=f.year_to)
    return qs


@dataclass
class CountryFigures:
    iso3: str
    numeric: str
    name: str
    region: str
    partnerships: int
    south_south: int
    organisations: int
    practices: int
    events: int

    @property
    def south_south_share(self) -> float | None:
        return self.south_south / self.partnerships if self.partnerships else None


def map_countries(filters: MapFilters) -> list[CountryFigures]:
    """Every country with something to show, with the map's figures (filters apply to
    partnerships and their South–South share; organisations, practices and events are totals)."""
    places = list(MapPlace.objects.filter(level="country").order_by("key"))
    names = Labels(["country"])
    counts: dict[str, tuple[int, int]] = {}
    if filters.is_empty:
        counts = {p.key: (p.partnerships, p.south_south) for p in places}
    else:
        for key, n, ss in (
            _facts(PlaceFact, "country", filters)
            .values_list("key")
            .annotate(
                n=Sum("partnerships"),
                ss=Sum(
                    Case(
                        When(geography="south_south", then=F("partnerships")),
                        default=0,
                        output_field=IntegerField(),
                    )
                ),
            )
            .values_list("key", "n", "ss")
            .order_by()
        ):
            counts[key] = (n or 0, ss or 0)
    out = []
    for p in places:
        n, ss = counts.get(p.key, (0, 0))
        if not (n or p.organisations or p.practices or p.events):
            continue
        out.append(
            CountryFigures(
                iso3=p.key,
                numeric=p.numeric,
                name=names.get("country", p.key),
                region=p.region,
                partnerships=n,
                south_south=ss,
                organisations=p.organisations,
                practices=p.practices,
                events=p.events,
            )
        )
    out.sort(key=lambda c: (-c.partnerships, -c.organisations, c.name))
    return out


def _in_box(prefix: str, bbox: tuple[float, float, float, float] | None) -> Q:
    """Latitude/longitude fields (``prefix`` + ``latitude``/``lat``…) inside ``bbox``."""
    if bbox is None:
        return Q()
    west, south, east, north = bbox
    lat, lng = (f"{prefix}lat", f"{prefix}lng") if prefix else ("latitude", "longitude")
    q = Q(**{f"{lat}__gte": south, f"{lat}__lte": north})
    if west <= east:
        return q & Q(**{f"{lng}__gte": west, f"{lng}__lte": east})
    return q & (Q(**{f"{lng}__gte": west}) | Q(**{f"{lng}__lte": east}))


@dataclass
class MapLayer:
    features: list[dict[str, Any]]
    total: int  # features matching before the limit
    limit: int


def map_points(
    *,
    level: str,
    filters: MapFilters,
    bbox: tuple[float, float, float, float] | None = None,
    limit: int = MAP_POINT_LIMIT,
) -> MapLayer:
    """Organisations and partnerships per country or city as GeoJSON points, the heaviest first."""
    places = MapPlace.objects.filter(level=level, latitude__isnull=False).filter(_in_box("", bbox))
    names = Labels(["country"]) if level == "country" else None
    if filters.is_empty:
        places = places.filter(Q(partnerships__gt=0) | Q(organisations__gt=0))
        total = places.count()
        chosen = list(places.order_by("-partnerships", "-organisations", "key")[:limit])
        weights = {p.key: p.partnerships for p in chosen}
    else:
        sums = dict(
            _facts(PlaceFact, level, filters)
            .values_list("key")
            .annotate(n=Sum("partnerships"))
            .values_list("key", "n")
            .order_by()
        )
        inside = {p.key: p for p in places.filter(key__in=list(sums))} if sums else {}
        ranked = sorted(inside, key=lambda k: (-sums[k], k))
        total = len(ranked)
        chosen = [inside[k] for k in ranked[:limit]]
        weights = {k: sums[k] for k in ranked[:limit]}
    features = [
        {
            "type": "Feature",
            "id": f"{level}-{p.key}",
            "geometry": {
                "type": "Point",
                "coordinates": [round(p.longitude or 0, 4), round(p.latitude or 0, 4)],
            },
            "properties": {
                "level": level,
                "key": p.key,
                "name": names.get("country", p.key) if names else p.name,
                "country": p.country,
                "partnerships": weights.get(p.key, 0),
                "organisations": p.organisations,
                "practices": p.practices,
                "events": p.events,
            },
        }
        for p in chosen
    ]
    return MapLayer(features=features, total=total, limit=limit)


def map_links(
    *,
    level: str,
    filters: MapFilters,
    bbox: tuple[float, float, float, float] | None = None,
    limit: int = MAP_LINK_LIMIT,
) -> MapLayer:
    """Partnerships between two places as GeoJSON lines, the ``limit`` heaviest (thinned)."""
    qs = (
        _facts(LinkFact, level, filters)
        .filter(a_lat__isnull=False, b_lat__isnull=False)
        .filter(_in_box("a_", bbox) | _in_box("b_", bbox) if bbox else Q())
    )
    geography_sum = {
        g: Sum(
            Case(When(geography=g, then=F("partnerships")), default=0, output_field=IntegerField())
        )
        for g in ("north_south", "south_south", "triangular", "north_north")
    }
    grouped = (
        qs.values("a", "b", "a_lat", "a_lng", "b_lat", "b_lng")
        .annotate(n=Sum("partnerships"), **geography_sum)
        .order_by("-n", "a", "b")
    )
    total = grouped.count()
    rows = list(grouped[:limit])
    keys = {r["a"] for r in rows} | {r["b"] for r in rows}
    if level == "country":
        labels = Labels(["country"], keys)
        name = {k: labels.get("country", k) for k in keys}
    else:
        name = dict(MapPlace.objects.filter(level=level, key__in=keys).values_list("key", "name"))
    features = []
    for r in rows:
        by_class = {g: r[g] or 0 for g in geography_sum}
        dominant = (
            max(by_class, key=lambda g: by_class[g]) if any(by_class.values()) else "unclassified"
        )
        features.append(
            {
                "type": "Feature",
                "id": f"{level}-{r['a']}-{r['b']}",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [
                        [round(r["a_lng"], 4), round(r["a_lat"], 4)],
                        [round(r["b_lng"], 4), round(r["b_lat"], 4)],
                    ],
                },
                "properties": {
                    "level": level,
                    "a": r["a"],
                    "b": r["b"],
                    "a_name": name.get(r["a"], r["a"]),
                    "b_name": name.get(r["b"], r["b"]),
                    "partnerships": r["n"],
                    "geography": dominant,
                    **by_class,
                },
            }
        )
    return MapLayer(features=features, total=total, limit=limit)


def map_years() -> tuple[int | None, int | None]:
    """The first and last start year of the stored partnerships (for the period filter)."""
    span = PlaceFact.objects.filter(level="country", theme="", year__isnull=False).aggregate(
        first=Min("year"), last=Max("year")
    )
    return span["first"], span["last"]
