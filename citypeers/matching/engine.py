"""The peer-matching engine: ranked, explained suggestions of organisations and practices.

Every request is a local computation over the process's :mod:`snapshot` (the cooperation graph,
the organisations' attributes and the text vectors, rebuilt only when the database changed):

1. *candidates* — the requester's walk on the graph, the best-connected organisations of the
   countries its country cooperates with, its neighbours on the map, its namesakes, the owners of
   the texts nearest to its need, and the best-connected organisations the filters or the mode
   ask for; a few thousand at most, whatever the size of the network;
2. *signals* of each candidate (``features.pair_features``: network proximity, context, …; and
   the text signals here: challenge similarity, complementarity);
3. a *score* per mode, the sum of one contribution per signal, so each suggestion carries the
   reasons that put it there, in words and figures.

Modes
    ``partners``     likely cooperation: the link model learned on the graph (``features``),
                     plus challenge similarity and complementarity;
    ``peers``        a similar situation: size, region, development class, languages, actor type,
                     settlement size, shared challenges, shared partners;
    ``south-south``  ``partners`` among Southern organisations, for a Southern requester;
    ``triangular``   for a South–South pair, third actors beyond the South whose expertise or
                     practices answer the pair's challenges and who are close to both;
    ``association``  ``partners`` among associations of local governments and networks, for one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from citypeers.core.errors import ApplicationError, NotFound
from citypeers.directory.models import ASSOCIATION_TYPES, LOCAL_GOVERNMENT_TYPES, ActorType

from . import snapshot as snapshots
from .features import INDEX, SIGNAL_GROUPS, pair_features
from .graph import common_neighbours

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from .graph import Sparse
    from .snapshot import Snapshot, TextItems

MODES = ("peers", "partners", "south-south", "triangular", "association")
K_MAX = 100

# Weights of the text signals (in the link model's units: one standardised signal ≈ 1).
CHALLENGE_WEIGHT = 2.5  # × best cosine between two challenges
COMPLEMENT_WEIGHT = 3.0  # × best cosine between a challenge and an expertise or practice
THEME_WEIGHT = 0.5  # × number of the requester's challenge themes the candidate offers (max 3)
TEXT_CANDIDATES = 200  # owners of the texts nearest to the need, added to the candidates
# Weights of the "peers" mode (each signal in [0, 1]).
PEER_WEIGHTS = {
    "size": 1.0,
    "region": 0.8,
    "development": 0.6,
    "languages": 0.8,
    "actor_type": 0.8,
    "settlement": 0.4,
    "challenge": 2.5,
    "shared_partners": 0.6,
}
SETTLEMENT_BOUNDS = (20_000, 100_000, 1_000_000)  # rural / town / city / metropolis
REASON_FLOOR = 0.05  # reasons contributing less than this (either way) are not shown


@dataclass(frozen=True)
class MatchFilters:
    """Optional limits on the suggestions; an empty value does not filter."""

    regions: tuple[str, ...] = ()  # UN M49 codes at any level
    countries: tuple[str, ...] = ()  # ISO 3166 alpha-3
    south_only: bool = False
    min_population: int | None = None
    max_population: int | None = None
    actor_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


@dataclass
class Reason:
    """One signal behind a suggestion: its raw value, what it added to the score, and a
    sentence (translated, with figures) that says it."""

    signal: str
    value: float
    contribution: float
    text: str


@dataclass
class Suggestion:
    organisation_id: int
    score: float
    reasons: list[Reason] = field(default_factory=list)
    excluded: bool = False


class PracticeMatch(NamedTuple):
    practice_id: int
    score: float
    reasons: list[Reason]


@dataclass
class ChallengeResult:
    peers: list[Suggestion]
    practices: list[PracticeMatch]


# --- entry points ------------------------------------------------------------------------------


def suggest_for_organisation(
    organisation_id: int,
    *,
    mode: str = "peers",
    k: int = 10,
    filters: MatchFilters = MatchFilters(),
    pair_with: int | None = None,
    include_excluded: bool = False,
) -> list[Suggestion]:
    """Up to ``k`` organisations for ``organisation_id`` in ``mode``, best first.

    ``pair_with`` is the Southern partner of the requester (``triangular`` only). With
    ``include_excluded`` the organisation's current partners follow the suggestions, marked
    ``excluded`` with the reason that rules them out.
    """
    mode = check_mode(mode)
    k = check_k(k)
    snap = snapshots.current()
    node = _node(snap, organisation_id, "organisation")
    pair = _node(snap, pair_with, "pair_with") if pair_with is not None else None
    _check_requester(snap, mode, node, pair)
    need = _Need.of_nodes(snap, [node] if pair is None else [node, pair])
    return _rank(snap, mode, k, filters, node, pair, need, include_excluded)


def suggest_for_challenge(
    text: str,
    *,
    mode: str = "peers",
    k: int = 10,
    filters: MatchFilters = MatchFilters(),
    requester_id: int | None = None,
) -> ChallengeResult:
    """Organisations that faced the challenge stated in ``text`` (any language the encoder
    knows) or can help with it, and the published practices that address it.

    With ``requester_id`` the requester, its partners are ruled out and its place in the network
    counts (``partners`` and the modes built on it); without, only the text and the filters do.
    """
    mode = check_mode(mode)
    k = check_k(k)
    text = (text or "").strip()
    if not text:
        raise ApplicationError(_("Describe the challenge in a few words."), field="q")
    if len(text) > 5000:
        raise ApplicationError(_("Keep the challenge under 5,000 characters."), field="q")
    snap = snapshots.current()
    node = _node(snap, requester_id, "requester_id") if requester_id is not None else None
    if mode == "triangular" and node is None:
        raise ApplicationError(
            _("Triangular suggestions need the Southern organisation that asks for them."),
            field="requester_id",
        )
    if node is not None:
        _check_requester(snap, mode, node, None, challenge=True)
    elif mode == "south-south":
        filters = _with_south(filters)
    from . import vectors

    stated = vectors.vectors([text])
    need = _Need.of_text(snap, stated, node)
    peers = _rank(snap, mode, k, filters, node, None, need, False)
    practices = _practices(snap, need, k, filters, node)
    return ChallengeResult(peers=peers, practices=practices)


def check_mode(mode: str) -> str:
    mode = (mode or "peers").strip().lower()
    if mode not in MODES:
        raise ApplicationError(
            _("Unknown mode %(mode)s: choose one of %(modes)s.")
            % {"mode": mode, "modes": ", ".join(MODES)},
            field="mode",
        )
    return mode


def check_k(k: int) -> int:
    if not isinstance(k, int) or k < 1 or k > K_MAX:
        raise ApplicationError(
            _("Ask for between 1 and %(max)d suggestions.") % {"max": K_MAX}, field="k"
        )
    return k


# --- requester checks --------------------------------------------------------------------------


def _node(snap: Snapshot, organisation_id: int | None, name: str) -> int:
    node = snap.position.get(int(organisation_id)) if organisation_id is not None else None
    if node is None:
        raise NotFound(_("No such organisation."), field=name)
    return node


def _is_south(snap: Snapshot, node: int) -> bool:
    return bool(snap.nodes.south[node] == 1)


def _check_requester(
    snap: Snapshot, mode: str, node: int, pair: int | None, *, challenge: bool = False
) -> None:
    name = snap.names[node]
    if pair is not None and mode != "triangular":
        raise ApplicationError(
            _("A partner to pair with is only used by triangular suggestions."), field="pair_with"
        )
    if mode in ("south-south", "triangular") and not _is_south(snap, node):
        raise ApplicationError(
            _(
                "%(name)s is not classified in the Global South: South–South and triangular "
                "suggestions are for Southern organisations."
            )
            % {"name": name},
            field="mode",
        )
    if mode == "triangular" and not challenge:
        if pair is None:
            raise ApplicationError(
                _("Triangular suggestions need the Southern partner to pair with."),
                field="pair_with",
            )
        if pair == node:
            raise ApplicationError(
                _("Choose another organisation to pair with."), field="pair_with"
            )
        if not _is_south(snap, pair):
            raise ApplicationError(
                _(
                    "%(name)s is not classified in the Global South: a triangular partnership "
                    "starts from a South–South pair."
                )
                % {"name": snap.names[pair]},
                field="pair_with",
            )
    if mode == "association" and snap.actor_type[node] not in ASSOCIATION_TYPES:
        raise ApplicationError(
            _(
                "%(name)s is not an association of local governments or a network: association "
                "suggestions are for them."
            )
            % {"name": name},
            field="mode",
        )


def _with_south(filters: MatchFilters) -> MatchFilters:
    from dataclasses import replace

    return replace(filters, south_only=True)


# --- the need: texts and themes to match -------------------------------------------------------


@dataclass
class _Need:
    """What the requester looks for: challenge vectors (its own or the stated text) and the
    themes of its challenges."""

    vectors: NDArray[np.float32]
    themes: set[int]
    stated: bool  # the need is a stated text rather than the profile's challenges

    @classmethod
    def of_nodes(cls, snap: Snapshot, nodes: Sequence[int]) -> _Need:
        rows = np.concatenate([snap.challenges.rows_of(n) for n in nodes])
        themes = {t for r in rows.tolist() for t in snap.challenges.themes[r]}
        return cls(snap.challenges.vectors[rows], themes, False)

    @classmethod
    def of_text(cls, snap: Snapshot, stated: NDArray[np.float32], node: int | None) -> _Need:
        return cls(stated, set(), True)

    @property
    def empty(self) -> bool:
        return len(self.vectors) == 0 or not np.any(self.vectors)


def _best_match(
    need: _Need, items: TextItems, candidates: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Per candidate: the best cosine between a need vector and one of its items (0 if none),
    and the row of that item (-1)."""
    best = np.zeros(len(candidates))
    row = np.full(len(candidates), -1, dtype=np.int64)
    if need.empty or len(items.owner) == 0:
        return best, row
    mine = np.flatnonzero(np.isin(items.owner, candidates))
    if len(mine) == 0:
        return best, row
    sims = (items.vectors[mine] @ need.vectors.T).max(axis=1)
    position = np.searchsorted(candidates, items.owner[mine])
    order = np.argsort(sims, kind="stable")  # ascending: the best one is written last
    best[position[order]] = np.maximum(sims[order], 0.0)
    row[position[order]] = mine[order]
    return best, row


