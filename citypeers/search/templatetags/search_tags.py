"""Template filters of the search page.

The engine marks the matched words of a snippet with the control characters ``\\x02`` (start) and
``\\x03`` (end) inside plain text. :func:`highlight` escapes the whole snippet *first*, then turns
those markers (which escaping leaves alone) into ``<mark>`` elements, so whatever a practice's
author wrote — ``<script>``, event handlers — reaches the page as text.
"""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from citypeers.search.forms import type_labels
from citypeers.search.highlights import MARK_END, MARK_START, strip_marks

register = template.Library()


@register.filter
def highlight(snippet: str) -> SafeString:
    """``snippet`` as safe HTML: escaped, with each marked span wrapped in ``<mark>``.

    An unbalanced marker (a snippet cut in the middle of a match) is closed at the end, and a
    stray end marker is dropped, so the output is always well-formed.
    """
    escaped = str(escape(snippet or ""))
    out: list[str] = []
    open_mark = False
    for char in escaped:
        if char == MARK_START:
            if not open_mark:
                out.append("<mark>")
                open_mark = True
        elif char == MARK_END:
            if open_mark:
                out.append("</mark>")
                open_mark = False
        else:
            out.append(char)
    if open_mark:
        out.append("</mark>")
    # Safe: the snippet is escaped above; only <mark> and </mark> are added.
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703


@register.filter
def unmarked(snippet: str) -> str:
    """``snippet`` without its highlight markers, for attributes and plain text."""
    return strip_marks(snippet or "")


@register.filter
def type_label(value: str) -> str:
    """``"practice"`` → "Practice" in the reader's language."""
    return type_labels().get(value, value)
