"""How a query plan is scored, for both engines: BM25 per term, units combined AND-ish.

An engine supplies one thing, :meth:`alternative` — ``{ref: score}`` of one alternative of a
unit in one field, BM25 (k1 = 1.2, b = 0.75, idf = ln(1 + (N − df + ½)/(df + ½)), lengths as
Whoosh stores them; the terms of a set summed, the units of a list all required and summed) —
and this module does the rest the same way for both:

* a unit scores its best alternative (times its weight) plus :data:`TIE` of the others
  (:func:`dismax`): a document that says one thing five ways (an overview naming a product in
  every synonym) must not outrank the one that answers the rest of the question;
* one unit must match; with two either may; with three or more a document may miss one, and
  documents with every unit rank first (a missing unit costs a share of the score); when no
  document has all but one and the plan allows it (``spread``: its units are words the
  index knows, not last-resort fragments), those with the most units answer;
* a ``context`` unit (a product word framing the question) scores the same in every document
  titled or tagged with it, when some document has every unit (:func:`_settle_context`);
* filters keep only the allowed documents;
* optional units add to the documents that matched, and so do matches of the required units
  in the title (× 2) and the tags (× 1.5) (:data:`~.schema.BONUS_FIELDS`) — the latter only for
  the *full answers*, when there are any: with two units the documents that matched both (when
  no article has both the product and the problem the caller named, the one titled with the
  product must not outrank the one that covers the problem), with three or more those that
  missed at most one (a generic word only one article happens to have must not make it the
  only one to get the bonus);
* the plan's ``boost`` (clicks) multiplies the score of documents that matched;
* the query as a phrase in the title (slop 2) multiplies the score by 1.3;
* the best ``top`` by score, or by a sort column with the score breaking ties.
"""
import heapq
import math
from collections import Counter
from itertools import chain
from threading import Lock

from whoosh.query import And, Phrase, Term

from .schema import BONUS_FIELDS, MATCH_FIELD

K1, B = 1.2, 0.75
PHRASE_BONUS = 1.3
TIE = 0.2  # share of a unit's other matching alternatives added to its best one


def idf(df: int, total: int) -> float:
    """BM25's idf as both engines compute it (module docstring)."""
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def dismax(scored) -> dict[int, float]:
    """``scored``: ``(weight, {ref: score})`` per alternative. Per document, the best weighted
    score plus :data:`TIE` times the sum of the others."""
    best: dict[int, float] = {}
    rest: dict[int, float] = {}
    for weight, scores in scored:
        if not best:  # the first alternative is everyone's best so far: one comprehension
            best = {d: sc * weight for d, sc in scores.items()}
            continue
        for d, sc in scores.items():
            sc *= weight
            old = best.get(d)
            if old is None:
                best[d] = sc
            elif sc > old:
                rest[d] = rest.get(d, 0.0) + old
                best[d] = sc
            else:
                rest[d] = rest.get(d, 0.0) + sc
    for d, sc in rest.items():
        best[d] += TIE * sc
    return best


def all_of(parts: list[dict]) -> dict[int, float]:
    """Documents in every dict, scores summed (a single dict is returned as it is)."""
    if len(parts) <= 1:
        return parts[0] if parts else {}
    common = set(parts[0]).intersection(*parts[1:])
    return {d: sum(p[d] for p in parts) for d in common}


def add(into: dict, scores: dict, weight: float) -> None:
    for d, s in scores.items():
        into[d] = into.get(d, 0.0) + s * weight


def and_ish(units: list[dict], allowed: set | None = None,
            spread: bool = False) -> tuple[dict[int, float], set | None]:
    """Combine the units' scores (see the module docstring); also the full answers (None:
    with one unit, all are): the documents that matched every unit, or with three or more
    units all but one. Only ``allowed`` documents count (None: all).

    With ``spread`` and three or more units, when no document has all but one of them, the
    documents with the most of them answer (the missing units cost their share as always):
    a long question whose words are spread over several articles — every word somewhere, no
    article with nearly all — must not come back empty while articles share words with it."""
    n = len(units)
    if n == 1:
        return {d: s for d, s in units[0].items() if allowed is None or d in allowed}, None
    if n == 2:
        return _either(*units, allowed)
    docs = chain.from_iterable(units)
    counts = Counter(docs if allowed is None else (d for d in docs if d in allowed))
    if not counts:
        return {}, set()
    need = min(n - 1, max(counts.values())) if spread else n - 1
    totals = {}
    for d, c in counts.items():
        if c >= need:
            totals[d] = sum(u[d] for u in units if d in u) * (1 + c) / (1 + n)
    return totals, {d for d, c in counts.items() if c >= n - 1}


