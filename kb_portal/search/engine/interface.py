"""What the product side of search may ask of an engine — and nothing more.

In the spirit of FlaskBB's ``SearchBackend`` and Warehouse's search interfaces: the product
(analyzer, query builder, synonyms, log, views, reconcile policy) talks to these three objects
only, so the engine can be swapped (tests run one suite against both implementations) and
Whoosh stays behind ``engine/``.

* :class:`SearchEngine` — one index directory: open it, write to it (:meth:`~SearchEngine.
  writing`), look at its current generation (:meth:`~SearchEngine.snapshot`), verify it.
* :class:`WriteSession` — one writer holding the index lock: the index's state as the writer
  sees it, add / replace / delete documents, add many (on several cores where the engine can).
* :class:`Snapshot` — one generation of the index, never changing under the reader: its state
  and fingerprint, running a query plan with filters and a top-k, vocabulary look-ups
  (prefixes, typo candidates, document frequencies, the documents of a rare term), the stored
  text snippets are cut from.

A *document* is a dict of the fields in :mod:`.schema`; documents are identified by their
integer ``id`` and carry the revision ``rev`` they were built from (the state is
``{id: rev}``). A *document reference* (``ref``) is an opaque int valid in one snapshot only.
"""
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol


class EngineError(RuntimeError):
    """Base class of the errors an engine raises on purpose."""


class IndexBusyError(EngineError):
    """Another live process holds the index's write lock longer than we may wait.

    ``holder`` describes it (``pid 123 (flask kb import), since 10:41:02``) when known.
    """

    def __init__(self, message: str, holder: str | None = None):
        super().__init__(message)
        self.holder = holder


class IndexCorruptError(EngineError):
    """Part of the index cannot be read (a damaged segment file): it must be rebuilt."""


@dataclass(frozen=True)
class SegmentProblem:
    """A segment that failed verification, and why."""

    segment: str
    reason: str

    def __str__(self) -> str:
        return f"segment {self.segment}: {self.reason}"


class TextAnalyzer(Protocol):
    """What an engine needs of the product's analyzer (``search/analysis.py``): the same
    terms at index time for every field that is analysed. Text comes unfolded."""

    version: int

    def terms(self, text: str) -> list[str]:
        """Index terms, without positions (fields that store none)."""

    def positioned_terms(self, text: str) -> Iterable[tuple[str, int]]:
        """``(term, position)`` for indexing fields that keep positions (the title)."""

    def pieces(self, text: str, index: bool = True) -> Iterable:
        """Terms with ``text``, ``start``, ``end`` (character offsets) and ``pos``."""


class WriteSession(ABC):
    """A writer holding the index lock (see :meth:`SearchEngine.writing`)."""

    merge: bool = True  # False: commit a small new segment, merge nothing (a save)

    @abstractmethod
    def state(self, ids: Iterable[int] | None = None) -> dict[int, int]:
        """``{id: rev}`` of the live documents as this writer sees them (all, or ``ids``)."""

    @abstractmethod
    def add(self, document: dict) -> None:
        """Add a document known not to be in the index."""

    @abstractmethod
    def replace(self, document: dict) -> None:
        """Add a document, deleting any with the same ``id``."""

    @abstractmethod
    def delete(self, doc_id: int) -> None:
        """Delete the document with this ``id`` (nothing when there is none)."""

    @abstractmethod
    def add_many(self, items: Iterable, build: Callable[[object], dict], count: int,
                 progress: Callable | None = None) -> None:
        """Add ``build(item)`` for each of ``count`` items, none of them in the index.

        ``build`` may run in another process (it must not touch a database connection);
        ``progress(n, count, item)`` is called in this process as items are handed out.
        """

    @abstractmethod
    def discard(self) -> None:
        """Nothing changed: release the lock without committing a new generation."""


