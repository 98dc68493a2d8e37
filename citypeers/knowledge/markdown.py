"""Markdown to safe HTML: CommonMark by markdown-it-py, then an allow-list sanitiser (nh3).

Whatever an author pastes, no script, event handler, style or ``javascript:`` link survives: nh3
keeps only the tags and attributes below and only http, https and mailto links, and marks every
link ``rel="noopener noreferrer nofollow"``.
"""

from __future__ import annotations

import functools
import html

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
    "s",
    "sup",
    "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


@functools.lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "js-default": no raw HTML passes through the parser either; tables and strikethrough on.
    return MarkdownIt("js-default").enable(["table", "strikethrough"])


def render(text: str) -> str:
    """Safe HTML for a Markdown text (headings start at h2: the page owns its h1)."""
    if not text:
        return ""
    html = _parser().render(text).replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return sanitise(html)


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain(text: str, limit: int = 300) -> str:
    """A plain-text excerpt of a Markdown text, for snippets and feeds.

    Text, not HTML: entities are decoded (``R&D``, not ``R&amp;D``), so the caller escapes it
    like any other text (templates and feed writers do).
    """
    stripped = html.unescape(nh3.clean(_parser().render(text or ""), tags=set()))
    stripped = " ".join(stripped.split())
    return stripped if len(stripped) <= limit else stripped[: limit - 1].rsplit(" ", 1)[0] + "…"
