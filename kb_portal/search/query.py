"""User text → query plan. User text is data, never Whoosh syntax, and nothing here raises.

The text is analysed with the same analyzer as the index, then grouped into *units* (one thing
the user asked for: a Chinese word, a run of single characters that must stay together, an
English word, a product code). Each unit is matched as it is and widened by:

* synonyms (trainer-managed groups, :mod:`kb_portal.search.synonyms`), weight 0.8;
* the last unit as a prefix while the user is still typing, weight 0.6;
* typo tolerance for Latin words the index does not know: one edit from 4 letters, two from 8
  (plus swapped neighbours), weight 0.5.

Units the index cannot match at all, question words and function words become optional. The
resulting :class:`~.engine.QueryPlan` is scored by the engine (``engine/combine.py``): "AND-ish"
(with three or more units a document may miss one; documents with every unit rank first), with
a bonus for matches in the title and the tags, and for the whole query as a phrase in the title.
"""
import logging
import re
from dataclasses import dataclass, field

from ..textnorm import fold
from .analysis import STOP_ZH
from .engine import QueryPlan
from .vocab import Vocabulary

log = logging.getLogger(__name__)
MAX_CHARS = 200  # longer input is cut: nobody types more while a caller waits
MAX_UNITS = 8
W_SYNONYM, W_PREFIX, W_FUZZY = 0.8, 0.6, 0.5
# How agents phrase questions; these words never decide whether an article is an answer.
QUESTION_ZH = frozenset((
    "怎么办", "怎么", "如何", "怎样", "多久", "多少", "多少钱", "什么", "为什么",
    "哪里", "哪些", "是否", "能否", "可以", "吗", "呢", "么", "啥", "咋", "办",
))
QUESTION_EN = frozenset(("how", "what", "when", "who", "why", "where", "which", "do", "does",
                         "can", "i", "we", "you", "my", "our", "should"))


@dataclass
class Unit:
    """One thing the user asked for (see module docstring)."""

    terms: list[str]  # one term, or several that must all match (pairs of characters, code parts)
    kind: str  # "cjk" | "word" | "code"
    raw: str  # what the user typed (folded), for prefixes, fuzzy matching and suggestions
    joined: str = ""  # codes: the joined form ("e102")
    optional: bool = False  # function words: never required

    @property
    def key(self) -> str:
        """What synonym groups are looked up by."""
        if self.kind == "code":
            return self.joined
        return self.raw if self.kind == "cjk" else self.terms[0]


@dataclass
class Highlight:
    """What snippets should mark: CJK substrings and Latin terms (compared after stemming)."""

    cjk: set[str] = field(default_factory=set)
    latin: set[str] = field(default_factory=set)

    def add_text(self, term: str) -> None:
        (self.latin if term.isascii() else self.cjk).add(term)


@dataclass
class Built:
    """A built query plus what the rest of the search needs to know about it."""

    units: list[Unit]
    highlight: Highlight
    folded: str
    plan: QueryPlan = field(default_factory=QueryPlan)

    @property
    def empty(self) -> bool:
        """Nothing searchable was typed."""
        return not self.plan.required


def units_of(text: str, analyzer) -> list[Unit]:
    """Analyse ``text`` (query mode) and group the pieces into units."""
    folded = fold(text[:MAX_CHARS])
    units: list[Unit] = []
    singles: list = []  # pending run of single CJK characters

    def flush():
        if singles:
            raw = "".join(p.text for p in singles)
            # Unknown words are indexed as pairs of neighbouring characters (analysis.py).
            pairs = [raw[k:k + 2] for k in range(len(raw) - 1)] or [raw]
            units.append(Unit(pairs, "cjk", raw, optional=raw in STOP_ZH or raw in QUESTION_ZH))
            singles.clear()

    pieces = list(analyzer.scan(folded, index=False))
    i = 0
    while i < len(pieces):
        p = pieces[i]
        if p.kind == "cjk" and len(p.text) == 1 and (not singles or singles[-1].end == p.start):
            singles.append(p)
        else:
            flush()
            if p.kind == "cjk" and len(p.text) == 1:
                singles.append(p)
            elif p.kind == "cjk":
                units.append(Unit([p.text], "cjk", p.text, optional=p.text in QUESTION_ZH))
            elif p.kind == "code":
                parts = []
                while i + 1 < len(pieces) and pieces[i + 1].kind == "part":
                    i += 1
                    parts.append(pieces[i].text)
                units.append(Unit(parts or [p.text], "code", folded[p.start:p.end], p.text))
            else:
                units.append(Unit([p.text], "word", p.raw or p.text,
                                  optional=p.raw in QUESTION_EN))
        i += 1
    flush()
    return units[:MAX_UNITS]