class Snapshot(ABC):
    """One generation of the index (see the module docstring)."""

    @abstractmethod
    def doc_count(self) -> int:
        """Live documents."""

    @abstractmethod
    def state(self, ids: Iterable[int] | None = None) -> dict[int, int]:
        """``{id: rev}`` of the live documents (all, or only ``ids``)."""

    @abstractmethod
    def fingerprint(self) -> tuple[int, int]:
        """(number of live documents, sum of their ``rev``): cheap to compare with the
        database's own, so a process notices when the index fell behind."""

    @abstractmethod
    def segment_count(self) -> int:
        """How many segments make up this generation (saves add small ones)."""

    @abstractmethod
    def has_deletions(self) -> bool:
        """Whether some segment still holds replaced or deleted documents."""

    @abstractmethod
    def run(self, plan, filters: dict[str, str] | None = None, sort: str | None = None,
            top: int = 10) -> tuple[int, list[tuple[float, int]]]:
        """Score a :class:`~.plan.QueryPlan`: (number of matching documents,
        ``[(score, ref)]`` best first, at most ``top``). ``filters`` maps ``category``,
        ``tag`` or ``language`` to the one value a document must have; ``sort="updated"``
        orders by last update (newest first) instead of score.

        :raise IndexCorruptError: when a segment the plan needs cannot be read.
        """

    @abstractmethod
    def stored(self, ref: int) -> dict:
        """The stored fields of one document (title, slug, body, folded body, …): the text
        snippets are cut from."""

    @abstractmethod
    def all_stored(self) -> Iterator[dict]:
        """The stored fields of every live document."""

    @abstractmethod
    def doc_frequency(self, field: str, term: str) -> int:
        """In how many documents ``term`` occurs in ``field`` (deleted ones may count)."""

    @abstractmethod
    def refs_with(self, field: str, term: str) -> list[int]:
        """The live documents with ``term`` in ``field`` (meant for rare terms: the product
        reads the titles of the few articles that name a product), in order of their ``id``:
        refs follow the index's segment layout, which differs between engines and between
        two builds of one index (parallel writers), so a product that takes the first few
        must not take them in ref order."""

    @abstractmethod
    def ref_of(self, doc_id: int) -> int | None:
        """The reference of the live document with this ``id`` (None when there is none)."""

    @abstractmethod
    def prefix_terms(self, field: str, prefix: str, limit: int, scan: int) -> list[str]:
        """The ``limit`` most frequent terms of ``field`` that begin with ``prefix``, among
        the first ``scan`` in term order (bounds the work for one-letter prefixes)."""

    @abstractmethod
    def near_terms(self, field: str, word: str, maxdist: int) -> list[str]:
        """Terms of ``field`` within ``maxdist`` edits of ``word``, sharing its first
        letter."""

    @abstractmethod
    def warm(self) -> None:
        """Build now what the first searches of this generation would otherwise build (an
        engine's per-segment caches), so that a server can do it before agents search."""

    @abstractmethod
    def memo(self, name: str, make: Callable[["Snapshot"], object]):
        """``make(self)``, built once per snapshot: whatever is derived from one generation
        (the product's vocabulary cache) lives exactly as long as it does."""

    @abstractmethod
    def forget(self, name: str) -> None:
        """Drop what :meth:`memo` keeps under ``name`` (benchmarks measure without it)."""


class SearchEngine(ABC):
    """One index directory as seen by this process (one per app; see ``engine/base.py``)."""

    name: str
    rebuilt_reason: str | None  # set when :meth:`open` had to start from an empty index

    @abstractmethod
    def open(self) -> None:
        """Open the index; create it, or start over empty when it is missing, unreadable,
        or built by another engine or analyzer version (reconcile then fills it)."""

    @abstractmethod
    def reset(self) -> None:
        """Forget open handles (after the directory was removed or replaced)."""

    @abstractmethod
    def recreate(self, reason: str) -> None:
        """Throw the index away and start over empty (a corrupt segment)."""

    @abstractmethod
    def snapshot(self, live: bool = False) -> Snapshot:
        """The current generation, reopened when another writer committed since. Should the
        directory vanish under a running server, the snapshot open before keeps answering
        until the recreated index has documents; ``live=True`` never gives that one (reconcile
        compares the index on disk with the database)."""

    @abstractmethod
    def writing(self, timeout: float | None = None, *, clear: bool = False):
        """A context manager giving a :class:`WriteSession`; committed when the block ends,
        cancelled when it raises. ``clear``: the new generation holds only what this session
        adds (a rebuild); readers see the old one until the commit.

        :raise IndexBusyError: when the lock is not free within ``timeout`` seconds (default: the
            engine's lock timeout) and its holder is alive.
        """

    @abstractmethod
    def merge_small_segments(self, timeout: float = 0) -> None:
        """Merge the small segments saves left behind. :raise IndexBusyError: as above."""

    @abstractmethod
    def verify(self, full: bool = False) -> list[SegmentProblem]:
        """Read every segment of the current generation; return the damaged ones."""
