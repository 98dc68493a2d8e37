"""The page check of the hostile-input tests finds every executable form of the corpus."""

from __future__ import annotations

from .hostile import CORPUS, executable_forms

SAFE_PAGE = """<!doctype html><html><head>
<script src="/static/vendor/htmx/htmx.min.js" defer></script>
<script type="application/ld+json">{"@type": "Organization"}</script></head>
<body><p>&lt;script&gt;alert(1)&lt;/script&gt;</p><a href="/en/x">x</a>
<img src="data:image/png;base64,iVBORw0KGgo=" alt=""></body></html>"""


def test_a_safe_page_passes():
    assert executable_forms(SAFE_PAGE) == []


def test_every_html_string_of_the_corpus_is_caught_when_rendered_raw():
    raw_html = [s for s in CORPUS if "<" in s and "xss-" in s and "alert" in s]
    assert len(raw_html) >= 8
    for text in raw_html:
        page = f"<html><body><div>{text}</div></body></html>"
        assert executable_forms(page), text


def test_addresses_and_blocks():
    cases = [
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
        '<form action="javascript:alert(1)"><button>x</button></form>',
        "<script>alert(1)</script>",
        '<script src="https://evil.example/x.js"></script>',
        '<script type="application/ld+json">{"a": 1}</script><script>alert(2)</script>',
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        '<div style="background:url(javascript:alert(1))">x</div>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    ]
    for html in cases:
        assert executable_forms(f"<html><body>{html}</body></html>"), html
