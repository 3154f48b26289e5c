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
  text in a :class:`RenderCache` on ``app.extensions`` (bounded by characters, least recently
  used first out), so a quiz page of twenty questions costs twenty look-ups after its first
  view. A text that still fails there (a far busier machine than at save time) is shown as
  escaped plain text with a log line: readable, and never a 500.

The cache is per process and keyed by the text itself, so it can never serve stale HTML: a
changed text is a different key.
"""
import logging
import threading
from collections import OrderedDict

from flask import current_app
from markupsafe import escape

from .render_budget import explain, render_budgeted
from .rendering import RenderError

log = logging.getLogger(__name__)
CACHE_CHARS = 8_000_000  # characters of text + HTML kept per process (about 16–32 MB)


class RenderCache:
    """A thread-safe LRU of text → HTML, bounded by the characters it holds."""

    def __init__(self, max_chars: int = CACHE_CHARS):
        self.max_chars = max_chars
        self._items: OrderedDict[str, str] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, text: str) -> str | None:
        with self._lock:
            html = self._items.get(text)
            if html is not None:
                self._items.move_to_end(text)
            return html

    def put(self, text: str, html: str) -> None:
        size = len(text) + len(html)
        if size > self.max_chars:
            return
        with self._lock:
            if text in self._items:
                return
            self._items[text] = html
            self._chars += size
            while self._chars > self.max_chars:
                old_text, old_html = self._items.popitem(last=False)
                self._chars -= len(old_text) + len(old_html)


def _cache() -> RenderCache:
    return current_app.extensions.setdefault("kb_render_cache", RenderCache())


def _render(text: str) -> str:
    cache = _cache()
    html = cache.get(text)
    if html is None:
        html = render_budgeted(text).html
        cache.put(text, html)
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
