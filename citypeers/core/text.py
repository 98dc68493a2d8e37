"""Folding names into search keys: lower case, accents removed, punctuation as spaces."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """``"São Paulo"`` → ``"sao paulo"``; ``"Saint-Étienne"`` → ``"saint etienne"``."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("ß", "ss").replace("ø", "o").replace("Ø", "o").replace("ł", "l")
    stripped = stripped.replace("Ł", "l").replace("đ", "d").replace("Đ", "d").replace("ı", "i")
    return _NON_WORD.sub(" ", stripped.lower()).strip()
