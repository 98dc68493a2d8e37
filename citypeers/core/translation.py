"""Reading per-language columns (``name_en``, ``name_fr``, ``name_es``) in the active language.

Reference data stores one column per supported language. :func:`localized` picks the column of the
active language and falls back to English, so templates and API schemas stay language-agnostic.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def active_language() -> str:
    lang = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return lang if lang in language_codes() else settings.LANGUAGE_CODE


def localized(obj: Any, field: str, lang: str | None = None) -> str:
    """Return ``obj.<field>_<lang>`` or, when empty, the English value."""
    lang = lang or active_language()
    value = getattr(obj, f"{field}_{lang}", "") or ""
    if not value and lang != "en":
        value = getattr(obj, f"{field}_en", "") or ""
    return str(value)
