"""Reading per-language columns (``name_en``, ``name_fr``, ``name_es``) in the active language.

Reference data stores one column per supported language. :func:`localized` picks the column of the
active language and falls back to English, so templates and API schemas stay language-agnostic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .errors import ApplicationError


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


def reader_text(
    texts: Mapping[str, str], original_language: str, lang: str | None = None
) -> tuple[str, str]:
    """``(text, its language)`` from texts stored per language: the reader's, else the original."""
    lang = lang or active_language()
    if texts.get(lang):
        return str(texts[lang]), lang
    return str(texts.get(original_language) or ""), original_language


def clean_translations(
    texts: Mapping[str, Any] | None,
    original_language: str,
    *,
    field: str = "descriptions",
    max_length: int = 10_000,
) -> dict[str, str]:
    """Check texts stored per language: two-letter codes, a size limit, the original present.

    Empty texts are dropped. Raises :class:`ApplicationError` naming ``field`` (or
    ``original_language`` when the original is missing).
    """
    out: dict[str, str] = {}
    for lang, text in (texts or {}).items():
        code = str(lang).lower()
        if len(code) != 2 or not code.isalpha():
            raise ApplicationError(
                _("%(code)r is not a two-letter language code.") % {"code": code}, field=field
            )
        value = str(text or "").strip()
        if len(value) > max_length:
            raise ApplicationError(_("A description is at most 10,000 characters."), field=field)
        if value:
            out[code] = value
    if out and original_language not in out:
        raise ApplicationError(
            _("Give the description in its original language (%(lang)s).")
            % {"lang": original_language},
            field="original_language",
        )
    return out
