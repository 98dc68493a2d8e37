"""``citypeers eval-partners`` on tiny CSV files written in tmp_path."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

KNOWN_HEADER = ["city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2"]
CITY_HEADER = ["city", "country", "lat", "lng"]

# Two clusters of twinnings: French towns with German towns, Spanish towns with Italian towns.
CITIES = [
    ("Saint-Étienne", "France", 45.43, 4.39),
    ("Lyon", "France", 45.76, 4.83),
    ("Grenoble", "France", 45.19, 5.72),
    ("Annecy", "France", 45.90, 6.13),
    ("Chambéry", "France", 45.57, 5.92),
    ("Köln", "Germany", 50.94, 6.96),
    ("Bonn", "Germany", 50.73, 7.10),
    ("Aachen", "Germany", 50.78, 6.08),
    ("Düren", "Germany", 50.80, 6.48),
    ("Siegburg", "Germany", 50.80, 7.20),
    ("Sevilla", "Spain", 37.39, -5.98),
    ("Cádiz", "Spain", 36.53, -6.29),
    ("Huelva", "Spain", 37.26, -6.95),
    ("Napoli", "Italy", 40.85, 14.27),
    ("Salerno", "Italy", 40.68, 14.77),
    ("Caserta", "Italy", 41.07, 14.33),
    ("Coventry", "England, United Kingdom", 52.41, -1.51),
]
KNOWN = [
    ("Saint-Étienne", "Köln"),
    ("Saint-Étienne", "Bonn"),
    ("Lyon", "Köln"),
    ("Lyon", "Aachen"),
    ("Grenoble", "Bonn"),
    ("Grenoble", "Düren"),
    ("Annecy", "Aachen"),
    ("Annecy", "Siegburg"),
    ("Chambéry", "Düren"),
    ("Sevilla", "Napoli"),
    ("Sevilla", "Salerno"),
    ("Cádiz", "Napoli"),
    ("Cádiz", "Caserta"),
    ("Huelva", "Salerno"),
    ("Coventry", "Köln"),
]


def write(path: Path, header: list[str], rows: list[tuple]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    by_name = {c[0]: c for c in CITIES}
    known = [(*by_name[a], *by_name[b]) for a, b in KNOWN]
    queries = [by_name["Saint-Étienne"], by_name["Huelva"], ("Nowhere", "France", 45.0, 5.0)]
    return {
        "known": write(tmp_path / "known.csv", KNOWN_HEADER, known),
        "candidates": write(tmp_path / "cities.csv", CITY_HEADER, CITIES),
        "queries": write(tmp_path / "queries.csv", CITY_HEADER, queries),
        "out": tmp_path / "results.jsonl",
    }


def run(*args: str) -> str:
    out = StringIO()
    call_command("eval-partners", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_results_format_order_names_and_exclusions(files):
    run(
        "--known",
        str(files["known"]),
        "--candidates",
        str(files["candidates"]),
        "--queries",
        str(files["queries"]),
        "--k",
        "5",
        "--out",
        str(files["out"]),
        "--no-population",
    )
    lines = files["out"].read_text(encoding="utf-8").splitlines()
    results = [json.loads(line) for line in lines]
    # One object a line, in the order of QUERIES, with exactly the fields asked for.
    assert [(r["city"], r["country"]) for r in results] == [
        ("Saint-Étienne", "France"),
        ("Huelva", "Spain"),
        ("Nowhere", "France"),
    ]
    candidates = {(c[0], c[1]) for c in CITIES}
    for r in results:
        assert set(r) == {"city", "country", "suggestions"}
        assert 0 < len(r["suggestions"]) <= 5
        scores = [s["score"] for s in r["suggestions"]]
        assert scores == sorted(scores, reverse=True)
        for s in r["suggestions"]:
            assert set(s) == {"city", "country", "score"}
            assert (s["city"], s["country"]) in candidates  # names exactly as in CANDIDATES
            assert (s["city"], s["country"]) != (r["city"], r["country"])
    st_etienne = {(s["city"], s["country"]) for s in results[0]["suggestions"]}
    # Never a city already paired with the query in KNOWN.
    assert not st_etienne & {("Köln", "Germany"), ("Bonn", "Germany")}
    # Its partners' cluster ranks first: a German town, not a Spanish or Italian one.
    assert results[0]["suggestions"][0]["country"] == "Germany"
    huelva = [(s["city"], s["country"]) for s in results[1]["suggestions"]]
    assert ("Salerno", "Italy") not in huelva
    assert huelva[0][1] == "Italy"
    assert ("Coventry", "England, United Kingdom") in candidates


def test_k_caps_the_list_and_stdout_works(files):
    text = run(
        "--known",
        str(files["known"]),
        "--candidates",
        str(files["candidates"]),
        "--queries",
        str(files["queries"]),
        "--k",
        "2",
        "--out",
        "-",
        "--no-population",
    )
    results = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert len(results) == 3
    assert all(len(r["suggestions"]) <= 2 for r in results)


def test_missing_columns_and_arguments_are_refused(files, tmp_path):
    bad = write(tmp_path / "bad.csv", ["town", "country"], [("Lyon", "France")])
    with pytest.raises(CommandError, match="lacks the columns"):
        run(
            "--known",
            str(files["known"]),
            "--candidates",
            str(bad),
            "--queries",
            str(files["queries"]),
            "--out",
            str(files["out"]),
        )
    with pytest.raises(CommandError, match="--queries and --out"):
        run("--known", str(files["known"]), "--candidates", str(files["candidates"]))
    with pytest.raises(CommandError, match="--k"):
        run(
            "--known",
            str(files["known"]),
            "--candidates",
            str(files["candidates"]),
            "--queries",
            str(files["queries"]),
            "--out",
            str(files["out"]),
            "--k",
            "0",
        )


def test_holdout_prints_engine_baselines_and_ablation(files):
    text = run(
        "--known",
        str(files["known"]),
        "--candidates",
        str(files["candidates"]),
        "--holdout",
        "0.3",
        "--seed",
        "3",
        "--no-population",
    )
    for name in (
        "engine (learned combination)",
        "Adamic–Adar",
        "personalised PageRank",
        "geographic distance",
        "popularity (degree)",
        "without distance",
        "learned weights",
    ):
        assert name in text, text


def test_connected_protocol_hides_no_city_s_last_pair(files):
    from citypeers.matching import evaluation

    universe = evaluation.build_universe(
        evaluation.read_known(files["known"]),
        evaluation.read_cities(files["candidates"], "candidates"),
        enrich=False,
    )
    degree = np.bincount(np.concatenate([universe.a, universe.b]), minlength=universe.n)
    for seed in range(5):
        hidden = evaluation.hidden_pairs(universe, 0.3, np.random.default_rng(seed), "connected")
        assert hidden.sum() > 0
        ends = np.concatenate([universe.a[hidden], universe.b[hidden]])
        lost = np.bincount(ends, minlength=universe.n)
        assert (degree - lost)[degree > 0].min() >= 1  # every city keeps a known pair
        assert not (degree[universe.a[hidden]] == 1).any()
    plain = evaluation.hidden_pairs(universe, 0.3, np.random.default_rng(0), "random")
    assert plain.sum() == round(0.3 * len(universe.a))
    text = run(
        "--known",
        str(files["known"]),
        "--candidates",
        str(files["candidates"]),
        "--holdout",
        "0.3",
        "--seed",
        "3",
        "--protocol",
        "connected",
        "--no-population",
        "--no-ablation",
    )
    assert "protocol connected" in text and "personalised PageRank" in text, text