def _text_candidates(snap: Snapshot, need: _Need) -> NDArray[np.int64]:
    if need.empty:
        return np.zeros(0, dtype=np.int64)
    found = []
    for items in (snap.challenges, snap.expertise, snap.practices):
        if len(items.owner) == 0:
            continue
        sims = (items.vectors @ need.vectors.T).max(axis=1)
        top = np.argsort(-sims, kind="stable")[:TEXT_CANDIDATES]
        found.append(items.owner[top])
    if not found:
        return np.zeros(0, dtype=np.int64)
    owners = np.concatenate(found)
    return owners[owners >= 0]


# --- ranking -----------------------------------------------------------------------------------


def _eligible(
    snap: Snapshot, mode: str, filters: MatchFilters, cand: NDArray[np.int64]
) -> NDArray[np.bool_]:
    nodes = snap.nodes
    ok = np.ones(len(cand), dtype=bool)
    if filters.regions:
        codes = list(filters.regions)
        ok &= (
            np.isin(snap.region[cand], codes)
            | np.isin(snap.subregion[cand], codes)
            | np.isin(snap.intermediate[cand], codes)
        )
    if filters.countries:
        ok &= np.isin(snap.iso3[cand], [c.upper() for c in filters.countries])
    if filters.south_only or mode == "south-south":
        ok &= nodes.south[cand] == 1
    if mode == "triangular":
        ok &= nodes.south[cand] == 0
    pop = nodes.population[cand]
    if filters.min_population is not None:
        ok &= pop >= filters.min_population
    if filters.max_population is not None:
        ok &= (pop > 0) & (pop <= filters.max_population)
    types = list(filters.actor_types)
    if mode == "association":
        types = [t for t in (types or ASSOCIATION_TYPES) if t in ASSOCIATION_TYPES]
        if not types:
            ok &= False
    if types:
        ok &= np.isin(snap.actor_type[cand], types)
    if filters.languages:
        wanted = set(filters.languages)
        ok &= np.array([bool(wanted & set(snap.languages[c])) for c in cand.tolist()], dtype=bool)
    return ok


