"""Keep the index in step with the database (DESIGN.md §1, rule 2).

The database is the source of truth. Reconcile compares the (article id, revision id) pairs of
published articles in the database with those in the index and adds, replaces or deletes the
difference. It runs right after a save (for the changed ids only), at start-up, and whenever
the database's fingerprint differs from the index's (checked at most every few seconds per
process). So a crash between commit and index write, a second gunicorn worker or a second app
server with its own index directory all end up consistent.

Everything here takes the app's :class:`~.state.SearchState` and talks to its engine through
the engine interface only.
"""
import logging
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import func, select

from ..extensions import db
from ..kb.models import Article
from .documents import document, sources

log = logging.getLogger(__name__)
MAX_SEGMENTS = 12  # after a save, small segments are merged once there are this many


@dataclass
class Drift:
    """What differs between the database and the index."""

    missing: list[int] = field(default_factory=list)  # published, not in the index
    stale: list[int] = field(default_factory=list)  # in the index with an older revision
    extra: list[int] = field(default_factory=list)  # in the index, not published any more

    def __bool__(self) -> bool:
        return bool(self.missing or self.stale or self.extra)

    def summary(self) -> str:
        return (f"{len(self.missing)} missing, {len(self.stale)} stale, "
                f"{len(self.extra)} extra")


def published_state(ids=None) -> dict[int, int]:
    """``{article id: published revision id}`` for what agents may read."""
    query = select(Article.id, Article.published_revision_id).where(
        Article.status == "published", Article.published_revision_id.is_not(None))
    if ids is not None:
        query = query.where(Article.id.in_(list(ids)))
    return dict(db.session.execute(query).all())


def db_fingerprint() -> tuple[int, int]:
    """(count, sum of revision ids) of published articles: changes whenever that set does."""
    count, total = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Article.published_revision_id), 0))
        .where(Article.status == "published", Article.published_revision_id.is_not(None))
    ).one()
    return int(count), int(total)


def compare(db_state: dict[int, int], ix_state: dict[int, int], ids=None) -> Drift:
    """The :class:`Drift` between two states (limited to ``ids`` when given)."""
    drift = Drift()
    keys = set(ix_state) if ids is None else set(ids)
    for aid, rev in db_state.items():
        if aid not in ix_state:
            drift.missing.append(aid)
        elif ix_state[aid] != rev:
            drift.stale.append(aid)
    drift.extra = sorted(aid for aid in keys if aid in ix_state and aid not in db_state)
    return drift


def check(state) -> Drift:
    """Report the drift without changing anything."""
    return compare(published_state(), state.engine.snapshot(live=True).state())


def builder(state):
    """``build(source) → document`` for this app (may run in a helper process)."""
    return partial(document, fold_same_length=state.snippets.fold_same_length)


def reconcile(state, ids=None, timeout: float | None = None,
              when_behind: bool = False) -> Drift:
    """Make the index match the database, for all articles or only ``ids``.

    The diff is computed while holding the writer lock, so two processes reconciling at once
    do the work once. Returns the drift that was repaired.

    ``when_behind`` (a worker's periodic check, which found the fingerprints apart): first
    compare the fingerprints again under the lock. After a publish on another server every
    worker of this one finds its index behind, and all but the first to get the lock find it
    already caught up: they skip reading every (article, revision) pair from both sides
    (5–7 % of a cluster server's CPU under load, bench/RESULTS.md).

    :raise IndexBusyError: when another process holds the lock longer than ``timeout``.
    """
    ids = None if ids is None else {int(i) for i in ids}
    build = builder(state)
    with state.engine.writing(timeout) as session:
        if when_behind and ids is None and state.in_sync():
            session.discard()
            return Drift()
        drift = compare(published_state(ids), session.state(ids), ids)
        for aid in drift.extra + drift.stale:
            session.delete(aid)
        # The stale ones' old copies are deleted: all are new documents now, and many of
        # them are indexed on all cores (an import of 300 changed articles too).
        new = drift.missing + drift.stale
        session.add_many(sources(new), build, len(new))
        if not drift:
            session.discard()
        elif ids is not None:
            # A save: write a small new segment and no merge, so the article is searchable
            # at once; merge_small_segments() tidies up afterwards.
            session.merge = False
    if drift:
        log.info("search index reconciled: %s", drift.summary())
    return drift


def needs_merge(state) -> bool:
    """True when saves have left enough small segments that searches slow down."""
    return state.engine.snapshot(live=True).segment_count() >= MAX_SEGMENTS


def rebuild(state, progress=None, timeout: float | None = None) -> int:
    """Index every published article from scratch; searchers see the old index until the end.

    Returns the number of documents. :raise IndexBusyError: as :func:`reconcile`.
    """
    ids = sorted(published_state())
    with state.engine.writing(timeout, clear=True) as session:
        session.add_many(sources(ids), builder(state), len(ids), progress)
    log.info("search index rebuilt: %d articles", len(ids))
    return len(ids)
