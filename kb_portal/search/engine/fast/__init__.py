"""The fast engine: Whoosh's W3 format, written and scored by our own code.

Whoosh is pure Python; the speed comes from doing less Python work per posting (see
docs/search.md, "How writing is made fast"): the codec and term pool (``codec.py``,
``termpool.py``, ``fields.py``), bulk indexing on several cores (``parallel.py``), scoring from
posting blocks (``scoring.py``), and per-segment caches (fingerprint sums, length norms) that a
new generation after a save mostly reuses. Everything private it uses of Whoosh is listed in
``../whoosh_private.py``; where it meets something it does not know it takes Whoosh's generic
path and counts it in :attr:`FastEngine.fallbacks`.
"""
import logging
from collections import Counter

from ..base import BaseSession, WhooshEngine
from ..combine import BoundedCache
from ..schema import make_schema
from ..snapshot import BaseSnapshot
from .codec import KbSegmentWriter
from .fields import MatchText, WordList
from .parallel import ParallelAdder
from .scoring import Scorer

log = logging.getLogger(__name__)
BULK = 300  # from this many new documents on, indexing uses several processes
CACHE_SEGMENTS = 256  # per-segment cache entries kept (segments come and go with saves)


class FastSnapshot(BaseSnapshot):
    def alternative(self, what, field: str) -> dict[int, float]:
        return self.memo("scorer", Scorer).alternative(what, field)

    def warm(self) -> None:
        """The length norms of every scored field in every segment: at 50,000 articles they
        cost a worker's first searches about a second."""
        self.memo("scorer", Scorer).warm(
            name for name, field in self.searcher.schema.items() if field.scorable)

    def _fingerprint(self) -> tuple[int, int]:
        """A segment never changes except for deletions, so its (documents, sum of revisions)
        is computed once and its (few) deleted documents subtracted: after a save only the new
        small segment is read."""
        count = total = 0
        for n, (leaf, _offset) in enumerate(self.reader.leaf_readers()):
            if not leaf.doc_count_all():
                continue
            key = self.engine.segment_key(leaf, n)
            revs = leaf.column_reader("rev", translate=True)
            sums = self.engine.segment_sums.get(key)
            if sums is None:
                sums = (leaf.doc_count_all(),
                        sum(int(revs[d]) for d in range(leaf.doc_count_all())))
                self.engine.segment_sums.put(key, sums)
            deleted = list(leaf.deleted_docs_set) if leaf.has_deletions() else []
            count += sums[0] - len(deleted)
            total += sums[1] - sum(int(revs[d]) for d in deleted)
        return count, total


class FastSession(BaseSession):
    def add_many(self, items, build, count: int, progress=None) -> None:
        """Many documents are indexed on all cores (:class:`~.parallel.ParallelAdder`)."""
        procs = self.engine.procs if count >= BULK else 1
        with ParallelAdder(self.writer, procs, build, self.engine.owner) as adder:
            for n, item in enumerate(items, 1):
                adder.add(item)
                if progress:
                    progress(n, count, item)
        self.engine.last_bulk = (adder.handed_out, adder.kept)
        if procs > 1:
            log.info("indexing batches: %d in helper processes, %d in this one",
                     adder.handed_out, adder.kept)


class FastEngine(WhooshEngine):
    """See the module docstring."""

    name = "fast"
    FORMAT = 2  # 2: the codec moved to engine/fast (its class path is in the index)
    snapshot_class = FastSnapshot
    session_class = FastSession

    def __init__(self, path, analyzer, **options):
        super().__init__(path, analyzer, **options)
        self.fallbacks: Counter = Counter()  # slow paths taken, by kind (tests expect none)
        self.norms = BoundedCache(CACHE_SEGMENTS * 4)  # (segment, field, avg) → length norms
        self.segment_sums = BoundedCache(CACHE_SEGMENTS)  # segment → (documents, sum of revs)
        self.last_bulk = (0, 0)  # batches indexed by helpers / by this process, last add_many

    def make_schema(self):
        return make_schema(self.analyzer, MatchText, WordList)

    def new_writer(self, ix):
        return KbSegmentWriter(ix)

    def segment_key(self, reader, n: int):
        """What identifies a segment across generations (its id), for the caches."""
        segment = reader.segment()
        if segment is None:
            self.fallbacks["segment-id"] += 1
            return (id(reader), n)
        return (segment.segment_id(), segment.index_name())
