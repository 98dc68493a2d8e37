"""Template helpers of the directory pages: schema.org JSON-LD blocks and language names."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from citypeers.directory.forms import language_name

register = template.Library()

# The escapes of Django's ``json_script``: no "<", ">" or "&" can close the block or open a tag.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(value: Any) -> SafeString:
    """``value`` as a ``<script type="application/ld+json">`` data block, escaped like
    ``json_script`` so user text inside can never end the block."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        # Safe: every "<", ">" and "&" is escaped above.
        mark_safe(text),  # noqa: S308  # nosec B308 B703
    )


@register.filter
def language(code: str) -> str:
    """``"fr"`` → "French" in the reader's language."""
    return language_name(str(code))
