"""Article write operations: new revisions, publishing, status changes.

Views and the CLI call these; they raise :class:`KbError` subclasses that views turn into
messages. Every change is a new :class:`Revision`; nothing is ever overwritten in place.
"""
import hashlib
import json
from datetime import date

from sqlalchemy import select, update

from .. import audit, transaction
from ..accounts.models import utcnow
from ..extensions import db
from .answers import MAX_ANSWER, answers_json
from .models import Article, ArticleTag, Category, Revision
from .render_budget import explain, render_budgeted
from .rendering import Rendered, RenderError
from .signals import article_changed, article_published

DEFAULT_CATEGORIES = (
    # key, English, Chinese, publishing needs a second trainer's approval
    ("product", "Product", "产品", False),
    ("policy", "Policy", "政策", True),
    ("sop", "SOP", "操作流程", False),
)


class KbError(ValueError):
    """A user-facing problem with an article operation."""


class ConflictError(KbError):
    """The article moved on since the editor opened it (optimistic lock)."""

    def __init__(self, article: Article, base_revision_id: int | None):
        super().__init__("The article was changed by someone else since you started editing.")
        self.article = article
        self.base_revision_id = base_revision_id


def ensure_default_categories() -> None:
    """Create the built-in categories that are missing (safe to run again)."""
    existing = set(db.session.scalars(select(Category.key)))
    for position, (key, en, zh, approval) in enumerate(DEFAULT_CATEGORIES):
        if key not in existing:
            db.session.add(Category(key=key, name_en=en, name_zh=zh, position=position,
                                    requires_approval=approval))
    db.session.flush()


def category_keys() -> set[str]:
    return set(db.session.scalars(select(Category.key)))


def content_hash(**content) -> str:
    """A stable digest of an article's content and file-level metadata."""
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def get_article(slug: str) -> Article | None:
    return db.session.scalar(select(Article).where(Article.slug == slug))


