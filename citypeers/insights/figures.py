"""Every stored figure, computed in memory from one :class:`~.sources.Snapshot`.

Nothing here touches the database: :func:`compute` returns unsaved rows that
``services.insights_refresh`` writes in one transaction. Conventions (``docs/insights.md``):

- a partnership counts **once per place** (region, country, city) where it has an accepted
  member, so a North–South partnership between Lyon and Dakar counts in Europe and in Africa;
  shares across regions therefore divide by the sum over regions (member–region incidences);
- the time axis of partnerships is the **start year**; partnerships without a start date (every
  imported twinning) are counted in the all-time figures and reported as ``undated``;
- the representation index of a region is its share of practices (partnerships, events) divided
  by its share of local governments (the GeoNames places stored for it): below 1, the region
  writes fewer practices than its number of places would suggest.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

from . import network
from .models import (
    ActorMetric,
    Figure,
    Label,
    LinkFact,
    MapPlace,
    PlaceFact,
    Scope,
    Synergy,
)
from .sources import Snapshot

NO_REGION = "none"
GEOGRAPHIES = ("north_south", "south_south", "triangular", "north_north", "unclassified")
# The synergy finder: at most this many organisations per (theme, region) group, suggestions
# kept per organisation, and suggestions stored in all.
SYNERGY_GROUP_LIMIT = 200
SYNERGY_PER_ORGANISATION = 10
SYNERGY_LIMIT = 5000
COMMUNITIES_STORED = 50
# Points of a synergy per shared theme: one's challenge met by the other's expertise, practice or
# event; the same challenge on both sides (peers); any other shared theme. Same country × 1.5.
COMPLEMENTARY, SHARED_CHALLENGE, SHARED_THEME, SAME_COUNTRY = 3.0, 2.0, 1.0, 1.5
OFFERS = {"expertise", "practice", "event"}


@dataclass
class Computed:
    figures: list[Figure] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    places: list[MapPlace] = field(default_factory=list)
    place_facts: list[PlaceFact] = field(default_factory=list)
    link_facts: list[LinkFact] = field(default_factory=list)
    actors: list[ActorMetric] = field(default_factory=list)
    synergies: list[Synergy] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


class _Figures:
    """Accumulates figures keyed like the table's unique constraint."""

    def __init__(self) -> None:
        self.values: defaultdict[tuple[str, str, str, str, str], float] = defaultdict(float)

    def add(
        self,
        name: str,
        scope_type: str,
        scope_key: str = "",
        subgroup: str = "",
        period: str = "",
        value: float = 1,
    ) -> None:
        self.values[(name, scope_type, scope_key, subgroup, period)] += value

    def set(self, name: str, scope_type: str, scope_key: str, subgroup: str, value: float) -> None:
        self.values[(name, scope_type, scope_key, subgroup, "")] = value

    def rows(self) -> list[Figure]:
        return [
            Figure(
                name=name,
                scope_type=scope_type,
                scope_key=scope_key,
                subgroup=subgroup,
                period=period,
                value=value,
            )
            for (name, scope_type, scope_key, subgroup, period), value in sorted(
                self.values.items()
            )
        ]


def _shares(counts: Mapping[str, float]) -> dict[str, float]:
    total = sum(counts.values())
    return {k: (v / total if total else 0.0) for k, v in counts.items()}


