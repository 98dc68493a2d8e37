"""Signals, candidates and the learned scorer on small synthetic networks."""

from __future__ import annotations

import numpy as np
import pytest

from citypeers.matching.features import (
    FEATURES,
    INDEX,
    LinkModel,
    Network,
    Nodes,
    fit_conditional_logit,
    pair_features,
    training_groups,
)
from citypeers.matching.graph import Graph


def small_network() -> Network:
    # 0 Lyon (FRA), 1 Porto (PRT), 2 Turin (ITA), 3 Lyon (USA: a namesake), 4 Villeurbanne (FRA,
    # next to Lyon), 5 Braga (PRT, next to Porto). Edges: 0–1, 0–2, 1–2, 4–5.
    nodes = Nodes.build(
        lat=[45.76, 41.15, 45.07, 41.0, 45.77, 41.55],
        lng=[4.83, -8.61, 7.69, -75.0, 4.88, -8.42],
        country=["FRA", "PRT", "ITA", "USA", "FRA", "PRT"],
        subregion=["155", "039", "039", "021", "155", "039"],
        south=[False, False, False, False, False, False],
        population=[500_000, 230_000, 850_000, 10_000, 150_000, 190_000],
        names=["lyon", "porto", "turin", "lyon", "villeurbanne", "braga"],
    )
    graph = Graph.from_edges(6, [0, 0, 1, 4], [1, 2, 2, 5])
    return Network(graph, nodes)


def test_pair_features_by_hand():
    network = small_network()
    candidates = np.array([1, 2, 3, 5])
    signals = pair_features(network, 0, candidates)
    x = signals.x
    assert x.shape == (4, len(FEATURES))
    # Turin and Porto are partners of each other: each shares one partner with Lyon.
    assert signals.shared.tolist() == [1.0, 1.0, 0.0, 0.0]
    assert x[:, INDEX["namesake"]].tolist() == [0, 0, 1, 0]
    # Braga is 50 km from Porto, a partner of Lyon: it is near Lyon's partners.
    near = np.expm1(x[:, INDEX["near_partners"]])
    assert near[3] < 60 and near[2] > 5000
    # Braga's partner Villeurbanne is next to Lyon.
    assert np.expm1(x[3, INDEX["partners_near"]]) < 10
    # PPR reaches the partners, not the other component.
    assert x[0, INDEX["ppr"]] > 0 and x[3, INDEX["ppr"]] == 0
    assert np.expm1(x[0, INDEX["distance"]]) == pytest.approx(1195, rel=0.02)


def test_candidates_bring_namesakes_neighbours_and_walk():
    network = small_network()
    found = set(network.candidates(0).tolist())
    assert 0 not in found
    assert {1, 2, 3, 4} <= found  # walk, namesake, nearest


def synthetic_groups(seed: int, count: int = 300) -> tuple[list, np.ndarray]:
    """Queries whose true partner is drawn from a softmax of 2·ppr − 1·distance."""
    rng = np.random.default_rng(seed)
    truth = np.zeros(len(FEATURES))
    truth[INDEX["ppr"]] = 2.0
    truth[INDEX["distance"]] = -1.0
    groups = []
    for _ in range(count):
        x = rng.normal(size=(30, len(FEATURES)))
        x[:, INDEX["query_degree"]] = abs(x[0, INDEX["query_degree"]])  # one query: one value
        p = np.exp(x @ truth)
        y = np.zeros(30, dtype=bool)
        y[rng.choice(30, p=p / p.sum())] = True
        groups.append((x, y))
    return groups, truth


def test_conditional_logit_learns_what_matters():
    groups, truth = synthetic_groups(0)
    model = fit_conditional_logit(groups, l2=1.0)
    weights = model.signal_weights()
    assert weights["ppr"] > 1.0 and weights["distance"] < -0.5
    # On fresh queries its ranking agrees with the true one.
    fresh, _truth = synthetic_groups(1, 100)
    agree = [np.argmax(model.score(x)) == np.argmax(x @ truth) for x, _y in fresh]
    assert np.mean(agree) > 0.5  # chance: 1 in 30


def test_mask_switches_a_signal_off_with_every_column_reading_it():
    groups, _truth = synthetic_groups(2, 100)
    mask = np.ones(len(FEATURES), dtype=bool)
    mask[INDEX["ppr"]] = False
    model = fit_conditional_logit(groups, mask=mask)
    for column, w in zip(model.columns, model.weights, strict=True):
        if "ppr" in column.uses:
            assert w == 0.0
    assert model.signal_weights()["distance"] < -0.5


def test_prior_holds_without_data_and_survives_a_round_trip():
    groups, _truth = synthetic_groups(3, 100)
    model = fit_conditional_logit(groups)
    assert fit_conditional_logit([], prior=model) is model
    with pytest.raises(ValueError):
        fit_conditional_logit([])
    again = LinkModel.from_dict(model.as_dict())
    x = groups[0][0]
    assert np.allclose(again.score(x), model.score(x), atol=1e-3)
    assert LinkModel.from_dict({}) is None
    assert not LinkModel.neutral().score(x).any()


def test_contributions_add_up_to_the_score_up_to_a_constant():
    groups, _truth = synthetic_groups(4, 100)
    model = fit_conditional_logit(groups)
    network = small_network()
    signals = pair_features(network, 0, np.array([1, 2, 3, 5]))
    gap = model.score(signals.x) - model.contributions(signals.x).sum(axis=1)
    assert np.allclose(gap, gap[0])


def test_training_groups_come_from_hidden_edges_only():
    # A ring of 40 nodes with chords: hidden edges become the positives.
    n = 40
    a = np.arange(n)
    b = (a + 1) % n
    a = np.concatenate([a, np.arange(0, n, 2)])
    b = np.concatenate([b, (np.arange(0, n, 2) + 2) % n])
    nodes = Nodes.build(lat=[0.0] * n, lng=[float(i) for i in range(n)], country=["FRA"] * n)
    groups = training_groups(
        n, nodes, (a, b, np.ones(len(a))), rng=np.random.default_rng(0), hide=0.3
    )
    assert groups
    for x, y in groups:
        assert y.sum() >= 1 and x.shape[1] == len(FEATURES)
