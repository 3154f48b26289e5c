"""The one Markdown → safe HTML path, used by the article page, the editor preview and quizzes.

Pipeline: Python-Markdown (raw HTML disabled, so ``<script>`` typed in an article is shown as
text) → internal links ``[text](slug#heading)`` rewritten to article URLs and marked with
``data-kb-slug`` → nh3 allow-list sanitiser (second line of defence: ``javascript:`` URLs, event
attributes and unknown tags never survive). Heading anchors keep Chinese characters, so
``## 受理登记`` gets ``id="受理登记"`` and ``complaint-intake#受理登记`` links work.

Whether a linked article exists is decided at view time by :func:`mark_broken_links`, so the
HTML cached per revision stays valid when other articles are created or renamed.

Every render builds its own ``Markdown`` instance (about 0.2 ms, against 5 ms for a typical
article): an exception in the middle of a conversion — ``RecursionError``, or the time budget's
interrupt (:mod:`.render_budget`) — leaves Python-Markdown's parser state half-changed, and a
reused instance then rendered every later text wrongly (issue 11: all ``<p>`` tags gone, and
stored that way). The text first goes through :func:`.render_limits.bound_structure`, and any
failure of the library surfaces as :class:`RenderError`, never as a bare exception.
"""
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from pymdownx.slugs import slugify

from .headings import KbTocExtension
from .render_limits import BoundedScansExtension, bound_structure

log = logging.getLogger(__name__)

ARTICLE_URL_PREFIX = "/a/"
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
heading_slugify = slugify(case="lower")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "s", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
}
_COMMON = {"class", "id", "title"}
ALLOWED_ATTRIBUTES = {
    "*": {"class"},
    "a": {"href", "title", "data-kb-slug", "data-kb-anchor"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    **{f"h{n}": _COMMON for n in range(1, 7)},
    "ol": {"start"},
}


class RenderError(ValueError):
    """A text the renderer cannot turn into HTML; ``reason`` is ``"failed"``, ``"timeout"`` or
    ``"too_large"`` (views translate it). Picklable, so a render helper process can send it."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail

    def __str__(self) -> str:
        return f"cannot render ({self.reason}{': ' + self.detail if self.detail else ''})"


@dataclass
class Rendered:
    html: str
    toc: list[dict] = field(default_factory=list)  # [{"level", "id", "name"}]
    links: list[dict] = field(default_factory=list)  # [{"slug", "anchor", "text"}]


def internal_target(href: str) -> tuple[str, str] | None:
    """Return (slug, anchor) when ``href`` points at another article, else None."""
    if not href or href.startswith(("#", "/", "//")):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or parts.query:
        return None
    slug = unquote(parts.path).strip().lower().removesuffix(".md")
    if not SLUG_RE.match(slug):
        return None
    return slug, unquote(parts.fragment)


class _LinkRewriter(Treeprocessor):
    def __init__(self, md, collected: list):
        super().__init__(md)
        self.collected = collected

    def run(self, root):
        for el in root.iter("a"):
            target = internal_target(el.get("href", ""))
            if target is None:
                continue
            slug, anchor = target
            href = ARTICLE_URL_PREFIX + quote(slug)
            if anchor:
                href += "#" + quote(anchor)
            el.set("href", href)
            el.set("class", (el.get("class", "") + " kb-link").strip())
            el.set("data-kb-slug", slug)
            if anchor:
                el.set("data-kb-anchor", anchor)
            self.collected.append({"slug": slug, "anchor": anchor,
                                   "text": "".join(el.itertext())})


class _KbExtension(Extension):
    def __init__(self, collected: list):
        super().__init__()
        self.collected = collected

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API name)
        # Raw HTML is text, not markup: deregistering these makes "<script>" render escaped.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_LinkRewriter(md, self.collected), "kb_links", 1)


def _markdown(collected: list) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "tables", "fenced_code", "def_list", "admonition", "sane_lists", "attr_list",
            "pymdownx.tilde", "pymdownx.details",
            KbTocExtension(slugify=heading_slugify, toc_depth="2-4"), _KbExtension(collected),
            BoundedScansExtension(),
        ],
        extension_configs={
            "tables": {"use_align_attribute": True},
        },
        output_format="html",
    )


def _flatten_toc(tokens: list, out: list) -> list:
    for token in tokens:
        out.append({"level": token["level"], "id": token["id"], "name": token["name"]})
        _flatten_toc(token.get("children", []), out)
    return out


def sanitize(html: str) -> str:
    """Clean HTML with the allow-list; also used for any HTML that did not come from here."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str) -> Rendered:
    """Turn Markdown into sanitised HTML plus its table of contents and article links.

    No time limit here: requests and imports go through :mod:`.render_budget`.
    :raise RenderError: when the library fails on the text.
    """
    links: list[dict] = []
    md = _markdown(links)
    try:
        html = md.convert(bound_structure(text or ""))
    except RenderError:
        raise  # the time budget's interrupt
    except RecursionError:
        raise RenderError("failed", "nested too deeply") from None
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, AssertionError) as exc:
        # A library bug on odd input: the one text fails, with a log line, not the request.
        log.warning("Markdown failed on a text of %d characters: %r", len(text), exc)
        raise RenderError("failed", type(exc).__name__) from None
    toc = _flatten_toc(getattr(md, "toc_tokens", []), [])
    return Rendered(html=sanitize(html), toc=toc, links=links)


# "[^<>]": a scan from one "<a " never runs past the next tag (linear on any HTML).
_KB_LINK_RE = re.compile(r'<a ([^<>]*?)data-kb-slug="([^"<>]+)"')


def mark_broken_links(html: str, exists) -> str:
    """Add ``broken`` to the class of links whose slug ``exists(slug)`` rejects."""

    def fix(match: re.Match) -> str:
        attrs, slug = match.group(1), match.group(2)
        if exists(slug):
            return match.group(0)
        attrs = attrs.replace('class="kb-link', 'class="kb-link broken', 1)
        return f'<a {attrs}data-kb-slug="{slug}"'

    return _KB_LINK_RE.sub(fix, html)
