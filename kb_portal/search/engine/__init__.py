"""The search engine: the one place that knows Whoosh.

The product side of search (``kb_portal/search/`` outside this package) talks to it through
the small interface in :mod:`.interface` only; :func:`make_engine` returns one of two
implementations of it:

* ``fast`` (default, ``engine/fast/``) — Whoosh's file format, written by our own codec and
  term pool on several cores, scored straight from posting blocks;
* ``reference`` (``engine/reference/``) — stock Whoosh through its public interface only.

This package imports neither Flask nor the app's models; it is handed the product's analyzer.
Whoosh also ships the Porter stemmer the analyzer uses: :func:`porter_stem` re-exports it so
that no module outside this package imports Whoosh.
"""
from whoosh.lang.porter import stem as porter_stem

from .base import MISSING
from .interface import (
    EngineError,
    IndexBusyError,
    IndexCorruptError,
    SearchEngine,
    SegmentProblem,
    Snapshot,
    TextAnalyzer,
    WriteSession,
)
from .plan import Match, QueryPlan
from .schema import BONUS_FIELDS, FILTER_FIELDS, MATCH_FIELD, WORDS_FIELD

ENGINES = ("fast", "reference")


def make_engine(kind: str, path, analyzer: TextAnalyzer, *, lock_timeout: float = 30.0,
                procs: int = 1) -> SearchEngine:
    """An engine of ``kind`` (:data:`ENGINES`) on the index directory ``path``.

    ``lock_timeout``: seconds a write waits for the lock unless told otherwise; ``procs``:
    processes a bulk write may use (the fast engine; the reference engine uses one).
    """
    if kind == "fast":
        from .fast import FastEngine as Engine
    elif kind == "reference":
        from .reference import ReferenceEngine as Engine
    else:
        raise ValueError(f"unknown search engine {kind!r}; choose one of {', '.join(ENGINES)}")
    return Engine(path, analyzer, lock_timeout=lock_timeout, procs=procs)


__all__ = [
    "BONUS_FIELDS",
    "ENGINES",
    "FILTER_FIELDS",
    "MATCH_FIELD",
    "MISSING",
    "WORDS_FIELD",
    "EngineError",
    "IndexBusyError",
    "IndexCorruptError",
    "Match",
    "QueryPlan",
    "SearchEngine",
    "SegmentProblem",
    "Snapshot",
    "TextAnalyzer",
    "WriteSession",
    "make_engine",
    "porter_stem",
]
