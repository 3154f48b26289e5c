"""Writing articles: create, save (with the optimistic lock), restore, rename.

Every save is a new :class:`Revision` in ``draft`` status that becomes the article's head; the
published revision (what agents read) only changes in :mod:`.workflow`. Functions here flush,
record the audit entry and queue the change signal; the calling view or command commits once
(:mod:`kb_portal.transaction`). They raise :class:`KbError` (messages are lazily translated, so
views can flash them) and :class:`ConflictError` when the editor's base revision is no longer
the head (checked atomically with the write: :func:`.services.lock_head`).
"""
import re
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..extensions import db
from .files import SLUG_RE
from .models import LANGUAGES, Article, ArticleSlug, Category, Revision
from .render_budget import explain, size_limit_error
from .services import ConflictError, KbError, add_revision, lock_head, notify, render_body
from .uploads import adopt_unattached

CONTENT_FIELDS = ("title", "body", "category_key", "tags", "language", "summary", "answer")


@dataclass
class ArticleInput:
    """What the editor sends: the revision's content plus article-level metadata."""

    title: str
    slug: str
    category_key: str
    body: str = ""
    tags: list[str] = field(default_factory=list)
    language: str = "zh-Hans"
    summary: str = ""
    answer: str = ""
    owner: str | None = None
    review_by: date | None = None
    # The editor's idempotency key: one per editing session (a hidden field), so that a save
    # retried after its response was lost creates no second revision.
    save_key: str | None = None

    def content(self) -> dict:
        return {name: getattr(self, name) for name in CONTENT_FIELDS}


def revision_content(rev: Revision) -> dict:
    """The content fields of ``rev`` in :class:`ArticleInput` form (for comparisons)."""
    return {"title": rev.title, "body": rev.body, "category_key": rev.category_key,
            "tags": rev.tags, "language": rev.language, "summary": rev.summary,
            "answer": rev.answer or ""}


def note_is_required(article: Article | None, category_key: str) -> bool:
    """Whether a save needs a change note, by the category's ``note_required`` policy.

    ``always``: every save; ``published`` (the default): once the article has been published,
    so that agents' text never changes without a reason on record; ``never``: optional.
    """
    category = db.session.scalar(select(Category).where(Category.key == category_key))
    policy = category.note_required if category else "published"
    if policy == "always":
        return True
    if policy == "never":
        return False
    return article is not None and article.published_revision_id is not None


def validate_input(data: ArticleInput, article: Article | None = None) -> None:
    """Check ``data`` before anything is written. :raise KbError: with the first problem."""
    data.title = data.title.strip()
    data.slug = data.slug.strip().lower()
    data.tags = list(dict.fromkeys(t.strip() for t in data.tags if t.strip()))
    if not data.title:
        raise KbError(_l("A title is required."))
    if not SLUG_RE.match(data.slug):
        raise KbError(_l("The slug may only contain lower-case letters, digits, '-', '_' "
                         "and '.'."))
    if db.session.scalar(select(Category.id).where(Category.key == data.category_key)) is None:
        raise KbError(_l("Unknown category."))
    if data.language not in LANGUAGES:
        raise KbError(_l("Unknown language."))
    too_large = size_limit_error(data.body, current_app.config["KB_ARTICLE_MAX_BYTES"])
    if too_large:
        raise KbError(explain(too_large))
    check_slug_free(data.slug, article)


def check_slug_free(slug: str, article: Article | None) -> None:
    """:raise KbError: when ``slug`` is, or was, another article's address.

    Former slugs stay reserved so that old links never silently start pointing elsewhere.
    """
    own_id = article.id if article is not None else None
    other = db.session.scalar(select(Article.id).where(Article.slug == slug))
    former = db.session.get(ArticleSlug, slug)
    if (other is not None and other != own_id) or \
            (former is not None and former.article_id != own_id):
        raise KbError(_l("The address %(slug)s is already used by another article.", slug=slug))


SAVE_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,40}$")


def clean_save_key(value: str | None) -> str | None:
    """The editor's idempotency key if it looks like one we generated, else None."""
    return value if value and SAVE_KEY_RE.match(value) else None


def _saved_with_key(save_key: str | None, **where) -> Revision | None:
    """The newest revision saved with ``save_key`` (and ``where``), if any."""
    if not save_key:
        return None
    return db.session.scalar(
        select(Revision).filter_by(save_key=save_key, **where).order_by(Revision.id.desc())
        .limit(1))


def created_with_key(save_key: str | None, actor) -> Article | None:
    """The article ``actor`` created in the editing session ``save_key``, if any.

    Also what the editor asks after a create failed on a taken address: a retry racing its own
    original fails that way once the original commits (the INSERT waits for it), and is then
    the same create, already done.
    """
    earlier = _saved_with_key(save_key, author_id=actor.id, number=1)
    return earlier.article if earlier is not None else None


