"""The engine's highlight markers in a snippet, read for the API and the page.

A snippet is plain text where each matched word is wrapped as ``"\\x02word\\x03"``. The API gives
the text without markers plus ``[start, end)`` offsets of the marked spans; the page turns them
into ``<mark>`` after escaping (``templatetags/search_tags.highlight``).
"""

from __future__ import annotations

MARK_START = "\x02"
MARK_END = "\x03"


def strip_marks(snippet: str) -> str:
    """``snippet`` without its markers."""
    return snippet.replace(MARK_START, "").replace(MARK_END, "")


def split_marks(snippet: str) -> tuple[str, list[tuple[int, int]]]:
    """The plain text of ``snippet`` and the ``[start, end)`` character offsets of its marked spans.

    Offsets count Python characters (Unicode code points) of the plain text. An unclosed span
    ends with the text; a stray end marker and an empty span are dropped.
    """
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    start: int | None = None
    length = 0
    for char in snippet:
        if char == MARK_START:
            if start is None:
                start = length
        elif char == MARK_END:
            if start is not None and length > start:
                spans.append((start, length))
            start = None
        else:
            text.append(char)
            length += 1
    if start is not None and length > start:
        spans.append((start, length))
    return "".join(text), spans
