"""Highlighted snippets that work for Chinese: the marked span is the matched word.

Running jieba over every hit's whole body at query time would cost more than the search, so
matches are found directly in the folded text instead: CJK query words by substring search,
Latin words by stemming each word of the text (a regular expression, no segmentation). Offsets
in the folded text map back to the original text, so ``退貨`` is marked in a traditional
article although the query was ``退货``.

One :class:`Snippets` per app (it keeps two small caches and uses the app's stemmer).
"""
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from ..textnorm import to_simplified
from .analysis import fold_long, joined

WORD_RE = re.compile(r"[0-9a-z\u00df-\u024f]+(?:[-_./][0-9a-z\u00df-\u024f]+)*")
SPLIT_RE = re.compile(r"[-_./]")
BREAKS = "。！？；\n.!?;"
MAX_SURFACES = 8
WINDOW = 140  # characters of a snippet


class _OneToOneNfkc(dict):
    """``str.translate`` table: NFKC for characters that stay one character (full-width
    letters and digits); others (``…`` → ``...``) are kept, so offsets do not move."""

    def __missing__(self, code: int):
        normal = unicodedata.normalize("NFKC", chr(code))
        self[code] = value = normal if len(normal) == 1 else chr(code)  # None would delete
        return value


class Snippets:
    """Snippets and title marks for one app (see the module docstring)."""

    def __init__(self, analyzer):
        self.stem = analyzer.stem
        self._nfkc = _OneToOneNfkc()  # grows to the characters seen: bounded by Unicode
        self._pattern = lru_cache(maxsize=512)(_latin_pattern)

    def fold_same_length(self, text: str) -> str:
        """Fold ``text`` as the analyzer does, but keeping every character where it is when
        possible (the index stores this for each body, so snippets need no folding)."""
        return to_simplified(text if text.isascii() else text.translate(self._nfkc)).lower()

    def fold_with_map(self, text: str, folded: str | None = None):
        """Fold ``text`` (or take ``folded`` from the index); return the folded text and,
        when lengths differ, each folded char's offset in ``text`` (else None)."""
        if folded is None or len(folded) != len(text):
            folded = self.fold_same_length(text)
        if len(folded) == len(text):
            return folded, None
        pieces, index = [], []
        for i, ch in enumerate(text):
            f = fold_long(ch)
            pieces.append(f)
            index.extend([i] * len(f))
        return "".join(pieces), index

    def find_spans(self, folded: str, highlight) -> list[tuple[int, int]]:
        """Sorted, non-overlapping (start, end) spans of matches in the folded text."""
        spans = []
        for word in highlight.cjk:
            if not word:
                continue
            start = folded.find(word)
            while start != -1 and len(spans) < 500:
                spans.append((start, start + len(word)))
                start = folded.find(word, start + len(word))
        pattern = self._pattern(frozenset(highlight.latin))
        if pattern is not None:
            # The regular expression finds candidates in C; each is then checked the way the
            # analyzer would see it (stemmed word, or joined code).
            latin = highlight.latin
            for m in pattern.finditer(folded):
                word = m.group()
                if word in latin or self.stem(word) in latin or joined(word) in latin:
                    spans.append(m.span())
        return _merge(spans)

    def passage(self, text: str, highlight, width: int = WINDOW, folded: str | None = None,
                headings=()) -> "Passage":
        """The best passage of ``text`` with matches in ``<mark>`` (see :class:`Passage`).
        ``folded`` is :meth:`fold_same_length` of ``text`` when the caller has it;
        ``headings`` the sorted ``(start, end)`` offsets of the heading lines in ``text``."""
        text = text or ""
        folded, index = self.fold_with_map(text, folded)
        spans = self.find_spans(folded, highlight)
        if index is not None:  # map folded offsets back to the original text
            spans = [(index[s], index[e - 1] + 1) for s, e in spans]
        return _render(text, spans, width, headings)

    def snippet(self, text: str, highlight, width: int = WINDOW,
                folded: str | None = None) -> tuple[str, list[str]]:
        """:meth:`passage`'s HTML and the distinct matched strings as written in ``text``
        (for highlighting on the article page)."""
        found = self.passage(text, highlight, width, folded)
        return found.html, found.surfaces

    def mark(self, text: str, highlight) -> str:
        """``text`` escaped with every match in ``<mark>`` (for titles)."""
        folded, index = self.fold_with_map(text or "")
        spans = self.find_spans(folded, highlight)
        if index is not None:
            spans = [(index[s], index[e - 1] + 1) for s, e in spans]
        out, pos = [], 0
        for s, e in spans:
            out.append(escape(text[pos:s]))
            out.append(f"<mark>{escape(text[s:e])}</mark>")
            pos = e
        out.append(escape(text[pos:]))
        return "".join(out)