def create_article(data: ArticleInput, actor, note: str = "") -> Article:
    """Create a draft article with its first revision; audit and notify (not committed).

    A retried create (same ``save_key`` by the same author) returns the article it made.
    """
    earlier = created_with_key(data.save_key, actor)
    if earlier is not None:
        return earlier
    validate_input(data)
    if note_is_required(None, data.category_key) and not note.strip():
        raise KbError(_l("A change note is required."))
    article = Article(slug=data.slug, status="draft", owner=data.owner or actor.username,
                      review_by=data.review_by)
    db.session.add(article)
    try:
        db.session.flush()
    except IntegrityError:  # created by someone else between the check and the insert
        raise KbError(_l("The address %(slug)s is already used by another article.",
                         slug=data.slug)) from None
    rev = add_revision(article, **data.content(), author=actor, note=note or "Created",
                       save_key=data.save_key)
    adopt_unattached(article, data.body)
    audit.record(actor, "article.create", "article", article.id, article.slug,
                 revision=rev.number)
    notify([article.id])
    return article


def save_article(article: Article, data: ArticleInput, actor, base_revision_id: int | None,
                 note: str = "") -> Revision | None:
    """Save the editor's text as a new draft revision on top of ``base_revision_id``.

    Returns the new revision, or None when only article-level metadata changed (or nothing).
    A save repeated with the same ``data.save_key`` (its response was lost) returns the
    revision the first one made — also when someone else saved on top of it meanwhile: the
    repeat changes nothing, as the original would have; a later save from the same editing
    session builds on it.

    :raise ConflictError: when someone saved since the editor opened the article.
    :raise KbError: on invalid input or a missing required change note.
    """
    validate_input(data, article)
    own = _saved_with_key(data.save_key, article_id=article.id)
    if own is not None and revision_content(own) == data.content():
        return own  # a replay of a save already made (also when others saved since)
    rendered = render_body(data.body)  # before the lock: keep the locked part short
    _lock_for_save(article, data.save_key, base_revision_id)
    head = article.head_revision
    content_changed = data.content() != revision_content(head)
    if not content_changed and data.save_key and head.save_key == data.save_key:
        return head  # a replay that raced its original (it waited in the lock)
    if content_changed and note_is_required(article, data.category_key) and not note.strip():
        raise KbError(_l("A change note is required for this article."))
    changes = _apply_metadata(article, data, actor)
    rev = None
    if content_changed:
        rev = add_revision(article, **data.content(), author=actor, note=note,
                           rendered=rendered, save_key=data.save_key)
        adopt_unattached(article, data.body)
        if not article.published_revision_id and article.status != "archived":
            article.status = "draft"
        changes["revision"] = rev.number
    if not changes:
        return None
    audit.record(actor, "article.edit", "article", article.id, article.slug, note=note,
                 **changes)
    notify([article.id])
    return rev


def _lock_for_save(article: Article, save_key: str | None, base_revision_id: int | None):
    """:func:`lock_head` on the editor's base — or on the newest revision this editing session
    already saved, which the editor's text includes even when the response never arrived.

    A conflict is checked against the saves of this session once more after the lock: a
    retry racing the original save waits for it, and must then see it as its own.
    """
    own = _saved_with_key(save_key, article_id=article.id)
    base = own.id if own is not None and own.id > (base_revision_id or 0) else base_revision_id
    try:
        return lock_head(article, base)
    except ConflictError:
        own = _saved_with_key(save_key, article_id=article.id)
        if own is None or own.id == base:
            raise
        return lock_head(article, own.id)


def _apply_metadata(article: Article, data: ArticleInput, actor) -> dict:
    """Owner, review-by date and slug live on the article and apply at once."""
    changes = {}
    if data.slug != article.slug:
        changes["renamed"] = f"{article.slug} → {data.slug}"
        rename_slug(article, data.slug)
    owner = data.owner or article.owner
    if owner != article.owner:
        changes["owner"] = owner
        article.owner = owner
    if data.review_by != article.review_by:
        changes["review_by"] = data.review_by.isoformat() if data.review_by else ""
        article.review_by = data.review_by
    return changes


def rename_slug(article: Article, new_slug: str) -> None:
    """Give ``article`` a new address; the old one keeps redirecting (not committed).

    Links in other articles are not rewritten: they point at the old slug, which
    ``queries.find_by_slug`` and ``queries.resolvable_slugs`` still resolve.
    """
    check_slug_free(new_slug, article)
    old = article.slug
    mine = db.session.get(ArticleSlug, new_slug)
    if mine is not None:  # renaming back to a former address
        db.session.delete(mine)
        db.session.flush()
    article.slug = new_slug
    db.session.add(ArticleSlug(slug=old, article_id=article.id))
    db.session.flush()


def restore_revision(article: Article, number: int, actor, base_revision_id: int | None,
                     note: str = "") -> Revision:
    """Copy revision ``number``'s content into a new draft revision (not committed; history is
    never rewritten).

    :raise ConflictError: when the head moved since the history page was opened.
    """
    lock_head(article, base_revision_id)
    source = article.revisions.filter_by(number=number).first()
    if source is None:
        raise KbError(_l("There is no such revision."))
    if revision_content(source) == revision_content(article.head_revision):
        raise KbError(_l("Revision %(n)s is the same as the current text.", n=number))
    text = f"Restored revision {number}" + (f": {note.strip()}" if note.strip() else "")
    rev = add_revision(article, **revision_content(source), author=actor, note=text)
    if not article.published_revision_id and article.status != "archived":
        article.status = "draft"
    audit.record(actor, "article.restore", "article", article.id, article.slug,
                 restored=number, revision=rev.number)
    notify([article.id])
    return rev
