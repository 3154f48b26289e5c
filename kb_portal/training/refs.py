"""Article references from training (``slug`` or ``slug#anchor``), following renames."""
from sqlalchemy import select

from ..extensions import db
from ..kb.models import Article, ArticleSlug
from .errors import TrainingError


def find_article(slug: str) -> Article | None:
    """The article with this slug, following renames."""
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        old = db.session.get(ArticleSlug, slug)
        article = db.session.get(Article, old.article_id) if old else None
    return article


def resolve_article_ref(ref: str) -> tuple[Article, str]:
    """``slug#anchor`` → (article, anchor).

    :raise TrainingError: for a missing article or section.
    """
    slug, _, anchor = ref.partition("#")
    article = find_article(slug)
    if article is None:
        raise TrainingError(f"article {slug!r} does not exist")
    if anchor:
        anchors = [h["id"] for h in (article.current.toc if article.current else [])]
        if anchor not in anchors:
            raise TrainingError(f"article {slug!r} has no section #{anchor} "
                            f"(its sections: {', '.join(anchors) or 'none'})")
    return article, anchor
