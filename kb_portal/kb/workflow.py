"""Status changes: draft → in review → published → archived (docs/authoring.md).

Rules, each enforced here (views only show or hide buttons):

* Every action names the revision it acts on (``revision_id``); when the head moved on since the
  page was opened, :class:`ConflictError` is raised, so nobody publishes text they did not see.
* Submitting puts the head revision in review; "return to draft" takes it back out.
* Publishing makes the head the published revision. In a category with ``requires_approval``
  (policies), the head must be in review and the publisher must be an admin or a trainer who
  wrote none of the revisions since the last published one (four eyes). The rule applies when
  either the published or the new revision is in such a category, so moving a policy to another
  category does not skip the approval.
* Archiving hides the article from agents; unarchiving brings back its last published text.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..extensions import db
from .models import Article, Category, Revision
from .services import ConflictError, KbError, commit_and_notify, publish_revision


def _head(article: Article, revision_id: int | None) -> Revision:
    if revision_id is None or article.head_revision_id != revision_id:
        raise ConflictError(article, revision_id)
    return article.head_revision


def has_pending_changes(article: Article) -> bool:
    """True when the head revision is not the published one (a draft or a revision in review)."""
    return article.head_revision_id != article.published_revision_id


def needs_approval(article: Article) -> bool:
    """Whether publishing this article's head needs a second person's approval."""
    keys = {article.head_revision.category_key}
    if article.published_revision is not None:
        keys.add(article.published_revision.category_key)
    return bool(db.session.scalar(select(Category.id).where(
        Category.key.in_(keys), Category.requires_approval.is_(True)).limit(1)))


def pending_authors(article: Article) -> set[int]:
    """Ids of the users who wrote revisions since the last published one."""
    since = article.published_revision.number if article.published_revision else 0
    return {rid for rid in db.session.scalars(
        select(Revision.author_id).where(Revision.article_id == article.id,
                                         Revision.number > since)) if rid is not None}


def publish_blocker(article: Article, actor) -> str | None:
    """Why ``actor`` may not publish the head now (a translated message), or None."""
    if article.status == "archived":
        return _l("Archived articles must be unarchived first.")
    if not has_pending_changes(article):
        return _l("There are no unpublished changes.")
    if needs_approval(article):
        if article.head_revision.status != "review":
            return _l("This category needs approval: submit the changes for review first.")
        if not actor.has_role("admin") and actor.id in pending_authors(article):
            return _l("This category needs approval by a different trainer or an admin.")
    return None


def submit_for_review(article: Article, actor, revision_id: int | None) -> None:
    """Put the head revision in review."""
    head = _head(article, revision_id)
    if not has_pending_changes(article) or head.status != "draft":
        raise KbError(_l("Only a draft can be submitted for review."))
    head.status = "review"
    if not article.published_revision_id and article.status != "archived":
        article.status = "review"
    audit.record(actor, "article.submit", "article", article.id, article.slug,
                 revision=head.number)
    commit_and_notify([article.id])


def return_to_draft(article: Article, actor, revision_id: int | None, note: str = "") -> None:
    """Take the head out of review (a reviewer asking for changes, or the author withdrawing)."""
    head = _head(article, revision_id)
    if head.status != "review":
        raise KbError(_l("This revision is not in review."))
    head.status = "draft"
    if not article.published_revision_id and article.status != "archived":
        article.status = "draft"
    audit.record(actor, "article.return_to_draft", "article", article.id, article.slug,
                 revision=head.number, note=note.strip())
    commit_and_notify([article.id])


def publish(article: Article, actor, revision_id: int | None, *, requires_reread: bool = False,
            note: str = "") -> Revision:
    """Make the head revision what agents read.

    ``requires_reread`` is passed on with ``article_published`` (training reopens steps).
    :raise KbError: with :func:`publish_blocker`'s reason.
    """
    head = _head(article, revision_id)
    blocker = publish_blocker(article, actor)
    if blocker:
        raise KbError(blocker)
    approval = needs_approval(article)
    head.requires_reread = requires_reread
    publish_revision(article, head)
    audit.record(actor, "article.publish", "article", article.id, article.slug,
                 revision=head.number, approval=approval, requires_reread=requires_reread,
                 note=note.strip())
    commit_and_notify([article.id], [article.id], requires_reread=requires_reread)
    return head


def archive(article: Article, actor, note: str = "") -> None:
    """Hide the article from agents (its history stays)."""
    if article.status == "archived":
        raise KbError(_l("The article is already archived."))
    article.status = "archived"
    audit.record(actor, "article.archive", "article", article.id, article.slug,
                 note=note.strip())
    commit_and_notify([article.id])


def unarchive(article: Article, actor) -> None:
    """Bring an archived article back: published again if it ever was, else as a draft."""
    if article.status != "archived":
        raise KbError(_l("The article is not archived."))
    if article.published_revision_id:
        article.status = "published"
    else:
        article.status = "review" if article.head_revision.status == "review" else "draft"
    audit.record(actor, "article.unarchive", "article", article.id, article.slug,
                 status=article.status)
    commit_and_notify([article.id], [article.id] if article.is_published else [])
