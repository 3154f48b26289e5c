"""The postings of a segment being written, grouped by term in memory.

Whoosh's ``PostingPool`` keeps one ``(field, term, docnum, weight, value)`` tuple per posting
(about 200 bytes each), sorts them all at the end and spills sorted runs to disk on the way; for
a 5,000-article segment that is 2.5 million tuples to build, sort, marshal and merge. Here each
term gets arrays of document numbers and weights (about 16 bytes a posting, so nothing needs to
spill), and only the terms are sorted. :meth:`TermPool.grouped` hands each term's postings to
:meth:`kb_portal.search.codec.KbFieldWriter.add_grouped` in one piece.
"""
from array import array

from whoosh.system import pack_uint

# Frequency-format values are pack_uint(frequency): share the bytes objects of small counts.
_PACKED = tuple(pack_uint(n) for n in range(256))


def packed_count(n: int) -> bytes:
    """``pack_uint(n)``, shared for small ``n``."""
    return _PACKED[n] if n < 256 else pack_uint(n)


class TermPool:
    """Drop-in for Whoosh's ``PostingPool`` (``add``, ``iter_postings``, ``fieldnames``,
    ``cleanup``) plus :meth:`add_field` and :meth:`grouped`."""

    def __init__(self, *args, **kwargs):  # Whoosh passes (tempstore, segment, limitmb=…)
        self.terms: dict[tuple[str, bytes], tuple[array, array, list]] = {}
        self.fieldnames: set[str] = set()
        self._unsorted: set[tuple[str, bytes]] = set()

    def add(self, item) -> None:
        """Whoosh's interface: one ``(fieldname, btext, docnum, weight, value)`` posting."""
        fieldname, btext, docnum, weight, value = item
        if docnum == -1:
            return  # a spelling-only entry: no field of our schema asks for those
        self.fieldnames.add(fieldname)
        self._append((fieldname, btext), docnum, weight, value)

    def add_field(self, fieldname: str, docnum: int, items) -> None:
        """All ``(btext, weight, value)`` postings of one document's field."""
        self.fieldnames.add(fieldname)
        for btext, weight, value in items:
            self._append((fieldname, btext), docnum, weight, value)

    def _append(self, key, docnum: int, weight: float, value) -> None:
        entry = self.terms.get(key)
        if entry is None:
            entry = self.terms[key] = (array("I"), array("f"), [])
        elif entry[0][-1] > docnum:
            self._unsorted.add(key)  # cannot happen in add-then-merge order; stay correct
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].append(value or b"")

    def grouped(self):
        """Yield ``(fieldname, btext, docnums, weights, values)`` in term order."""
        for key in sorted(self.terms):
            ids, weights, values = self.terms[key]
            if key in self._unsorted:
                order = sorted(range(len(ids)), key=ids.__getitem__)
                ids = array("I", (ids[i] for i in order))
                weights = array("f", (weights[i] for i in order))
                values = [values[i] for i in order]
            yield key[0], key[1], ids, weights, values

    def iter_postings(self):
        """Whoosh's interface: every posting as a tuple, sorted."""
        for fieldname, btext, ids, weights, values in self.grouped():
            for docnum, weight, value in zip(ids, weights, values, strict=True):
                yield fieldname, btext, docnum, weight, value

    def save(self) -> None:
        """Nothing to spill: kept for Whoosh's interface."""

    def cleanup(self) -> None:
        self.terms.clear()
        self._unsorted.clear()