def _filter_candidates(snap: Snapshot, mode: str, filters: MatchFilters) -> NDArray[np.int64]:
    """Best-connected organisations the filters or the mode point to, so that a narrow filter
    still finds someone beyond the requester's neighbourhood."""
    network = snap.network
    nodes = snap.nodes
    parts: list[NDArray[np.int64]] = []
    codes = nodes.country_codes
    wanted_countries = {c.upper() for c in filters.countries}
    if filters.regions:
        codes_set = set(filters.regions)
        for iso3 in (
            set(snap.iso3[np.isin(snap.region, list(codes_set))].tolist())
            | set(snap.iso3[np.isin(snap.subregion, list(codes_set))].tolist())
            | set(snap.iso3[np.isin(snap.intermediate, list(codes_set))].tolist())
        ):
            wanted_countries.add(iso3)
    if wanted_countries:
        per = max(20, 600 // len(wanted_countries))
        for iso3 in wanted_countries:
            if iso3 in codes:
                parts.append(network.by_country[codes.index(iso3)][:per])
    if (
        mode in ("south-south", "triangular", "association")
        or filters.actor_types
        or filters.south_only
    ):
        parts.append(_mode_pool(snap, mode, filters))
    if not parts:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(parts)


def _mode_pool(snap: Snapshot, mode: str, filters: MatchFilters) -> NDArray[np.int64]:
    """The best-connected organisations of the kind the mode or filter asks for (cached on
    the snapshot, computed once per kind)."""
    key = f"{mode}|{int(filters.south_only)}|{','.join(sorted(filters.actor_types))}"
    pools = snap.pools
    if key not in pools:
        everyone = snap.network.popular_all
        ok = _eligible(
            snap,
            mode,
            MatchFilters(south_only=filters.south_only, actor_types=filters.actor_types),
            everyone,
        )
        pools[key] = everyone[ok][:POOL]
    return pools[key]


POOL = 500


def _rank(
    snap: Snapshot,
    mode: str,
    k: int,
    filters: MatchFilters,
    node: int | None,
    pair: int | None,
    need: _Need,
    include_excluded: bool,
) -> list[Suggestion]:
    network = snap.network
    parts = [_text_candidates(snap, need), _filter_candidates(snap, mode, filters)]
    # The walks of each requester, computed once for its candidates and its signals.
    walks: dict[int, tuple[Sparse, Sparse, Sparse]] = {}
    for source in (node, pair):
        if source is not None:
            if mode == "peers":
                parts.append(network.context_candidates(source))
            else:
                walks[source] = (
                    network.walk(source),
                    network.local_walk(source),
                    network.region_walk(source),
                )
                parts.append(network.candidates(source, None, *walks[source]))
    if node is None:
        parts.append(network.popular[:100])
    cand = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
    requesters = [s for s in (node, pair) if s is not None]
    cand = cand[~np.isin(cand, requesters)]
    ruled_out = _ruled_out(snap, requesters)
    is_out = np.isin(cand, ruled_out)
    cand = cand[_eligible(snap, mode, filters, cand) | (is_out & include_excluded)]
    is_out = np.isin(cand, ruled_out)
    if len(cand) == 0:
        return []
    scored = _score(snap, mode, node, pair, need, cand, walks)
    order = np.argsort(-scored.total, kind="stable")
    chosen = [i for i in order.tolist() if not is_out[i]][:k]
    out = [
        Suggestion(
            organisation_id=int(snap.ids[cand[i]]),
            score=round(float(scored.total[i]), 4),
            reasons=scored.reasons(i),
        )
        for i in chosen
    ]
    if include_excluded and requesters:
        for i in order.tolist():
            if is_out[i]:
                out.append(
                    Suggestion(
                        organisation_id=int(snap.ids[cand[i]]),
                        score=round(float(scored.total[i]), 4),
                        reasons=[_exclusion_reason(snap, requesters, int(cand[i]))],
                        excluded=True,
                    )
                )
    return out


def _ruled_out(snap: Snapshot, requesters: Sequence[int]) -> NDArray[np.int64]:
    """The requesters' current partners, the associations they belong to and their members."""
    if not requesters:
        return np.zeros(0, dtype=np.int64)
    parts = [snap.partners.neighbours(s) for s in requesters]
    parts += [snap.memberships.neighbours(s) for s in requesters]
    return np.unique(np.concatenate(parts).astype(np.int64))


def _exclusion_reason(snap: Snapshot, requesters: Sequence[int], c: int) -> Reason:
    count = sum(_partnership_count(snap, s, c) for s in requesters)
    if count:
        text = ngettext(
            "Already a partner (%(count)d partnership)",
            "Already a partner (%(count)d partnerships)",
            count,
        ) % {"count": count}
        return Reason("already_partners", float(count), 0.0, text)
    return Reason("already_members", 1.0, 0.0, _("Already linked by a membership"))


def _partnership_count(snap: Snapshot, a: int, b: int) -> int:
    neighbours = snap.partners.neighbours(a)
    hit = np.flatnonzero(neighbours == b)
    return round(float(snap.partners.edge_weights(a)[hit[0]])) if len(hit) else 0


# --- scores and reasons ------------------------------------------------------------------------


@dataclass
class _Scored:
    """The score of each candidate and, per signal, its value and contribution."""

    snap: Snapshot
    node: int | None
    pair: int | None
    cand: NDArray[np.int64]
    total: NDArray[np.float64]
    signals: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]]  # name → (value, contrib)
    extra: dict[str, object]

    def reasons(self, i: int) -> list[Reason]:
        out = []
        for signal, (values, contributions) in self.signals.items():
            contribution = float(contributions[i])
            if abs(contribution) < REASON_FLOOR:
                continue
            text = _reason_text(self, signal, i)
            if text:
                out.append(Reason(signal, round(float(values[i]), 4), round(contribution, 4), text))
        out.sort(key=lambda r: -r.contribution)
        return out


