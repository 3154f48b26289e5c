"""Unpublished articles in trainers' searches: drafts, articles in review, archived ones.

The index holds only what agents may read (published text), so nothing unpublished can leak
through it. Trainers still need to find a draft by what it says: :func:`unpublished_matches`
looks through the newest revisions of unpublished articles in the database with the same
analyzer as the index (folding, segmentation, stemming) and returns the best few. Only the
results page calls it, and only for trainers; agents never reach it.
"""
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..kb.models import Article, Revision
from ..textnorm import fold
from .analysis import fold_long

SCANNED = 500  # the most recently changed unpublished articles that are looked through
TITLE_WEIGHT = 3


@dataclass
class UnpublishedHit:
    article: Article
    revision: Revision
    score: int


def _terms(query: str, analyzer) -> list[set[str]]:
    """Each query word as the forms that count as a match (stem and surface form)."""
    terms = []
    for piece in analyzer.analyze(query, index=False):
        if piece.kind == "code":
            continue  # its parts are terms of their own
        terms.append({form for form in (piece.text, piece.raw) if form})
    return terms


def unpublished_matches(query: str, analyzer, limit: int = 10) -> list[UnpublishedHit]:
    """Unpublished articles whose newest revision contains most of the query's words
    (``analyzer``: the app's, ``search_state().analyzer``)."""
    terms = _terms(query, analyzer)
    if not terms:
        return []
    rows = db.session.execute(
        select(Article, Revision).join(Revision, Revision.id == Article.head_revision_id)
        .where(Article.status != "published").order_by(Article.updated_at.desc())
        .limit(SCANNED)).all()
    needed = max(1, len(terms) - len(terms) // 3)  # one word in three may be missing
    hits = []
    for article, rev in rows:
        title = fold(rev.title)
        text = fold_long(" ".join((rev.summary, " ".join(rev.tags), rev.body, article.slug)))
        found = [t for t in terms if any(f in title or f in text for f in t)]
        if len(found) >= needed:
            in_title = sum(1 for t in terms if any(f in title for f in t))
            hits.append(UnpublishedHit(article, rev, len(found) + TITLE_WEIGHT * in_title))
    hits.sort(key=lambda hit: -hit.score)
    return hits[:limit]