def _either(a: dict, b: dict, allowed) -> tuple[dict[int, float], set]:
    """``and_ish`` for two units, with set and dict operations instead of counting each
    document (broad two-word questions read tens of thousands): one unit scores two thirds of
    its score, both their sum (the same arithmetic as the general case)."""
    if allowed is not None:
        a = {d: s for d, s in a.items() if d in allowed}
        b = {d: s for d, s in b.items() if d in allowed}
    both = a.keys() & b.keys()
    totals = {d: s * 2 / 3 for d, s in a.items()}
    totals.update({d: s * 2 / 3 for d, s in b.items()})
    totals.update({d: (a[d] + b[d]) * 3 / 3 for d in both})
    return totals, both


def _settle_context(snapshot, plan, units: list[dict], allowed) -> set[int]:
    """Give the articles *about* a product the query names one and the same score for it.

    A context unit (``plan.context``: a product word, found with its model codes in a few
    titles) is what the caller's question is about, not what it asks: among the articles whose
    title or tags name the product, its overview says the product most often and would win on
    that alone, while the fault article answers the rest of the question. So when some
    document matches every unit, each such article gets the best of them for the unit (body,
    title and tags together) and the other units decide between them; articles that merely
    mention the product keep their body score. Changes ``units`` in place; returns the
    indexes settled (their title and tags bonus is already in)."""
    if not plan.context or len(units) < 2:
        return set()
    present = set(units[0]).intersection(*units[1:])
    if allowed is not None:
        present &= allowed
    if not present:  # no article has it all: the product must not outrank the problem
        return set()
    settled = set()
    for i in plan.context:
        whole = dict(units[i])
        about = set()
        for field, factor in BONUS_FIELDS.items():
            for d, s in snapshot.alternatives(plan.required[i], field, factor).items():
                whole[d] = whole.get(d, 0.0) + s
                about.add(d)
        if about:
            best = max(whole[d] for d in about)
            units[i] = {**units[i], **dict.fromkeys(about, best)}
        settled.add(i)  # with no title or tags match either, there is no bonus to add later
    return settled


def allowed_refs(searcher, filters: dict | None) -> set[int] | None:
    """Document refs that pass ``filters`` (None: no filter)."""
    terms = [Term(name, value) for name, value in (filters or {}).items() if value]
    if not terms:
        return None
    return set(searcher.docs_for_query(And(terms)))


def run(snapshot, plan, allowed, sort_key, top: int) -> tuple[int, list]:
    """Score ``plan`` on ``snapshot`` (an engine's :class:`~.base.BaseSnapshot`)."""
    units = [snapshot.alternatives(alts, MATCH_FIELD) for alts in plan.required]
    if not units:
        return 0, []
    settled = _settle_context(snapshot, plan, units, allowed)
    totals, full = and_ish(units, allowed, plan.spread)
    if not totals:
        return 0, []
    for alts in plan.optional:
        for d, s in snapshot.alternatives(alts, MATCH_FIELD).items():
            if d in totals:
                totals[d] += s
    if full is None or full:  # no title or tags bonus when no document is a full answer
        for field, factor in BONUS_FIELDS.items():
            for i, alts in enumerate(plan.required):
                if i in settled:
                    continue
                for d, s in snapshot.alternatives(alts, field, factor).items():
                    if d in totals and (full is None or d in full):
                        totals[d] += s
    for doc_id, factor in plan.boost.items():  # clicks: only what matched anyway
        d = snapshot.ref_of(doc_id)
        if d in totals:
            totals[d] *= factor
    if plan.phrase:  # the query as a phrase in the title (the title keeps positions)
        for d in snapshot.searcher.docs_for_query(Phrase("title", plan.phrase, slop=2)):
            if d in totals:
                totals[d] *= PHRASE_BONUS
    key = (lambda d: (sort_key(d), totals[d])) if sort_key else totals.__getitem__
    best = heapq.nlargest(top, totals, key=key)
    return len(totals), [(totals[d], d) for d in best]


class BoundedCache:
    """A small thread-safe LRU mapping: engine caches must not grow with the index's
    history (every save makes a new segment). ``size`` bounds the number of entries, or with
    ``weigh`` (value → weight) their total weight."""

    def __init__(self, size: int, weigh=None):
        self.size = size
        self._weigh = weigh or (lambda _value: 1)
        self._weight = 0
        self._data: dict = {}
        self._lock = Lock()

    def get(self, key):
        with self._lock:
            value = self._data.pop(key, None)
            if value is not None:
                self._data[key] = value  # most recently used last
            return value

    def put(self, key, value) -> None:
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._weight -= self._weigh(old)
            self._data[key] = value
            self._weight += self._weigh(value)
            while self._weight > self.size and self._data:
                self._weight -= self._weigh(self._data.pop(next(iter(self._data))))

    def __len__(self) -> int:
        return len(self._data)
