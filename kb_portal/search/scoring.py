"""Scoring a query plan straight from Whoosh's posting lists.

Why not Whoosh's own matcher tree: it walks every matching document through a Python object
per clause, and an agent's broad query ("客户", a one-character prefix, a synonym group) over
10,000 articles visits thousands of documents × dozens of clauses — hundreds of milliseconds.
Here each term's postings are read block by block into a dict (BM25, the same statistics), the
clauses are combined with dict operations, and only the top results are looked at further.
That keeps broad queries within tens of milliseconds.

The plan comes from :mod:`kb_portal.search.query`: for each *unit* a list of alternatives,
``(weight, [Unit, …])`` (all those units must match) or ``(weight, {term, …})`` (any term).
"""
import heapq
import math
import threading
from collections import Counter
from itertools import chain

from whoosh.query import Phrase

from .index import BONUS_FIELDS, MATCH_FIELD, per_searcher

K1, B = 1.2, 0.75
PHRASE_BONUS = 1.3


class Scorer:
    """BM25 over one searcher's segments (one scorer per searcher, i.e. per generation)."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.leaves = searcher.reader().leaf_readers()  # [(segment reader, docnum offset)]
        self.total_docs = max(1, searcher.doc_count_all())
        self._avg = {}

    @classmethod
    def of(cls, searcher) -> "Scorer":
        return per_searcher(searcher, "scorer", cls)

    def _norm(self, field: str, n: int, reader) -> list[float]:
        """Per document of one segment: K1 × (1 − B + B × length / average length)."""
        if field not in self._avg:
            self._avg[field] = self.searcher.avg_field_length(field, 1.0) or 1.0
        avg = self._avg[field]
        key = (_segment_key(reader, n), field, avg)
        norms = _NORMS.get(key)
        if norms is None:
            # Whoosh answers None (not the default) for a zero length stored in a segment
            # that has the column: an article without tags among tagged ones after a reindex.
            norms = [K1 * (1 - B + B * (reader.doc_field_length(d, field, 0) or 0) / avg)
                     for d in range(reader.doc_count_all())]
            with _NORMS_LOCK:
                _NORMS[key] = norms
                while len(_NORMS) > 256:
                    _NORMS.pop(next(iter(_NORMS)))
        return norms

    def term(self, field: str, text: str) -> dict[int, float]:
        """{docnum: BM25 score} of one term (deleted documents left out)."""
        df = self.searcher.doc_frequency(field, text)
        if not df:
            return {}
        idf = math.log(1 + (self.total_docs - df + 0.5) / (df + 0.5))
        scores: dict[int, float] = {}
        for n, (reader, offset) in enumerate(self.leaves):
            if (field, text) not in reader:
                continue
            norm = self._norm(field, n, reader)
            c = idf * (K1 + 1)
            m = _leaf(reader.postings(field, text))
            if hasattr(m, "_read_ids"):
                while m.is_active():  # block by block: Whoosh decodes a block into arrays
                    m._read_ids()
                    m._read_weights()
                    scores.update({doc + offset: c * tf / (tf + norm[doc])
                                   for doc, tf in zip(m._ids, m._weights, strict=True)})
                    m._next_block()
            else:  # another codec: the generic (slower) matcher interface
                for doc in m.all_ids():
                    scores[doc + offset] = 0.0
                m = _leaf(reader.postings(field, text))
                while m.is_active():
                    tf = m.weight()
                    scores[m.id() + offset] = c * tf / (tf + norm[m.id()])
                    m.next()
            if reader.has_deletions():
                for doc in [d for d in scores if offset <= d and reader.is_deleted(d - offset)]:
                    del scores[doc]
        return scores

    def unit(self, unit, field: str) -> dict[int, float]:
        """A unit in ``field``: all its terms (summed), or its joined code form."""
        scores = _all([self.term(field, t) for t in unit.terms])
        if unit.joined:
            scores = dict(scores)
            _add(scores, self.term(field, unit.joined), 1.0)
        return scores

    def alternatives(self, alts, field: str, factor: float = 1.0) -> dict[int, float]:
        """Sum of a unit's alternatives, each times its weight."""
        scores: dict[int, float] = {}
        for weight, what in alts:
            if isinstance(what, set):
                for text in what:
                    _add(scores, self.term(field, text), weight * factor)
            else:
                _add(scores, _all([self.unit(u, field) for u in what]), weight * factor)
        return scores


def _leaf(matcher):
    """The posting-list matcher itself: a segment with deletions wraps it in a filter (the
    deleted documents are left out by :meth:`Scorer.term` instead)."""
    while not hasattr(matcher, "_read_ids") and hasattr(matcher, "child"):
        matcher = matcher.child
    return matcher


# Length norms per (segment, field, average length). Segments never change (deletions do not
# touch lengths), so a new index generation after a save only computes its new small segment.
_NORMS: dict = {}
_NORMS_LOCK = threading.Lock()


def _segment_key(reader, n: int):
    segment = getattr(reader, "segment", None)
    return (segment().segment_id(), segment().indexname) if segment else (id(reader), n)


def _all(parts: list[dict]) -> dict[int, float]:
    """Documents in every dict, scores summed (a single dict is returned as it is)."""
    if len(parts) <= 1:
        return parts[0] if parts else {}
    common = set(parts[0]).intersection(*parts[1:])
    return {d: sum(p[d] for p in parts) for d in common}


def _add(into: dict, scores: dict, weight: float) -> None:
    for d, s in scores.items():
        into[d] = into.get(d, 0.0) + s * weight


def run(searcher, plan, allowed=None, sort_key=None, top: int = 10) -> tuple[int, list]:
    """Score ``plan``; return (number of matching documents, [(score, docnum)] best first,
    at most ``top``). ``allowed`` is a set of docnums (filters); ``sort_key(docnum)`` orders
    by something else than the score (descending)."""
    scorer = Scorer.of(searcher)
    units = [scorer.alternatives(alts, MATCH_FIELD) for alts in plan.required]
    n = len(units)
    if n == 1:
        totals = dict(units[0])
    else:
        need = 1 if n == 2 else n - 1  # AND-ish: one unit may be missing
        counts = Counter(chain.from_iterable(units))
        totals = {}
        for d, c in counts.items():
            if c >= need:
                # Documents with every unit first: a missing unit costs a share of the score.
                totals[d] = sum(u[d] for u in units if d in u) * (1 + c) / (1 + n)
    if allowed is not None:
        totals = {d: s for d, s in totals.items() if d in allowed}
    if not totals:
        return 0, []
    _bonus(scorer, plan, totals)
    if plan.phrase:  # the query as a phrase in the title (the title keeps positions)
        for d in searcher.docs_for_query(Phrase("title", plan.phrase, slop=2)):
            if d in totals:
                totals[d] *= PHRASE_BONUS
    key = (lambda d: (sort_key(d), totals[d])) if sort_key else totals.__getitem__
    best = heapq.nlargest(top, totals, key=key)
    return len(totals), [(totals[d], d) for d in best]


def _bonus(scorer: Scorer, plan, totals: dict) -> None:
    """Optional units, and matches in the title and the tags, add to matched documents."""
    for alts in plan.optional:
        for d, s in scorer.alternatives(alts, MATCH_FIELD).items():
            if d in totals:
                totals[d] += s
    for field, factor in BONUS_FIELDS.items():
        for alts in plan.required:
            for d, s in scorer.alternatives(alts, field, factor).items():
                if d in totals:
                    totals[d] += s
