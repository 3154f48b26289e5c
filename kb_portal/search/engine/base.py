"""What both engines share: the index directory (open, create, start over), the write lock,
write sessions, verification (snapshots: ``snapshot.py``). ``fast/`` and ``reference/`` add how
documents are written and how a term's postings become scores.

The index is derived data: anything wrong with it is repaired by starting over and letting the
product's reconcile refill it from the database.
"""
import json
import logging
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

from whoosh.index import LockError

from . import storage, verify
from .interface import (
    EngineError,
    IndexCorruptError,
    SearchEngine,
    SegmentProblem,
    WriteSession,
)
from .locking import LockOwner, acquire
from .schema import make_schema
from .snapshot import BaseSnapshot, index_state

log = logging.getLogger(__name__)
META_FILE = "kb_meta.json"
MISSING = "is missing"  # the reason on a first start (not a problem: logged as INFO)


class BaseSession(WriteSession):
    """A Whoosh writer holding the lock. Engines may override :meth:`add_many`."""

    def __init__(self, engine: "WhooshEngine", writer):
        self.engine = engine
        self.writer = writer
        self.merge = True
        self.discarded = False

    def state(self, ids=None) -> dict[int, int]:
        # The writer's own searcher: deleting replaced documents reuses it, so the segments
        # are opened once (the writer closes it when it finishes).
        with self.engine.reading():
            return index_state(self.writer.searcher().reader(), ids)

    def add(self, document: dict) -> None:
        self.writer.add_document(**document)

    def replace(self, document: dict) -> None:
        with self.engine.reading():  # deleting the old copy reads the index
            self.writer.update_document(**document)

    def delete(self, doc_id: int) -> None:
        with self.engine.reading():
            self.writer.delete_by_term("id", str(doc_id))

    def add_many(self, items, build, count: int, progress=None) -> None:
        for n, item in enumerate(items, 1):
            self.writer.add_document(**build(item))
            if progress:
                progress(n, count, item)

    def discard(self) -> None:
        self.discarded = True