def lock_head(article: Article, expected_head_id: int | None) -> Revision:
    """Check that the head is still ``expected_head_id`` and keep it so until commit.

    The check and the write that follows are one atomic step: a conditional UPDATE of the
    article row (``… WHERE id = :id AND head_revision_id = :expected``) is the transaction's
    first write. On PostgreSQL it takes the row lock; a concurrent saver's UPDATE waits for
    it, then re-evaluates its WHERE against the committed row and matches nothing. On SQLite
    it takes the database's write lock (WAL + busy_timeout, see ``database.py``), so the
    second saver waits and then finds the new head. Of two saves on the same base exactly one
    wins; the other gets :class:`ConflictError` — never a silently dropped edit, never a
    duplicate revision number (docs/authoring.md, "No lost updates").

    Call it before changing anything on ``article``: the row is re-read once locked, so the
    rest of the transaction works on the latest committed state.

    :raise ConflictError: when the head is not (or no longer) ``expected_head_id``.
    """
    if expected_head_id is None:
        raise ConflictError(article, None)
    db.session.flush()  # this transaction's own changes first (the WHERE must see them)
    result = db.session.execute(
        update(Article)
        .where(Article.id == article.id, Article.head_revision_id == expected_head_id)
        .values(head_revision_id=Article.head_revision_id)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ConflictError(article, expected_head_id)
    db.session.refresh(article)
    return article.head_revision


def render_body(body: str) -> Rendered:
    """Render an article body within the render budget. :raise KbError: when it cannot be."""
    try:
        return render_budgeted(body)
    except RenderError as exc:
        raise KbError(explain(exc)) from None


def add_revision(article: Article, *, title: str, body: str, category_key: str,
                 tags: list[str], language: str, summary: str, answer: str = "",
                 author=None, note: str = "",
                 status: str = "draft", base_revision_id: int | None = None,
                 chash: str | None = None, rendered: Rendered | None = None,
                 save_key: str | None = None, flush: bool = True) -> Revision:
    """Append a revision to ``article`` (not committed) and make it the head.

    Callers adding to an existing article hold :func:`lock_head` first, which makes the
    revision number below safe against concurrent saves.

    ``rendered`` is the rendered body when the caller already has it (bulk imports render in
    parallel, saves render before taking the lock); otherwise the body is rendered here
    (:func:`render_body`). ``flush=False`` leaves the INSERT to the caller's next flush, so many
    new revisions go in one batch. ``save_key`` is the editor's idempotency key (see
    ``editing.save_article``).

    :raise ConflictError: when ``base_revision_id`` is given and is not the current head.
    :raise KbError: when the body cannot be rendered within its budget.
    """
    if base_revision_id is not None and article.head_revision_id != base_revision_id:
        raise ConflictError(article, base_revision_id)
    if article.head_revision_id is None and article.head_revision is None:
        number = 1  # the article's first revision: no query (the bulk-import path)
    else:
        number = (db.session.scalar(
            select(db.func.max(Revision.number)).where(Revision.article_id == article.id))
            or 0) + 1
    rendered = rendered or render_body(body)
    # The answer joins the hash only when set, so articles without one keep their hashes.
    extra = {"answer": answer} if answer else {}
    rev = Revision(
        article=article, number=number, base_revision_id=article.head_revision_id,
        status=status, title=title.strip(), body=body, category_key=category_key,
        language=language, summary=summary.strip(), answer=answer.strip()[:MAX_ANSWER],
        note=note.strip()[:500],
        author_id=getattr(author, "id", None), created_at=utcnow(),
        content_hash=chash or content_hash(title=title, body=body, category=category_key,
                                           tags=tags, language=language, summary=summary,
                                           **extra),
        html=rendered.html, toc_json=json.dumps(rendered.toc, ensure_ascii=False),
        links_json=json.dumps(rendered.links, ensure_ascii=False), save_key=save_key,
        answers_json=answers_json(rendered.html),
    )
    rev.tags = tags
    db.session.add(rev)
    article.head_revision = rev
    # "Updated" is what agents read: a pending draft of a published article must not move it
    # (publish_revision does); for unpublished articles it tracks the newest revision.
    if not article.published_revision_id:
        article.updated_at = rev.created_at
    if flush:
        db.session.flush()  # the INSERT, and article.head_revision_id set from it
    return rev


def publish_revision(article: Article, rev: Revision) -> None:
    """Make ``rev`` the text agents see (not committed)."""
    first_publish = article.published_revision_id is None and article.published_revision is None
    rev.status = "published"
    rev.published_at = utcnow()
    article.published_revision = rev
    article.status = "published"
    article.updated_at = utcnow()
    _sync_tags(article, rev.tags, first_publish)


def _sync_tags(article: Article, tags: list[str], first_publish: bool) -> None:
    if first_publish:
        # Tag rows only exist for published articles: nothing to load and compare.
        article.tags = [ArticleTag(tag=t) for t in dict.fromkeys(tags)]
        return
    wanted = set(tags)
    article.tags = [t for t in article.tags if t.tag in wanted]
    have = {t.tag for t in article.tags}
    article.tags.extend(ArticleTag(tag=t) for t in wanted - have)


def notify(article_ids: list[int], published_ids: list[int] = (),
           requires_reread: bool = False) -> None:
    """Tell subscribers (search index, training) which articles changed, once the caller's
    transaction commits (:mod:`kb_portal.transaction`); nothing is sent on rollback.

    ``requires_reread`` goes with ``article_published``: True when the publisher marked the
    change as one that agents (and training tracks) must read again.
    """
    article_ids, published_ids = list(article_ids), list(published_ids)

    def send() -> None:
        if article_ids:
            article_changed.send(None, article_ids=article_ids)
        if published_ids:
            article_published.send(None, article_ids=published_ids,
                                   requires_reread=requires_reread)

    transaction.after_commit(send)


def mark_verified(article: Article, actor, review_by: date) -> None:
    """Record that ``actor`` checked the article and set its next review date."""
    article.verified_at = utcnow()
    article.verified_by_id = actor.id
    article.review_by = review_by
    audit.record(actor, "article.verify", "article", article.id, article.slug,
                 review_by=review_by.isoformat())
