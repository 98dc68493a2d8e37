"""RSS and Atom generators that drop the characters XML 1.0 cannot hold.

Text people type may carry control characters (an ESC pasted from a terminal, a form feed from a
word processor); Django's XML writer refuses them with an error, which would take a whole feed
down for one practice or article. These generators remove them from every string of the feed and
its items before writing.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: Any) -> Any:
    """``value`` with the characters XML 1.0 cannot hold removed from every string in it."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {key: xml_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(xml_safe(item) for item in value)
    return value


class _XmlSafe:
    feed: dict[str, Any]
    items: list[dict[str, Any]]

    def write(self, outfile: Any, encoding: str) -> None:
        self.feed = xml_safe(self.feed)
        self.items = [xml_safe(item) for item in self.items]
        super().write(outfile, encoding)  # type: ignore[misc]


class SafeRss201rev2Feed(_XmlSafe, Rss201rev2Feed):
    pass


class SafeAtom1Feed(_XmlSafe, Atom1Feed):
    pass
