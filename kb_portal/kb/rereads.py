"""Changed since you last read: revisions published with "agents must re-read this" that a
reader has not seen yet.

A reader *read* an article when they opened it (``ArticleView``: one row per day, holding the
revision shown). A re-read revision is unread by them when it is newer than every revision
they were shown. Views recorded before the revision was kept (``revision_id`` NULL) count by
time: the revision is unread when it was published after that view. Someone who never opened
the article is not told it changed: it is all new to them.
"""
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from .models import Article, ArticleView, Revision


@dataclass
class Unread:
    """One article's re-read revisions a reader has not seen, newest first, and the last
    published revision they did see (the diff starts there)."""

    article: Article
    revisions: list[Revision]
    seen_number: int | None

    @property
    def newest(self) -> Revision:
        return self.revisions[0]


def _last_read(user):
    """Per article the user opened: the highest revision number shown, and the newest view
    without a recorded revision."""
    return (select(ArticleView.article_id,
                   func.max(Revision.number).label("number"),
                   func.max(case((ArticleView.revision_id.is_(None),
                                  ArticleView.last_viewed_at))).label("legacy"))
            .outerjoin(Revision, Revision.id == ArticleView.revision_id)
            .where(ArticleView.user_id == user.id)
            .group_by(ArticleView.article_id).subquery())


def _unread_query(user):
    read = _last_read(user)
    rev, published = aliased(Revision), aliased(Revision)
    return (select(Article, rev, read.c.number)
            .join(read, read.c.article_id == Article.id)
            .join(published, published.id == Article.published_revision_id)
            .join(rev, rev.article_id == Article.id)
            .where(Article.status == "published", rev.requires_reread.is_(True),
                   rev.published_at.is_not(None), rev.number <= published.number,
                   rev.number > func.coalesce(read.c.number, 0),
                   or_(read.c.legacy.is_(None), rev.published_at > read.c.legacy))
            .order_by(rev.published_at.desc(), rev.number.desc()))


def _group(rows) -> list[Unread]:
    found: dict[int, Unread] = {}
    for article, rev, seen in rows:
        entry = found.setdefault(article.id, Unread(article, [], seen))
        entry.revisions.append(rev)
    return list(found.values())


def unread_for(article: Article, user) -> Unread | None:
    """The re-read revisions of ``article`` that ``user`` has not seen (None: nothing to
    re-read, or they never read it). Call before recording the current view."""
    rows = db.session.execute(_unread_query(user).where(Article.id == article.id)).all()
    found = _group(rows)
    return found[0] if found else None


def changed_since_read(user, limit: int = 10) -> list[Unread]:
    """Articles the user read that have since changed with "must re-read", newest first."""
    return _group(db.session.execute(_unread_query(user)).all())[:limit]


def diff_start(entry: Unread) -> int | None:
    """Number of the published revision the reader's diff starts from: the one they read, else
    the last one published before the oldest change they missed."""
    if entry.seen_number:
        return entry.seen_number
    oldest = entry.revisions[-1]
    return db.session.scalar(
        select(func.max(Revision.number)).where(
            Revision.article_id == oldest.article_id, Revision.number < oldest.number,
            Revision.status == "published"))
