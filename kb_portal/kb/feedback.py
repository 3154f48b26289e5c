"""Helpfulness votes: one per user and article, changeable, with an optional comment."""
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from ..accounts.models import utcnow
from ..database import upsert
from ..extensions import db
from .models import Article, Feedback


def vote(article: Article, user, helpful: bool, comment: str = "") -> None:
    """Record or change ``user``'s vote: one row per user and article, also when the same
    vote arrives twice at once (an upsert; not committed)."""
    values = {"helpful": helpful, "comment": (comment or "").strip()[:1000],
              "updated_at": utcnow()}
    db.session.execute(upsert(Feedback, {"article_id": article.id, "user_id": user.id,
                                         **values}, ("article_id", "user_id"), values))


def my_vote(article: Article, user) -> Feedback | None:
    # populate_existing: a vote written by vote()'s upsert bypassed the session's copy
    return db.session.get(Feedback, (article.id, user.id), populate_existing=True)


@dataclass
class Helpfulness:
    article: Article
    helpful: int
    not_helpful: int
    comments: list[Feedback] = field(default_factory=list)

    @property
    def score(self) -> float:
        return self.helpful / max(self.helpful + self.not_helpful, 1)


def counts(article: Article) -> tuple[int, int]:
    """(helpful, not helpful) votes for one article."""
    row = db.session.execute(select(
        func.count().filter(Feedback.helpful.is_(True)),
        func.count().filter(Feedback.helpful.is_(False)))
        .where(Feedback.article_id == article.id)).one()
    return row[0], row[1]


def least_helpful(limit: int = 10, comments_each: int = 5) -> list[Helpfulness]:
    """Articles with at least one "not helpful" vote, worst share first, with their comments."""
    no = func.sum(case((Feedback.helpful.is_(False), 1), else_=0))
    yes = func.sum(case((Feedback.helpful.is_(True), 1), else_=0))
    rows = db.session.execute(
        select(Feedback.article_id, yes, no).group_by(Feedback.article_id).having(no > 0)
        .order_by((yes * 1.0 / (yes + no)).asc(), no.desc()).limit(limit)).all()
    out = []
    for article_id, helpful, not_helpful in rows:
        comments = db.session.scalars(
            select(Feedback).where(Feedback.article_id == article_id, Feedback.comment != "")
            .order_by(Feedback.helpful.asc(), Feedback.updated_at.desc())
            .limit(comments_each)).all()
        out.append(Helpfulness(db.session.get(Article, article_id), int(helpful or 0),
                               int(not_helpful or 0), comments))
    return out