def _score(
    snap: Snapshot,
    mode: str,
    node: int | None,
    pair: int | None,
    need: _Need,
    cand: NDArray[np.int64],
    walks: dict[int, tuple[Sparse, Sparse, Sparse]] | None = None,
) -> _Scored:
    signals: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
    extra: dict[str, object] = {}
    zeros = np.zeros(len(cand))

    challenge, challenge_row = _best_match(need, snap.challenges, cand)
    expertise, expertise_row = _best_match(need, snap.expertise, cand)
    practice, practice_row = _best_match(need, snap.practices, cand)
    extra.update(
        challenge_row=challenge_row,
        expertise_row=expertise_row,
        practice_row=practice_row,
        expertise_sim=expertise,
        practice_sim=practice,
    )
    offers = np.maximum(expertise, practice)
    theme_hits = _theme_hits(snap, need, cand)
    extra["theme_hits"] = theme_hits

    if mode == "peers":
        _peer_signals(snap, node, cand, signals, extra)
        signals["challenge"] = (challenge, PEER_WEIGHTS["challenge"] * challenge)
        if need.stated:
            signals["complementarity"] = (offers, 0.5 * COMPLEMENT_WEIGHT * offers)
    else:
        sources = [s for s in (node, pair) if s is not None]
        if sources:
            link = zeros.copy()
            parts: dict[str, NDArray[np.float64]] = {}
            features_seen: list[Any] = []
            extra["features"] = features_seen
            for source in sources:
                ps = pair_features(snap.network, source, cand, *(walks or {}).get(source, ()))
                contrib = snap.model.contributions(ps.x)
                for group, columns in LINK_GROUPS.items():
                    value = contrib[:, [INDEX[c] for c in columns]].sum(axis=1) / len(sources)
                    parts[group] = parts.get(group, zeros) + value
                features_seen.append(ps)
                link += contrib.sum(axis=1) / len(sources)
            for group, contrib in parts.items():
                signals[group] = (_group_value(extra, group), contrib)
        signals["challenge"] = (challenge, CHALLENGE_WEIGHT * challenge)
        weight = COMPLEMENT_WEIGHT * (1.5 if mode == "triangular" else 1.0)
        signals["complementarity"] = (offers, weight * offers)
        if need.themes:
            signals["themes"] = (theme_hits, THEME_WEIGHT * np.minimum(theme_hits, 3))
    total = np.sum([c for _v, c in signals.values()], axis=0) if signals else zeros
    return _Scored(snap, node, pair, cand, total, signals, extra)


