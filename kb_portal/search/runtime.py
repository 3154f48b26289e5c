"""Per-app search state: which index, when the database was last compared with it, and the
reconcile triggers (after a save, at start-up, and when the database moved on).
"""
import contextlib
import logging
import threading
import time

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError
from whoosh.index import LockError

from . import reconcile as rc
from .index import MISSING, SearchIndex, get_index

log = logging.getLogger(__name__)
REQUEST_LOCK_WAIT = 0.2  # seconds a search waits for the index lock before searching anyway


class SearchRuntime:
    """Lives in ``app.extensions["kb_search"]``; see :func:`runtime`."""

    def __init__(self, app):
        cfg = app.config
        self.index: SearchIndex = get_index(cfg["KB_INDEX_DIR"],
                                            float(cfg["KB_SEARCH_LOCK_TIMEOUT"]))
        self.sync_seconds = float(cfg["KB_SEARCH_SYNC_SECONDS"])
        self.save_timeout = float(cfg["KB_SEARCH_SAVE_TIMEOUT"])
        self._last_check = 0.0
        self._fp_searcher = None
        self._fp = None
        self._lock = threading.Lock()
        self.app = app
        self._merge_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        # Tests merge and sync in the request, so nothing runs after a test removed its files.
        self.in_background = not app.testing

    def force_check(self) -> None:
        """Compare with the database at the next search (after a failed index write)."""
        self._last_check = 0.0

    def index_fingerprint(self, searcher) -> tuple[int, int]:
        """(count, sum of revision ids) of the index, cached per searcher generation."""
        with self._lock:
            if self._fp_searcher is not searcher:
                self._fp = fingerprint(searcher.reader())
                self._fp_searcher = searcher
            return self._fp

    def in_sync(self) -> bool:
        return rc.db_fingerprint() == self.index_fingerprint(self.index.live_searcher())

    def maybe_sync(self, timeout: float = REQUEST_LOCK_WAIT, wait: bool = False) -> None:
        """Reconcile when the database moved on; checked at most every ``sync_seconds``.

        Called before a search. On servers the reconcile runs in a background thread and the
        search answers from what is there: the drift may be thousands of articles (another
        server imported them), which must not hold a request past gunicorn's timeout. With
        ``wait`` (one-off commands) or in tests it runs here; then it hardly waits for the lock
        by default: whoever holds it is already writing.
        """
        now = time.monotonic()
        if now - self._last_check < self.sync_seconds:
            return
        self._last_check = now
        try:
            if self.in_sync():
                return
        except SQLAlchemyError:
            log.warning("search: could not compare the index with the database", exc_info=True)
            return
        if wait or not self.in_background:
            self._sync(timeout)
        else:
            self._later(self._sync_lock, self._sync_in_app, "kb-search-sync")

    def _sync(self, timeout: float) -> None:
        try:
            rc.reconcile(self.index, timeout=timeout)
        except LockError:
            self.force_check()
        except SQLAlchemyError:
            log.warning("search: could not bring the index up to date", exc_info=True)
            self.force_check()

    def _sync_in_app(self) -> None:
        with self.app.app_context():
            self._sync(float(self.app.config["KB_SEARCH_LOCK_TIMEOUT"]))

    def after_change(self, article_ids) -> None:
        """The fast path after a save: index exactly these articles now (as a new small
        segment), then merge small segments when there are many — after the article is
        searchable, and for servers in a background thread."""
        try:
            rc.reconcile(self.index, ids=article_ids, timeout=self.save_timeout)
            if rc.needs_merge(self.index):
                self._merge_later()
        except LockError:
            log.warning("search index busy: %d changed article(s) will be indexed by the next "
                        "reconcile", len(article_ids))
            self.force_check()
        except Exception:  # the save itself succeeded; reconcile repairs the index later
            log.exception("search index update failed; the next reconcile will repair it")
            self.force_check()

    def _merge_later(self) -> None:
        def merge():
            with contextlib.suppress(LockError):  # another process is writing: a later save
                rc.merge_small_segments(self.index, timeout=self.save_timeout)  # merges

        self._later(self._merge_lock, merge, "kb-search-merge")

    def _later(self, lock: threading.Lock, task, name: str) -> None:
        """Run ``task`` unless this process already runs it: in a daemon thread on servers,
        right here in tests."""
        if not lock.acquire(blocking=False):
            return

        def run():
            try:
                task()
            except Exception:
                log.exception("search: %s failed", name)
            finally:
                lock.release()

        if self.in_background:
            threading.Thread(target=run, name=name, daemon=True).start()
        else:
            run()

    def startup(self) -> None:
        """Reconcile (or fill an index that had to be recreated); quiet when the database
        has no tables yet (``flask kb init`` runs before the schema exists)."""
        try:
            if not self.index.rebuilt_reason and self.in_sync():
                return  # the usual case: compared without taking the lock a save may need
            drift = rc.reconcile(self.index)
        except SQLAlchemyError as exc:
            log.debug("search start-up reconcile skipped: %s", exc)
            return
        except LockError:
            log.info("search start-up reconcile skipped: another process holds the index lock")
            return
        if self.index.rebuilt_reason:
            if self.index.rebuilt_reason == MISSING:
                log.info("search index filled at first start: %s", drift.summary())
            else:
                log.warning("search index rebuilt at start-up (%s): %s",
                            self.index.rebuilt_reason, drift.summary())
            self.index.rebuilt_reason = None


_SEGMENT_SUMS: dict = {}  # segment id → (documents, sum of revision ids), deleted ones included


def fingerprint(reader) -> tuple[int, int]:
    """(count, sum of revision ids) of the live documents. A segment never changes except for
    deletions, so its totals are computed once and its (few) deleted documents subtracted:
    after a save only the new small segment is read."""
    count = total = 0
    for leaf, _offset in reader.leaf_readers():
        if not leaf.doc_count_all():
            continue
        segment = getattr(leaf, "segment", None)
        key = segment().segment_id() if segment else None
        revs = leaf.column_reader("rev", translate=True)
        if key is None or key not in _SEGMENT_SUMS:
            sums = (leaf.doc_count_all(), sum(int(revs[d]) for d in range(leaf.doc_count_all())))
            if key is not None:
                _SEGMENT_SUMS[key] = sums
        else:
            sums = _SEGMENT_SUMS[key]
        deleted = list(leaf.deleted_docs_set) if leaf.has_deletions() else []
        count += sums[0] - len(deleted)
        total += sums[1] - sum(int(revs[d]) for d in deleted)
    return count, total


def runtime(app=None) -> SearchRuntime:
    """The :class:`SearchRuntime` of ``app`` (default: the current app)."""
    return (app or current_app).extensions["kb_search"]


def start(app) -> None:
    """Start-up reconcile: in the background for servers (start stays fast), inline in tests
    and when ``KB_SEARCH_STARTUP=sync``; ``off`` skips it."""
    mode = app.config["KB_SEARCH_STARTUP"]
    if mode == "off":
        return

    def run():
        with app.app_context():
            runtime(app).startup()

    if mode == "sync":
        run()
    else:
        threading.Thread(target=run, name="kb-search-startup", daemon=True).start()
