"""The signals of a pair (query, candidate), the candidates of a query, and the learned scorer.

A :class:`Network` holds everything a request reads: the graph (``graph.py``), the nodes'
attributes as arrays (:class:`Nodes`), the country-pair affinities and the candidate indices, all
computed once from plain arrays. The platform builds it from the database (``snapshot.py``), the
evaluation command from CSV files (``evaluation.py``); both then call :meth:`Network.candidates`,
:func:`pair_features` and :class:`LinkModel` — one engine.

Signals of the link model (the columns of :data:`FEATURES`):

``ppr``            personalised PageRank from the query (log10), the walk's proximity
``adamic_adar``    shared partners, each weighted by 1/log(its number of partners)
``shared``         number of shared partners (log1p)
``country_pair``   log P(candidate's country | query's country) among known pairs
``region_pair``    the same for M49 sub-regions
``same_country``   1 when both are in one country
``distance``       great-circle distance, log1p(km)
``degree``         candidate's number of partners (log1p): popularity
``population``     candidate's population (log1p; 0 unknown)
``size_gap``       |log population difference| when both are known
``namesake``       1 when both bear the same (folded) name
``same_south``     1 when both are on the same side of the North/South line
``languages``      share of the query's languages the candidate works in
``same_type``      1 when both are the same actor type
``near_partners``  distance from the candidate to the nearest partner of the query, log1p(km)
``partners_near``  distance from the query to the nearest partner of the candidate, log1p(km)
``country_ties``   the candidate's partners in the query's country (log1p)
``own_ties``       the query's partners in the candidate's country (log1p)
``ppr_per_degree`` the walk's proximity over the candidate's degree (log10): reached without
                   being a hub
``distance_sq``, ``degree_sq``  squares (centred) of distance and degree: a preferred range
``cold_*``         distance, country pair, degree and population again, for a query without any
                   partner yet (the walk says nothing then, so these weigh differently)
``local_walk``     personalised PageRank from the query's nearest connected neighbours on the map
                   (log10): where the towns around it found their partners
``area_pair``      known pairs between the query's area and the candidate's (cells of
                   :data:`AREA_DEGREES` on the map; log1p): areas that twin with each other
``region_walk``    PageRank on the collapsed graph of those areas (areas as nodes, known pairs
                   between them as edges), personalised on the query's area, read at the
                   candidate's area (log10): areas that twin with areas that twin with mine
``walk_around``    what the query's walk (its local walk when it has no partner) leaves on the
                   candidate's neighbours on the map, each over its degree (log10); by the
                   symmetry of PageRank, how strongly the towns around the candidate reach the
                   query: a candidate without partners in a district the query's walk reaches
``query_degree``   the query's own number of partners (log1p): constant within a query, it only
                   enters through products with other signals (how much a signal says depends
                   on how well the query is known); its products count for the other signal
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .graph import Graph, Sparse, adamic_adar, personalised_pagerank

if TYPE_CHECKING:
    from numpy.typing import NDArray

FEATURES = (
    "ppr",
    "adamic_adar",
    "shared",
    "country_pair",
    "region_pair",
    "same_country",
    "distance",
    "degree",
    "population",
    "size_gap",
    "namesake",
    "same_south",
    "languages",
    "same_type",
    "near_partners",
    "partners_near",
    "country_ties",
    "own_ties",
    "ppr_per_degree",
    "distance_sq",
    "degree_sq",
    "cold_distance",
    "cold_country_pair",
    "cold_degree",
    "cold_population",
    "local_walk",
    "area_pair",
    "region_walk",
    "walk_around",
    "query_degree",
)
INDEX = {name: i for i, name in enumerate(FEATURES)}
# Signals whose absence is 0 (nothing shared, not reached, not the same): a reason measures them
# from 0. The others (distance, size, …) are measured from their mean over training pairs.
FROM_ZERO = frozenset(
    {
        "ppr",
        "adamic_adar",
        "shared",
        "same_country",
        "namesake",
        "same_south",
        "languages",
        "same_type",
        "ppr_per_degree",
        "local_walk",
        "area_pair",
        "region_walk",
        "walk_around",
    }
)

# The signals as the reasons and the ablation group them.
SIGNAL_GROUPS: dict[str, tuple[str, ...]] = {
    "network": ("ppr", "adamic_adar", "shared", "ppr_per_degree"),
    "local_walk": ("local_walk",),
    "country_pair": ("country_pair", "region_pair", "same_country", "cold_country_pair"),
    "partner_geography": (
        "near_partners",
        "partners_near",
        "country_ties",
        "own_ties",
        "area_pair",
        "region_walk",
        "walk_around",
    ),
    "distance": ("distance", "distance_sq", "cold_distance"),
    "popularity": ("degree", "degree_sq", "cold_degree"),
    "size": ("population", "size_gap", "cold_population"),
    "namesake": ("namesake",),
    "development": ("same_south",),
    "languages": ("languages",),
    "actor_type": ("same_type",),
}
DISTANCE_CENTRE = math.log1p(1000.0)
DEGREE_CENTRE = math.log1p(3.0)

EARTH_KM = 6371.0
PPR_FLOOR = 1e-7
GRID_DEGREES = 2.0
AREA_DEGREES = 1.0


@dataclass
class Nodes:
    """Attributes of the ``n`` nodes, one array each; unknown values are ``nan`` / ``-1`` / 0."""

    lat: NDArray[np.float64]
    lng: NDArray[np.float64]
    country: NDArray[np.int32]  # index into ``country_codes``; -1 unknown
    subregion: NDArray[np.int32]  # index into ``subregion_codes``; -1 unknown
    south: NDArray[np.int8]  # 1 Global South, 0 North, -1 unknown
    population: NDArray[np.float64]  # 0 unknown
    actor: NDArray[np.int16]  # index into ``actor_codes``; -1 unknown
    languages: NDArray[np.uint64]  # bit set over ``language_codes``
    name_key: list[str]
    country_codes: list[str] = field(default_factory=list)
    subregion_codes: list[str] = field(default_factory=list)
    actor_codes: list[str] = field(default_factory=list)
    language_codes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.lat)

    @classmethod
    def build(
        cls,
        *,
        lat: Sequence[float | None],
        lng: Sequence[float | None],
        country: Sequence[str | None],
        subregion: Sequence[str | None] = (),
        south: Sequence[bool | None] = (),
        population: Sequence[float | None] = (),
        actor: Sequence[str | None] = (),
        languages: Sequence[Sequence[str]] = (),
        names: Sequence[str] = (),
    ) -> Nodes:
        """Encode per-node values (``None`` for unknown) into arrays and code tables."""
        n = len(lat)

        def codes(values: Sequence[str | None]) -> tuple[NDArray[np.int32], list[str]]:
            table = sorted({v for v in values if v})
            index = {v: i for i, v in enumerate(table)}
            out = np.full(n, -1, dtype=np.int32)
            for i, v in enumerate(values):
                if v:
                    out[i] = index[v]
            return out, table

        def floats(values: Sequence[float | None], default: float) -> NDArray[np.float64]:
            if not values:
                return np.full(n, default)
            return np.array([default if v is None else float(v) for v in values], dtype=float)

        country_idx, country_codes = codes(country)
        sub_idx, sub_codes = codes(subregion or [None] * n)
        actor_idx, actor_codes = codes(actor or [None] * n)
        language_codes = sorted({lang for langs in languages for lang in langs})[:64]
        bit = {lang: np.uint64(1) << np.uint64(i) for i, lang in enumerate(language_codes)}
        masks = np.zeros(n, dtype=np.uint64)
        for i, langs in enumerate(languages):
            for lang in langs:
                if lang in bit:
                    masks[i] |= bit[lang]
        south_arr = np.full(n, -1, dtype=np.int8)
        for i, s in enumerate(south):
            if s is not None:
                south_arr[i] = 1 if s else 0
        return cls(
            lat=floats(lat, math.nan),
            lng=floats(lng, math.nan),
            country=country_idx,
            subregion=sub_idx,
            south=south_arr,
            population=floats(population, 0.0),
            actor=actor_idx.astype(np.int16),
            languages=masks,
            name_key=list(names) if names else [""] * n,
            country_codes=country_codes,
            subregion_codes=sub_codes,
            actor_codes=actor_codes,
            language_codes=language_codes,
        )


def pair_counts(groups: NDArray[np.int32], size: int, graph: Graph) -> NDArray[np.float64]:
    """Edge weight between each pair of groups (countries, regions), both directions."""
    counts = np.zeros((size + 1, size + 1))
    owner = np.repeat(np.arange(graph.n), np.diff(graph.indptr))
    a = groups[owner]
    b = groups[graph.indices]
    np.add.at(counts, (a, b), graph.weights)  # -1 lands in the extra last row/column
    return counts[:size, :size]


def _pair_log_share(counts: NDArray[np.float64]) -> NDArray[np.float64]:
    """``log P(group of partner = j | group of node = i)`` from pair counts, smoothed towards
    the overall share of ``j`` among edge ends (an empty row falls back to it)."""
    size = len(counts)
    ends = counts.sum(axis=0)
    total = max(ends.sum(), 1.0)
    base = (ends + 0.5) / (total + 0.5 * size)
    prior = 2.0
    row = counts.sum(axis=1, keepdims=True)
    return np.log((counts + prior * base) / (row + prior))


class Network:
    """The precomputed structures one query reads; built once per graph version."""

    def __init__(self, graph: Graph, nodes: Nodes) -> None:
        self.graph = graph
        self.nodes = nodes
        n = nodes.n
        self.n = n
        self.log_degree = np.log1p(graph.degree)
        self.log_population = np.log1p(nodes.population)
        nc = len(nodes.country_codes)
        ns = len(nodes.subregion_codes)
        self.country_counts = pair_counts(nodes.country, nc, graph)
        self.country_share = _pair_log_share(self.country_counts) if nc else np.zeros((0, 0))
        region_counts = pair_counts(nodes.subregion, ns, graph)
        self.region_share = _pair_log_share(region_counts) if ns else np.zeros((0, 0))
        # Per country, its nodes by decreasing degree; per country, partner countries by share.
        self.by_country: list[NDArray[np.int64]] = []
        order = np.lexsort((-graph.degree, nodes.country))
        bounds = np.searchsorted(nodes.country[order], np.arange(nc + 1))
        for c in range(nc):
            self.by_country.append(order[bounds[c] : bounds[c + 1]].astype(np.int64))
        self.top_countries = (
            np.argsort(-self.country_share, axis=1)[:, :COUNTRY_FANOUT] if nc else None
        )
        # Per sub-region, the countries in it (for peers in a similar situation).
        self.region_countries: dict[int, list[int]] = defaultdict(list)
        placed = (nodes.subregion >= 0) & (nodes.country >= 0)
        pairs = np.unique(np.column_stack([nodes.subregion[placed], nodes.country[placed]]), axis=0)
        for s, c in pairs.tolist():
            self.region_countries[s].append(c)
        self.popular_all = np.argsort(-graph.degree, kind="stable").astype(np.int64)
        self.popular = self.popular_all[:POPULAR]
        self.namesakes: dict[str, NDArray[np.int64]] = {}
        groups: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(nodes.name_key):
            if key:
                groups[key].append(i)
        self.namesakes = {k: np.array(v, dtype=np.int64) for k, v in groups.items() if len(v) > 1}
        # A grid of GRID_DEGREES cells for the nearest nodes.
        known = ~np.isnan(nodes.lat)
        self._cell = np.full(n, -1, dtype=np.int64)
        rows = np.floor((nodes.lat[known] + 90) / GRID_DEGREES).astype(np.int64)
        cols = np.floor((nodes.lng[known] + 180) / GRID_DEGREES).astype(np.int64)
        self._cols = int(360 / GRID_DEGREES) + 1
        self._cell[known] = rows * self._cols + cols
        self.cells: dict[int, NDArray[np.int64]] = {}
        cell_groups: dict[int, list[int]] = defaultdict(list)
        for position in np.flatnonzero(known).tolist():
            cell_groups[int(self._cell[position])].append(position)
        self.cells = {k: np.array(v, dtype=np.int64) for k, v in cell_groups.items()}
        # Known pairs between areas of AREA_DEGREES: sorted keys (area a × areas + area b).
        area_rows = np.floor((nodes.lat + 90) / AREA_DEGREES)
        area_cols = np.floor((nodes.lng + 180) / AREA_DEGREES)
        self._areas = int(180 / AREA_DEGREES + 1) * int(360 / AREA_DEGREES + 1)
        self.area = np.where(
            np.isnan(area_rows), -1, area_rows * int(360 / AREA_DEGREES + 1) + area_cols
        ).astype(np.int64)
        owner = np.repeat(np.arange(n), np.diff(graph.indptr))
        a, b = self.area[owner], self.area[graph.indices]
        placed = (a >= 0) & (b >= 0)
        keys = a[placed] * self._areas + b[placed]
        self.area_keys, area_counts = np.unique(keys, return_counts=True)
        self.area_counts = area_counts.astype(np.float64)
        self.around = around_table(nodes)
        # The areas as the nodes of a collapsed graph (known pairs between areas as weighted
        # edges), and per area its nodes by decreasing degree.
        area_nodes = np.flatnonzero(self.area >= 0)
        self.region_codes, region_index = np.unique(self.area[area_nodes], return_inverse=True)
        self.region = np.full(n, -1, dtype=np.int64)
        self.region[area_nodes] = region_index
        ra, rb = self.region[owner], self.region[graph.indices]
        linked = (ra >= 0) & (rb >= 0)
        self.region_graph = Graph.from_edges(
            len(self.region_codes), ra[linked], rb[linked], graph.weights[linked]
        )
        by_region = area_nodes[np.lexsort((-graph.degree[area_nodes], region_index))]
        self.region_start = np.searchsorted(
            self.region[by_region], np.arange(len(self.region_codes) + 1)
        )
        self.region_members = by_region.astype(np.int64)

    # --- local neighbourhoods -----------------------------------------------------------------

    def nearest(self, node: int, count: int) -> NDArray[np.int64]:
        """About ``count`` nodes nearest to ``node``, from the grid cells around it."""
        cell = int(self._cell[node])
        if cell < 0:
            return np.zeros(0, dtype=np.int64)
        row, col = divmod(cell, self._cols)
        found: list[NDArray[np.int64]] = []
        total = 0
        for radius in range(0, 6):
            for dr in range(-radius, radius + 1):
                for dc in range(-radius, radius + 1):
                    if max(abs(dr), abs(dc)) != radius:
                        continue
                    key = (row + dr) * self._cols + (col + dc) % self._cols
                    block = self.cells.get(key)
                    if block is not None:
                        found.append(block)
                        total += len(block)
            if total >= count:
                break
        if not found:
            return np.zeros(0, dtype=np.int64)
        near = np.concatenate(found)
        km = distance_km(self.nodes, node, near)
        return near[np.argsort(km, kind="stable")[:count]]

    def candidates(
        self,
        node: int,
        budget: Budget | None = None,
        walk: Sparse | None = None,
        local: Sparse | None = None,
        regions: Sparse | None = None,
    ) -> NDArray[np.int64]:
        """The nodes worth scoring for ``node``: its walk's reach, the best-connected nodes of
        the countries its country pairs with, its neighbours on the map, its namesakes and the
        most connected nodes overall. Bounded by ``budget`` whatever the size of the network."""
        budget = budget or Budget()
        parts: list[NDArray[np.int64]] = [self.popular[: budget.popular]]
        ppr = walk if walk is not None else self.walk(node)
        if len(ppr.nodes):
            top = np.argsort(-ppr.values, kind="stable")[: budget.walk]
            parts.append(ppr.nodes[top])
        local = local if local is not None else self.local_walk(node)
        if len(local.nodes):
            top = np.argsort(-local.values, kind="stable")[: budget.local]
            parts.append(local.nodes[top])
        c = int(self.nodes.country[node])
        if c >= 0 and self.top_countries is not None:
            share = np.exp(self.country_share[c, self.top_countries[c]])
            share = share / share.sum()
            for other, s in zip(self.top_countries[c], share, strict=True):
                take = math.ceil(budget.countries * s)
                if take:
                    parts.append(self.by_country[int(other)][:take])
        parts.append(self.nearest(node, budget.nearby))
        regions = regions if regions is not None else self.region_walk(node)
        parts.append(self.region_candidates(regions, budget.regions))
        key = self.nodes.name_key[node]
        if key and key in self.namesakes:
            parts.append(self.namesakes[key])
        found = np.unique(np.concatenate(parts))
        return found[found != node]

    def area_pairs(self, node: int, candidates: NDArray[np.int64]) -> NDArray[np.float64]:
        """Known pairs between the node's area and each candidate's."""
        out = np.zeros(len(candidates))
        mine = int(self.area[node])
        theirs = self.area[candidates]
        if mine < 0 or len(self.area_keys) == 0:
            return out
        keys = mine * self._areas + theirs
        pos = np.minimum(np.searchsorted(self.area_keys, keys), len(self.area_keys) - 1)
        hit = (self.area_keys[pos] == keys) & (theirs >= 0)
        out[hit] = self.area_counts[pos[hit]]
        return out

    def context_candidates(self, node: int, budget: Budget | None = None) -> NDArray[np.int64]:
        """Candidates for peers in a similar situation, without a walk: the best-connected
        nodes of its own country and of the other countries of its sub-region, its neighbours
        on the map, its partners' partners and the most connected nodes."""
        budget = budget or Budget()
        parts: list[NDArray[np.int64]] = [self.popular[: budget.popular]]
        c = int(self.nodes.country[node])
        if c >= 0:
            parts.append(self.by_country[c][: budget.countries // 2])
        s = int(self.nodes.subregion[node])
        if s >= 0:
            others = [o for o in self.region_countries.get(s, []) if o != c]
            if others:
                per = max(10, budget.countries // (2 * len(others)))
                parts += [self.by_country[o][:per] for o in others]
        parts.append(self.nearest(node, budget.nearby))
        first = self.graph.neighbours(node).astype(np.int64)
        if len(first):
            positions, _owner = self.graph._gather(first)
            parts.append(self.graph.indices[positions].astype(np.int64))
        found = np.unique(np.concatenate(parts))
        return found[found != node]

    def local_walk(self, node: int) -> Sparse:
        """PageRank personalised on the query's nearest connected neighbours on the map (up to
        :data:`LOCAL_SEEDS` within :data:`LOCAL_KM`), the query itself left out."""
        near = self.nearest(node, LOCAL_POOL)
        near = near[(near != node) & (self.graph.count[near] > 0)]
        if len(near) == 0:
            return Sparse.empty()
        near = near[distance_km(self.nodes, node, near) <= LOCAL_KM][:LOCAL_SEEDS]
        if len(near) == 0:
            return Sparse.empty()
        return personalised_pagerank(self.graph, near, alpha=PPR_ALPHA, eps=LOCAL_EPS)

    def walk(self, node: int) -> Sparse:
        return personalised_pagerank(self.graph, [node], alpha=PPR_ALPHA, eps=PPR_EPS)

    def region_walk(self, node: int) -> Sparse:
        """PageRank on the collapsed graph of areas, personalised on the node's area: the
        areas that twin with its area, and with those."""
        r = int(self.region[node])
        if r < 0:
            return Sparse.empty()
        return personalised_pagerank(self.region_graph, [r], alpha=REGION_ALPHA, eps=REGION_EPS)

    def walk_around(
        self, walk: Sparse, candidates: NDArray[np.int64], node: int
    ) -> NDArray[np.float64]:
        """What a walk leaves on each candidate's neighbours on the map (up to :data:`AROUND`
        within :data:`AROUND_KM`), each over its degree: by the symmetry of PageRank on an
        undirected graph, how strongly walks from the towns around the candidate reach the
        query — a candidate without partners yet, in a district the query's walk reaches. The
        query itself is left out."""
        around = self.around[candidates]
        valid = (around >= 0) & (around != node)
        safe = np.where(valid, around, 0)
        values = walk.lookup(safe.ravel()).reshape(safe.shape)
        values = np.where(valid, values / np.maximum(self.graph.degree[safe], 1.0), 0.0)
        return values.sum(axis=1)

    def region_candidates(self, regions: Sparse, count: int) -> NDArray[np.int64]:
        """About ``count`` nodes of the areas the region walk reaches best, shared among the
        best areas in proportion to their score."""
        if count <= 0 or len(regions.nodes) == 0:
            return np.zeros(0, dtype=np.int64)
        order = np.argsort(-regions.values, kind="stable")[:REGION_FANOUT]
        best = regions.nodes[order]
        share = regions.values[order] / regions.values[order].sum()
        parts = []
        for r, s in zip(best.tolist(), share.tolist(), strict=True):
            take = math.ceil(count * s)
            parts.append(
                self.region_members[self.region_start[r] : self.region_start[r + 1]][:take]
            )
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


LOCAL_POOL = 40  # nearest nodes looked at for seeds of the local walk
LOCAL_SEEDS = 5
LOCAL_KM = 50.0
LOCAL_EPS = 1e-4
PPR_ALPHA = 0.15
REGION_ALPHA = 0.3
REGION_EPS = 1e-5
REGION_FANOUT = 30
PPR_EPS = 2e-5
COUNTRY_FANOUT = 12
POPULAR = 200


AROUND = 5
AROUND_KM = 30.0
AROUND_CELL = 0.5  # degrees; a cell and its 8 neighbours hold every node within AROUND_KM
_around_cache: dict[int, tuple[Nodes, NDArray[np.int64]]] = {}


def around_table(nodes: Nodes) -> NDArray[np.int64]:
    """Per node, its up to :data:`AROUND` nearest other nodes within :data:`AROUND_KM`
    (``-1`` pads), nearest first; computed once per :class:`Nodes` (by cells of the map)."""
    cached = _around_cache.get(id(nodes))
    if cached is not None and cached[0] is nodes:
        return cached[1]
    n = nodes.n
    out = np.full((n, AROUND), -1, dtype=np.int64)
    placed = np.flatnonzero(~np.isnan(nodes.lat) & ~np.isnan(nodes.lng))
    if len(placed):
        lat = np.radians(nodes.lat)
        lng = np.radians(nodes.lng)
        columns = int(360 / AROUND_CELL) + 1
        rows = np.floor((nodes.lat[placed] + 90) / AROUND_CELL).astype(np.int64)
        cols = np.floor((nodes.lng[placed] + 180) / AROUND_CELL).astype(np.int64)
        keys = rows * columns + cols
        order = np.argsort(keys, kind="stable")
        members = placed[order]
        unique, starts = np.unique(keys[order], return_index=True)
        ends = np.append(starts[1:], len(members))
        span = dict(
            zip(unique.tolist(), zip(starts.tolist(), ends.tolist(), strict=True), strict=True)
        )
        for key, (start, end) in span.items():
            row, col = divmod(key, columns)
            block = members[start:end]
            near = [
                members[slice(*span[k])]
                for dr in (-1, 0, 1)
                for dc in (-1, 0, 1)
                if (k := (row + dr) * columns + (col + dc) % columns) in span
            ]
            others = np.concatenate(near)
            dlat = lat[block][:, None] - lat[others][None, :]
            dlng = (lng[block][:, None] - lng[others][None, :] + np.pi) % (2 * np.pi) - np.pi
            dlng *= np.cos((lat[block][:, None] + lat[others][None, :]) / 2)
            km = EARTH_KM * np.sqrt(dlat**2 + dlng**2)
            km[(block[:, None] == others[None, :]) | (km > AROUND_KM)] = np.inf
            take = min(AROUND, len(others))
            best = np.argsort(km, axis=1, kind="stable")[:, :take]
            found = np.take_along_axis(km, best, axis=1) < np.inf
            out[block, :take] = np.where(found, others[best], -1)
    _around_cache.clear()
    _around_cache[id(nodes)] = (nodes, out)
    return out


@dataclass(frozen=True)
class Budget:
    """How many candidates each source may bring (see :meth:`Network.candidates`)."""

    walk: int = 1500
    local: int = 500
    countries: int = 1500
    nearby: int = 150
    popular: int = 100
    regions: int = 400


def distance_km(nodes: Nodes, node: int, others: NDArray[np.int64]) -> NDArray[np.float64]:
    lat1 = np.radians(nodes.lat[node])
    lat2 = np.radians(nodes.lat[others])
    dlat = lat2 - lat1
    dlng = np.radians(nodes.lng[others] - nodes.lng[node])
    h = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlng / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


@dataclass
class PairSignals:
    """The raw signal matrix of one query against its candidates, plus what the reasons need."""

    node: int
    candidates: NDArray[np.int64]
    x: NDArray[np.float64]  # (len(candidates), len(FEATURES))
    km: NDArray[np.float64]
    shared: NDArray[np.float64]


def pair_features(
    network: Network,
    node: int,
    candidates: NDArray[np.int64],
    walk: Sparse | None = None,
    local: Sparse | None = None,
    regions: Sparse | None = None,
) -> PairSignals:
    """The signals of ``node`` against each of ``candidates`` (the columns of FEATURES)."""
    nodes = network.nodes
    m = len(candidates)
    x = np.zeros((m, len(FEATURES)))
    walk = walk if walk is not None else network.walk(node)
    x[:, INDEX["ppr"]] = np.log10(walk.lookup(candidates) + PPR_FLOOR) - math.log10(PPR_FLOOR)
    local = local if local is not None else network.local_walk(node)
    x[:, INDEX["local_walk"]] = np.log10(local.lookup(candidates) + PPR_FLOOR) - math.log10(
        PPR_FLOOR
    )
    aa, cn = adamic_adar(network.graph, node)
    x[:, INDEX["adamic_adar"]] = aa.lookup(candidates)
    shared = cn.lookup(candidates)
    x[:, INDEX["shared"]] = np.log1p(shared)
    c = int(nodes.country[node])
    cc = nodes.country[candidates]
    if c >= 0 and network.country_share.size:
        row = network.country_share[c]
        x[:, INDEX["country_pair"]] = np.where(cc >= 0, row[np.maximum(cc, 0)], row.min())
    s = int(nodes.subregion[node])
    sc = nodes.subregion[candidates]
    if s >= 0 and network.region_share.size:
        row = network.region_share[s]
        x[:, INDEX["region_pair"]] = np.where(sc >= 0, row[np.maximum(sc, 0)], row.min())
    x[:, INDEX["same_country"]] = (cc == c) & (c >= 0)
    km = distance_km(nodes, node, candidates)
    x[:, INDEX["distance"]] = np.where(np.isnan(km), math.log1p(2000.0), np.log1p(km))
    x[:, INDEX["degree"]] = network.log_degree[candidates]
    pop = network.log_population[candidates]
    x[:, INDEX["population"]] = pop
    own = network.log_population[node]
    x[:, INDEX["size_gap"]] = np.where((pop > 0) & (own > 0), np.abs(pop - own), 0.0)
    key = nodes.name_key[node]
    if key and key in network.namesakes:
        x[:, INDEX["namesake"]] = np.isin(candidates, network.namesakes[key])
    south = int(nodes.south[node])
    x[:, INDEX["same_south"]] = (nodes.south[candidates] == south) & (south >= 0)
    mine = nodes.languages[node]
    if mine:
        total = bin(int(mine)).count("1")
        common = nodes.languages[candidates] & mine
        x[:, INDEX["languages"]] = [bin(int(v)).count("1") / total for v in common]
    t = int(nodes.actor[node])
    x[:, INDEX["same_type"]] = (nodes.actor[candidates] == t) & (t >= 0)
    _partner_signals(network, node, candidates, x)
    x[:, INDEX["area_pair"]] = np.log1p(network.area_pairs(node, candidates))
    source = walk if network.graph.count[node] > 0 else local
    x[:, INDEX["walk_around"]] = np.log10(
        network.walk_around(source, candidates, node) + PPR_FLOOR
    ) - math.log10(PPR_FLOOR)
    regions = regions if regions is not None else network.region_walk(node)
    theirs = network.region[candidates]
    x[:, INDEX["region_walk"]] = np.where(
        theirs >= 0,
        np.log10(regions.lookup(np.maximum(theirs, 0)) + PPR_FLOOR) - math.log10(PPR_FLOOR),
        0.0,
    )
    reached = x[:, INDEX["ppr"]] > 0
    x[:, INDEX["ppr_per_degree"]] = np.where(
        reached, x[:, INDEX["ppr"]] - np.log10(network.graph.degree[candidates] + 1.0), 0.0
    )
    x[:, INDEX["distance_sq"]] = (x[:, INDEX["distance"]] - DISTANCE_CENTRE) ** 2
    x[:, INDEX["degree_sq"]] = (x[:, INDEX["degree"]] - DEGREE_CENTRE) ** 2
    x[:, INDEX["query_degree"]] = network.log_degree[node]
    if network.graph.count[node] == 0:
        for name in ("distance", "country_pair", "degree", "population"):
            x[:, INDEX[f"cold_{name}"]] = x[:, INDEX[name]]
    return PairSignals(node=node, candidates=candidates, x=x, km=km, shared=shared)


FAR_KM = 20_000.0


def _partner_signals(
    network: Network, node: int, candidates: NDArray[np.int64], x: NDArray[np.float64]
) -> None:
    """Signals between each side and the other side's partners: twinnings cluster (towns of
    one district pair with towns of another), so a candidate near the query's partners, or
    whose partners are near the query or in its country, is a likelier partner."""
    graph = network.graph
    nodes = network.nodes
    m = len(candidates)
    mine = graph.neighbours(node).astype(np.int64)
    far = math.log1p(FAR_KM)
    c = int(nodes.country[node])
    if len(mine):
        lat1 = np.radians(nodes.lat[candidates])[:, None]
        lat2 = np.radians(nodes.lat[mine])[None, :]
        dlng = np.radians(nodes.lng[mine][None, :] - nodes.lng[candidates][:, None])
        h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlng / 2) ** 2
        km = 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
        km = np.where(np.isnan(km), FAR_KM, km).min(axis=1)
        x[:, INDEX["near_partners"]] = np.log1p(km)
        theirs = nodes.country[mine]
        counts = np.bincount(theirs[theirs >= 0], minlength=len(nodes.country_codes) or 1)
        cc = nodes.country[candidates]
        x[:, INDEX["own_ties"]] = np.where(cc >= 0, np.log1p(counts[np.maximum(cc, 0)]), 0.0)
    else:
        x[:, INDEX["near_partners"]] = far
    positions, owner = graph._gather(candidates)
    x[:, INDEX["partners_near"]] = far
    if len(positions):
        partners = graph.indices[positions].astype(np.int64)
        km = distance_km(nodes, node, partners)
        km = np.where(np.isnan(km), FAR_KM, km)
        best = np.full(m, FAR_KM)
        np.minimum.at(best, owner, km)
        x[:, INDEX["partners_near"]] = np.log1p(best)
        if c >= 0:
            same = (nodes.country[partners] == c).astype(float)
            x[:, INDEX["country_ties"]] = np.log1p(np.bincount(owner, weights=same, minlength=m))


# --- the learned scorer ------------------------------------------------------------------------

# Signals that enter the model through a piecewise-linear basis as well (hinges at quantiles of
# the training pairs), so the model can learn a preferred range (twin towns are seldom next door,
# seldom at the antipodes) without giving up additive, per-signal explanations.
HINGED = (
    "ppr",
    "region_walk",
    "walk_around",
    "local_walk",
    "area_pair",
    "ppr_per_degree",
    "adamic_adar",
    "country_pair",
    "region_pair",
    "distance",
    "degree",
    "population",
    "size_gap",
    "near_partners",
    "partners_near",
)
KNOTS = 7
NEWTON_TOLERANCE = 1e-6  # log-likelihood units: below this Newton decrement, stop
# Products of two signals, each shown as part of the first signal's reason.
INTERACTIONS = (
    ("ppr", "degree"),
    ("country_pair", "distance"),
    ("near_partners", "country_pair"),
    # How much each signal says depends on how well the query is known (a hub's walk spreads
    # thin, a new town's says nothing): products with the query's own number of partners.
    ("ppr", "query_degree"),
    ("ppr_per_degree", "query_degree"),
    ("adamic_adar", "query_degree"),
    ("distance", "query_degree"),
    ("country_pair", "query_degree"),
    ("degree", "query_degree"),
    ("near_partners", "query_degree"),
    ("local_walk", "query_degree"),
    ("walk_around", "query_degree"),
)


@dataclass(frozen=True)
class Column:
    """One column of the model's design: a signal, a hinge of it, or a product of two."""

    owner: str  # the signal whose reason shows this column's contribution
    kind: str  # "raw", "hinge" or "product"
    knot: float = 0.0
    other: str = ""

    @property
    def uses(self) -> tuple[str, ...]:
        return (self.owner, self.other) if self.other else (self.owner,)

    def values(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        v = x[:, INDEX[self.owner]]
        if self.kind == "hinge":
            return np.maximum(0.0, v - self.knot)
        if self.kind == "product":
            return v * x[:, INDEX[self.other]]
        return v


def design(knots: dict[str, list[float]]) -> list[Column]:
    columns = [Column(name, "raw") for name in FEATURES]
    for name in HINGED:
        columns += [Column(name, "hinge", knot=k) for k in knots.get(name, [])]
    columns += [Column(a, "product", other=b) for a, b in INTERACTIONS]
    return columns


def fit_knots(x: NDArray[np.float64]) -> dict[str, list[float]]:
    """Hinge knots at the inner quantiles of each hinged signal over the training rows."""
    levels = np.linspace(0, 1, KNOTS + 2)[1:-1]
    return {
        name: [round(float(k), 4) for k in np.unique(np.quantile(x[:, INDEX[name]], levels))]
        for name in HINGED
    }


@dataclass
class LinkModel:
    """A conditional-logit scorer over the design's columns: score = w · standardised(z(x)).

    Fitted by Newton's method on the softmax of each training query over its candidates, with
    an L2 pull towards ``prior`` (so a small network stays close to what was learned on a large
    one). :meth:`contributions` splits a score into one term per signal, which the reasons show.
    """

    columns: list[Column]
    weights: NDArray[np.float64]
    mean: NDArray[np.float64]
    scale: NDArray[np.float64]
    knots: dict[str, list[float]]

    @property
    def features(self) -> tuple[str, ...]:
        return FEATURES

    def expand(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.column_stack([c.values(x) for c in self.columns])

    def score(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        return ((self.expand(x) - self.mean) / self.scale) @ self.weights

    def reference(self) -> NDArray[np.float64]:
        """The neutral pair: nothing shared or reached for the signals of :data:`FROM_ZERO`,
        the training mean of the raw signal for the others."""
        raw = self.mean[: len(FEATURES)]
        return np.array([0.0 if f in FROM_ZERO else raw[i] for i, f in enumerate(FEATURES)])

    def contributions(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """``(len(x), len(FEATURES))``: what each signal adds to the score against the neutral
        pair; the row sums are the scores, up to one constant."""
        z = self.expand(x)
        z0 = self.expand(self.reference()[None, :])
        per_column = (z - z0) / self.scale * self.weights
        out = np.zeros((len(x), len(FEATURES)))
        for j, column in enumerate(self.columns):
            out[:, INDEX[column.owner]] += per_column[:, j]
        return out

    def signal_weights(self) -> dict[str, float]:
        """Per signal, the sum of its columns' standardised weights (for a printed summary)."""
        totals = dict.fromkeys(FEATURES, 0.0)
        for column, w in zip(self.columns, self.weights, strict=True):
            totals[column.owner] += float(w)
        return totals

    def as_dict(self) -> dict[str, object]:
        return {
            "knots": self.knots,
            "columns": [
                [
                    c.owner,
                    c.kind,
                    c.knot,
                    c.other,
                    round(float(w), 5),
                    round(float(m), 5),
                    round(float(s), 5),
                ]
                for c, w, m, s in zip(
                    self.columns, self.weights, self.mean, self.scale, strict=True
                )
            ],
        }

    @classmethod
    def neutral(cls) -> LinkModel:
        """A model that scores every pair alike (no network to learn from, no prior)."""
        columns = design({})
        n = len(columns)
        return cls(columns, np.zeros(n), np.zeros(n), np.ones(n), {})

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> LinkModel | None:
        """The model saved by :meth:`as_dict`, or ``None`` when ``data`` is empty or was saved
        for other signals."""
        if not data:
            return None
        knots = {k: list(v) for k, v in data["knots"].items()}  # type: ignore[attr-defined]
        columns = design(knots)
        rows = {(r[0], r[1], float(r[2]), r[3]): r for r in data["columns"]}  # type: ignore[attr-defined]
        if len(rows) != len(columns) or any(
            (c.owner, c.kind, float(c.knot), c.other) not in rows for c in columns
        ):
            return None
        ordered = [rows[(c.owner, c.kind, float(c.knot), c.other)] for c in columns]
        return cls(
            columns=columns,
            weights=np.array([r[4] for r in ordered], dtype=float),
            mean=np.array([r[5] for r in ordered], dtype=float),
            scale=np.array([r[6] or 1.0 for r in ordered], dtype=float),
            knots=knots,
        )


def fit_conditional_logit(
    groups: list[tuple[NDArray[np.float64], NDArray[np.bool_]]],
    *,
    prior: LinkModel | None = None,
    l2: float = 1.0,
    mask: NDArray[np.bool_] | None = None,
    iterations: int = 60,
) -> LinkModel:
    """Fit a :class:`LinkModel` on ``groups``: per training query, the raw signal rows of its
    candidates and which of them are true partners. ``mask`` (over FEATURES) switches signals
    off, with every column that reads them (ablation). With a ``prior``, its design is kept and
    the weights are pulled towards its own."""
    usable = [(x, y) for x, y in groups if y.any() and (~y).any()]
    if not usable:
        if prior is None:
            raise ValueError("nothing to learn from")
        return prior
    stacked = np.concatenate([x for x, _ in usable])
    knots = prior.knots if prior is not None else fit_knots(stacked)
    columns = prior.columns if prior is not None else design(knots)
    model = LinkModel(
        columns, np.zeros(len(columns)), np.zeros(len(columns)), np.ones(len(columns)), knots
    )
    expanded = model.expand(stacked)
    mean = expanded.mean(axis=0)
    spread = expanded.std(axis=0)
    scale = np.where(spread < 1e-9, 1.0, spread)
    dims = len(columns)
    active = spread > 1e-9
    if mask is not None:
        off = {f for f, keep in zip(FEATURES, mask, strict=True) if not keep}
        active &= np.array([not (set(c.uses) & off) for c in columns])
    target = np.zeros(dims)
    if prior is not None:
        target = prior.weights / prior.scale * scale
    target[~active] = 0.0
    w = target.copy()
    # All groups stacked: row i belongs to group owner[i]; softmax within each group.
    z = (expanded - mean) / scale
    y = np.concatenate([y for _x, y in usable])
    sizes = np.array([len(x) for x, _y in usable])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    owner = np.repeat(np.arange(len(usable)), sizes)
    positives = np.add.reduceat(y.astype(float), starts)
    z_pos = z[y].sum(axis=0)

    def softmax(w: NDArray[np.float64]) -> tuple[NDArray[np.float64], float]:
        s = z @ w
        top = np.maximum.reduceat(s, starts)
        e = np.exp(s - top[owner])
        total = np.add.reduceat(e, starts)
        log_partition = top + np.log(total)
        loglik = float(s[y].sum() - (positives * log_partition).sum())
        return e / total[owner], loglik - 0.5 * l2 * float((w - target) @ (w - target))

    p, current = softmax(w)
    sub = np.ix_(active, active)
    for _ in range(iterations):
        a = positives[owner] * p  # each row's weight in the expected signal
        grad = z_pos - z.T @ a - l2 * (w - target)
        expected = np.add.reduceat(z * p[:, None], starts)  # per group: E_p[z]
        hess = -(z.T @ (z * a[:, None]) - expected.T @ (expected * positives[:, None]))
        hess -= l2 * np.eye(dims)
        grad[~active] = 0.0
        step = np.zeros(dims)
        step[active] = np.linalg.solve(hess[sub], grad[active])
        # The Newton decrement: what a full step would gain on a quadratic objective. Stop when
        # it is negligible — not when one damped step gained little: far from the optimum a
        # step may need halving many times and still leave much to gain.
        decrement = -float(grad @ step)
        if decrement < NEWTON_TOLERANCE:
            break
        # Newton's step, halved until the likelihood improves enough (Armijo's rule).
        size = 1.0
        while size > 1e-8:
            trial = w - size * step
            trial_p, value = softmax(trial)
            if value >= current + 1e-4 * size * decrement:
                break
            size /= 2
        else:
            break
        w, p, current = trial, trial_p, value
    w[~active] = 0.0
    return LinkModel(columns, w, mean, scale, knots)


def training_groups(
    n: int,
    nodes: Nodes,
    edges: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]],
    *,
    rng: np.random.Generator,
    hide: float = 0.1,
    max_queries: int = 3000,
    negatives: int = 150,
    budget: Budget | None = None,
) -> list[tuple[NDArray[np.float64], NDArray[np.bool_]]]:
    """Training examples made from ``edges`` alone: hide a share of them, rebuild the network
    without them, and for each hidden edge's endpoint record the signals of its true partner
    against a sample of the other candidates."""
    a, b, w = edges
    m = len(a)
    if m < 10:
        return []
    hidden = rng.random(m) < hide
    network = Network(Graph.from_edges(n, a[~hidden], b[~hidden], w[~hidden]), nodes)
    partners: dict[int, set[int]] = defaultdict(set)
    for u, v in zip(a[hidden].tolist(), b[hidden].tolist(), strict=True):
        partners[u].add(v)
        partners[v].add(u)
    queries = list(partners)
    rng.shuffle(queries)
    groups = []
    for u in queries[:max_queries]:
        walk = network.walk(u)
        local = network.local_walk(u)
        regions = network.region_walk(u)
        cand = network.candidates(u, budget, walk, local, regions)
        known = network.graph.neighbours(u)
        cand = cand[~np.isin(cand, known)]
        truth = np.isin(cand, list(partners[u]))
        if not truth.any():
            continue
        others = np.flatnonzero(~truth)
        if len(others) > negatives:
            others = rng.choice(others, negatives, replace=False)
        rows = np.concatenate([np.flatnonzero(truth), others])
        signals = pair_features(network, u, cand[rows], walk, local, regions)
        groups.append((signals.x, truth[rows]))
    return groups
