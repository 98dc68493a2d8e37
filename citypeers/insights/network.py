"""The cooperation graph and its measures, with networkx.

Nodes are organisations; an edge joins two organisations that are accepted members of the same
visible partnership (a partnership of n members gives its n·(n−1)/2 pairs) or where one is a
current member of the other (a city in its association, an association in a world network). An
edge's ``weight`` is the number of such ties.

Measures, per node:

- ``partners`` — its degree: distinct organisations it is tied to;
- ``betweenness`` — normalised betweenness centrality: the share of shortest paths between other
  organisations that pass through it — who bridges otherwise distant parts of the network. Exact
  up to :data:`EXACT_BETWEENNESS_NODES` nodes, above that estimated from
  :data:`BETWEENNESS_SAMPLES` source nodes drawn with a fixed seed (Brandes' pivot sampling), so
  two refreshes of the same data give the same figures;
- ``regions_reached`` / ``cross_region_partners`` — the M49 regions of its partners other than
  its own, and how many partners are in another region: who connects regions, simply counted;
- ``community`` — its Louvain community (modularity, weighted, fixed seed), numbered from 1 by
  decreasing size.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import networkx as nx

EXACT_BETWEENNESS_NODES = 2000
BETWEENNESS_SAMPLES = 100
SEED = 8


@dataclass
class NodeMeasures:
    partners: int
    betweenness: float
    regions_reached: int
    cross_region_partners: int
    community: int | None


def build_graph(
    partnerships: Iterable[Sequence[int]], memberships: Iterable[tuple[int, int]]
) -> nx.Graph:
    """The undirected weighted graph of partnerships (member lists) and memberships (pairs)."""
    graph = nx.Graph()
    for members in partnerships:
        for a, b in combinations(sorted(set(members)), 2):
            if graph.has_edge(a, b):
                graph[a][b]["weight"] += 1
            else:
                graph.add_edge(a, b, weight=1)
    for member, parent in memberships:
        if member == parent:
            continue
        if graph.has_edge(member, parent):
            graph[member][parent]["weight"] += 1
        else:
            graph.add_edge(member, parent, weight=1)
    return graph


def betweenness(graph: nx.Graph) -> dict[int, float]:
    if graph.number_of_nodes() == 0:
        return {}
    if graph.number_of_nodes() <= EXACT_BETWEENNESS_NODES:
        return nx.betweenness_centrality(graph, normalized=True)
    return nx.betweenness_centrality(graph, k=BETWEENNESS_SAMPLES, normalized=True, seed=SEED)


def communities(graph: nx.Graph) -> dict[int, int]:
    """Node → community number (1 = the largest community)."""
    if graph.number_of_edges() == 0:
        return {}
    found = nx.community.louvain_communities(graph, weight="weight", seed=SEED)
    ordered = sorted(found, key=lambda c: (-len(c), min(c)))
    return {node: number for number, members in enumerate(ordered, 1) for node in members}


def measure(graph: nx.Graph, region_of: Mapping[int, str]) -> dict[int, NodeMeasures]:
    """Every measure of every node; ``region_of`` gives a node's M49 region ("" if unknown)."""
    between = betweenness(graph)
    community = communities(graph)
    out: dict[int, NodeMeasures] = {}
    for node in graph.nodes:
        own = region_of.get(node, "")
        others = [region_of.get(n, "") for n in graph.neighbors(node)]
        elsewhere = [r for r in others if r and own and r != own]
        out[node] = NodeMeasures(
            partners=graph.degree(node),
            betweenness=between.get(node, 0.0),
            regions_reached=len({r for r in others if r and r != own}),
            cross_region_partners=len(elsewhere),
            community=community.get(node),
        )
    return out


def community_summary(
    measures: Mapping[int, NodeMeasures], region_of: Mapping[int, str]
) -> dict[int, tuple[int, Counter[str]]]:
    """Community → (size, members per region)."""
    out: dict[int, tuple[int, Counter[str]]] = {}
    for node, m in measures.items():
        if m.community is None:
            continue
        size, regions = out.get(m.community, (0, Counter()))
        regions[region_of.get(node, "") or "none"] += 1
        out[m.community] = (size + 1, regions)
    return out
