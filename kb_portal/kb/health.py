"""Content health for trainers: review queue, content gaps, view counts.

Search gaps (zero-result and no-click queries) belong to the search feature: when it is
installed, it names its report page in ``app.extensions["kb_reports"]["search_gaps"]``, so this
module never imports it.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app, url_for
from sqlalchemy import func, select

from ..accounts.models import User, utcnow
from ..audit import AuditEntry
from ..extensions import db
from ..localtime import local_today
from .models import Article, ArticleView, Revision
from .queries import resolvable_slugs, visible_articles

DUE_WITHIN_DAYS = 14
UNVIEWED_DAYS = 90
STUCK_DAYS = 7


def review_queue(today: date | None = None) -> dict[str, list[Article]]:
    """Articles (not archived) whose review-by date passed or is due within 14 days, by owner."""
    today = today or local_today()
    rows = db.session.scalars(select(Article).where(
        Article.status != "archived", Article.review_by.is_not(None),
        Article.review_by <= today + timedelta(days=DUE_WITHIN_DAYS))
        .order_by(Article.review_by, Article.slug)).all()
    queue: dict[str, list[Article]] = defaultdict(list)
    for article in rows:
        queue[article.owner or ""].append(article)
    return dict(sorted(queue.items()))


@dataclass
class InReview:
    article: Article
    since: object  # datetime the head was submitted
    stuck: bool


def in_review(stuck_days: int = STUCK_DAYS) -> list[InReview]:
    """Heads waiting in review, oldest first; ``stuck`` after ``stuck_days``."""
    submitted = (select(AuditEntry.target_id, func.max(AuditEntry.created_at).label("t"))
                 .where(AuditEntry.action == "article.submit",
                        AuditEntry.target_type == "article")
                 .group_by(AuditEntry.target_id).subquery())
    rows = db.session.execute(
        select(Article, submitted.c.t)
        .join(Revision, Revision.id == Article.head_revision_id)
        .outerjoin(submitted, submitted.c.target_id == Article.id)
        .where(Revision.status == "review", Article.status != "archived")).all()
    limit = utcnow() - timedelta(days=stuck_days)
    out = [InReview(a, t or a.head_revision.created_at, (t or a.head_revision.created_at) < limit)
           for a, t in rows]
    return sorted(out, key=lambda r: r.since)


def broken_links() -> list[tuple[Article, list[str]]]:
    """Published articles whose text links to slugs that resolve to no published article."""
    known = resolvable_slugs()
    out = []
    for article in db.session.scalars(visible_articles().order_by(Article.slug)):
        missing = sorted({link["slug"] for link in article.published_revision.links} - known)
        if missing:
            out.append((article, missing))
    return out


# Views that say something about use: agents reading. Trainers and admins open articles to
# write, review and verify them, which would make every article they maintain look read.
BY_AGENTS = ArticleView.user_id.in_(select(User.id).where(User.role == "agent"))


def never_viewed(days: int = UNVIEWED_DAYS) -> list[Article]:
    """Published articles no agent opened in the last ``days`` days."""
    since = local_today() - timedelta(days=days)
    viewed = select(ArticleView.article_id).where(ArticleView.day >= since, BY_AGENTS)
    return db.session.scalars(visible_articles().where(Article.id.not_in(viewed))
                              .order_by(Article.updated_at)).all()


def view_count(article: Article, days: int | None = None) -> int:
    """Agents' views (one per agent per day) in total or within the last ``days`` days."""
    query = select(func.count()).select_from(ArticleView).where(
        ArticleView.article_id == article.id, BY_AGENTS)
    if days:
        query = query.where(ArticleView.day >= local_today() - timedelta(days=days))
    return db.session.scalar(query) or 0


def most_viewed(days: int = 30, limit: int = 10) -> list[tuple[Article, int]]:
    since = local_today() - timedelta(days=days)
    counts = (select(ArticleView.article_id, func.count().label("n"))
              .where(ArticleView.day >= since, BY_AGENTS).group_by(ArticleView.article_id)
              .subquery())
    return db.session.execute(
        visible_articles().join(counts, counts.c.article_id == Article.id)
        .add_columns(counts.c.n).order_by(counts.c.n.desc()).limit(limit)).all()


def search_gap_link() -> str | None:
    """URL of the search feature's zero-result / no-click report, when that feature exists."""
    endpoint = current_app.extensions.get("kb_reports", {}).get("search_gaps")
    return url_for(endpoint) if endpoint else None


def summary(user) -> dict:
    """Counts for the trainer's home page."""
    queue = review_queue()
    mine = queue.get(user.username, [])
    return {"due": sum(len(v) for v in queue.values()), "mine": len(mine),
            "in_review": len(in_review())}
