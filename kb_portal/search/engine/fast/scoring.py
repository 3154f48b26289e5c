"""Scoring straight from Whoosh's posting blocks (the fast engine's half of ``combine.py``).

Why not Whoosh's own matcher tree: it walks every matching document through a Python object
per clause, and an agent's broad query ("客户", a one-character prefix, a synonym group) over
10,000 articles visits thousands of documents × dozens of clauses — hundreds of milliseconds.
Here each term's postings are read block by block into a dict (BM25, the same statistics), the
clauses are combined with dict operations, and only the top results are looked at further.
That keeps broad queries within tens of milliseconds. A term's scores are kept for the
snapshot's life (:data:`TERM_CACHE_ENTRIES`): the keystrokes of one question, and the
questions of a shift, ask for the same terms again — a synonym group's members, a prefix's
expansions — and a generation lasts until the next save.

A posting list comes as Whoosh's block matcher (decoded a block at a time through its private
methods, ``whoosh_private.py``) or, for terms in fewer than 8 documents, as a list matcher
inside the term entry. Anything else goes through Whoosh's generic matcher interface and is
counted in the engine's ``fallbacks`` — tests assert that normal use counts none.
"""
from types import MappingProxyType

from ..combine import K1, B, BoundedCache, add, all_of, idf
from ..whoosh_private import FilterMatcher, ListMatcher, W3LeafMatcher

TERM_CACHE_ENTRIES = 100_000  # (document, score) pairs a snapshot keeps: about 9 MB


class Scorer:
    """BM25 over one snapshot's segments (one scorer per snapshot, i.e. per generation)."""

    def __init__(self, snapshot):
        self.engine = snapshot.engine
        self.searcher = snapshot.searcher
        self.leaves = snapshot.reader.leaf_readers()  # [(segment reader, docnum offset)]
        self.total_docs = max(1, self.searcher.doc_count_all())
        self._avg: dict[str, float] = {}
        self._terms = BoundedCache(TERM_CACHE_ENTRIES, weigh=lambda scores: len(scores) + 1)

    def _norm(self, field: str, n: int, reader) -> list[float]:
        """Per document of one segment: K1 × (1 − B + B × length / average length).

        Kept in the engine's bounded cache per (segment, field, average length): segments
        never change (deletions do not touch lengths), so a new generation after a save only
        computes its new small segment."""
        if field not in self._avg:
            self._avg[field] = self.searcher.avg_field_length(field, 1.0) or 1.0
        avg = self._avg[field]
        key = (self.engine.segment_key(reader, n), field, avg)
        norms = self.engine.norms.get(key)
        if norms is None:
            # Whoosh answers None (not the default) for a zero length stored in a segment
            # that has the column: an article without tags among tagged ones after a reindex.
            norms = [K1 * (1 - B + B * (reader.doc_field_length(d, field, 0) or 0) / avg)
                     for d in range(reader.doc_count_all())]
            self.engine.norms.put(key, norms)
        return norms

    def warm(self, fields) -> None:
        """Compute the norms of ``fields`` in every segment now (kept in the engine's cache)."""
        for field in fields:
            for n, (reader, _offset) in enumerate(self.leaves):
                self._norm(field, n, reader)

    def term(self, field: str, text: str):
        """{ref: BM25 score} of one term (deleted documents left out), read-only: it is kept
        for the next search of this snapshot."""
        scores = self._terms.get((field, text))
        if scores is None:
            scores = MappingProxyType(self._read_term(field, text))
            self._terms.put((field, text), scores)
        return scores

    def _read_term(self, field: str, text: str) -> dict[int, float]:
        df = self.searcher.doc_frequency(field, text)
        if not df:
            return {}
        c = idf(df, self.total_docs) * (K1 + 1)
        scores: dict[int, float] = {}
        for n, (reader, offset) in enumerate(self.leaves):
            if (field, text) not in reader:
                continue
            norm = self._norm(field, n, reader)
            m = _leaf(reader.postings(field, text))
            if type(m) is W3LeafMatcher:
                while m.is_active():  # block by block: Whoosh decodes a block into arrays
                    m._read_ids()
                    m._read_weights()
                    scores.update({doc + offset: c * tf / (tf + norm[doc])
                                   for doc, tf in zip(m._ids, m._weights, strict=True)})
                    m._next_block()
            elif type(m) is ListMatcher:  # a short list kept inside the term entry
                weights = ([m._all_weights] * len(m._ids) if m._all_weights
                           else m._weights or [1.0] * len(m._ids))
                scores.update({doc + offset: c * tf / (tf + norm[doc])
                               for doc, tf in zip(m._ids, weights, strict=True)})
            else:  # unknown to this engine: Whoosh's generic (slower) matcher interface
                self.engine.fallbacks["postings"] += 1
                while m.is_active():
                    tf = m.weight()
                    scores[m.id() + offset] = c * tf / (tf + norm[m.id()])
                    m.next()
            if reader.has_deletions():  # the segment's few deleted documents, not each posting
                for doc in reader.deleted_docs_set:
                    scores.pop(doc + offset, None)
        return scores

    def unit(self, unit, field: str) -> dict[int, float]:
        """A unit in ``field``: all its terms (summed), or its joined code form."""
        scores = all_of([self.term(field, t) for t in unit.terms])
        if unit.joined:
            scores = dict(scores)
            add(scores, self.term(field, unit.joined), 1.0)
        return scores

    def alternative(self, what, field: str) -> dict[int, float]:
        """One alternative: any of a set of terms (summed), or all of a list of matches."""
        if isinstance(what, set):
            scores: dict[int, float] = {}
            for text in what:
                add(scores, self.term(field, text), 1.0)
            return scores
        return all_of([self.unit(u, field) for u in what])


def _leaf(matcher):
    """The posting-list matcher itself: a segment with deletions wraps it in a filter (the
    deleted documents are left out by :meth:`Scorer.term` instead)."""
    while type(matcher) is FilterMatcher:
        matcher = matcher.child
    return matcher
