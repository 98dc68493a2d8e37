"""Checks on rendered HTML shared by the discussion tests."""

from __future__ import annotations

from html.parser import HTMLParser

#: What an author might paste to run a script in readers' browsers.
HOSTILE = (
    "Hi <script>alert(1)</script> <img src=x onerror=alert(2)> "
    '[click](javascript:alert(3)) <a href="javascript:alert(4)">x</a> '
    "[ok](https://example.org/) <svg onload=alert(5)>"
)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def assert_inert(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """No element that runs code: no script, img, svg or iframe element, no ``on…`` handler
    attribute, no ``javascript:`` address. Returns the elements found."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.elements:
        assert tag not in {"script", "img", "svg", "iframe", "object", "embed"}, tag
        for name, value in attrs:
            assert not name.lower().startswith("on"), (tag, name)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, value)
    return parser.elements


def assert_no_inline_script(page: str) -> None:
    """A whole page under the CSP: scripts come from files (or are JSON-LD data), and no element
    carries an event handler attribute."""
    parser = _Elements()
    parser.feed(page)
    for tag, attrs in parser.elements:
        names = {name.lower(): value for name, value in attrs}
        if tag == "script":
            assert "src" in names or names.get("type") == "application/ld+json", attrs
        assert not any(name.startswith("on") for name in names), (tag, attrs)
