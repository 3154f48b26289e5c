"""The one Markdown renderer: features agents rely on, and nothing dangerous gets through."""
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kb_portal.kb.rendering import mark_broken_links, render_markdown, sanitize

from .. import factories

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](javascript:alert(1))",
    '<a href="https://ok.example" onclick="steal()">x</a>',
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    '<div style="position:fixed">x</div>',
    "para {onmouseover=alert(1) style=color:red}",
    "<svg onload=alert(1)>",
    '<form action="https://evil.example"><input name=p></form>',
    "[x](vbscript:msgbox(1))",
    '<a href="&#106;avascript:alert(1)">x</a>',
]
FORBIDDEN_TAGS = {"script", "iframe", "style", "svg", "form", "input", "object", "embed"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Collector()
    parser.feed(html)
    return parser.elements


@pytest.mark.parametrize("source", HOSTILE)
def test_dangerous_markup_never_survives(source):
    for tag, attrs in elements(render_markdown(source).html):
        assert tag not in FORBIDDEN_TAGS
        for name, value in attrs.items():
            assert not name.startswith("on") and name != "style", (tag, name)
            if name in ("href", "src"):
                scheme = (value or "").strip().lower().split(":", 1)[0]
                assert scheme not in ("javascript", "data", "vbscript"), value


def test_raw_html_in_markdown_is_shown_as_text():
    html = render_markdown("Before <b>bold</b> <script>x()</script> after").html
    assert "&lt;script&gt;" in html and "<b>" not in html


def test_sanitize_cleans_html_from_elsewhere():
    assert sanitize('<p onclick="x()">hi<script>y()</script></p>') == "<p>hi</p>"


def test_tables_code_definition_lists_and_admonitions():
    html = render_markdown(
        "| a | b |\n|---|:-:|\n| 1 | 2 |\n\n```\ncode <x>\n```\n\n术语\n: 解释\n\n"
        '!!! warning "注意"\n    当心\n').html
    assert "<table>" in html and '<td align="center">2</td>' in html
    assert "<pre><code>code &lt;x&gt;" in html
    assert "<dt>术语</dt>" in html and "<dd>解释</dd>" in html
    assert 'class="admonition warning"' in html and "当心" in html


def test_chinese_headings_get_working_anchors_and_a_toc():
    rendered = render_markdown("## 受理登记\n正文\n### 第一步：核实 身份\n正文\n## Refund Window\n")
    assert [h["id"] for h in rendered.toc] == ["受理登记", "第一步核实-身份", "refund-window"]
    assert '<h2 id="受理登记">' in rendered.html


def test_the_table_of_contents_shows_each_heading_escaped_once():
    from kb_portal.kb.headings import toc_html

    rendered = render_markdown("## Refund &amp; Return <b>now</b>\n## 退款 & 换货\n"
                               "## 受理登记\n")
    assert str(toc_html(rendered.toc)) == (
        '<ol><li class="toc-l2"><a href="#refund--return-now">Refund &amp; Return '
        '&lt;b&gt;now&lt;/b&gt;</a></li><li class="toc-l2"><a href="#退款--换货">退款 &amp; '
        '换货</a></li><li class="toc-l2"><a href="#受理登记">受理登记</a></li></ol>')


def test_article_links_resolve_to_article_urls_and_are_collected():
    rendered = render_markdown("见[退款](refund-policy#到账时限)与[站外](https://example.com)")
    assert 'href="/a/refund-policy#%E5%88%B0%E8%B4%A6%E6%97%B6%E9%99%90"' in rendered.html
    assert rendered.links == [{"slug": "refund-policy", "anchor": "到账时限", "text": "退款"}]
    assert 'href="https://example.com"' in rendered.html


def test_links_to_missing_articles_are_marked_broken():
    html = render_markdown("[a](exists) [b](missing)").html
    marked = mark_broken_links(html, {"exists"}.__contains__)
    assert marked.count("kb-link broken") == 1
    assert 'class="kb-link broken" data-kb-slug="missing"' in marked


def test_article_page_marks_broken_links_and_renders_once_per_revision(app, as_role):
    factories.article("a", "有链接", "[去B](b) [去C](c)")
    factories.article("b", "B")
    page = as_role("agent").get("/a/a").get_data(as_text=True)
    assert 'data-kb-slug="c"' in page and page.count("kb-link broken") == 1
    from kb_portal.kb.services import get_article
    assert get_article("a").published_revision.html  # cached with the revision


DEMO_ARTICLES = Path(__file__).parents[2] / "articles"
TRICKY_HEADINGS = """# 标题一
## 受理登记
## 受理登记
## 受理登记_1
## Refund &amp; Return <b>now</b>
### `E-102` 错误码
### 带\\*星号\\*的标题
### 退款  **加急**   处理
#### Custom {#my-id}
#### 第二个 {: #受理登记 }
##### 不进目录
## *强调* 与 [链接](refund-policy)
##
## a < b > c
"""


def _stock_render(text: str):
    """The same Markdown set-up with Python-Markdown's own toc extension."""
    from markdown.extensions.toc import TocExtension

    from kb_portal.kb import rendering

    md = rendering._markdown([])
    md.treeprocessors.deregister("toc")
    TocExtension(slugify=rendering.heading_slugify, toc_depth="2-4").extendMarkdown(md)
    html = md.convert(text)
    return rendering.sanitize(html), rendering._flatten_toc(md.toc_tokens, [])


@pytest.mark.parametrize("text", [
    TRICKY_HEADINGS,
    TRICKY_HEADINGS + "\n[TOC]\n",  # the marker: handed to the stock processor
    "## 标签 {data-toc-label='短名'}\n正文\n",
    *(path.read_text(encoding="utf-8") for path in sorted(DEMO_ARTICLES.glob("*.md"))),
])
def test_heading_ids_and_toc_match_the_stock_toc_extension(text):
    rendered = render_markdown(text)
    html, toc = _stock_render(text)
    assert rendered.html == html
    assert rendered.toc == toc