LINK_GROUPS = SIGNAL_GROUPS


def _group_value(extra: dict[str, object], group: str) -> NDArray[np.float64]:
    ps = extra["features"][0]  # type: ignore[index]
    column = {
        "network": "shared",
        "country_pair": "country_pair",
        "distance": "distance",
        "popularity": "degree",
        "size": "population",
        "namesake": "namesake",
        "development": "same_south",
        "languages": "languages",
        "actor_type": "same_type",
        "partner_geography": "near_partners",
        "local_walk": "local_walk",
    }[group]
    values = ps.x[:, INDEX[column]]
    if column in ("shared",):
        return ps.shared
    if column in ("distance",):
        return np.nan_to_num(ps.km, nan=-1.0)
    if column in ("degree", "population"):
        return np.expm1(values)
    return values


def _theme_hits(snap: Snapshot, need: _Need, cand: NDArray[np.int64]) -> NDArray[np.float64]:
    hits = np.zeros(len(cand))
    if not need.themes:
        return hits
    offered: dict[int, set[int]] = {}
    for items in (snap.expertise, snap.practices):
        mine = np.flatnonzero(np.isin(items.owner, cand))
        for r in mine.tolist():
            offered.setdefault(int(items.owner[r]), set()).update(items.themes[r])
    for i, c in enumerate(cand.tolist()):
        hits[i] = len(need.themes & offered.get(c, set()))
    return hits


