"""Answer cards: the short answer an agent can read out or paste without opening the article.

An article carries them in two places (docs/authoring.md, "Answer cards"):

* ``answer:`` in the front matter (the editor's "Answer" field): the answer to the article's
  main question, stored on the revision (``Revision.answer``);
* a ``!!! answer`` admonition inside a section: the answer to that section's question. They are
  found in the rendered HTML once per revision (``Revision.answers_json``: heading id → text,
  ``""`` for one above the first heading), so searching never parses HTML.

:func:`answer_card` picks the card for a place in the article: the section's own answer, else
the answer of the section it sits in (an ``h3`` inside an ``h2``), else the article's. The
search results (``search/passages.py``) and the API call it with the best-matching section.
"""
import json
import re
from html.parser import HTMLParser

MARKER = "admonition answer"  # what the admonition extension writes for "!!! answer"
MAX_ANSWER = 500
_HEADING = re.compile(r"^h[1-6]$")
_BLOCKS = frozenset(("p", "br", "tr", "div", "table", "pre", "dd", "dt", "blockquote"))


class _AnswerFinder(HTMLParser):
    """Collects the text of every ``<div class="admonition answer">`` by the heading above it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.section = ""
        self.found: dict[str, list[str]] = {}
        self.depth = 0  # >0 inside an answer div (counts nested divs)
        self.skip = 0  # >0 inside the admonition's title paragraph
        self.parts: list[str] = []
        self.lists: list[list] = []  # open lists: [ordered, next number]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            if tag == "div":
                self.depth += 1
            if tag == "p" and "admonition-title" in (attrs.get("class") or "").split():
                self.skip += 1
            elif tag in ("ol", "ul"):
                self.lists.append([tag == "ol", int(attrs.get("start") or 1)])
            elif tag == "li" and self.lists:
                # List items keep their markers: a copied card reads like the article.
                ordered, number = self.lists[-1]
                self.parts.append(f"\n{'   ' * (len(self.lists) - 1)}" +
                                  (f"{number}. " if ordered else "- "))
                self.lists[-1][1] += 1
            elif tag in _BLOCKS:
                self.parts.append("\n")
            return
        if _HEADING.match(tag) and attrs.get("id"):
            self.section = attrs["id"]
        elif tag == "div" and {"admonition", "answer"} <= set((attrs.get("class") or "").split()):
            self.depth, self.parts = 1, []

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "p" and self.skip:
            self.skip -= 1
        elif tag in ("ol", "ul") and self.lists:
            self.lists.pop()
        elif tag == "div":
            self.depth -= 1
            if not self.depth:
                text = _tidy("".join(self.parts))
                if text:
                    self.found.setdefault(self.section, []).append(text)

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def _tidy(text: str) -> str:
    """Single spaces inside lines (list indentation kept), no empty lines."""
    lines = []
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        words = " ".join(line.split())
        if words:
            lines.append(" " * indent + words)
    return "\n".join(lines)


def section_answers(html: str) -> dict[str, str]:
    """``{heading id: answer text}`` of the ``!!! answer`` blocks in rendered HTML (``""``: above
    the first heading). Several in one section are joined, in order."""
    if MARKER not in (html or ""):
        return {}
    finder = _AnswerFinder()
    finder.feed(html)
    finder.close()
    return {section: "\n".join(texts) for section, texts in finder.found.items()}


def answers_json(html: str) -> str:
    """What ``Revision.answers_json`` stores for a revision rendered as ``html``."""
    return json.dumps(section_answers(html), ensure_ascii=False)


def revision_answers(rev) -> dict[str, str]:
    """The section answers of a revision (revisions saved before answer cards existed have
    none stored: they are read from the HTML)."""
    if rev.answers_json is not None:
        return json.loads(rev.answers_json)
    return section_answers(rev.html or "")


def _ancestors(toc: list[dict], section_id: str) -> list[dict]:
    """The toc entry of ``section_id`` and the entries of the sections it sits in, innermost
    first."""
    index = next((i for i, h in enumerate(toc) if h.get("id") == section_id), None)
    if index is None:
        return []
    chain, level = [toc[index]], toc[index].get("level", 9)
    for entry in reversed(toc[:index]):
        if entry.get("level", 9) < level:
            chain.append(entry)
            level = entry.get("level", 9)
    return chain


def answer_card(rev, section_id: str | None = None, *, answers: dict | None = None,
                toc: list[dict] | None = None) -> dict | None:
    """The answer card for ``section_id`` of revision ``rev`` (or for the article), or None.

    Returns ``{"text", "section_id", "section"}``; ``section_id`` is ``""`` for the article's own
    answer. ``answers`` and ``toc`` may be passed when the caller already decoded them.
    """
    answers = revision_answers(rev) if answers is None else answers
    if section_id:  # the table of contents is decoded only when a section is asked for
        toc = rev.toc if toc is None else toc  # (thousands of entries in a big article)
        for entry in _ancestors(toc, section_id):
            text = answers.get(entry["id"])
            if text:
                return {"text": text, "section_id": entry["id"],
                        "section": entry.get("name", "")}
    text = (rev.answer or "").strip() or answers.get("", "")
    return {"text": text, "section_id": "", "section": ""} if text else None


def all_cards(rev) -> list[dict]:
    """Every answer card of a revision, the article's first, then by section order (for the
    API and the editor preview)."""
    answers, cards = revision_answers(rev), []
    article = answer_card(rev, answers=answers, toc=[])
    if article:
        cards.append(article)
    for entry in rev.toc:
        if answers.get(entry["id"]):
            cards.append({"text": answers[entry["id"]], "section_id": entry["id"],
                          "section": entry.get("name", "")})
    return cards
