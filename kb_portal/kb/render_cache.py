"""Markdown kept as text and shown on many pages: rendered within the budget, remembered.

Articles store their HTML per revision, so opening one never renders. Quiz prompts,
explanations, per-answer feedback, descriptions and grade-band texts are kept as Markdown in the
training tables and drawn on every quiz and result page; they used to be rendered in-process on
each view with no time budget, so one pathological prompt cost every learner who opened the
quiz. Now they take the same bounded path as articles (:func:`.render_budget.render_budgeted`):

* **When saved or imported**, :func:`render_problem` renders each text within its budget and
  returns what the editor or import report says when it cannot (the text is refused there,
  with the reason, like an article).
* **When shown**, :func:`render_shown` renders within the budget too, and remembers the HTML per
  text in the :class:`HtmlCache` on ``app.extensions`` (bounded by characters, least recently
  used first out), so a quiz page of twenty questions costs twenty look-ups after its first
  view. A text that still fails there (a far busier machine than at save time) is shown as
  escaped plain text with a log line: readable, and never a 500.

The article page keeps its derived HTML in the same cache (:mod:`.article_page`). It is per
process and keyed by the inputs themselves, so it can never serve stale HTML.
"""
import logging
import threading
from collections import OrderedDict

from flask import current_app
from markupsafe import escape

from .render_budget import explain, render_budgeted
from .rendering import RenderError

log = logging.getLogger(__name__)
CACHE_CHARS = 16_000_000  # characters of text + HTML kept per process (about 32–64 MB)


class HtmlCache:
    """A thread-safe LRU of derived HTML, bounded by the characters it holds. Keys are
    anything hashable that names the HTML's inputs exactly (a text, or a revision's id and
    content hash), so an entry can never go stale: changed inputs are a different key."""

    def __init__(self, max_chars: int = CACHE_CHARS):
        self.max_chars = max_chars
        self._items: OrderedDict[object, tuple[object, int]] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key, value, size: int) -> None:
        """Keep ``value`` (``size`` characters) unless it alone is over the bound."""
        if size > self.max_chars:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, size)
            self._chars += size
            while self._chars > self.max_chars:
                _key, (_value, old_size) = self._items.popitem(last=False)
                self._chars -= old_size


def html_cache() -> HtmlCache:
    """This app's cache (one per process: each gunicorn worker has its own)."""
    return current_app.extensions.setdefault("kb_html_cache", HtmlCache())


def _render(text: str) -> str:
    cache = html_cache()
    html = cache.get(text)
    if html is None:
        html = render_budgeted(text).html
        cache.put(text, html, len(text) + len(html))
    return html


def render_problem(text: str) -> str | None:
    """None when ``text`` renders within its budget (its HTML is then cached), else the
    translated reason it cannot be turned into a page."""
    try:
        _render(text or "")
    except RenderError as exc:
        return explain(exc)
    return None


def render_shown(text: str) -> str:
    """Safe HTML for ``text`` on a page (see the module docstring)."""
    if not text:
        return ""
    try:
        return _render(text)
    except RenderError as exc:
        log.warning("stored Markdown of %d characters shown as text: %s", len(text), exc)
        return "<p>" + str(escape(text)).replace("\n", "<br>\n") + "</p>"
