"""Template helpers of the practice pages.

The ``markdown`` filter is the one place where text an author wrote is marked safe: it goes
through :func:`citypeers.knowledge.markdown.render`, which sanitises the HTML with nh3.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from citypeers.knowledge import markdown as knowledge_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown(value: object) -> SafeString:
    """Markdown to HTML, sanitised by an allow-list: no script, handler or ``javascript:``."""
    # nh3 sanitised the HTML with an allow-list (knowledge/markdown.py): no script, no handler.
    return mark_safe(knowledge_markdown.render(str(value or "")))  # noqa: S308  # nosec B308 B703