def _latin_pattern(terms: frozenset):
    """A regular expression for words that may analyse to one of ``terms``: words starting
    with a stem (Porter turns a final y into i), and codes with or without separators."""
    if not terms:
        return None
    alternatives = []
    for term in sorted(terms, key=len, reverse=True):
        if term.isalpha():
            head = re.escape(term[:-1]) + "[iy]" if term.endswith("i") else re.escape(term)
            alternatives.append(head + "[a-z]*")
        else:
            alternatives.append("[-_./]?".join(re.escape(ch) for ch in term))
    return re.compile(r"(?<![0-9a-z])(?:" + "|".join(alternatives) + r")(?![0-9a-z])")


def _merge(spans):
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _best_match(text: str, spans, width: int, headings=()) -> tuple[int, int]:
    """The best passage: ``(offset of its first match, index of its section in headings or
    -1)``. Snippets show the text around it; the article opens at its section.

    A passage is a ``width``-char window from one match, kept inside its section. It scores one
    point per distinct matched word, plus, for each distinct word its section's heading
    matches, the inverse of that word's count in the text: a passage is read under its heading,
    and a heading naming the text's rarer query word says most about what the section answers
    (``退款到账`` → the section "到账时限", not "退款情形" that mentions 到账 in passing).
    """
    words = [text[s:e].lower() for s, e in spans]
    counts = Counter(words)
    starts = [h[0] for h in headings]
    in_heading: list[set] = [set() for _heading in headings]
    for (s, e), word in zip(spans, words, strict=True):
        k = bisect_right(starts, s) - 1
        if k >= 0 and e <= headings[k][1]:
            in_heading[k].add(word)
    bonus = [sum(1 / counts[w] for w in found) for found in in_heading]
    best, best_section, best_score = spans[0][0], -1, -1.0
    for i, (start, _end) in enumerate(spans):
        section = bisect_right(starts, start) - 1
        limit = starts[section + 1] if section + 1 < len(starts) else len(text)
        seen = set()
        for j in range(i, len(spans)):
            s, e = spans[j]
            if e - start > width or s >= limit:
                break
            seen.add(words[j])
        score = len(seen) + (bonus[section] if section >= 0 else 0.0)
        if score > best_score:
            best, best_section, best_score = start, section, score
    return best, best_section


def _window_start(text: str, best: int, width: int) -> int:
    """Begin at the sentence start when it is close, else a little before the best match."""
    cut = max(text.rfind(ch, max(0, best - 40), best) for ch in BREAKS)
    start = cut + 1 if cut >= 0 else max(0, best - 20)
    return max(0, min(start, len(text) - width))  # near the end: show a full window


@dataclass
class Passage:
    """The best passage of a text for a query: its snippet HTML, the matched strings as
    written (for highlighting on the article page), and where the passage's first match is
    in the text (``at``; -1 when nothing matched)."""

    html: str
    surfaces: list[str]
    at: int = -1
    section: int = -1  # index in the ``headings`` given to :meth:`Snippets.passage` (-1: above)


def _render(text: str, spans, width: int, headings=()) -> Passage:
    """The best ``width``-char passage of ``text`` with ``spans`` marked."""
    surfaces = list(dict.fromkeys(text[s:e] for s, e in spans))[:MAX_SURFACES]
    at, section = _best_match(text, spans, width, headings) if spans else (-1, -1)
    start = _window_start(text, at, width) if spans else 0
    end = min(len(text), start + width)
    html, pos = [], start
    for s, e in spans:
        if e <= start or s < pos:
            continue
        if s >= end:
            break
        html.append(escape(text[pos:s]))
        html.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    html.append(escape(text[pos:max(pos, end)]))
    body = "".join(html).replace("\n", " ").strip()
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return Passage(prefix + body + suffix, surfaces, at, section)

