"""Keep the index in step with the database (DESIGN.md §1, rule 2).

The database is the source of truth. Reconcile compares the (article id, revision id) pairs of
published articles in the database with those stored in the index and adds, replaces or deletes
the difference. It runs right after a save (for the changed ids only), at start-up, and whenever
the database's fingerprint differs from the index's (checked at most every few seconds per
process). So a crash between commit and index write, a second gunicorn worker or a second app
server with its own index directory all end up consistent.
"""
import logging
import os
import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from whoosh.writing import CLEAR

from ..extensions import db
from ..kb.models import Article, Revision
from ..textnorm import fold
from .analysis import fold_long, latin_words
from .index import SearchIndex, index_state, index_state_for
from .snippets import fold_same_length

log = logging.getLogger(__name__)
BATCH = 200
BULK = 300  # from this many documents on, a write is a bulk write (see bulk_options)
MAX_SEGMENTS = 12  # a save merges small segments once there are this many


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


def check(index: SearchIndex) -> Drift:
    """Report the drift without changing anything."""
    return compare(published_state(), index_state(index.searcher().reader()))


def reconcile(index: SearchIndex, ids=None, timeout: float | None = None) -> Drift:
    """Make the index match the database, for all articles or only ``ids``.

    The diff is computed while holding the writer lock, so two processes reconciling at once
    do the work once. Returns the drift that was repaired.
    """
    ids = None if ids is None else {int(i) for i in ids}
    options = bulk_options(len(ids) if ids is not None else BULK)
    with index.writer(timeout=timeout, **options) as writer:
        reader = writer.reader()
        try:
            ix_state = index_state(reader) if ids is None else index_state_for(reader, ids)
        finally:
            reader.close()
        drift = compare(published_state(ids), ix_state, ids)
        for aid in drift.extra:
            writer.delete_by_term("id", str(aid))
        for doc in documents(drift.missing + drift.stale):
            writer.update_document(**doc)
        if not drift:
            writer.kb_skip_commit = True
        elif ids is not None and len(getattr(writer, "segments", ())) < MAX_SEGMENTS:
            # A save: write a small new segment and leave merging to a later write, so the
            # article is searchable at once (a merge can take a second on a big index).
            writer.kb_commit_options = {"merge": False}
    if drift:
        log.info("search index reconciled: %s", drift.summary())
    return drift


def rebuild(index: SearchIndex, progress=None) -> int:
    """Index every published article from scratch; searchers see the old index until the end.

    Returns the number of documents.
    """
    ids = sorted(published_state())
    with index.writer(timeout=60, **bulk_options(len(ids))) as writer:
        for n, doc in enumerate(documents(ids), 1):
            writer.add_document(**doc)
            if progress:
                progress(n, len(ids), doc["slug"])
        writer.kb_commit_options = {"mergetype": CLEAR}
    log.info("search index rebuilt: %d articles", len(ids))
    return len(ids)


def bulk_options(count: int) -> dict:
    """Writer options: for many documents, index in parallel processes (Whoosh is pure
    Python, so this is what makes a full rebuild use both cores) with a bigger buffer."""
    procs = min(int(os.environ.get("KB_SEARCH_INDEX_PROCS", os.cpu_count() or 1)), 4)
    if count < BULK or procs < 2:
        return {"limitmb": 128}
    return {"procs": procs, "multisegment": True, "limitmb": 128, "batchsize": 50}


def documents(ids):
    """Yield index documents for the published revisions of ``ids`` (loaded in batches)."""
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        rows = db.session.execute(
            select(Article.id, Article.slug, Article.updated_at, Revision)
            .join(Revision, Revision.id == Article.published_revision_id)
            .where(Article.id.in_(chunk), Article.status == "published")
        ).all()
        for aid, slug, updated_at, rev in rows:
            yield document(aid, slug, updated_at, rev)
        db.session.expire_all()


def document(aid: int, slug: str, updated_at, rev: Revision) -> dict:
    """The index document of one published revision."""
    tags = rev.tags
    body = plain_text(rev.body or "")
    words = latin_words(fold_long(" ".join((rev.title, " ".join(tags), rev.summary or "", body))))
    return {
        "id": str(aid), "rev": rev.id, "slug": slug, "title": rev.title,
        "tags": " , ".join(tags), "summary": rev.summary or "",
        "text": "\n".join((rev.title, " , ".join(tags), rev.summary or "", body)),
        "body": body, "words": " ".join(sorted(words)), "folded": fold_same_length(body),
        "tag": ",".join(fold(t).replace(",", " ") for t in tags),
        "category": rev.category_key, "language": rev.language,
        "updated": int(updated_at.timestamp()) if updated_at else 0,
        "headings": [h.get("name", "") for h in rev.toc],
    }


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}.*$", re.M)
_MD_MARKS = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)|[*_`~]{1,3}|\|", re.M)


def plain_text(markdown_text: str) -> str:
    """Markdown → the text an agent reads (for indexing and snippets)."""
    text = _MD_LINK.sub(r"\1", markdown_text)
    text = _MD_TABLE_RULE.sub("", text)
    text = _MD_MARKS.sub(" ", text)
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n", text)).strip()
