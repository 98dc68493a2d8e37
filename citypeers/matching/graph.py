"""The cooperation graph as plain arrays, and the local walks over it.

Nodes are numbered ``0..n-1`` (organisations in the platform, cities in ``eval-partners``); edges
are undirected and weighted (a partnership counts 1 per shared partnership, a membership less).
Nothing here touches Django: the platform's engine and the evaluation command build the same
:class:`Graph` from their own source and call the same functions.

Every walk is *local*: its cost depends on the neighbourhood it explores, not on the size of the
graph. Personalised PageRank uses the push algorithm of Andersen, Chung and Lang (2006), vectorised
over the frontier of nodes whose residual is still above ``eps`` times their degree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

IntArray = "NDArray[np.int64]"


@dataclass(frozen=True)
class Graph:
    """An undirected weighted graph in compressed sparse rows."""

    indptr: NDArray[np.int64]
    indices: NDArray[np.int32]
    weights: NDArray[np.float32]
    degree: NDArray[np.float64]  # weighted degree
    count: NDArray[np.int32]  # number of distinct neighbours

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    @classmethod
    def from_edges(
        cls,
        n: int,
        a: NDArray[np.integer] | list[int],
        b: NDArray[np.integer] | list[int],
        w: NDArray[np.floating] | list[float] | None = None,
    ) -> Graph:
        """The graph of edges ``a[i] — b[i]`` (weight ``w[i]``, default 1); parallel edges add
        up, self-loops are dropped."""
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        w = np.ones(len(a)) if w is None else np.asarray(w, dtype=np.float64)
        keep = a != b
        a, b, w = a[keep], b[keep], w[keep]
        src = np.concatenate([a, b])
        dst = np.concatenate([b, a])
        ww = np.concatenate([w, w])
        if len(src):
            key = src * n + dst
            order = np.argsort(key, kind="stable")
            key, ww = key[order], ww[order]
            unique, start = np.unique(key, return_index=True)
            ww = np.add.reduceat(ww, start) if len(start) else ww
            src, dst = unique // n, unique % n
        counts = np.bincount(src, minlength=n).astype(np.int64)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        degree = np.bincount(src, weights=ww, minlength=n).astype(np.float64)
        return cls(
            indptr=indptr,
            indices=dst.astype(np.int32),
            weights=ww.astype(np.float32),
            degree=degree,
            count=counts.astype(np.int32),
        )

    def neighbours(self, node: int) -> NDArray[np.int32]:
        return self.indices[self.indptr[node] : self.indptr[node + 1]]

    def edge_weights(self, node: int) -> NDArray[np.float32]:
        return self.weights[self.indptr[node] : self.indptr[node + 1]]

    def _gather(self, nodes: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Positions in ``indices`` of every edge leaving ``nodes``, and the owner of each."""
        starts = self.indptr[nodes]
        lengths = self.indptr[nodes + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        owner = np.repeat(np.arange(len(nodes)), lengths)
        offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return starts[owner] + offsets, owner


@dataclass(frozen=True)
class Sparse:
    """A sparse vector over nodes: ``nodes`` (sorted, unique) and their ``values``."""

    nodes: NDArray[np.int64]
    values: NDArray[np.float64]

    def lookup(self, nodes: NDArray[np.integer]) -> NDArray[np.float64]:
        """The value at each of ``nodes`` (0 where absent)."""
        nodes = np.asarray(nodes, dtype=np.int64)
        if len(self.nodes) == 0 or len(nodes) == 0:
            return np.zeros(len(nodes))
        pos = np.searchsorted(self.nodes, nodes)
        pos = np.minimum(pos, len(self.nodes) - 1)
        return np.where(self.nodes[pos] == nodes, self.values[pos], 0.0)

    @classmethod
    def empty(cls) -> Sparse:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0))


def _accumulate(nodes: NDArray[np.int64], values: NDArray[np.float64]) -> Sparse:
    if len(nodes) == 0:
        return Sparse.empty()
    unique, inverse = np.unique(nodes, return_inverse=True)
    sums = np.bincount(inverse, weights=values, minlength=len(unique)).astype(np.float64)
    return Sparse(unique.astype(np.int64), sums)


def personalised_pagerank(
    graph: Graph,
    seeds: NDArray[np.integer] | list[int],
    *,
    alpha: float = 0.15,
    eps: float = 1e-5,
    max_rounds: int = 60,
) -> Sparse:
    """Approximate PageRank personalised on ``seeds`` (equal mass), by local push.

    ``alpha`` is the teleport (restart) probability. Every node's residual ends below ``eps``
    times its degree, so the error on any node ``v`` is at most ``eps * degree(v)``; the work is
    bounded by ``1 / (eps * alpha)`` edge visits whatever the size of the graph.
    """
    seeds = np.unique(np.asarray(seeds, dtype=np.int64))
    if len(seeds) == 0:
        return Sparse.empty()
    # Dense scratch vectors: np.zeros maps zeroed pages lazily and np.empty does not touch
    # memory, so the untouched part of a large graph costs nothing.
    p = np.zeros(graph.n)
    r = np.zeros(graph.n)
    slot = np.empty(graph.n, dtype=np.int64)
    r[seeds] = 1.0 / len(seeds)
    touched = [seeds]
    isolated = seeds[graph.degree[seeds] == 0]
    p[isolated] = r[isolated]
    r[isolated] = 0.0
    frontier = seeds[graph.degree[seeds] > 0]
    for _ in range(max_rounds):
        if len(frontier) == 0:
            break
        mass = r[frontier]
        r[frontier] = 0.0
        p[frontier] += alpha * mass
        positions, owner = graph._gather(frontier)
        targets = graph.indices[positions].astype(np.int64)
        share = ((1 - alpha) * mass / graph.degree[frontier])[owner] * graph.weights[positions]
        np.add.at(r, targets, share)
        touched.append(targets)
        over = targets[r[targets] > eps * graph.degree[targets]]
        # Each node once, without sorting: the last position written for a node wins.
        order = np.arange(len(over))
        slot[over] = order
        frontier = over[slot[over] == order]
    nodes = np.unique(np.concatenate(touched))
    values = p[nodes] + r[nodes]
    keep = values > 0
    return Sparse(nodes[keep], values[keep])


def adamic_adar(graph: Graph, node: int) -> tuple[Sparse, Sparse]:
    """Adamic–Adar scores of every node two steps from ``node`` and their common-neighbour
    counts: each shared neighbour ``w`` adds ``1 / log(count(w))``."""
    first = graph.neighbours(node).astype(np.int64)
    if len(first) == 0:
        return Sparse.empty(), Sparse.empty()
    positions, owner = graph._gather(first)
    second = graph.indices[positions].astype(np.int64)
    counts = graph.count[first].astype(np.float64)
    weight = 1.0 / np.log(np.maximum(counts, 2.0))
    keep = second != node
    second, owner = second[keep], owner[keep]
    aa = _accumulate(second, weight[owner])
    cn = _accumulate(second, np.ones(len(second)))
    return aa, cn


def common_neighbours(graph: Graph, a: int, b: int) -> NDArray[np.int32]:
    """The neighbours ``a`` and ``b`` share."""
    return np.intersect1d(graph.neighbours(a), graph.neighbours(b), assume_unique=True)
