"""The reference engine: stock Whoosh, public interface only.

Its own writer (Whoosh's ``SegmentWriter`` with the W3 codec and Whoosh's own ``TEXT`` and
``KEYWORD`` fields, one process) and its own matcher (each alternative of a unit becomes a
Whoosh query — ``Or`` of ``Term`` for a set, ``And`` of the units' queries for a list — scored
by Whoosh's matcher tree with a :class:`KbBM25` weighting, Whoosh's documented extension
point; ``combine.dismax`` weighs and combines them, as for the fast engine). It is slower,
and exists so that the fast engine can be checked against something plain:
``tests/search/engine`` runs the same suite on both and compares their ranked results on the
demo content and on a generated corpus.
"""
from whoosh.query import And, Or, Term
from whoosh.scoring import BaseScorer, WeightingModel

from ..base import WhooshEngine
from ..combine import K1, B, idf
from ..snapshot import BaseSnapshot


class KbBM25(WeightingModel):
    """BM25 as ``combine.py`` defines it (Whoosh's own BM25F uses another idf)."""

    def supports_block_quality(self) -> bool:
        return False

    def scorer(self, searcher, fieldname, text, qf=1):
        return KbBM25Scorer(searcher, fieldname, text)


class KbBM25Scorer(BaseScorer):
    def __init__(self, searcher, fieldname: str, text):
        parent = searcher.get_parent()  # statistics of the whole index, not one segment
        df = parent.doc_frequency(fieldname, text)
        total = max(1, parent.doc_count_all())
        self.c = idf(df, total) * (K1 + 1)
        self.avg = parent.avg_field_length(fieldname, 1.0) or 1.0
        self.length = searcher.doc_field_length  # this segment's documents
        self.fieldname = fieldname

    def supports_block_quality(self) -> bool:
        return False

    def score(self, matcher) -> float:
        tf = matcher.weight()
        # None, not the default, for a zero length stored in a segment (see fast/scoring.py)
        length = self.length(matcher.id(), self.fieldname, 0) or 0
        norm = K1 * (1 - B + B * length / self.avg)
        return self.c * tf / (tf + norm)


def unit_query(unit, field: str):
    """All the unit's terms, or its joined code form (scores added where both match)."""
    terms = [Term(field, t) for t in unit.terms]
    query = terms[0] if len(terms) == 1 else And(terms)
    return Or([query, Term(field, unit.joined)]) if unit.joined else query


def alternative_query(what, field: str):
    """Any term of a set (scores summed), or every unit of a list (summed); None: nothing."""
    if isinstance(what, set):
        terms = [Term(field, text) for text in sorted(what)]
        return Or(terms) if len(terms) > 1 else (terms[0] if terms else None)
    units = [unit_query(u, field) for u in what]
    return And(units) if len(units) > 1 else (units[0] if units else None)


class ReferenceSnapshot(BaseSnapshot):
    def alternative(self, what, field: str) -> dict[int, float]:
        query = alternative_query(what, field)
        scores: dict[int, float] = {}
        if query is None:
            return scores
        matcher = query.matcher(self.searcher)
        while matcher.is_active():
            scores[matcher.id()] = matcher.score()
            matcher.next()
        return scores


class ReferenceEngine(WhooshEngine):
    """See the module docstring."""

    name = "reference"
    FORMAT = 1
    snapshot_class = ReferenceSnapshot

    def new_writer(self, ix):
        return ix.writer()  # timeout 0: raises LockError at once when the lock is taken

    def open_searcher(self, ix):
        return ix.searcher(weighting=KbBM25())
