"""Whatever is typed into a Markdown block, the rendered HTML cannot run script."""

import re

import pytest

from content.markdown import render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src='javascript:alert(1)'></iframe>",
    "<a href='javascript:alert(1)'>click</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<div style=\"background:url('javascript:alert(1)')\">x</div>",
    "<p onclick=alert(1)>text</p>",
    "<body onload=alert(1)>",
    "<object data='javascript:alert(1)'></object>",
    "<embed src='javascript:alert(1)'>",
    "<form action='javascript:alert(1)'><button>x</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<meta http-equiv='refresh' content='0;url=javascript:alert(1)'>",
    "<base href='javascript:alert(1)//'>",
    "<link rel=stylesheet href='javascript:alert(1)'>",
    "<style>@import 'javascript:alert(1)';</style>",
    "<!--<script>alert(1)//--><script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    '<a href="https://example.com" onmouseover="alert(1)">x</a>',
    '[x](https://example.com "title" onmouseover=alert(1))',
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<table background='javascript:alert(1)'><tr><td>x</td></tr></table>",
]

DANGEROUS_TAG = re.compile(
    r"<\s*(script|iframe|object|embed|svg|math|style|link|meta|base|form|input|"
    r"button|video|source|img|body|details|marquee)\b",
    re.IGNORECASE,
)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
BAD_URL = re.compile(
    r"(href|src|action|background|data)\s*=\s*[\"']?\s*(javascript|data|vbscript):", re.I
)
STYLE_ATTR = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_renders_inert(payload):
    html = str(render_markdown(payload))
    assert not DANGEROUS_TAG.search(html), html
    assert not EVENT_HANDLER.search(html), html
    assert not BAD_URL.search(html), html
    assert not STYLE_ATTR.search(html), html


def test_ordinary_markdown_survives_with_govuk_classes():
    html = str(
        render_markdown(
            "## Heading\n\nSome **bold** and *italic* text with a "
            "[link](https://www.talktofrank.com).\n\n- one\n- two\n\n1. first\n2. second"
        )
    )
    assert '<h2 class="govuk-heading-m">Heading</h2>' in html
    assert "<strong>bold</strong>" in html
    assert "<em>italic</em>" in html
    assert 'class="govuk-link" href="https://www.talktofrank.com"' in html
    assert 'rel="noopener noreferrer"' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert '<ol class="govuk-list govuk-list--number">' in html


def test_text_that_looks_like_html_is_shown_not_run():
    html = str(render_markdown("Use `<b>` for bold; 2 < 3 and 5 > 4."))
    assert "&lt;b&gt;" in html
    assert "2 &lt; 3" in html


def test_tables_are_kept():
    html = str(render_markdown("| a | b |\n|---|---|\n| 1 | 2 |"))
    assert '<table class="govuk-table">' in html
    assert '<td class="govuk-table__cell">1</td>' in html
