"""Helpers for bulk imports: pure functions on all cores, fewer garbage-collector passes.

:func:`bulk_map` runs a pure function over many items in forked helper processes while the
caller consumes the results (an import writes the database meanwhile).

CPython's cyclic collector runs a young-generation pass every 700 new container objects and,
now and then, a pass over everything alive. A bulk import creates millions of short-lived
containers (ORM rows, index postings) while the app, jieba's dictionary and the pending rows
stay alive, so those passes cost time for nothing: what bulk work creates is reference-counted
away, not cyclic garbage. During bulk work the objects that already exist are frozen out of the
collector (``gc.freeze``) and the young generation is collected 50 times less often; both are
undone afterwards. The importer's database side went from about 300 to 315 articles/s at
10,000 articles (``bench/import_bench.py``). Helper processes forked meanwhile inherit it.
"""
import gc
import multiprocessing
import os
import threading
from contextlib import contextmanager

from .children import die_with_parent

PARALLEL_MIN = 200  # from this many items on, bulk_map uses helper processes
BULK_THRESHOLD = 35_000  # new container objects between young-generation passes

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections():
    """Run the body with the collector tuned for bulk work (nests; process-wide)."""
    global _depth, _saved
    with _lock:
        _depth += 1
        if _depth == 1:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(BULK_THRESHOLD, _saved[1], _saved[2])
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)
                gc.unfreeze()


def bulk_map(func, items: list, procs: int = 1, chunksize: int = 8):
    """``map(func, items)`` as an iterator, in order. With ``procs`` > 1 and many items,
    ``procs`` forked helpers compute ahead while the caller consumes. ``func`` must be pure
    (a helper must not touch the database: a forked connection is not usable) and return
    picklable values; exceptions should be returned as values, since one raised in a helper
    ends the whole map."""
    if procs < 2 or len(items) < PARALLEL_MIN:
        return map(func, items)
    return _in_pool(func, items, procs, chunksize)


def _in_pool(func, items: list, procs: int, chunksize: int):
    ctx = multiprocessing.get_context("fork")
    # Terminated on exit, also when the caller stops early; and should the caller be killed
    # (kill -9), the kernel ends the helpers too (kb_portal/children.py).
    with ctx.Pool(procs, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        yield from pool.imap(func, items, chunksize=chunksize)
