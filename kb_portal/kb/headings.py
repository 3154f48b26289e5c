"""Heading ids and the table of contents: Python-Markdown's ``toc`` extension, made cheaper.

The stock tree processor renders every heading's inner HTML to find its text, and builds and
serialises a table-of-contents ``<div>`` that kb_portal never shows (the article page draws its
own from ``toc_tokens``); that was a sixth of every render, which matters when an import renders
thousands of articles. :class:`KbTocTreeprocessor` gives the same ids and tokens with less work:

* a heading that is plain text (no child element, no ``& < >``, no Markdown placeholder) is
  named by its text directly, which is what the stock path computes for it; any other heading
  goes through the stock helpers;
* no ``<div>`` is built, and ``toc_tokens`` is a flat list in document order (the order the
  nested one flattens to);
* a document that uses the ``[TOC]`` marker, or a ``data-toc-label``, is handed to the stock
  processor whole.

``tests/kb/test_rendering.py`` renders tricky headings both ways and compares.
"""
import html

from markdown.extensions.toc import (
    TocExtension,
    TocTreeprocessor,
    remove_fnrefs,
    render_inner_html,
    strip_tags,
    unescape,
    unique,
)
from markupsafe import Markup, escape

_NOT_PLAIN = frozenset("&<>\x02\x03")  # escaped by the serializer, or Markdown placeholders


def _plain_name(heading) -> str | None:
    """The heading's name when it is plain text, else None."""
    text = heading.text
    if len(heading) or not text or not _NOT_PLAIN.isdisjoint(text):
        return None
    return " ".join(text.split())


class KbTocTreeprocessor(TocTreeprocessor):
    def run(self, doc) -> None:
        used_ids, headings = set(), []
        for el in doc.iter():
            if "id" in el.attrib:
                used_ids.add(el.attrib["id"])
            if isinstance(el.tag, str) and self.header_rgx.match(el.tag):
                if "data-toc-label" in el.attrib:
                    return super().run(doc)
                headings.append(el)
            elif self.marker and el.text and self.marker in el.text:
                return super().run(doc)
        counters: dict[str, int] = {}
        tokens = []
        for el in headings:
            self.set_level(el)
            name = _plain_name(el)
            if name is None:
                name = strip_tags(render_inner_html(remove_fnrefs(el), self.md))
            if "id" not in el.attrib:
                el.attrib["id"] = unique(self.slugify(html.unescape(name), self.sep),
                                         used_ids, counters)
            level = int(el.tag[-1])
            if self.toc_top <= level <= self.toc_bottom:
                tokens.append({"level": level, "id": unescape(el.attrib["id"]), "name": name})
        self.md.toc_tokens = tokens
        return None


class KbTocExtension(TocExtension):
    """``toc`` with :class:`KbTocTreeprocessor` (same options)."""

    TreeProcessorClass = KbTocTreeprocessor


def toc_html(toc: list[dict]) -> Markup:
    """The article page's table of contents as an ``<ol>``.

    Built here rather than by a Jinja loop: three attribute look-ups and escapes per entry in
    the template were two-thirds of opening a 1 MB article (about 3,000 headings); a join over
    f-strings takes a third of that time (``bench/article_open.py``). A token's ``name`` is
    HTML text when the heading was not plain (``A &amp; B``), so it is unescaped before being
    escaped once (the template showed ``A &amp;amp; B``).
    """
    items = "".join(f'<li class="toc-l{int(h["level"])}"><a href="#{escape(h["id"])}">'
                    f'{escape(html.unescape(h["name"]))}</a></li>' for h in toc)
    return Markup(f"<ol>{items}</ol>")  # noqa: S704 (every value above is escaped)