def _settlement(population: NDArray[np.float64]) -> NDArray[np.int64]:
    return np.where(population > 0, np.searchsorted(SETTLEMENT_BOUNDS, population), -1)


def _peer_signals(
    snap: Snapshot,
    node: int | None,
    cand: NDArray[np.int64],
    signals: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]],
    extra: dict[str, object],
) -> None:
    """Context similarity of each candidate to the requester, each signal in [0, 1]."""
    if node is None:
        return
    nodes = snap.nodes
    w = PEER_WEIGHTS
    pop = nodes.population[cand]
    own = nodes.population[node]
    size = np.where((pop > 0) & (own > 0), np.exp(-np.abs(np.log1p(pop) - math.log1p(own))), 0.0)
    signals["size"] = (size, w["size"] * size)
    region = np.where(
        (snap.intermediate[cand] == snap.intermediate[node]) & (snap.intermediate[node] != ""),
        1.0,
        np.where(
            (snap.subregion[cand] == snap.subregion[node]) & (snap.subregion[node] != ""),
            1.0,
            np.where((snap.region[cand] == snap.region[node]) & (snap.region[node] != ""), 0.5, 0),
        ),
    )
    signals["region"] = (region, w["region"] * region)
    south = nodes.south[node]
    development = ((nodes.south[cand] == south) & (south >= 0)).astype(float)
    signals["development"] = (development, w["development"] * development)
    mine = set(snap.languages[node])
    languages = np.array(
        [len(mine & set(snap.languages[c])) / len(mine) if mine else 0.0 for c in cand.tolist()]
    )
    signals["languages"] = (languages, w["languages"] * languages)
    own_type = snap.actor_type[node]
    local = [str(t) for t in LOCAL_GOVERNMENT_TYPES]
    actor = np.where(
        snap.actor_type[cand] == own_type,
        1.0,
        np.where(np.isin(snap.actor_type[cand], local) & (own_type in local), 0.5, 0.0),
    )
    signals["actor_type"] = (actor, w["actor_type"] * actor)
    own_class = _settlement(np.array([own]))[0]
    settlement = ((_settlement(pop) == own_class) & (own_class >= 0)).astype(float)
    signals["settlement"] = (settlement, w["settlement"] * settlement)
    from .graph import adamic_adar

    aa, cn = adamic_adar(snap.network.graph, node)
    shared = cn.lookup(cand)
    signals["shared_partners"] = (shared, w["shared_partners"] * np.minimum(aa.lookup(cand), 3.0))


# --- reason texts ------------------------------------------------------------------------------


def _number(value: float) -> str:
    return number_format(round(value), force_grouping=True)


def _names(snap: Snapshot, nodes: Sequence[int], limit: int = 3) -> str:
    names = [snap.names[n] for n in nodes[:limit]]
    return ", ".join(names) + ("…" if len(nodes) > limit else "")


def _country_name(snap: Snapshot, node: int) -> str:
    from citypeers.places.models import Country

    iso3 = str(snap.iso3[node])
    countries = snap.countries
    if not countries:
        countries.update({c.iso3: c for c in Country.objects.all()})
    country = countries.get(iso3)
    return country.name if country else iso3