def compute(snap: Snapshot) -> Computed:
    out = Computed()
    clock = time.monotonic()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.monotonic()
        out.timings[step] = round(now - clock, 3)
        clock = now

    countries = snap.countries
    orgs = snap.organisations
    theme_slug = {pk: slug for pk, slug, *_ in snap.themes}
    iso3 = {pk: c.iso3 for pk, c in countries.items()}

    def region_of_country(country_id: int | None) -> str:
        if country_id is None or country_id not in countries:
            return NO_REGION
        return countries[country_id].region or NO_REGION

    org_region = {pk: region_of_country(o.country_id) for pk, o in orgs.items()}
    f = _Figures()

    # --- labels ---------------------------------------------------------------------------------
    for m49, en, fr, es in snap.regions:
        out.labels.append(Label(kind="region", key=m49, name_en=en, name_fr=fr, name_es=es))
    for c in countries.values():
        out.labels.append(
            Label(
                kind="country", key=c.iso3, name_en=c.name_en, name_fr=c.name_fr, name_es=c.name_es
            )
        )
    for _pk, slug, en, fr, es, position in snap.themes:
        out.labels.append(
            Label(kind="theme", key=slug, position=position, name_en=en, name_fr=fr, name_es=es)
        )

    # --- totals -----------------------------------------------------------------------------------
    f.set("total", Scope.PLATFORM, "", "organisations", len(orgs))
    f.set(
        "total",
        Scope.PLATFORM,
        "",
        "local_governments",
        sum(1 for o in orgs.values() if o.is_local_government),
    )
    f.set("total", Scope.PLATFORM, "", "partnerships", len(snap.partnerships))
    f.set("total", Scope.PLATFORM, "", "practices", len(snap.practices))
    f.set("total", Scope.PLATFORM, "", "events", len(snap.events))
    f.set("total", Scope.PLATFORM, "", "memberships", len(snap.memberships))
    f.set(
        "total",
        Scope.PLATFORM,
        "",
        "countries",
        len({o.country_id for o in orgs.values() if o.country_id}),
    )
    f.set(
        "total",
        Scope.PLATFORM,
        "",
        "undated_partnerships",
        sum(1 for p in snap.partnerships if p.year is None),
    )

    # --- partnerships: platform, regions, themes, countries, cities, map facts --------------------
    country_partnerships: Counter[int] = Counter()
    country_south_south: Counter[int] = Counter()
    city_partnerships: Counter[int] = Counter()
    place_facts: Counter[tuple[str, str, str, str, int | None, str]] = Counter()
    link_facts: Counter[tuple[str, str, str, str, str, int | None, str]] = Counter()
    org_partnerships: Counter[int] = Counter()
    international = 0
    for p in snap.partnerships:
        period = str(p.year) if p.year else ""
        f.add("partnerships_by_geography", Scope.PLATFORM, "", p.geography)
        f.add("partnerships_by_modality", Scope.PLATFORM, "", p.modality)
        if period:
            f.add("partnerships_by_geography", Scope.PLATFORM, "", p.geography, period)
        members = [orgs[pk] for pk in p.members if pk in orgs]
        for member in members:
            org_partnerships[member.id] += 1
        member_countries = sorted({o.country_id for o in members if o.country_id})
        member_cities = sorted({o.city_id for o in members if o.city_id})
        if len(member_countries) > 1:
            international += 1
        regions = sorted({org_region[o.id] for o in members})
        themes = sorted(theme_slug[t] for t in p.themes if t in theme_slug)
        for region in regions:
            f.add("partnerships_by_geography", Scope.REGION, region, p.geography)
        for slug in themes:
            f.add("partnerships_by_geography", Scope.THEME, slug, p.geography)
            if period:
                f.add("partnerships_by_year", Scope.THEME, slug, "", period)
            for region in regions:
                f.add("partnerships_by_region", Scope.THEME, slug, region)
        for country_id in member_countries:
            country_partnerships[country_id] += 1
            if p.geography == "south_south":
                country_south_south[country_id] += 1
        for city_id in member_cities:
            city_partnerships[city_id] += 1
        for theme in ("", *themes):
            for country_id in member_countries:
                place_facts[
                    ("country", iso3[country_id], p.modality, p.geography, p.year, theme)
                ] += 1
            for city_id in member_cities:
                place_facts[("city", str(city_id), p.modality, p.geography, p.year, theme)] += 1
            for a, b in combinations([iso3[c] for c in member_countries], 2):
                a, b = sorted((a, b))
                link_facts[("country", a, b, p.modality, p.geography, p.year, theme)] += 1
            for a, b in combinations([str(c) for c in member_cities], 2):
                a, b = sorted((a, b))
                link_facts[("city", a, b, p.modality, p.geography, p.year, theme)] += 1
    f.set("total", Scope.PLATFORM, "", "international_partnerships", international)
    out.place_facts = [
        PlaceFact(
            level=level,
            key=key,
            modality=mod,
            geography=geo,
            year=year,
            theme=theme,
            partnerships=n,
        )
        for (level, key, mod, geo, year, theme), n in place_facts.items()
    ]
    anchor: dict[tuple[str, str], tuple[float, float] | None] = {
        ("country", c.iso3): c.anchor for c in countries.values()
    }
    anchor.update({("city", str(c.id)): (c.latitude, c.longitude) for c in snap.cities.values()})

    def link(key: tuple[str, str, str, str, str, int | None, str], n: int) -> LinkFact:
        level, a, b, mod, geo, year, theme = key
        pa, pb = anchor.get((level, a)), anchor.get((level, b))
        return LinkFact(
            level=level,
            a=a,
            b=b,
            a_lat=pa[0] if pa else None,
            a_lng=pa[1] if pa else None,
            b_lat=pb[0] if pb else None,
            b_lng=pb[1] if pb else None,
            modality=mod,
            geography=geo,
            year=year,
            theme=theme,
            partnerships=n,
        )

    out.link_facts = [link(key, n) for key, n in link_facts.items()]
    lap("partnerships")

    # --- practices, events, organisations per place, region and theme -----------------------------
    country_orgs: Counter[int] = Counter()
    country_lg_orgs: Counter[int] = Counter()
    city_orgs: Counter[int] = Counter()
    for o in orgs.values():
        region = org_region[o.id]
        f.add("organisations", Scope.REGION, region)
        if o.is_local_government:
            f.add("local_government_orgs", Scope.REGION, region)
        if o.country_id:
            country_orgs[o.country_id] += 1
            if o.is_local_government:
                country_lg_orgs[o.country_id] += 1
        if o.city_id:
            city_orgs[o.city_id] += 1
        for t in o.themes:
            if t in theme_slug:
                f.add("organisations_by_region", Scope.THEME, theme_slug[t], region)
                f.add("total", Scope.THEME, theme_slug[t], "organisations")

    country_practices: Counter[int] = Counter()
    city_practices: Counter[int] = Counter()
    country_events: Counter[int] = Counter()
    city_events: Counter[int] = Counter()
    for kind, rows, by_country, by_city in (
        ("practices", snap.practices, country_practices, city_practices),
        ("events", snap.events, country_events, city_events),
    ):
        for row in rows:
            region = region_of_country(row.country_id)
            f.add(kind, Scope.REGION, region)
            if row.year:
                f.add(kind, Scope.PLATFORM, "", "", str(row.year))
            if row.country_id:
                by_country[row.country_id] += 1
            if row.city_id:
                by_city[row.city_id] += 1
            for t in row.themes:
                if t not in theme_slug:
                    continue
                f.add("total", Scope.THEME, theme_slug[t], kind)
                f.add(f"{kind}_by_region", Scope.THEME, theme_slug[t], region)
                if row.year:
                    f.add(f"{kind}_by_year", Scope.THEME, theme_slug[t], "", str(row.year))
            for org_id in row.organisations:
                if row.year:
                    f.add(kind, Scope.ORGANISATION, str(org_id), "", str(row.year))
    for slug in theme_slug.values():
        f.set("total", Scope.THEME, slug, "partnerships", 0)
    for p in snap.partnerships:
        for t in p.themes:
            if t in theme_slug:
                f.add("total", Scope.THEME, theme_slug[t], "partnerships")
    for _org, kind, theme_id in snap.profile_items:
        if theme_id in theme_slug:
            name = "challenges" if kind == "challenge" else "expertise"
            f.add("total", Scope.THEME, theme_slug[theme_id], name)
    lap("practices and events")

    # --- map places ------------------------------------------------------------------------------
    for c in countries.values():
        out.places.append(
            MapPlace(
                level="country",
                key=c.iso3,
                name=c.name_en,
                country=c.iso3,
                numeric=c.numeric,
                region=c.region,
                global_south=c.global_south,
                latitude=c.anchor[0] if c.anchor else None,
                longitude=c.anchor[1] if c.anchor else None,
                organisations=country_orgs[c.id],
                local_government_orgs=country_lg_orgs[c.id],
                partnerships=country_partnerships[c.id],
                south_south=country_south_south[c.id],
                practices=country_practices[c.id],
                events=country_events[c.id],
                local_governments=c.places,
                population=c.population,
            )
        )
        region = c.region or NO_REGION
        f.add("local_governments", Scope.REGION, region, value=c.places)
        f.add("population", Scope.REGION, region, value=c.population)
    for city in snap.cities.values():
        country = countries.get(city.country_id)
        out.places.append(
            MapPlace(
                level="city",
                key=str(city.id),
                name=city.name,
                country=country.iso3 if country else "",
                region=country.region if country else "",
                global_south=country.global_south if country else None,
                latitude=city.latitude,
                longitude=city.longitude,
                organisations=city_orgs[city.id],
                partnerships=city_partnerships[city.id],
                practices=city_practices[city.id],
                events=city_events[city.id],
            )
        )
    lap("places")

    # --- representation gaps ----------------------------------------------------------------------
    region_keys = [m49 for m49, *_ in snap.regions]

    def by_region(name: str) -> dict[str, float]:
        return {r: f.values[(name, Scope.REGION, r, "", "")] for r in region_keys}

    partnership_incidence = {
        r: sum(f.values[("partnerships_by_geography", Scope.REGION, r, g, "")] for g in GEOGRAPHIES)
        for r in region_keys
    }
    base = _shares(by_region("local_governments"))
    for r, share in base.items():
        f.set("share", Scope.REGION, r, "local_governments", share)
    for r, share in _shares(by_region("population")).items():
        f.set("share", Scope.REGION, r, "population", share)
    for name, counts in (
        ("partnerships", partnership_incidence),
        ("practices", by_region("practices")),
        ("events", by_region("events")),
    ):
        for r, share in _shares(counts).items():
            f.set("share", Scope.REGION, r, name, share)
            if base.get(r):
                f.set("representation", Scope.REGION, r, name, share / base[r])
    theme_keys = list(theme_slug.values())

    def by_theme(subgroup: str) -> dict[str, float]:
        return {t: f.values[("total", Scope.THEME, t, subgroup, "")] for t in theme_keys}

    demand = _shares(by_theme("challenges"))
    for slug, share in demand.items():
        f.set("share", Scope.THEME, slug, "challenges", share)
    for name in ("practices", "partnerships", "events"):
        for slug, share in _shares(by_theme(name)).items():
            f.set("share", Scope.THEME, slug, name, share)
            if demand.get(slug):
                f.set("representation", Scope.THEME, slug, name, share / demand[slug])
    lap("gaps")

    # --- the cooperation graph ------------------------------------------------------------------
    graph = network.build_graph((p.members for p in snap.partnerships), snap.memberships)
    known_region = {n: r for n, r in org_region.items() if r != NO_REGION}
    measures = network.measure(graph, known_region)
    lap("network")
    membership_count: Counter[int] = Counter()
    for member_id, parent_id in snap.memberships:
        membership_count[member_id] += 1
        membership_count[parent_id] += 1
    ranked: dict[str, list[int]] = defaultdict(list)
    for node in measures:
        ranked[org_region.get(node, NO_REGION)].append(node)
    rank: dict[int, int] = {}
    for nodes in ranked.values():
        nodes.sort(key=lambda n: (-measures[n].partners, -measures[n].betweenness, orgs[n].name))
        rank.update({n: i for i, n in enumerate(nodes, 1)})
    for node, measured in measures.items():
        o = orgs[node]
        country = countries.get(o.country_id) if o.country_id else None
        out.actors.append(
            ActorMetric(
                organisation_id=node,
                name=o.name,
                slug=o.slug,
                actor_type=o.actor_type,
                country=country.iso3 if country else "",
                region=country.region if country else "",
                partners=measured.partners,
                partnerships=org_partnerships[node],
                memberships=membership_count[node],
                betweenness=measured.betweenness,
                regions_reached=measured.regions_reached,
                cross_region_partners=measured.cross_region_partners,
                community=measured.community,
                rank_in_region=rank[node],
            )
        )
        for neighbour in graph.neighbors(node):
            f.add("partners_by_region", Scope.ORGANISATION, str(node), org_region[neighbour])
    f.set("total", Scope.PLATFORM, "", "actors_in_network", graph.number_of_nodes())
    f.set("total", Scope.PLATFORM, "", "ties", graph.number_of_edges())
    summary = network.community_summary(measures, known_region)
    f.set("total", Scope.PLATFORM, "", "communities", len(summary))
    stored = sorted(summary.items(), key=lambda item: (-item[1][0], item[0]))[:COMMUNITIES_STORED]
    members_of: dict[int, list[int]] = defaultdict(list)
    for node, measured in measures.items():
        if measured.community is not None:
            members_of[measured.community].append(node)
    for number, (size, region_counts) in stored:
        key = str(number)
        f.set("size", Scope.COMMUNITY, key, "", size)
        for region, n in region_counts.items():
            f.set("members_by_region", Scope.COMMUNITY, key, region, n)
        leaders = sorted(
            members_of[number], key=lambda n: (-measures[n].partners, -measures[n].betweenness)
        )[:3]
        name = ", ".join(orgs[n].name for n in leaders)
        out.labels.append(Label(kind="community", key=key, position=number, name_en=name[:250]))
    lap("actors")

    # --- per organisation: its partnerships over time, activities and results ---------------------
    partnership_by_id = {p.id: p for p in snap.partnerships}
    for p in snap.partnerships:
        for pk in p.members:
            f.add("partnerships_by_geography", Scope.ORGANISATION, str(pk), p.geography)
            if p.year:
                f.add("partnerships_started", Scope.ORGANISATION, str(pk), "", str(p.year))
    for name, dated in (("activities", snap.activities), ("results", snap.results)):
        for partnership_id, year in dated:
            p_row = partnership_by_id.get(partnership_id)
            if p_row is None:
                continue
            for pk in p_row.members:
                f.add(name, Scope.ORGANISATION, str(pk), "", str(year))
    lap("organisations")

    # --- synergies --------------------------------------------------------------------------------
    out.synergies = list(_synergies(snap, graph_edges=graph.edges, org_region=org_region))
    lap("synergies")
    out.figures = f.rows()
    return out