class WhooshEngine(SearchEngine):
    """See the module docstring; subclasses set :attr:`name`, :attr:`FORMAT` and the
    classes, and implement :meth:`new_writer`."""

    name = "base"
    FORMAT = 1  # bump when what this engine writes changes: older indexes are rebuilt
    snapshot_class = BaseSnapshot
    session_class = BaseSession

    def __init__(self, path, analyzer, *, lock_timeout: float = 30.0, procs: int = 1):
        self.path = Path(path)
        self.analyzer = analyzer
        self.lock_timeout = lock_timeout
        self.procs = procs
        self.schema = self.make_schema()
        self.owner = LockOwner(self.path)
        self.rebuilt_reason: str | None = None
        self._lock = threading.RLock()
        self._ix = None
        # Each thread reads through its own searcher: Whoosh's readers keep a file position
        # per open file, so two threads of a threaded server reading through one searcher
        # read each other's bytes. ``_epoch`` tells every thread when the index was reopened.
        self._threads = threading.local()
        self._epoch = 0

    def make_schema(self):
        return make_schema(self.analyzer)

    def new_writer(self, ix):
        """A Whoosh writer for ``ix``; raises LockError at once when the lock is taken."""
        raise NotImplementedError

    def open_searcher(self, ix):
        return ix.searcher()

    def meta(self) -> dict:
        return {"analyzer_version": self.analyzer.version, "engine": self.name,
                "format": self.FORMAT}

    # -- opening -----------------------------------------------------------------------------
    def open(self) -> None:
        self._open_ix()

    def _open_ix(self):
        with self._lock:
            if self._ix is None:
                reason = self._problem()
                if reason:
                    self._start_over(reason)
                else:
                    self._ix = storage.open_index(self.path, self.schema)
            return self._ix

    def _problem(self) -> str | None:
        if not self.path.is_dir() or not any(self.path.glob("_MAIN_*.toc")):
            return MISSING
        try:
            meta = json.loads((self.path / META_FILE).read_text())
        except (OSError, ValueError):
            return "has no readable version file"
        if meta.get("analyzer_version") != self.analyzer.version:
            return f"was built by analyzer version {meta.get('analyzer_version')}"
        if (meta.get("engine"), meta.get("format")) != (self.name, self.FORMAT):
            return (f"was built by another engine ({meta.get('engine') or 'before engines'} "
                    f"format {meta.get('format')})")
        try:
            storage.open_index(self.path, self.schema)
        except Exception as exc:  # no readable table of contents: start over
            return f"is corrupt ({exc.__class__.__name__}: {exc})"
        # A damaged segment is not a reason to throw the directory away under the other
        # processes' feet: verify() finds it and the product rebuilds under the lock.
        return None

    def _start_over(self, reason: str) -> None:
        if reason == MISSING:  # the first start: nothing is wrong
            log.info("search index %s does not exist yet: creating it", self.path)
        else:
            log.warning("search index %s %s: creating an empty one; reconcile will fill it",
                        self.path, reason)
        self.rebuilt_reason = reason
        if self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True, exist_ok=True)
        self._ix = storage.create_index(self.path, self.schema)
        (self.path / META_FILE).write_text(json.dumps(self.meta()))
        self._epoch += 1

    def reset(self) -> None:
        with self._lock:
            self._ix = None
            self._epoch += 1

    def recreate(self, reason: str) -> None:
        with self._lock:
            self._start_over(reason)

    # -- reading -----------------------------------------------------------------------------
    def snapshot(self, live: bool = False) -> BaseSnapshot:
        """The snapshot to answer from (this thread's; see ``__init__``): the live one, except
        right after the index directory vanished (or its table of contents became unreadable)
        under a running server — then the snapshot open before answers (its files stay
        readable while open) until the recreated index has documents again. ``live``: always
        the index as it is on disk (what reconcile compares with the database)."""
        mine = self._threads
        with self._lock:
            if getattr(mine, "epoch", None) != self._epoch:
                mine.epoch, mine.snapshot, mine.fallback = self._epoch, None, None
            current = self._live_snapshot(mine)
            if live or mine.fallback is None:
                return current
            if current.reader.doc_count_all() == 0:
                return mine.fallback
            mine.fallback = None
            return current

    def _live_snapshot(self, mine) -> BaseSnapshot:
        try:
            with self.reading():
                ix = self._open_ix()
                # A new searcher rather than Whoosh's refresh(): refresh() closes parts of the
                # old searcher, which a request may still be reading from. The old one is
                # closed by the garbage collector when its last user is done.
                if mine.snapshot is None or not mine.snapshot.searcher.up_to_date():
                    mine.snapshot = self.snapshot_class(self, self.open_searcher(ix))
                return mine.snapshot
        except Exception as exc:
            # A damaged segment (IndexCorruptError with a readable table of contents): the
            # product rebuilds under the lock. Only a vanished or unreadable directory is
            # started over here.
            if mine.snapshot is None or not self._problem():
                raise
            log.warning("search index %s became unreadable (%s: %s); answering from the open "
                        "searcher while it is rebuilt", self.path, exc.__class__.__name__, exc)
            fallback = mine.fallback or mine.snapshot
            self._ix = None
            ix = self._open_ix()  # starts over: a new epoch
            mine.epoch, mine.fallback = self._epoch, fallback
            mine.snapshot = self.snapshot_class(self, self.open_searcher(ix))
            return mine.snapshot

    @contextmanager
    def reading(self):
        """Turn a failure to read a damaged index into :class:`IndexCorruptError` — after
        checking that the index really is damaged, so that a bug stays a bug."""
        try:
            yield
        except EngineError:
            raise
        except Exception as exc:
            problems = self.verify()
            if problems:
                raise IndexCorruptError("; ".join(map(str, problems))) from exc
            raise

    # -- writing -----------------------------------------------------------------------------
    @contextmanager
    def writing(self, timeout: float | None = None, *, clear: bool = False):
        ix = self._open_ix()
        writer = acquire(self.owner, lambda: self.new_writer(ix), LockError,
                         self.lock_timeout if timeout is None else timeout, self.path)
        session = self.session_class(self, writer)
        try:
            yield session
        except BaseException:
            writer.cancel()
            self.owner.released()
            raise
        try:
            if session.discarded:
                writer.cancel()  # nothing changed: keep the generation, searchers stay valid
            elif clear:
                from whoosh.writing import CLEAR

                writer.commit(mergetype=CLEAR)
            else:
                writer.commit(merge=session.merge)
        finally:
            self.owner.released()
        if not session.discarded:
            self._record_checksums(ix)

    def _record_checksums(self, ix) -> None:
        try:
            verify.record_new_segments(ix, self.schema, self.path)
        except Exception:  # checksums only speed up verification; never fail a write for them
            log.warning("search index %s: could not record segment checksums", self.path,
                        exc_info=True)

    def merge_small_segments(self, timeout: float = 0) -> None:
        with self.writing(timeout) as session:
            session.merge = True

    # -- checking ----------------------------------------------------------------------------
    def verify(self, full: bool = False) -> list[SegmentProblem]:
        try:
            ix = self._open_ix()
        except Exception as exc:
            return [SegmentProblem("(index)", f"{exc.__class__.__name__}: {exc}")]
        return verify.verify_segments(ix, self.schema, self.path, full)
