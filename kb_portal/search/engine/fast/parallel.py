"""Index many documents on several cores (Whoosh is pure Python: one process uses one core).

:class:`ParallelAdder` wraps a :class:`~.codec.KbSegmentWriter`. Documents
are built by the calling process (it alone talks to the database) and handed out in batches:
a batch goes to a helper process when one is free to take it, otherwise the writer's own
process indexes it. That balances itself whatever the other work of the calling process costs.
Each helper writes a segment of its own and sends it back; the segments become part of the
writer's commit, so readers see all of them at once or none.

Helpers are forked and only touch the index directory, never the database (a forked copy of
a database connection must not be used). Whoosh's own multi-process writer works the same way.

Helpers must never outlive the writer: forked while it holds the index's write lock, they
inherit the lock file, and an orphan would keep the index locked (and ~200 MB) for ever. So
each helper closes its copy of the lock file first thing, asks the kernel to kill it when its
parent dies (``kb_portal/children.py``), and is recorded in the lock's owner file, from where a
later writer can clear it should it survive anyway (``engine/locking.py``).
"""
import multiprocessing
import os
import queue
import time

from ....children import die_with_parent
from ..interface import EngineError
from .codec import KbSegmentWriter

BATCH = 20  # documents per hand-out: small enough to balance, big enough to amortise pickling
HELPER_TIMEOUT = 600.0  # seconds a helper may take to finish its segment after the last batch


class IndexHelperError(EngineError):
    """A helper process died or reported an error; the caller's writer should be cancelled."""


class ParallelAdder:
    """``with ParallelAdder(writer, procs, build) as adder: adder.add(item)`` adds the new
    document ``build(item)`` for each item; ``build`` runs in whichever process indexes it."""

    def __init__(self, writer: KbSegmentWriter, procs: int, build, owner=None):
        self.writer = writer
        self.owner = owner  # the lock's LockOwner: helpers are recorded there
        self.build = build
        self.helpers_wanted = max(0, procs - 1)
        self._batch: list[dict] = []
        self._helpers: list = []
        self._jobs = self._results = None
        self.handed_out = self.kept = 0  # batches given to helpers / indexed here

    def __enter__(self):
        if self.helpers_wanted:
            ctx = multiprocessing.get_context("fork")
            self._jobs = ctx.Queue(maxsize=2 * self.helpers_wanted)
            # Should this process exit mid-write (a daemon thread's reconcile when a command or
            # script ends), multiprocessing ends the helpers first and would then wait for ever
            # for this queue's feeder thread, blocked on a pipe nobody reads. Only this process
            # puts batches; the helpers' results queue must still be flushed when they exit.
            self._jobs.cancel_join_thread()
            self._results = ctx.Queue()
            lock = getattr(self.writer, "writelock", None)
            for _ in range(self.helpers_wanted):
                helper = ctx.Process(target=_helper_main, daemon=True, args=(
                    self.writer.storage.open_index(self.writer.indexname,
                                                   schema=self.writer.schema), self.build,
                    self._jobs, self._results, os.getpid(), lock))
                helper.start()
                self._helpers.append(helper)
            if self.owner is not None:
                self.owner.add_helpers([h.pid for h in self._helpers])
        return self

    def add(self, item) -> None:
        self._batch.append(item)
        if len(self._batch) >= BATCH:
            self._dispatch()

    def _dispatch(self) -> None:
        batch, self._batch = self._batch, []
        if self._helpers:
            try:
                self._jobs.put_nowait(batch)
                self.handed_out += 1
                return
            except queue.Full:
                pass  # every helper is busy: do this batch here
        self.kept += 1
        for item in batch:
            self.writer.add_document(**self.build(item))

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.stop()
            return False
        if self._batch:
            self._dispatch()
        for _ in self._helpers:
            self._put_waiting(None)  # "no more batches": the helpers finish their segments
        self.writer.attach_helpers(self)  # the writer's commit collects them
        return False

    def collect(self) -> list:
        """Wait for the helpers' segments (called by the writer's commit)."""
        segments, deadline = [], time.monotonic() + HELPER_TIMEOUT
        while len(segments) < len(self._helpers):
            try:
                status, payload = self._results.get(timeout=1.0)
            except queue.Empty:
                if time.monotonic() > deadline or not any(h.is_alive() for h in self._helpers):
                    self.stop()
                    raise IndexHelperError(
                        "an indexing helper process stopped without a result") from None
                continue
            if status != "ok":
                self.stop()
                raise IndexHelperError(f"an indexing helper process failed: {payload}")
            segments.append(payload)  # None: the helper got no batch
        for helper in self._helpers:
            helper.join(timeout=10)
        self._close_queues()
        return [s for s in segments if s is not None]

    def _put_waiting(self, item) -> None:
        while True:
            try:
                self._jobs.put(item, timeout=1.0)
                return
            except queue.Full:
                if not any(h.is_alive() for h in self._helpers):
                    self.stop()
                    raise IndexHelperError("the indexing helper processes are gone") from None

    def stop(self) -> None:
        """End the helper processes (their unfinished segments are never used)."""
        for helper in self._helpers:
            if helper.is_alive():
                helper.terminate()
            helper.join(timeout=5)
        self._close_queues()

    def _close_queues(self) -> None:
        # Batches nobody will read may sit in a queue's feeder thread; without this, the
        # interpreter would wait for that thread forever when it exits.
        for q in (self._jobs, self._results):
            if q is not None:
                q.cancel_join_thread()
                q.close()


def _helper_main(ix, build, jobs, results, parent: int, lock) -> None:
    """A helper: index batches until ``None``, then send back the finished segment."""
    if lock is not None and lock.fd is not None:
        # The parent's lock file, inherited by the fork: closing our copy (never unlocking
        # it) leaves the lock the parent's alone; None stops the lock's finaliser here.
        os.close(lock.fd)
        lock.fd = None
    die_with_parent(parent)
    try:
        # _lk=False: the parent holds the index lock for the whole write.
        writer = KbSegmentWriter(ix, _lk=False)
        while (batch := jobs.get()) is not None:
            for item in batch:
                writer.add_document(**build(item))
        if writer.doc_count():
            # Closes the segment's files (and this writer's temporary runs) without
            # _finish(), which would remove the temporary folder the parent also uses.
            results.put(("ok", writer._finalize_segment()))
        else:
            writer._close_segment()
            results.put(("ok", None))
    except BaseException as exc:  # report anything: the parent is waiting for an answer
        results.put(("error", f"{exc.__class__.__name__}: {exc}"))
