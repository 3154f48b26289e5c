"""Read-side queries for the reading UI (what agents may see, counts, related articles)."""
from datetime import timedelta

from flask import abort
from sqlalchemy import func, select

from ..accounts.models import utcnow
from ..database import upsert
from ..extensions import db
from ..localtime import local_today
from .models import Article, ArticleSlug, ArticleTag, ArticleView, Category, Revision


def visible_articles():
    """A select of articles the current user may read: published ones for everybody."""
    return (select(Article).join(Revision, Article.published_revision_id == Revision.id)
            .where(Article.status == "published"))


def categories() -> list[Category]:
    """Every category, in the order trainers gave them."""
    return db.session.scalars(select(Category).order_by(Category.position)).all()


def category_counts() -> list[tuple[Category, int]]:
    counts = dict(db.session.execute(
        visible_articles().with_only_columns(Revision.category_key, func.count())
        .group_by(Revision.category_key)).all())
    return [(c, counts.get(c.key, 0)) for c in categories()]


def recently_updated(limit: int = 10) -> list[Article]:
    return db.session.scalars(visible_articles().order_by(Article.updated_at.desc())
                              .limit(limit)).all()


def recently_viewed_by(user, limit: int = 8) -> list[Article]:
    last_seen = (select(ArticleView.article_id, func.max(ArticleView.last_viewed_at).label("t"))
                 .where(ArticleView.user_id == user.id).group_by(ArticleView.article_id)
                 .subquery())
    return db.session.scalars(visible_articles().join(last_seen, last_seen.c.article_id ==
                                                      Article.id)
                              .order_by(last_seen.c.t.desc()).limit(limit)).all()


def in_category(key: str, page: int):
    query = visible_articles().where(Revision.category_key == key).order_by(Revision.title)
    return db.paginate(query, page=page, per_page=50, error_out=False)


def with_tag(tag: str, page: int):
    query = (visible_articles().join(ArticleTag, ArticleTag.article_id == Article.id)
             .where(ArticleTag.tag == tag).order_by(Revision.title))
    return db.paginate(query, page=page, per_page=50, error_out=False)


def related(article: Article, limit: int = 5) -> list[Article]:
    """Published articles sharing the most tags with ``article``."""
    tags = [t.tag for t in article.tags]
    if not tags:
        return []
    shared = (select(ArticleTag.article_id, func.count().label("n"))
              .where(ArticleTag.tag.in_(tags), ArticleTag.article_id != article.id)
              .group_by(ArticleTag.article_id).subquery())
    return db.session.scalars(visible_articles().join(shared, shared.c.article_id == Article.id)
                              .order_by(shared.c.n.desc(), Article.updated_at.desc())
                              .limit(limit)).all()


def find_by_slug(slug: str) -> tuple[Article | None, bool]:
    """Return (article, renamed): ``renamed`` is True when ``slug`` is a former slug."""
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    if article is not None:
        return article, False
    old = db.session.get(ArticleSlug, slug)
    return (db.session.get(Article, old.article_id), True) if old else (None, False)


def published_or_404(slug: str) -> Article:
    """The published article with this (current or former) slug.

    :raise 404: when there is none, or it is not published.
    """
    article, _renamed = find_by_slug(slug)
    if article is None or not article.is_published:
        abort(404)
    return article


def resolvable_slugs() -> set[str]:
    """Slugs (current and former) of published articles, for marking broken links."""
    current = db.session.scalars(select(Article.slug).where(Article.status == "published"))
    former = db.session.scalars(select(ArticleSlug.slug).join(
        Article, Article.id == ArticleSlug.article_id).where(Article.status == "published"))
    return set(current) | set(former)


def resolvable_among(slugs) -> set[str]:
    """Which of ``slugs`` (an article's own links) name a published article, now or formerly:
    work per link on the page, not per article in the knowledge base."""
    slugs = set(slugs)
    if len(slugs) > 500:  # keep clear of the databases' bound-parameter limits
        return slugs & resolvable_slugs()
    current = db.session.scalars(select(Article.slug).where(
        Article.status == "published", Article.slug.in_(slugs)))
    former = db.session.scalars(select(ArticleSlug.slug).join(
        Article, Article.id == ArticleSlug.article_id).where(
        Article.status == "published", ArticleSlug.slug.in_(slugs)))
    return set(current) | set(former)


def record_view(article: Article, user) -> None:
    """Count a view once per user and day; remember when (for 'recently viewed') and which
    revision was shown (for 'changed since you last read'); flushed.

    An upsert, so the same user opening the article twice at once still makes one row.
    """
    now, shown = utcnow(), article.current.id
    db.session.execute(upsert(
        ArticleView, {"article_id": article.id, "user_id": user.id, "day": local_today(),
                      "last_viewed_at": now, "revision_id": shown},
        ("article_id", "user_id", "day"), {"last_viewed_at": now, "revision_id": shown}))


def review_state(article: Article) -> str | None:
    """'overdue' when the review-by date passed, 'due' within 14 days, else None."""
    if not article.review_by:
        return None
    today = local_today()
    if article.review_by < today:
        return "overdue"
    return "due" if article.review_by <= today + timedelta(days=14) else None
