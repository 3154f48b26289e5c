"""The Whoosh index on disk: schema, opening (and rebuilding when broken), writer locking, and
one searcher per process that is refreshed when another process changed the index.

The index is derived data (DESIGN.md §1): anything wrong with it is repaired by rebuilding or
reconciling from the database (see :mod:`kb_portal.search.reconcile`).
"""
import json
import logging
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import LockError

from .analysis import ANALYZER_VERSION, make_analyzer
from .codec import KbSegmentWriter
from .fields import MatchText, StoredNumber, WordList

log = logging.getLogger(__name__)
MISSING = "is missing"  # the reason on a first start (not a problem: logged as INFO)
META_FILE = "kb_meta.json"
# Matching happens in one field holding title, tags, summary and body: one posting list per
# term instead of four makes queries several times faster in pure-Python Whoosh. Title and tags
# are indexed once more, on their own, only to add a bonus to documents that matched.
MATCH_FIELD = "text"
BONUS_FIELDS = {"title": 2.0, "tags": 1.5}


def make_schema() -> Schema:
    """Title and tags weigh more than the body; category, tags and language are filters."""
    analyzer = make_analyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        rev=StoredNumber(),
        slug=ID(stored=True),
        # No positions (phrase=False) except in the title, for the phrase bonus: positions
        # make indexing about twice as slow, and CJK words need none thanks to the character
        # pairs (analysis.py).
        text=MatchText(analyzer),
        title=TEXT(analyzer=analyzer, stored=True),
        tags=MatchText(analyzer, stored=True),
        summary=STORED(),
        body=STORED(),
        folded=STORED(),  # the body folded in place, for snippets (snippets.fold_same_length)
        tag=KEYWORD(commas=True, scorable=False),
        # Unstemmed Latin words and joined codes: typo, prefix and "did you mean" look-ups.
        words=WordList(),
        category=ID(stored=True),
        language=ID(stored=True),
        updated=StoredNumber(),
        headings=STORED(),
    )