def _reason_text(scored: _Scored, signal: str, i: int) -> str:
    snap = scored.snap
    c = int(scored.cand[i])
    node = scored.node
    values, contributions = scored.signals[signal]
    value = float(values[i])
    nodes = snap.nodes
    if signal in ("network", "shared_partners"):
        sources = [s for s in (node, scored.pair) if s is not None]
        shared = np.unique(
            np.concatenate([common_neighbours(snap.network.graph, s, c) for s in sources])
        )
        if len(shared):
            return ngettext(
                "%(count)d shared partner (%(names)s)",
                "%(count)d shared partners (%(names)s)",
                len(shared),
            ) % {"count": len(shared), "names": _names(snap, shared.tolist())}
        if contributions[i] > 0:
            return _("Close in the cooperation network: reached through partners of partners")
        return _("Far from your partners in the cooperation network")
    if signal == "country_pair" and node is not None:
        a, b = int(nodes.country[node]), int(nodes.country[c])
        if a < 0 or b < 0:
            return ""
        count = round(float(snap.network.country_counts[a, b]))
        if a == b and contributions[i] < 0:
            return _("Also in %(country)s: partnerships more often cross borders") % {
                "country": _country_name(snap, c)
            }
        if a == b:
            return ngettext(
                "Also in %(country)s, where organisations have %(count)s partnership between them",
                "Also in %(country)s, where organisations have %(count)s partnerships between them",
                count,
            ) % {"country": _country_name(snap, c), "count": _number(count)}
        if count == 0:
            return _("No partnership yet between organisations of %(mine)s and %(theirs)s") % {
                "mine": _country_name(snap, node),
                "theirs": _country_name(snap, c),
            }
        return ngettext(
            "Organisations of %(mine)s and %(theirs)s have %(count)s partnership together",
            "Organisations of %(mine)s and %(theirs)s have %(count)s partnerships together",
            count,
        ) % {
            "mine": _country_name(snap, node),
            "theirs": _country_name(snap, c),
            "count": _number(count),
        }
    if signal == "distance":
        if value < 0:
            return ""
        return _("%(km)s km away") % {"km": _number(value)}
    if signal == "popularity":
        count = round(value)
        return ngettext(
            "An active partner: %(count)d partner organisation",
            "An active partner: %(count)d partner organisations",
            count,
        ) % {"count": count}
    if signal == "size":
        pop = nodes.population[c]
        if pop <= 0:
            return ""
        own = nodes.population[node] if node is not None else 0
        if own > 0:
            return _("%(theirs)s inhabitants, against your %(mine)s") % {
                "theirs": _number(pop),
                "mine": _number(own),
            }
        return _("%(theirs)s inhabitants") % {"theirs": _number(pop)}
    if signal == "namesake":
        return _("Bears the same name")
    if signal == "local_walk" and node is not None:
        return _local_walk_text(snap, node, c, float(contributions[i]))
    if signal == "partner_geography" and node is not None:
        return _partner_geography_text(snap, node, c, float(contributions[i]))
    if signal == "development":
        if node is None or nodes.south[c] != nodes.south[node] or nodes.south[c] < 0:
            return _("On the other side of the North–South line")
        return (
            _("Also in the Global South") if nodes.south[c] == 1 else _("Also in the Global North")
        )
    if signal == "languages":
        mine = set(snap.languages[node]) if node is not None else set()
        common = sorted(mine & set(snap.languages[c]))
        if not common:
            return _("Works in none of your languages")
        return _("Works in %(languages)s, as you do") % {"languages": _language_names(common)}
    if signal == "actor_type":
        label = (
            ActorType(snap.actor_type[c]).label if snap.actor_type[c] in ActorType.values else ""
        )
        if value >= 1:
            return _("Same kind of organisation: %(type)s") % {"type": label}
        if value > 0:
            return _("Also a local government: %(type)s") % {"type": label}
        return _("Another kind of organisation: %(type)s") % {"type": label}
    if signal == "region":
        return _("In the same region: %(country)s") % {"country": _country_name(snap, c)}
    if signal == "settlement":
        return _("A settlement of the same size class")
    if signal == "challenge":
        row = int(scored.extra["challenge_row"][i])  # type: ignore[index]
        if row < 0:
            return ""
        return _("Faces a similar challenge: “%(text)s” (similarity %(sim)s)") % {
            "text": _quote(snap.challenges.text[row]),
            "sim": number_format(value, 2),
        }
    if signal == "complementarity":
        e_row = int(scored.extra["expertise_row"][i])  # type: ignore[index]
        p_row = int(scored.extra["practice_row"][i])  # type: ignore[index]
        e_sim = float(scored.extra["expertise_sim"][i])  # type: ignore[index]
        p_sim = float(scored.extra["practice_sim"][i])  # type: ignore[index]
        if p_row >= 0 and (e_row < 0 or p_sim > e_sim):
            return _("Its practice “%(title)s” addresses your need (similarity %(sim)s)") % {
                "title": _quote(snap.practices.text[p_row]),
                "sim": number_format(value, 2),
            }
        if e_row >= 0:
            return _("Offers expertise that answers your need: “%(text)s” (similarity %(sim)s)") % {
                "text": _quote(snap.expertise.text[e_row]),
                "sim": number_format(value, 2),
            }
        return ""
    if signal == "themes":
        count = int(value)
        return ngettext(
            "Offers expertise or practices in %(count)d theme of your challenges",
            "Offers expertise or practices in %(count)d themes of your challenges",
            count,
        ) % {"count": count}
    return ""