def _theme_signals(snap: Snapshot) -> dict[int, dict[int, set[str]]]:
    """Organisation → theme → where the theme comes from (declared, challenge, expertise, …)."""
    signals: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for o in snap.organisations.values():
        for t in o.themes:
            signals[o.id][t].add("declared")
    for org_id, kind, theme_id in snap.profile_items:
        signals[org_id][theme_id].add(kind)
    for kind, rows in (("practice", snap.practices), ("event", snap.events)):
        for row in rows:
            for org_id in row.organisations:
                for t in row.themes:
                    signals[org_id][t].add(kind)
    return signals


def _pair_points(a: set[str], b: set[str]) -> tuple[float, str]:
    if ("challenge" in a and b & OFFERS) or ("challenge" in b and a & OFFERS):
        return COMPLEMENTARY, "complementary"
    if "challenge" in a and "challenge" in b:
        return SHARED_CHALLENGE, "shared_challenge"
    return SHARED_THEME, "shared_theme"


def _synergies(
    snap: Snapshot, *, graph_edges: Iterable[tuple[int, int]], org_region: dict[int, str]
) -> Iterable[Synergy]:
    orgs = snap.organisations
    theme_slug = {pk: slug for pk, slug, *_ in snap.themes}
    connected = {(min(a, b), max(a, b)) for a, b in graph_edges}
    signals = _theme_signals(snap)
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for org_id, themes in signals.items():
        o = orgs.get(org_id)
        if o is None or o.country_id is None or org_region[org_id] == NO_REGION:
            continue
        for t in themes:
            groups[(t, org_region[org_id])].append(org_id)
    pairs: dict[tuple[int, int], list[tuple[float, str, str]]] = defaultdict(list)
    for (theme_id, _region), members in groups.items():
        if len(members) < 2 or theme_id not in theme_slug:
            continue
        members.sort(key=lambda m: (-len(signals[m][theme_id]), m))
        for a, b in combinations(sorted(members[:SYNERGY_GROUP_LIMIT]), 2):
            if (a, b) in connected:
                continue
            points, reason = _pair_points(signals[a][theme_id], signals[b][theme_id])
            pairs[(a, b)].append((points, reason, theme_slug[theme_id]))
    scored: list[tuple[float, int, int, list[tuple[float, str, str]]]] = []
    for (a, b), reasons in pairs.items():
        same_country = orgs[a].country_id == orgs[b].country_id
        score = sum(points for points, _, _ in reasons) * (SAME_COUNTRY if same_country else 1.0)
        scored.append((round(score, 2), a, b, reasons))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    kept: Counter[int] = Counter()
    chosen = 0
    countries = snap.countries
    for score, a, b, reasons in scored:
        if chosen >= SYNERGY_LIMIT:
            break
        if kept[a] >= SYNERGY_PER_ORGANISATION and kept[b] >= SYNERGY_PER_ORGANISATION:
            continue
        kept[a] += 1
        kept[b] += 1
        chosen += 1
        oa, ob = orgs[a], orgs[b]
        same_country = oa.country_id == ob.country_id
        country = countries.get(oa.country_id) if oa.country_id else None
        reasons.sort(key=lambda r: (-r[0], r[2]))
        yield Synergy(
            organisation_a_id=a,
            organisation_b_id=b,
            a_name=oa.name,
            a_slug=oa.slug,
            b_name=ob.name,
            b_slug=ob.slug,
            scope=Synergy.Scope.COUNTRY if same_country else Synergy.Scope.REGION,
            country=country.iso3 if (country and same_country) else "",
            region=org_region[a],
            themes=[slug for _, _, slug in reasons],
            theme_keys="," + ",".join(slug for _, _, slug in reasons) + ",",
            reasons=[{"theme": slug, "kind": kind} for _, kind, slug in reasons],
            score=score,
        )
