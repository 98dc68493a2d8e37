"""The graph core on small graphs whose answers are known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from citypeers.matching.graph import Graph, adamic_adar, common_neighbours, personalised_pagerank


def exact_ppr(graph: Graph, seed: int, alpha: float) -> np.ndarray:
    """PageRank personalised on ``seed`` by power iteration on the dense matrix."""
    n = graph.n
    walk = np.zeros((n, n))
    for u in range(n):
        for v, w in zip(graph.neighbours(u), graph.edge_weights(u), strict=True):
            walk[v, u] = w / graph.degree[u]
    restart = np.zeros(n)
    restart[seed] = 1.0
    p = restart.copy()
    for _ in range(500):
        p = alpha * restart + (1 - alpha) * walk @ p
    return p


def test_edges_merge_and_self_loops_drop():
    graph = Graph.from_edges(4, [0, 1, 0, 2], [1, 0, 0, 3], [1.0, 2.0, 5.0, 1.0])
    assert graph.neighbours(0).tolist() == [1]
    assert graph.edge_weights(0).tolist() == [3.0]  # 0–1 twice: weights add up
    assert graph.degree.tolist() == [3.0, 3.0, 1.0, 1.0]
    assert graph.count.tolist() == [1, 1, 1, 1]


def test_ppr_by_push_matches_power_iteration():
    # A path 0–1–2–3 with a triangle 1–2–4.
    graph = Graph.from_edges(5, [0, 1, 2, 1, 2], [1, 2, 3, 4, 4])
    walk = personalised_pagerank(graph, [0], alpha=0.2, eps=1e-9, max_rounds=2000)
    exact = exact_ppr(graph, 0, 0.2)
    got = np.zeros(5)
    got[walk.nodes] = walk.values
    # Push keeps p + r; the residual is below eps × degree, so the sum is within that of exact.
    assert np.allclose(got, exact, atol=1e-6)
    assert walk.values.sum() == pytest.approx(1.0)


def test_ppr_is_local():
    # Two components: a walk from the first never reaches the second.
    graph = Graph.from_edges(6, [0, 1, 3, 4], [1, 2, 4, 5])
    walk = personalised_pagerank(graph, [0])
    assert set(walk.nodes.tolist()) <= {0, 1, 2}
    assert walk.lookup(np.array([3, 4, 5])).tolist() == [0.0, 0.0, 0.0]


def test_ppr_of_isolated_node_stays_home():
    graph = Graph.from_edges(3, [1], [2])
    walk = personalised_pagerank(graph, [0])
    assert walk.nodes.tolist() == [0]
    assert walk.values.tolist() == [1.0]


def test_adamic_adar_by_hand():
    # 0 and 3 share neighbours 1 (3 partners) and 2 (2 partners); 4 shares only 1 with 0.
    graph = Graph.from_edges(5, [0, 0, 1, 2, 1], [1, 2, 3, 3, 4])
    aa, cn = adamic_adar(graph, 0)
    assert cn.lookup(np.array([3, 4])).tolist() == [2.0, 1.0]
    assert aa.lookup(np.array([3]))[0] == pytest.approx(1 / np.log(3) + 1 / np.log(2))
    assert aa.lookup(np.array([4]))[0] == pytest.approx(1 / np.log(3))
    assert 0 not in aa.nodes.tolist()  # never itself
    assert common_neighbours(graph, 0, 3).tolist() == [1, 2]