class SearchIndex:
    """One index directory as seen by this process (use :func:`get_index`)."""

    def __init__(self, path: str, lock_timeout: float = 10.0):
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._lock = threading.RLock()
        self._ix = None
        self._searcher = None
        self._fallback = None  # the searcher from before the directory vanished (searcher())
        self._local = threading.local()  # each thread's own searcher (live_searcher)
        self.rebuilt_reason: str | None = None  # set when open() had to start from empty

    # -- opening -------------------------------------------------------------------------
    def open(self):
        """Open the index, creating it (or starting over when unreadable or outdated)."""
        with self._lock:
            if self._ix is not None:
                return self._ix
            reason = self._problem()
            if reason == MISSING:  # the first start: nothing is wrong
                log.info("search index %s does not exist yet: creating it", self.path)
            elif reason:
                log.warning("search index %s %s: creating an empty one; reconcile will fill it",
                            self.path, reason)
            if reason:
                self.rebuilt_reason = reason
                self._create()
            else:
                self._ix = whoosh_index.open_dir(str(self.path))
            return self._ix

    def _problem(self) -> str | None:
        if not self.path.is_dir() or not any(self.path.glob("_MAIN_*.toc")):
            return MISSING
        try:
            meta = json.loads((self.path / META_FILE).read_text())
        except (OSError, ValueError):
            return "has no readable version file"
        if meta.get("analyzer_version") != ANALYZER_VERSION:
            return f"was built by analyzer version {meta.get('analyzer_version')}"
        try:
            ix = whoosh_index.open_dir(str(self.path))
            with ix.searcher() as searcher:
                searcher.doc_count()
        except Exception as exc:  # any unreadable file means: rebuild
            return f"is corrupt ({exc.__class__.__name__}: {exc})"
        return None

    def _create(self) -> None:
        if self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True, exist_ok=True)
        self._ix = whoosh_index.create_in(str(self.path), make_schema())
        (self.path / META_FILE).write_text(json.dumps({"analyzer_version": ANALYZER_VERSION}))
        self._searcher = None

    def reset(self) -> None:
        """Forget the open index (after the directory was removed or replaced)."""
        with self._lock:
            self._ix = self._searcher = self._fallback = None

    # -- reading -------------------------------------------------------------------------
    def searcher(self):
        """The searcher to answer from: :meth:`live_searcher`, except right after the index
        directory vanished under a running server — then the searcher open before answers
        (its files stay readable while open) until the recreated index has documents again."""
        live = self.live_searcher()
        with self._lock:
            if self._fallback is not None:
                if live.doc_count_all() == 0:
                    return self._fallback
                self._fallback = None
            return live

    def live_searcher(self):
        """This thread's searcher on the index as it is on disk, reopened when another writer
        committed since; recreated (empty, for the drift check to refill in the background)
        when the directory was deleted or became unreadable while serving.

        One searcher per thread: a Whoosh segment reader reads its posting and stored-field
        files through one file object (seek, then read), so two threads of a threaded server
        sharing a searcher read each other's bytes ("Block tag error", UnpicklingError).
        A new searcher rather than Whoosh's refresh(): refresh() closes parts of the old one,
        which another request may still be reading; the garbage collector closes it after.
        """
        with self._lock:
            mine = getattr(self._local, "searcher", None)
            try:
                ix = self.open()
                if mine is None or self._local.ix is not ix or not mine.up_to_date():
                    mine = ix.searcher()
            except Exception as exc:  # the directory was deleted or damaged while serving
                if mine is None:
                    raise
                log.warning("search index %s became unreadable (%s: %s); answering from the "
                            "open searcher while it is rebuilt", self.path,
                            exc.__class__.__name__, exc)
                self._fallback = self._fallback or mine
                self._ix = None
                ix = self.open()
                mine = ix.searcher()
            self._local.searcher, self._local.ix = mine, ix
            self._searcher = mine
            return mine

    # -- writing -------------------------------------------------------------------------
    @contextmanager
    def writer(self, timeout: float | None = None, **options):
        """A writer holding the index lock; waits up to ``timeout`` s, retrying, then raises.

        Whoosh's lock is a file lock, so it also works between gunicorn workers. The writer is
        committed when the block ends normally and cancelled when it raises. Callers may set
        ``kb_commit_options`` (keyword arguments for ``commit``) or ``kb_skip_commit`` on it.

        :raise LockError: when the lock could not be taken in time.
        """
        ix = self.open()
        deadline = time.monotonic() + (self.lock_timeout if timeout is None else timeout)
        delay = 0.02
        while True:
            try:
                w = KbSegmentWriter(ix, **options)
                break
            except LockError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
        try:
            yield w
        except BaseException:
            w.cancel()
            raise
        if getattr(w, "kb_skip_commit", False):
            w.cancel()  # nothing changed: keep the generation, so searchers stay valid
        else:
            w.commit(**getattr(w, "kb_commit_options", {}))


_registry: dict[str, SearchIndex] = {}
_registry_lock = threading.Lock()


def get_index(path: str, lock_timeout: float = 10.0) -> SearchIndex:
    """The process-wide :class:`SearchIndex` for ``path``."""
    key = str(Path(path).resolve())
    with _registry_lock:
        if key not in _registry:
            _registry[key] = SearchIndex(key, lock_timeout)
        return _registry[key]


def per_searcher(searcher, name: str, make):
    """``make(searcher)``, built once per searcher and kept on it: a searcher is one index
    generation, so what is derived from it stays valid exactly as long as it does."""
    attr = f"_kb_{name}"
    value = getattr(searcher, attr, None)
    if value is None:
        value = make(searcher)
        setattr(searcher, attr, value)
    return value


def index_state(reader) -> dict[int, int]:
    """``{article id: revision id}`` of the live documents, read from columns (fast)."""
    if not reader.doc_count_all():
        return {}
    ids = reader.column_reader("id", translate=True)
    revs = reader.column_reader("rev", translate=True)
    return {int(ids[n]): int(revs[n]) for n in reader.all_doc_ids()}


def index_state_for(reader, ids) -> dict[int, int]:
    """:func:`index_state` for a few articles only (the fast path after a save)."""
    if not reader.doc_count_all():
        return {}
    revs = reader.column_reader("rev", translate=True)
    state = {}
    for aid in ids:
        if ("id", str(aid)) not in reader:
            continue
        for docnum in reader.postings("id", str(aid)).all_ids():
            if not reader.is_deleted(docnum):
                state[int(aid)] = int(revs[docnum])
    return state
