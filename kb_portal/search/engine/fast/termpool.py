"""The postings of a segment being written, grouped by term in memory.

Whoosh's ``PostingPool`` keeps one ``(field, term, docnum, weight, value)`` tuple per posting
(about 200 bytes each), sorts them all at the end and spills sorted runs to disk on the way; for
a 5,000-article segment that is 2.5 million tuples to build, sort, marshal and merge. Here each
term gets arrays of document numbers and weights (about 16 bytes a posting, so nothing needs to
spill), and only the terms are sorted. :meth:`TermPool.grouped` hands each term's postings to
:meth:`.codec.KbFieldWriter.add_grouped` in one piece.

Fields in Whoosh's ``Frequency`` format (the big match field and the word list) take the
cheaper :meth:`TermPool.add_counts` path: a posting is a document number and a count in two
arrays, keyed by the term's text; the weights and encoded values Whoosh wants are made per term
when the segment is written, not per posting while documents are added.
"""
from array import array

from ..whoosh_private import pack_uint

# Frequency-format values are pack_uint(frequency): share the bytes objects of small counts.
_PACKED = tuple(pack_uint(n) for n in range(256))


def packed_count(n: int) -> bytes:
    """``pack_uint(n)``, shared for small ``n``."""
    return _PACKED[n] if n < 256 else pack_uint(n)


class TermPool:
    """Drop-in for Whoosh's ``PostingPool`` (``add``, ``iter_postings``, ``fieldnames``,
    ``cleanup``) plus :meth:`add_field`, :meth:`add_counts` and :meth:`grouped`.

    ``add``/``add_field`` keep ``(docnums, weights, values)`` per term in bytes (any format;
    Whoosh's merges add postings this way); ``add_counts`` keeps ``(docnums, counts)`` per term
    text (Frequency format). A field may receive both: a writer that adds documents and merges
    segments in one commit.
    """

    def __init__(self, *args, **kwargs):  # Whoosh passes (tempstore, segment, limitmb=…)
        self.generic: dict[str, dict[bytes, tuple]] = {}  # fieldname → {btext: postings}
        self.counted: dict[str, dict[str, tuple]] = {}  # fieldname → {text: postings}
        self.boosts: dict[str, float] = {}  # fieldname → field boost, for counted fields
        self._last: dict[str, int] = {}  # fieldname → last document number added
        self._unsorted: set[str] = set()  # fields whose documents came out of order

    @property
    def fieldnames(self) -> set[str]:
        return set(self.generic) | set(self.counted)

    def _terms(self, pools: dict, fieldname: str, docnum: int) -> dict:
        if docnum < self._last.get(fieldname, -1):
            self._unsorted.add(fieldname)  # cannot happen in add-then-merge order; stay correct
        self._last[fieldname] = docnum
        terms = pools.get(fieldname)
        if terms is None:
            terms = pools[fieldname] = {}
        return terms

    def add(self, item) -> None:
        """Whoosh's interface: one ``(fieldname, btext, docnum, weight, value)`` posting."""
        fieldname, btext, docnum, weight, value = item
        if docnum == -1:
            return  # a spelling-only entry: no field of our schema asks for those
        self.add_field(fieldname, docnum, ((btext, weight, value),))

    def add_field(self, fieldname: str, docnum: int, items) -> None:
        """All ``(btext, weight, value)`` postings of one document's field."""
        terms = self._terms(self.generic, fieldname, docnum)
        for btext, weight, value in items:
            entry = terms.get(btext)
            if entry is None:
                entry = terms[btext] = (array("I"), array("f"), [])
            entry[0].append(docnum)
            entry[1].append(weight)
            entry[2].append(value or b"")

    def add_counts(self, fieldname: str, docnum: int, counts: dict[str, int],
                   boost: float = 1.0) -> None:
        """One document's ``{term text: frequency}`` of a Frequency-format field."""
        terms = self._terms(self.counted, fieldname, docnum)
        self.boosts[fieldname] = boost
        for text, n in counts.items():
            entry = terms.get(text)
            if entry is None:
                terms[text] = (array("I", (docnum,)), array("I", (n,)))
            else:
                entry[0].append(docnum)
                entry[1].append(n)

    def grouped(self):
        """Yield ``(fieldname, btext, docnums, weights, values)`` in field and term order."""
        for fieldname in sorted(self.fieldnames):
            generic = self.generic.get(fieldname, {})
            counted = self.counted.get(fieldname, {})
            boost = self.boosts.get(fieldname, 1.0)
            if generic and counted:
                yield from _mixed(fieldname, generic, counted, boost)
                continue
            resort = fieldname in self._unsorted
            # Sorting texts sorts their UTF-8 bytes the same way.
            for key in sorted(generic or counted):
                if generic:
                    entry = generic[key]
                else:
                    entry = _from_counts(counted[key], boost)
                    key = key.encode("utf-8")
                yield (fieldname, key, *(_sorted_by_docnum(entry) if resort else entry))

    def iter_postings(self):
        """Whoosh's interface: every posting as a tuple, sorted."""
        for fieldname, btext, ids, weights, values in self.grouped():
            for docnum, weight, value in zip(ids, weights, values, strict=True):
                yield fieldname, btext, docnum, weight, value

    def save(self) -> None:
        """Nothing to spill: kept for Whoosh's interface."""

    def cleanup(self) -> None:
        self.generic.clear()
        self.counted.clear()
        self._last.clear()
        self._unsorted.clear()


def _from_counts(entry: tuple, boost: float) -> tuple:
    """``(docnums, counts)`` → ``(docnums, weights, values)`` as Whoosh's Frequency format
    records them (weight = count × field boost, value = the packed count)."""
    ids, counts = entry
    weights = array("f", counts if boost == 1.0 else (n * boost for n in counts))
    if max(counts) < len(_PACKED):
        return ids, weights, list(map(_PACKED.__getitem__, counts))  # no call per posting
    return ids, weights, [packed_count(n) for n in counts]


def _mixed(fieldname: str, generic: dict, counted: dict, boost: float):
    """:meth:`TermPool.grouped` for a field with postings on both paths."""
    merged = dict(generic)
    for text, entry in counted.items():
        key, postings = text.encode("utf-8"), _from_counts(entry, boost)
        if key in merged:
            postings = tuple(a + b for a, b in zip(merged[key], postings, strict=True))
        merged[key] = postings
    for key in sorted(merged):
        yield (fieldname, key, *_sorted_by_docnum(merged[key]))


def _sorted_by_docnum(entry: tuple) -> tuple:
    ids = entry[0]
    order = sorted(range(len(ids)), key=ids.__getitem__)
    return tuple(array(column.typecode, (column[i] for i in order))
                 if isinstance(column, array) else [column[i] for i in order]
                 for column in entry)
