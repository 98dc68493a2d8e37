"""The hostile-input corpus, and the check that a page holds no executable form of it.

The corpus mixes script injection in every shape a browser would run (tags, event-handler
attributes, ``javascript:`` and ``data:`` addresses, SVG, Markdown links, attribute breaking,
mutation XSS), template and SQL injection, NUL bytes and oversized text. Each string carries a
marker so a page can be searched for what survived.
"""

from __future__ import annotations

import json
import re
from typing import Any

import lxml.html

CORPUS: list[str] = [
    '<script>alert("xss-1")</script>',
    '<img src=x onerror=alert("xss-2")>',
    '<svg onload=alert("xss-3")><circle r="1"/></svg>',
    '"><script>alert("xss-4")</script><input value="',
    "javascript:alert('xss-5')",
    '[click me](javascript:alert("xss-6")) and <a href="javascript:alert(6)">xss-6b</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">xss-7</a>',
    "![xss-8](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<iframe src=\"javascript:alert('xss-9')\"></iframe><object data=x></object>",
    "' onmouseover='alert(10)' data-x='xss-10",
    "</textarea></title><script>alert('xss-11')</script>",
    '<math><mtext><table><mglyph><style><img src=x onerror=alert("xss-12")>',
    '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=x"> xss-13',
    "{{ request.user.password }} {% debug %} ${7*7} xss-14",
    "Robert'); DROP TABLE directory_organisation;-- xss-15",
    "1' OR '1'='1' UNION SELECT password FROM accounts_user -- xss-16",
    "nul\x00byte xss-17",
]
#: Longer than any text field the platform accepts.
OVERSIZED = "A" * 200_000

#: Attributes whose value is an address a browser may load or navigate to.
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "data",
    "background",
}
SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);", re.IGNORECASE)
#: ``style`` too: the site has no inline style block (its CSP forbids them), and a ``<style>``
#: inside foreign content (``<math>``, ``<svg>``) is how mutation XSS smuggles markup past
#: parsers that, like lxml's, are not the browser's.
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "style"}
_CONTROL = re.compile(r"[\x00-\x20]+")


def _scheme(value: str) -> str:
    """The scheme of an address as a browser reads it (whitespace and controls ignored)."""
    cleaned = _CONTROL.sub("", value).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else ""


def executable_forms(html: str | bytes, *, static_url: str = "/static/") -> list[str]:
    """Everything in a page that would run script or load a foreign document: an empty list
    for a safe page.

    Allowed: ``<script src>`` from the site's static files (no inline code), JSON data blocks
    (``application/ld+json`` / ``application/json``) that parse as JSON, ``data:`` images of
    raster types.
    """
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    if not html.strip():
        return []
    document = lxml.html.document_fromstring(html)
    found: list[str] = []
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower().split("}")[-1]
        text = element.text or ""
        if tag == "script":
            kind = (element.get("type") or "").lower()
            if kind in {"application/ld+json", "application/json"}:
                try:
                    json.loads(text)
                except ValueError:
                    found.append(f"<script type={kind}> that is not JSON: {text[:80]!r}")
            elif not (element.get("src") or "").startswith(static_url) or text.strip():
                found.append(f"<script> {element.get('src')!r} {text[:80]!r}")
        elif tag in FORBIDDEN_TAGS:
            found.append(f"<{tag}>")
        elif tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            found.append("<meta http-equiv=refresh>")
        for name, value in element.attrib.items():
            attribute = name.lower()
            if attribute.startswith("on"):
                found.append(f"<{tag} {attribute}={value[:60]!r}>")
            elif attribute == "srcdoc":
                found.append(f"<{tag} srcdoc>")
            elif attribute in URL_ATTRIBUTES:
                scheme = _scheme(value)
                if scheme in {"javascript", "vbscript"} or (
                    scheme == "data" and not (tag == "img" and SAFE_DATA_IMAGE.match(value.strip()))
                ):
                    found.append(f"<{tag} {attribute}={value[:60]!r}>")
            elif attribute == "style" and re.search(r"expression\(|javascript:", value, re.I):
                found.append(f"<{tag} style={value[:60]!r}>")
    return found


def problem_names_a_field(body: dict[str, Any]) -> bool:
    """Whether an API problem document says which input was at fault."""
    if body.get("field"):
        return True
    return any(e.get("field") for e in body.get("errors", []))