def build(text: str, analyzer, snapshot=None, synonyms=None) -> Built:
    """Build the query for ``text`` (with the index's vocabulary when ``snapshot`` is given).
    Never raises: on any problem the result is empty."""
    try:
        return _build(text or "", analyzer, snapshot, synonyms)
    except Exception:  # a query must never break the page; log and return nothing
        log.exception("could not build a query for %r", (text or "")[:100])
        return Built([], Highlight(), "")


def _build(text: str, analyzer, snapshot, synonyms) -> Built:
    units = units_of(text, analyzer)
    highlight = Highlight()
    if not units:
        return Built([], highlight, "")
    vocab = Vocabulary.of(snapshot, analyzer) if snapshot is not None else None
    typing = bool(text) and not text[-1].isspace()
    required, optional = [], []
    for unit in units:
        alts, known = _alternatives(unit, analyzer, vocab, synonyms,
                                    typing and unit is units[-1], highlight)
        # Function words, question words ("怎么办", "how") and words found nowhere in the
        # index only add score: they must not turn a good answer into no answer.
        (optional if unit.optional or not known else required).append((unit, alts))
    if not required:
        required, optional = optional, []
    plan = QueryPlan([alts for _, alts in required], [alts for _, alts in optional],
                     _phrase([u for u, _ in required]))
    return Built(units, highlight, fold(text[:MAX_CHARS]), plan)


def _synonyms(unit: Unit, analyzer, synonyms, weight: float, highlight: Highlight,
              vocab) -> tuple:
    """Alternatives for the other members of ``unit``'s synonym groups; whether any exists."""
    alts, known = [], False
    for alt in synonyms.alternatives(unit) if synonyms is not None else ():
        alt_units = units_of(alt, analyzer)
        if alt_units:
            alts.append((weight, alt_units))
            known = known or vocab is None or all(vocab.present(u) for u in alt_units)
            for u in alt_units:
                _mark(u, highlight)
    return alts, known


def _alternatives(unit: Unit, analyzer, vocab, synonyms, last: bool, highlight: Highlight):
    """Every way to match one unit, and whether anything in the index can match it."""
    alts = [(1.0, [unit])]
    _mark(unit, highlight)
    known = vocab is None or vocab.present(unit)
    more, found = _synonyms(unit, analyzer, synonyms, W_SYNONYM, highlight, vocab)
    alts += more
    known = known or found
    if vocab is None:
        return alts, known
    extra = vocab.prefix_terms(unit) if last else set()
    # Typo tolerance only for words the index does not know: a correctly spelt word's
    # neighbours are other words, and expanding them costs time and precision.
    if unit.kind == "word" and not vocab.known(unit.raw):
        fuzzy = vocab.fuzzy_terms(unit.raw) - set(unit.terms) - extra
        if fuzzy:
            alts.append((W_FUZZY, fuzzy))
            highlight.latin |= fuzzy
        if not vocab.present(unit):  # a misspelt word may be a synonym-group member
            for stemmed in sorted(fuzzy):
                more, _found = _synonyms(Unit([stemmed], "word", stemmed), analyzer, synonyms,
                                         W_FUZZY * W_SYNONYM, highlight, vocab)
                alts += more
        known = known or bool(fuzzy)
    extra -= set(unit.terms)
    if extra:
        alts.append((W_PREFIX, extra))
        for t in extra:
            highlight.add_text(t)
        known = True
    return alts, known


def _mark(unit: Unit, highlight: Highlight) -> None:
    if unit.kind == "cjk":
        highlight.cjk.add(unit.raw)
    elif unit.kind == "code":
        highlight.latin.add(unit.joined)
    else:
        highlight.latin.update(unit.terms)


def _phrase(units: list[Unit]) -> list[str]:
    """The units' terms in order, when they form a phrase the title's positions can check."""
    if len(units) < 2 or any(len(u.terms) != 1 and u.kind != "code" for u in units):
        return []
    return [u.joined if u.kind == "code" else u.terms[0] for u in units]


_SPACE_RE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The form queries are logged and grouped under: folded, single-spaced, trimmed."""
    return _SPACE_RE.sub(" ", fold((text or "")[:MAX_CHARS])).strip()


__all__ = ["Built", "Highlight", "Unit", "build", "normalise", "units_of"]
