"""Keep the index in step with the database (DESIGN.md §1, rule 2).

The database is the source of truth. Reconcile compares the (article id, revision id) pairs of
published articles in the database with those stored in the index and adds, replaces or deletes
the difference. It runs right after a save (for the changed ids only), at start-up, and whenever
the database's fingerprint differs from the index's (checked at most every few seconds per
process). So a crash between commit and index write, a second gunicorn worker or a second app
server with its own index directory all end up consistent.
"""
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func, select
from whoosh.writing import CLEAR

from ..extensions import db
from ..kb.models import Article, Revision
from ..textnorm import fold
from .analysis import FoldedText, fold_long, latin_words
from .index import SearchIndex, index_state, index_state_for
from .parallel import ParallelAdder
from .snippets import fold_same_length

log = logging.getLogger(__name__)
BATCH = 200
BULK = 300  # from this many new documents on, indexing uses several processes
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


def check(index: SearchIndex) -> Drift:
    """Report the drift without changing anything."""
    return compare(published_state(), index_state(index.searcher().reader()))


def reconcile(index: SearchIndex, ids=None, timeout: float | None = None) -> Drift:
    """Make the index match the database, for all articles or only ``ids``.

    The diff is computed while holding the writer lock, so two processes reconciling at once
    do the work once. Returns the drift that was repaired.
    """
    ids = None if ids is None else {int(i) for i in ids}
    with index.writer(timeout=timeout) as writer:
        # The writer's own searcher: deleting the replaced documents below reuses it, so
        # the segments are opened once (a writer closes it when it finishes).
        reader = writer.searcher().reader()
        ix_state = index_state(reader) if ids is None else index_state_for(reader, ids)
        drift = compare(published_state(ids), ix_state, ids)
        for aid in drift.extra:
            writer.delete_by_term("id", str(aid))
        for doc in documents(drift.stale):
            writer.update_document(**doc)
        _add(writer, drift.missing)  # not in the index: nothing to replace
        if not drift:
            writer.kb_skip_commit = True
        elif ids is not None:
            # A save: write a small new segment and no merge, so the article is searchable
            # at once; merge_small_segments() tidies up afterwards.
            writer.kb_commit_options = {"merge": False}
    if drift:
        log.info("search index reconciled: %s", drift.summary())
    return drift


def needs_merge(index: SearchIndex) -> bool:
    """True when saves have left enough small segments that searches slow down."""
    return len(index.searcher().reader().leaf_readers()) >= MAX_SEGMENTS


def merge_small_segments(index: SearchIndex, timeout: float = 0) -> None:
    """Merge small segments (Whoosh's MERGE_SMALL policy) without adding anything.

    :raise LockError: when another writer holds the lock for longer than ``timeout``.
    """
    with index.writer(timeout=timeout) as writer:
        writer.kb_commit_options = {"merge": True}


def rebuild(index: SearchIndex, progress=None) -> int:
    """Index every published article from scratch; searchers see the old index until the end.

    Returns the number of documents.
    """
    ids = sorted(published_state())
    with index.writer(timeout=60) as writer:
        _add(writer, ids, progress)
        writer.kb_commit_options = {"mergetype": CLEAR}
    log.info("search index rebuilt: %d articles", len(ids))
    return len(ids)


def _add(writer, ids: list[int], progress=None) -> None:
    """Add the documents of ``ids``; many of them are indexed on all cores."""
    procs = current_app.config["KB_BULK_PROCS"] if len(ids) >= BULK else 1
    with ParallelAdder(writer, procs, document) as adder:
        for n, source in enumerate(sources(ids), 1):
            adder.add(source)
            if progress:
                progress(n, len(ids), source.slug)
    if procs > 1:
        log.info("indexing batches: %d in helper processes, %d in this one",
                 adder.handed_out, adder.kept)


class Source(NamedTuple):
    """What the index needs of one published revision, as plain values (picklable, so helper
    processes can turn it into a document)."""

    article_id: int
    slug: str
    updated_at: datetime | None
    revision_id: int
    title: str
    body: str
    tags_json: str
    summary: str | None
    category_key: str
    language: str
    toc_json: str | None


def sources(ids):
    """Yield a :class:`Source` for the published revision of each of ``ids`` (in batches)."""
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        rows = db.session.execute(
            select(Article.id, Article.slug, Article.updated_at, Revision.id, Revision.title,
                   Revision.body, Revision.tags_json, Revision.summary, Revision.category_key,
                   Revision.language, Revision.toc_json)
            .join(Revision, Revision.id == Article.published_revision_id)
            .where(Article.id.in_(ids[start:start + BATCH]), Article.status == "published")
        ).all()
        for row in rows:
            yield Source(*row)


def documents(ids):
    """Yield index documents for the published revisions of ``ids``."""
    return (document(source) for source in sources(ids))


def document(source: Source) -> dict:
    """The index document of one published revision."""
    tags = json.loads(source.tags_json or "[]")
    title, summary = source.title, source.summary or ""
    body = plain_text(source.body or "")
    # Folded once here for the match field and the word list.
    text = FoldedText(fold_long("\n".join((title, " , ".join(tags), summary, body))))
    return {
        "id": str(source.article_id), "rev": source.revision_id, "slug": source.slug,
        "title": title, "tags": " , ".join(tags), "summary": summary, "text": text,
        "body": body, "words": " ".join(sorted(latin_words(text))),
        "folded": fold_same_length(body),
        "tag": ",".join(fold(t).replace(",", " ") for t in tags),
        "category": source.category_key, "language": source.language,
        "updated": int(source.updated_at.timestamp()) if source.updated_at else 0,
        "headings": [h.get("name", "") for h in json.loads(source.toc_json or "[]")],
    }


# Linear by construction (tests/test_regex_linearity.py): a scan for a closing character never
# crosses another opening one, so no text is scanned from two starts, and no two quantifiers
# can split the same run of characters between them.
_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")
# [^\S\n] is white space within a line (\r of a browser's \r\n included).
_MD_TABLE_RULE = re.compile(r"^[^\S\n]*(?:\|[^\S\n]*)?:?-{3,}.*$", re.M)
_MD_MARKS = re.compile(
    r"^[^\S\n]{0,3}(?:#{1,6}[^\S\n]+|>[^\S\n]?|[-*+][^\S\n]+|\d+[.)][^\S\n]+)|[*_`~]{1,3}|\|",
    re.M)
_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")
_SPACES = re.compile(r"[ \t]+")


# "!!! warning "注意"" / "??? note": the box's type is markup; its title is text agents read.
_MD_ADMONITION = re.compile(r'^ {0,3}(?:!!!|\?\?\?\+?) *[\w-]+(?: +"([^"\n]*)")? *$', re.M)


def plain_text(markdown_text: str) -> str:
    """Markdown → the text an agent reads (for indexing and snippets)."""
    text = _MD_ADMONITION.sub(r"\1", markdown_text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_TABLE_RULE.sub("", text)
    text = _MD_MARKS.sub(" ", text)
    return _SPACES.sub(" ", _BLANK_LINES.sub("\n", text)).strip()
