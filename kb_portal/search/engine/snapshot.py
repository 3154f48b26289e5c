"""The snapshot both Whoosh engines share: one open searcher (one index generation) and what
the product asks of it — scoring a plan (``combine.py`` does the work, the engine supplies one
alternative's scores), stored fields, vocabulary look-ups, the fingerprint the reconcile
compares, and memos that live exactly as long as the generation.
"""
from typing import TYPE_CHECKING

from . import combine
from .interface import Snapshot

if TYPE_CHECKING:
    from .base import WhooshEngine


class BaseSnapshot(Snapshot):
    """One Whoosh searcher (one generation). Engines add :meth:`alternative`."""

    def __init__(self, engine: "WhooshEngine", searcher):
        self.engine = engine
        self.searcher = searcher
        self.reader = searcher.reader()
        self._memo: dict = {}

    # -- what engines provide -------------------------------------------------------------
    def alternative(self, what, field: str) -> dict[int, float]:
        """``{ref: score}`` of one alternative of a unit in ``field``: a set of terms (any,
        scores summed) or a list of matches (all, summed); see ``combine.py``."""
        raise NotImplementedError

    def alternatives(self, alts, field: str, factor: float = 1.0) -> dict[int, float]:
        """``{ref: score}`` of one unit's ``(weight, what)`` alternatives (``combine.dismax``)."""
        return combine.dismax((weight * factor, self.alternative(what, field))
                              for weight, what in alts)

    def warm(self) -> None:
        """Nothing to build: stock Whoosh keeps no caches of its own between searches."""

    def _fingerprint(self) -> tuple[int, int]:
        count = total = 0
        if self.reader.doc_count_all():
            revs = self.reader.column_reader("rev", translate=True)
            for docnum in self.reader.all_doc_ids():
                count += 1
                total += int(revs[docnum])
        return count, total

    # -- the interface ----------------------------------------------------------------------
    def memo(self, name, make):
        value = self._memo.get(name)
        if value is None:
            value = self._memo[name] = make(self)
        return value

    def forget(self, name) -> None:
        self._memo.pop(name, None)

    def doc_count(self) -> int:
        return self.searcher.doc_count()

    def fingerprint(self) -> tuple[int, int]:
        with self.engine.reading():
            return self.memo("fingerprint", type(self)._fingerprint)

    def state(self, ids=None) -> dict[int, int]:
        with self.engine.reading():
            return index_state(self.reader, ids)

    def segment_count(self) -> int:
        return len(self.reader.leaf_readers())

    def has_deletions(self) -> bool:
        return self.reader.has_deletions()

    def run(self, plan, filters=None, sort=None, top: int = 10):
        with self.engine.reading():
            allowed = combine.allowed_refs(self.searcher, filters)
            sort_key = None
            if sort:
                sort_key = self.reader.column_reader(sort).__getitem__
            return combine.run(self, plan, allowed, sort_key, top)

    def stored(self, ref: int) -> dict:
        with self.engine.reading():
            return self.searcher.stored_fields(ref)

    def all_stored(self):
        return self.searcher.all_stored_fields()

    def doc_frequency(self, field: str, term: str) -> int:
        return self.reader.doc_frequency(field, term)

    def refs_with(self, field: str, term: str) -> list[int]:
        with self.engine.reading():
            if (field, term) not in self.reader:
                return []
            ids = self.reader.column_reader("id", translate=True)
            refs = [d for d in self.reader.postings(field, term).all_ids()
                    if not self.reader.is_deleted(d)]
            return sorted(refs, key=lambda d: int(ids[d]))

    def ref_of(self, doc_id: int) -> int | None:
        return self.searcher.document_number(id=str(doc_id))

    def prefix_terms(self, field: str, prefix: str, limit: int, scan: int) -> list[str]:
        # iter_prefix hands over each term's statistics, so ranking costs no extra look-ups.
        found = []
        with self.engine.reading():
            for n, (btext, info) in enumerate(self.reader.iter_prefix(field, prefix)):
                if n >= scan:
                    break
                text = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                found.append((-info.doc_frequency(), text))
        return [text for _, text in sorted(found)[:limit]]

    def near_terms(self, field: str, word: str, maxdist: int) -> list[str]:
        with self.engine.reading():
            return list(self.reader.terms_within(field, word, maxdist, prefix=1))


def index_state(reader, ids=None) -> dict[int, int]:
    """``{id: rev}`` of the live documents (all, or ``ids``), read from columns (fast)."""
    if not reader.doc_count_all():
        return {}
    revs = reader.column_reader("rev", translate=True)
    if ids is None:
        ids_column = reader.column_reader("id", translate=True)
        return {int(ids_column[n]): int(revs[n]) for n in reader.all_doc_ids()}
    state = {}
    for aid in ids:
        if ("id", str(aid)) not in reader:
            continue
        for docnum in reader.postings("id", str(aid)).all_ids():
            if not reader.is_deleted(docnum):
                state[int(aid)] = int(revs[docnum])
    return state
