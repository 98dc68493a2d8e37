"""The sentence encoder, the SDG suggestions and their evaluation command.

The encoder loads once per test process (the module keeps it); the label embeddings are rebuilt
only when the SDG texts change between tests (short titles, then the official texts).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from citypeers.knowledge import encoder
from citypeers.knowledge.sdg_eval import roc_auc
from citypeers.knowledge.sdg_suggest import score_texts, sdg_labels, suggest_sdgs

SDG_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "sdg"
ROOT = Path(__file__).resolve().parents[3]

WATER = {
    "en": "The municipality extended drinking water supply and built sewers and public toilets "
    "in informal neighbourhoods.",
    "fr": "La commune a étendu l'accès à l'eau potable et construit un réseau d'assainissement "
    "et des latrines dans les quartiers informels.",
    "es": "El municipio amplió el abastecimiento de agua potable y construyó redes de "
    "alcantarillado y saneamiento en los barrios informales.",
}
HOUSING = {
    "en": "The city adopted a new urban master plan and built affordable social housing to "
    "upgrade slums.",
    "fr": "La ville a adopté un nouveau plan d'urbanisme et construit des logements sociaux "
    "abordables pour réhabiliter les bidonvilles.",
    "es": "La ciudad adoptó un nuevo plan de ordenamiento urbano y construyó vivienda social "
    "asequible para mejorar los asentamientos precarios.",
}
CLIMATE = {
    "en": "The region prepared a climate change adaptation plan against floods and heatwaves, "
    "with early warning systems.",
    "fr": "La région a préparé un plan d'adaptation au changement climatique contre les "
    "inondations et les canicules.",
    "es": "La región preparó un plan de adaptación al cambio climático frente a inundaciones y "
    "olas de calor.",
}
EXAMPLES = [
    (texts[lang], goal, lang)
    for texts, goal in ((WATER, 6), (HOUSING, 11), (CLIMATE, 13))
    for lang in ("en", "fr", "es")
]


@pytest.fixture(scope="module", autouse=True)
def loaded_encoder() -> None:
    """Load the model once for the module, outside any timed or database-bound test."""
    encoder.encode(["warm-up"])


@pytest.fixture
def official_texts(db) -> str:
    if not SDG_DATA.is_dir():
        pytest.skip(f"{SDG_DATA} is not available")
    from citypeers.places.services import sdg_texts_import

    sdg_texts_import(directory=SDG_DATA)
    return "official"


# --- the encoder ---------------------------------------------------------------------------


def test_encode_returns_unit_float32_rows_and_zero_for_a_blank_text():
    vectors = encoder.encode(["Water and sanitation", "", "Logement social"])

    assert vectors.shape == (3, encoder.DIMENSIONS)
    assert vectors.dtype == np.float32
    norms = np.linalg.norm(vectors, axis=1)
    assert norms[0] == pytest.approx(1.0, abs=1e-5)
    assert norms[2] == pytest.approx(1.0, abs=1e-5)
    assert norms[1] == 0.0


def test_encode_batches_give_the_same_vectors_as_one_call():
    texts = [f"Peer learning exchange number {i} between cities" for i in range(7)]

    assert np.allclose(encoder.encode(texts, batch_size=3), encoder.encode(texts), atol=1e-5)


def test_a_french_and_a_spanish_sentence_on_the_same_subject_are_closer_than_unrelated_ones():
    fr, es, fr_other, es_other = encoder.encode(
        [
            "La ville rénove son réseau de bus pour réduire les embouteillages.",
            "La ciudad renueva su red de autobuses para reducir los atascos.",
            "Le conseil municipal a voté le budget de la bibliothèque.",
            "Las mujeres rurales acceden a microcréditos para sus cultivos.",
        ]
    )

    same = float(fr @ es)
    assert same > float(fr @ es_other) + 0.2
    assert same > float(es @ fr_other) + 0.2


def test_the_encoder_reads_its_thread_count_from_the_settings_at_call_time(settings):
    settings.CITYPEERS_ENCODER_THREADS = 1
    assert encoder.encoder_threads() == 1
    settings.CITYPEERS_ENCODER_THREADS = 3
    assert encoder.encoder_threads() == 3


def test_the_encoder_and_the_language_model_load_with_the_network_cut():
    """A fresh interpreter with every socket refused still encodes and detects."""
    script = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network is cut in this test')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "from citypeers.knowledge import encoder, language\n"
        "assert encoder.encode(['agua potable']).shape == (1, 512)\n"
        "assert language.detect_language('La ciudad mejoró su red de agua potable.') == 'es'\n"
        "print('offline ok')\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "CITYPEERS_ENV": "test"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert "offline ok" in result.stdout


# --- SDG suggestions ---------------------------------------------------------------------


@pytest.mark.django_db
def test_without_official_texts_the_short_titles_are_used():
    labels = sdg_labels()

    assert labels.source == "short"
    assert sorted(set(labels.goals.tolist())) == list(range(1, 18))


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "goal", "lang"), EXAMPLES)
def test_short_titles_suggest_the_expected_goal(text, goal, lang):
    suggestions = suggest_sdgs(text, limit=3)

    assert goal in [s.number for s in suggestions[:2]]
    assert next(s for s in suggestions if s.number == goal).suggested


@pytest.mark.parametrize(("text", "goal", "lang"), EXAMPLES)
def test_official_texts_put_the_expected_goal_first(official_texts, text, goal, lang):
    suggestions = suggest_sdgs(text, limit=5)

    assert sdg_labels().source == "official"
    assert suggestions[0].number == goal
    assert suggestions[0].suggested
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)


def test_official_texts_cover_goals_and_targets_and_replace_the_cached_short_labels(
    official_texts,
):
    labels = sdg_labels()

    assert labels.source == "official"
    assert len(labels.goals) == 17 + 169
    assert sdg_labels() is labels  # cached while the texts do not change


@pytest.mark.django_db
def test_a_blank_text_gets_no_suggestion_and_limit_is_honoured():
    assert suggest_sdgs("   ") == []
    assert len(suggest_sdgs(WATER["en"], limit=2)) == 2
    assert score_texts([""])[0].tolist() == [0.0] * 17


# --- evaluation ----------------------------------------------------------------------------


def test_roc_auc_averages_tied_ranks_and_needs_both_classes():
    labels = np.array([False, True, False, True])

    assert roc_auc(np.array([0.1, 0.9, 0.2, 0.8]), labels) == 1.0
    assert roc_auc(np.array([0.9, 0.1, 0.8, 0.2]), labels) == 0.0
    assert roc_auc(np.array([0.5, 0.5, 0.5, 0.5]), labels) == 0.5
    assert roc_auc(np.array([0.1, 0.2]), np.array([True, True])) is None


@pytest.mark.django_db
def test_eval_sdg_reports_auc_and_f1_on_a_small_run():
    pytest.importorskip("sdgclassification.benchmark")
    out = StringIO()

    call_command("eval-sdg", "--limit", "40", stdout=out)

    text = out.getvalue()
    assert "macro AUC" in text
    assert "micro AUC" in text
    assert "micro F1" in text
    assert "calibration rows" in text


@pytest.mark.django_db
def test_eval_sdg_json_output():
    pytest.importorskip("sdgclassification.benchmark")
    out = StringIO()

    call_command("eval-sdg", "--limit", "40", "--seed", "3", "--json", stdout=out)

    report = json.loads(out.getvalue())
    assert report["calibration_rows"] + report["test_rows"] == 40
    assert report["seed"] == 3
    assert report["label_source"] == "short"
    assert 0.0 <= report["micro_auc"] <= 1.0
