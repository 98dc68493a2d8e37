"""The Markdown renderer against a hostile corpus: whatever an author pastes, nothing executes.

Each input goes through :func:`render` (Markdown, as stored) and, where it is HTML, through
:func:`sanitise` directly too. The output must carry no script or style element, no event-handler
attribute, no frame or form, and no link or source whose scheme is not http, https or mailto.
"""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest

from citypeers.knowledge.markdown import plain, render, sanitise

HOSTILE = {
    "script tag": "<script>alert(1)</script>",
    "script in markdown": "Hello\n\n<script src=//evil.example/x.js></script>\n\nworld",
    "img onerror": '<img src=x onerror="alert(1)">',
    "svg onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "javascript link md": "[click](javascript:alert(1))",
    "mixed-case scheme md": "[click](JaVaScRiPt:alert(1))",
    "entity scheme md": "[click](&#106;avascript:alert(1))",
    "data html md": "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "vbscript md": "[click](vbscript:msgbox(1))",
    "javascript autolink": "<javascript:alert(1)>",
    "javascript image md": "![x](javascript:alert(1))",
    "javascript link html": '<a href="javascript:alert(1)">click</a>',
    "mixed-case link html": '<a href="JaVaScRiPt:alert(1)">click</a>',
    "entity link html": '<a href="&#106;avascript:alert(1)">click</a>',
    "tab in scheme html": '<a href="java\tscript:alert(1)">click</a>',
    "data link html": '<a href="data:text/html,<script>alert(1)</script>">click</a>',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "style": "<style>body{display:none}</style>",
    "style attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "onclick on a safe link": '<a href="http://x.example" onclick="alert(1)">x</a>',
    "nested": "<div><p><b><script>alert(1)</script></b></p></div>",
    "unclosed": '<a href="javascript:alert(1)"><img src=x onerror=alert(1)',
    "broken nesting": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "form": '<form action="https://evil.example"><input name=p type=password></form>',
    "object embed": '<object data="x.swf"></object><embed src="x.swf">',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base href": '<base href="javascript:alert(1)//">',
    "math href": '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "html comment": "<!-- <script>alert(1)</script> -->text",
    "link reference": "[x][1]\n\n[1]: javascript:alert(1)",
    "table cell": "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "code span is text": "`<script>alert(1)</script>`",
}

SAFE_TAGS = {
    *("p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre"),
    *("blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td"),
    *("del", "sup", "sub"),
}
SAFE_ATTRIBUTES = {"href", "title", "rel", "align", "start"}
SAFE_SCHEMES = {"http", "https", "mailto"}


class _Elements(HTMLParser):
    """Every real element of the output with its attributes (escaped text is not an element)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_harmless(html: str) -> None:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.found:
        assert tag in SAFE_TAGS, html
        for name, value in attrs:
            assert name in SAFE_ATTRIBUTES, html  # no on*, style, src, action, …
            if name == "href":
                # What a browser would follow: entities decoded, control characters dropped.
                url = re.sub(r"[\x00-\x20]", "", value or "")
                scheme, colon, _rest = url.partition(":")
                assert not colon or scheme.lower() in SAFE_SCHEMES or "/" in scheme, html
    assert "<script" not in html.lower()
    assert "<style" not in html.lower()


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_renders_harmless(source):
    assert_harmless(render(source))


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_html_is_sanitised(source):
    assert_harmless(sanitise(source))


def test_dangerous_links_lose_their_target_but_keep_their_text():
    for source in (
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](data:text/html,x)",
    ):
        html = render(source)
        assert "click" in html
        assert "href" not in html, html


def test_safe_link_keeps_its_target_drops_the_handler_and_gains_rel():
    html = sanitise('<a href="http://x.example" onclick="alert(1)">x</a>')
    assert 'href="http://x.example"' in html
    assert "onclick" not in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_raw_html_in_markdown_is_shown_as_text_never_as_markup():
    assert render("<script>alert(1)</script>") == ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n")


def test_script_content_is_dropped_from_html():
    assert "alert" not in sanitise("<p>a</p><script>alert(1)</script>")


def test_code_shows_html_as_text():
    html = render("`<script>alert(1)</script>`")
    assert "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in html


def test_nul_bytes_do_not_survive_or_break_rendering():
    html = render("Water\x00 and <scr\x00ipt>alert(1)</script> sanitation")
    assert "\x00" not in html
    assert "Water" in html
    assert "sanitation" in html
    assert_harmless(html)


def test_a_megabyte_of_input_stays_fast():
    chunk = (
        "## Heading\n\nSome *text* with a [link](https://example.org) and <b onclick=x>b</b>\n\n"
    )
    source = chunk * (1_000_000 // len(chunk))
    started = time.perf_counter()
    html = render(source)
    assert time.perf_counter() - started < 10
    assert html.count("<h2>") == source.count("## Heading")
    assert_harmless(html)


def test_deeply_nested_input_stays_fast():
    source = "> " * 5_000 + "deep\n" + "<div>" * 5_000
    started = time.perf_counter()
    assert_harmless(render(source))
    assert time.perf_counter() - started < 10


def test_normal_markdown_renders():
    html = render(
        "# Context\n\n"
        "## Steps\n\n"
        "- first\n- second\n\n"
        "1. one\n2. two\n\n"
        'Read the [guide](https://example.org/guide "Guide") or write to '
        "<mailto:team@example.org>.\n\n"
        "| district | budget |\n|:---|---:|\n| North | 120 |\n\n"
        "```\nplan = 1\n```\n\n"
        "> quoted **bold** *em* ~~gone~~"
    )
    assert "<h1>" not in html
    assert "<h2>Context</h2>" in html
    assert "<h2>Steps</h2>" in html
    assert "<ul>\n<li>first</li>" in html
    assert "<ol>" in html
    assert (
        '<a href="https://example.org/guide" title="Guide" rel="noopener noreferrer nofollow">'
        "guide</a>" in html
    )
    assert 'href="mailto:team@example.org"' in html
    assert "<table>" in html
    assert "<th>district</th>" in html
    assert "<td>North</td>" in html
    assert "<pre><code>plan = 1\n</code></pre>" in html
    assert "<blockquote>" in html
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert "<s>gone</s>" in html


def test_empty_text_renders_nothing():
    assert render("") == ""


def test_plain_excerpt_has_no_markup_and_respects_the_limit():
    text = plain("# Title\n\n**R&D** <b>bold</b> " + "word " * 200, limit=50)
    assert text.startswith("Title R&D <b>bold</b> word")  # text: the caller escapes it
    assert len(text) <= 50
    assert text.endswith("…")
