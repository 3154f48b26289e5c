"""The HTML an article page shows for a revision, derived once per process and remembered.

A revision's HTML is rendered once, when it is saved, and stored with it; what a page still
derived from it on every view was the link check (one regex pass over the whole HTML against
the slugs of *every* published article) and the table of contents (parsed from JSON and built
entry by entry). For a 1 MB article that was most of the time it took to open (issue 17:
"a 660 KB article takes 1.86 s to open"; ``bench/article_open.py`` measures it now).

Now both are kept in the process's :class:`.render_cache.HtmlCache`, keyed by exactly what they
are made of — the revision (id and content hash) and, for the body, the set of its links that
are broken right now — so publishing, archiving or renaming another article changes the key
and never serves a stale mark. Per view, the only work left is one query for whether the
article's own linked slugs resolve (not a list of the whole knowledge base).
"""
from markupsafe import Markup

from . import queries
from .headings import toc_html
from .models import Revision
from .render_cache import html_cache
from .rendering import mark_broken_links


def _link_slugs(rev: Revision) -> frozenset[str]:
    key = ("links", rev.id, rev.content_hash)
    slugs = html_cache().get(key)
    if slugs is None:
        slugs = frozenset(link["slug"] for link in rev.links)
        html_cache().put(key, slugs, sum(map(len, slugs)) + 1)
    return slugs


def body_html(rev: Revision) -> str:
    """``rev``'s HTML with links to articles that do not resolve (now) marked broken."""
    slugs = _link_slugs(rev)
    broken = frozenset(slugs - queries.resolvable_among(slugs)) if slugs else frozenset()
    key = ("body", rev.id, rev.content_hash, broken)
    html = html_cache().get(key)
    if html is None:
        html = rev.html or ""
        if broken:
            html = mark_broken_links(html, lambda slug: slug not in broken)
        html_cache().put(key, html, len(html))
    return html


def table_of_contents(rev: Revision) -> Markup | None:
    """``rev``'s table of contents as HTML, or None when it has no headings."""
    key = ("toc", rev.id, rev.content_hash)
    toc = html_cache().get(key)
    if toc is None:
        entries = rev.toc
        toc = toc_html(entries) if entries else Markup("")
        html_cache().put(key, toc, len(toc) + 1)
    return toc or None