def _local_walk_text(snap: Snapshot, node: int, c: int, contribution: float) -> str:
    """Which of the requester's neighbours on the map are the candidate's partners."""
    from .features import LOCAL_KM, LOCAL_POOL, distance_km

    network = snap.network
    near = network.nearest(node, LOCAL_POOL)
    near = near[(near != node) & (network.graph.count[near] > 0)]
    near = near[distance_km(snap.nodes, node, near) <= LOCAL_KM]
    linked = near[np.isin(near, network.graph.neighbours(c))]
    if len(linked):
        return ngettext(
            "Partner of %(names)s, less than %(km)s km from you",
            "Partner of %(names)s, less than %(km)s km from you",
            len(linked),
        ) % {"names": _names(snap, linked.tolist()), "km": _number(LOCAL_KM)}
    if contribution > 0:
        return _("Close in the network to the organisations around you")
    return ""


def _partner_geography_text(snap: Snapshot, node: int, c: int, contribution: float) -> str:
    """Where the candidate stands against the requester's partners, and the other way round."""
    from .features import distance_km

    graph = snap.network.graph
    nodes = snap.nodes
    mine = graph.neighbours(node).astype(np.int64)
    if len(mine):
        km = distance_km(nodes, c, mine)
        if not np.isnan(km).all():
            nearest = int(np.nanargmin(km))
            if km[nearest] <= 150:
                return _("%(km)s km from your partner %(name)s") % {
                    "km": _number(float(km[nearest])),
                    "name": snap.names[int(mine[nearest])],
                }
    theirs = graph.neighbours(c).astype(np.int64)
    country = int(nodes.country[node])
    if len(theirs) and country >= 0:
        count = int((nodes.country[theirs] == country).sum())
        if count:
            return ngettext(
                "Already has %(count)d partner in %(country)s",
                "Already has %(count)d partners in %(country)s",
                count,
            ) % {"count": count, "country": _country_name(snap, node)}
    if len(theirs):
        km = distance_km(nodes, node, theirs)
        if not np.isnan(km).all():
            nearest = int(np.nanargmin(km))
            return _("Its partner %(name)s is %(km)s km from you") % {
                "name": snap.names[int(theirs[nearest])],
                "km": _number(float(km[nearest])),
            }
    if contribution < 0:
        return _("Far from your partners, and its partners far from you")
    if contribution > 0:
        return _("In an area that twins with yours, or that your network reaches")
    return ""


def _quote(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _language_names(codes: Sequence[str]) -> str:
    from django.utils.translation import get_language_info

    names = []
    for code in codes:
        try:
            names.append(str(get_language_info(code)["name_translated"]))
        except KeyError:
            names.append(code)
    return ", ".join(names)


# --- practices for a stated challenge ----------------------------------------------------------


def _practices(
    snap: Snapshot, need: _Need, k: int, filters: MatchFilters, node: int | None
) -> list[PracticeMatch]:
    items = snap.practices
    if need.empty or len(items.owner) == 0:
        return []
    sims = (items.vectors @ need.vectors.T).max(axis=1)
    best: dict[int, tuple[float, int]] = {}
    for r in np.argsort(-sims, kind="stable").tolist():
        ref = items.ref[r]
        if ref in best:
            continue
        best[ref] = (float(sims[r]), r)
        if len(best) >= k:
            break
    out = []
    for ref, (sim, r) in best.items():
        owner = int(items.owner[r])
        reasons = [
            Reason(
                "challenge",
                round(sim, 4),
                round(sim, 4),
                _("Addresses the challenge you describe (similarity %(sim)s)")
                % {"sim": number_format(sim, 2)},
            )
        ]
        if owner >= 0:
            reasons.append(
                Reason(
                    "owner",
                    0.0,
                    0.0,
                    _("Practice of %(name)s") % {"name": snap.names[owner]},
                )
            )
        out.append(PracticeMatch(ref, round(sim, 4), reasons))
    return out


def southern_partners(organisation_id: int) -> list[int]:
    """Ids of the organisation's current partners in the Global South (the pairs a triangular
    suggestion can start from), most connected first."""
    snap = snapshots.current()
    node = snap.position.get(organisation_id)
    if node is None:
        return []
    partners = snap.partners.neighbours(node).astype(np.int64)
    partners = partners[snap.nodes.south[partners] == 1]
    partners = partners[np.argsort(-snap.graph.degree[partners], kind="stable")]
    return [int(snap.ids[p]) for p in partners]
