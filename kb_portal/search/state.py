"""One app's search: its settings, analyzer, engine and caches, and when the index is repaired.

:class:`SearchState` lives in ``app.extensions["kb_search"]``; nothing of search is kept at
module level, so two apps in one process (tests build many) share nothing. It triggers the
reconcile (``reconcile.py``) after a save, at start-up and when the database moved on, and
repairs a damaged index.
"""
import logging
import threading
import time

from flask import current_app, has_request_context
from sqlalchemy.exc import SQLAlchemyError

from . import reconcile as rc
from .analysis import Analyzer
from .category_names import CategoryNames
from .clicks import ClickBoost
from .engine import MISSING, EngineError, IndexBusyError, IndexCorruptError, make_engine
from .engine.combine import BoundedCache
from .fallback import Homophones
from .settings import SearchSettings
from .snippets import Snippets
from .synonyms import SynonymCache

log = logging.getLogger(__name__)
REQUEST_LOCK_WAIT = 0.2  # seconds a search waits for the index lock before searching anyway
REVISION_ENTRIES = 8192  # what a worker keeps of revisions (two entries per revision)


class SearchState:
    """See the module docstring; use :func:`search_state` to get the current app's."""

    def __init__(self, app, settings: SearchSettings):
        self.app = app
        self.settings = settings
        self.analyzer = Analyzer(settings.cache_dir, settings.userdict or None)
        self.snippets = Snippets(self.analyzer)
        self.synonyms = SynonymCache(settings.lexicon, settings.synonym_seconds)
        self.category_names = CategoryNames(settings.synonym_seconds)
        # What searches keep of a revision by id: its answer cards' data and where its headings
        # are in its text (a revision never changes once saved; passages.py).
        self.by_revision = BoundedCache(REVISION_ENTRIES)
        self.clicks = ClickBoost(settings.click_boost, settings.click_boost_max,
                                 settings.click_half_life)
        self.homophones = Homophones()
        self.engine = make_engine(settings.engine, settings.index_dir, self.analyzer,
                                  lock_timeout=settings.lock_timeout,
                                  procs=settings.bulk_procs)
        self.in_background = settings.in_background
        self._last_check = 0.0
        self._merge_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._repair_lock = threading.Lock()

    # -- is the index behind the database? ----------------------------------------------------
    def force_check(self) -> None:
        """Compare with the database at the next search (after a failed index write)."""
        self._last_check = 0.0

    def in_sync(self) -> bool:
        return rc.db_fingerprint() == self.engine.snapshot(live=True).fingerprint()

    def maybe_sync(self, timeout: float = REQUEST_LOCK_WAIT, wait: bool = False) -> None:
        """Reconcile when the database moved on; checked at most every ``sync_seconds``.

        Called before a search. On servers the reconcile runs in a background thread and the
        search answers from what is there: the drift may be thousands of articles (another
        server imported them), which must not hold a request past gunicorn's timeout. With
        ``wait`` (one-off commands) or in tests it runs here; then it hardly waits for the lock
        by default: whoever holds it is already writing.
        """
        now = time.monotonic()
        if now - self._last_check < self.settings.sync_seconds:
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
            rc.reconcile(self, timeout=timeout, when_behind=True)
        except IndexCorruptError as exc:
            self.repair(exc, wait=True)  # already off the request (a thread), or a test
        except IndexBusyError as exc:
            log.warning("search: could not bring the index up to date: %s; the next search "
                        "retries", exc)
            self.force_check()
        except SQLAlchemyError:
            log.warning("search: could not bring the index up to date", exc_info=True)
            self.force_check()

    def _sync_in_app(self) -> None:
        with self.app.app_context():
            self._sync(self.settings.lock_timeout)

    # -- after a save ---------------------------------------------------------------------------
    def after_change(self, article_ids) -> None:
        """The fast path after a save: index exactly these articles now (as a new small
        segment), then merge small segments when there are many — after the article is
        searchable, and for servers in a background thread.

        A request waits at most ``KB_SEARCH_SAVE_TIMEOUT`` for the lock; a command (an
        import) waits ``KB_SEARCH_LOCK_TIMEOUT``, like any bulk write.
        """
        timeout = self.settings.save_timeout if has_request_context() else None
        try:
            rc.reconcile(self, ids=article_ids, timeout=timeout)
            if rc.needs_merge(self):
                self._merge_later()
        except IndexBusyError as exc:
            log.warning("search index busy (%s): %d changed article(s) will be indexed by the "
                        "next reconcile", exc.holder or "another process", len(article_ids))
            self.force_check()
        except IndexCorruptError as exc:  # the rebuild indexes the change too
            self.repair(exc, wait=not has_request_context())
        except Exception:  # the save itself succeeded; reconcile repairs the index later
            log.exception("search index update failed; the next reconcile will repair it")
            self.force_check()

    def _merge_later(self) -> None:
        def merge():
            try:
                self.engine.merge_small_segments(timeout=self.settings.save_timeout)
            except IndexBusyError:  # another process is writing: a later save merges
                log.info("search: merge postponed, the index is busy")

        self._later(self._merge_lock, merge, "kb-search-merge")

    def _later(self, lock: threading.Lock, task, name: str) -> None:
        """Run ``task`` unless this app already runs it: in a daemon thread on servers,
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

    # -- start-up and repair --------------------------------------------------------------------
    def startup(self) -> None:
        """Verify the segments, then reconcile (or fill an index that had to be recreated);
        quiet when the database has no tables yet (``flask kb init`` runs before the schema
        exists)."""
        engine = self.engine
        problems = engine.verify()
        try:
            if problems:
                log.error("search index %s is damaged, rebuilding it: %s",
                          self.settings.index_dir, "; ".join(map(str, problems)))
                self._rebuild_damaged(problems)
                return
            if self.in_sync():  # the usual case: compared without taking the lock
                if engine.rebuilt_reason:
                    log.info("search index created at start-up (%s): nothing to fill",
                             engine.rebuilt_reason)
                    engine.rebuilt_reason = None
                return
            drift = rc.reconcile(self)
        except SQLAlchemyError as exc:
            log.debug("search start-up reconcile skipped: %s", exc)
            return
        except IndexBusyError as exc:
            log.info("search start-up reconcile skipped: %s", exc)
            return
        if engine.rebuilt_reason == MISSING:
            log.info("search index filled at first start: %s", drift.summary())
        elif engine.rebuilt_reason:
            log.warning("search index rebuilt at start-up (%s): %s", engine.rebuilt_reason,
                        drift.summary())
        engine.rebuilt_reason = None

    def repair(self, error: EngineError, wait: bool = False) -> None:
        """The index was found damaged: rebuild it — in the background on servers, unless
        ``wait`` (a command, or already in a background thread)."""
        log.error("search index %s cannot be read (%s); rebuilding it",
                  self.settings.index_dir, error)

        def rebuild():
            with self.app.app_context():
                self._rebuild_damaged(self.engine.verify())

        if wait:
            if self._repair_lock.acquire(blocking=False):
                try:
                    rebuild()
                finally:
                    self._repair_lock.release()
            else:  # another thread of this app is rebuilding: wait for it to finish
                with self._repair_lock:
                    pass
        else:
            self._later(self._repair_lock, rebuild, "kb-search-repair")

    def _rebuild_damaged(self, problems) -> None:
        """Rebuild under the lock into a new generation (the damaged files go with the old
        one); when not even the table of contents can be read, start over empty first."""
        if any(p.segment.startswith("(") for p in problems):
            self.engine.recreate("; ".join(map(str, problems)))
        rc.rebuild(self)

    def warm(self) -> None:
        """Build in the start-up thread what a server worker's first searches would otherwise
        build while an agent waits: the synonym map and the engine's per-segment caches
        (together about a second at 50,000 articles)."""
        try:
            self.synonyms.current()
        except SQLAlchemyError as exc:  # `flask kb init` before the schema exists
            log.debug("search caches not warmed: %s", exc)
            return
        self.engine.snapshot().warm()

    def start(self) -> None:
        """Start-up reconcile: in the background for servers (start stays fast), inline in
        tests, one-off commands and when ``KB_SEARCH_STARTUP=sync``; ``off`` skips it."""
        if self.in_background:  # the homophone table (~1 s) is ready before a query needs it
            threading.Thread(target=self.homophones.warm, args=(self.analyzer.jieba.FREQ,),
                             name="kb-search-homophones", daemon=True).start()
        mode = self.settings.startup
        if mode == "off":
            return

        def run():
            with self.app.app_context():
                try:
                    self.startup()
                    if self.in_background:  # a server: its workers' first searches gain
                        self.warm()
                except Exception:
                    log.exception("search: the start-up check of the index failed")

        if mode == "sync" or not self.in_background:
            run()
        else:
            threading.Thread(target=run, name="kb-search-startup", daemon=True).start()


def search_state(app=None) -> SearchState:
    """The :class:`SearchState` of ``app`` (default: the current app)."""
    return (app or current_app).extensions["kb_search"]
