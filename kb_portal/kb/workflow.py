"""Status changes: draft → in review → published → archived (docs/authoring.md).

Rules, each enforced here (views only show or hide buttons):

* Every action names the revision it acts on (``revision_id``); when the head moved on since the
  page was opened, :class:`ConflictError` is raised, so nobody publishes text they did not see.
  The check holds the article row until commit (:func:`.services.lock_head`), so an action and
  a concurrent save never interleave.
* Functions here flush and queue the change signals; the calling view or command commits.
* Submitting puts the head revision in review; "return to draft" takes it back out.
* Publishing makes the head the published revision. In a category with ``requires_approval``
  (policies), the head must be in review and the publisher must be an admin or a trainer who
  wrote none of the revisions since the last published one (four eyes). The rule applies when
  either the published or the new revision is in such a category, so moving a policy to another
  category does not skip the approval.
* Returning a revision to draft needs a reason; the author sees it (My work, the article and
  the editor) until they submit again, and the history keeps it.
* Archiving needs a reason. In an approval category it needs a second person too, as
  publishing does: a trainer's archive is a *request* (agents keep reading the article) that
  another trainer or an admin confirms or declines; an admin archives at once. Unarchiving is
  one click and brings back the last published text; the archive reason stays on the page.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import audit
from ..accounts.models import utcnow
from ..audit import AuditEntry
from ..extensions import db
from .models import Article, Category, Revision
from .services import KbError, lock_head, notify, publish_revision


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


WORKFLOW_STEPS = ("article.submit", "article.return_to_draft")


def last_steps(article_ids: list[int]) -> dict[int, AuditEntry]:
    """The newest submit / return-to-draft entry of each article."""
    if not article_ids:
        return {}
    newest = (select(func.max(AuditEntry.id)).where(
        AuditEntry.target_type == "article", AuditEntry.target_id.in_(article_ids),
        AuditEntry.action.in_(WORKFLOW_STEPS)).group_by(AuditEntry.target_id))
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.id.in_(newest)))
    return {entry.target_id: entry for entry in entries}


def returned_note(article: Article) -> AuditEntry | None:
    """The return-to-draft entry when the article's pending draft came back from review (and
    was not submitted again since), else None — for the banner on the article and editor."""
    if article.head_revision is None or article.head_revision.status != "draft" or \
            not has_pending_changes(article):
        return None
    entry = last_steps([article.id]).get(article.id)
    return entry if entry is not None and entry.action == "article.return_to_draft" else None


def buttons_context(article: Article, actor) -> dict:
    """What ``kb/_workflow_buttons.html`` needs besides the article (pages that show it)."""
    return {"publish_blocker": publish_blocker(article, actor),
            "archive_approval": archive_needs_approval(article, actor),
            "returned": returned_note(article)}


def submit_for_review(article: Article, actor, revision_id: int | None) -> None:
    """Put the head revision in review."""
    head = lock_head(article, revision_id)
    if not has_pending_changes(article) or head.status != "draft":
        raise KbError(_l("Only a draft can be submitted for review."))
    head.status = "review"
    if not article.published_revision_id and article.status != "archived":
        article.status = "review"
    audit.record(actor, "article.submit", "article", article.id, article.slug,
                 revision=head.number)
    notify([article.id])


def return_to_draft(article: Article, actor, revision_id: int | None, note: str = "") -> None:
    """Take the head out of review (a reviewer asking for changes, or the author withdrawing).

    :raise KbError: without a reason (the author is shown it).
    """
    head = lock_head(article, revision_id)
    if head.status != "review":
        raise KbError(_l("This revision is not in review."))
    if not note.strip():
        raise KbError(_l("Say why you return it: the author sees your reason."))
    head.status = "draft"
    if not article.published_revision_id and article.status != "archived":
        article.status = "draft"
    audit.record(actor, "article.return_to_draft", "article", article.id, article.slug,
                 revision=head.number, note=note.strip())
    notify([article.id])


def publish(article: Article, actor, revision_id: int | None, *, requires_reread: bool = False,
            note: str = "") -> Revision:
    """Make the head revision what agents read.

    ``requires_reread`` is passed on with ``article_published`` (training reopens steps).
    :raise KbError: with :func:`publish_blocker`'s reason.
    """
    head = lock_head(article, revision_id)
    blocker = publish_blocker(article, actor)
    if blocker:
        raise KbError(blocker)
    approval = needs_approval(article)
    head.requires_reread = requires_reread
    publish_revision(article, head)
    audit.record(actor, "article.publish", "article", article.id, article.slug,
                 revision=head.number, approval=approval, requires_reread=requires_reread,
                 note=note.strip())
    notify([article.id], [article.id], requires_reread=requires_reread)
    return head


def archive_needs_approval(article: Article, actor) -> bool:
    """Whether ``actor`` archiving ``article`` is only a request another person confirms."""
    return needs_approval(article) and not actor.has_role("admin")


def archive(article: Article, actor, revision_id: int | None, note: str = "") -> bool:
    """Hide the article from agents (its history stays), or ask for that in approval categories.

    Returns True when the article is archived now, False when a request was recorded.
    :raise KbError: without a reason, when already archived, or when the requester confirms
        their own request.
    :raise ConflictError: when the head is no longer ``revision_id``.
    """
    lock_head(article, revision_id)
    if article.status == "archived":
        raise KbError(_l("The article is already archived."))
    if not note.strip():
        raise KbError(_l("Say why the article is archived: it is shown to trainers later."))
    if archive_needs_approval(article, actor) and article.archive_requested_by_id is None:
        article.archive_requested_by_id = actor.id
        article.archive_requested_at = utcnow()
        article.archive_reason = note.strip()[:500]
        audit.record(actor, "article.archive_request", "article", article.id, article.slug,
                     note=note.strip())
        return False
    if archive_needs_approval(article, actor) and article.archive_requested_by_id == actor.id:
        raise KbError(_l("Archiving this category needs a second person: another trainer or "
                         "an admin must confirm your request."))
    approval = article.archive_requested_by_id is not None
    reason = note.strip() if not approval or note.strip() == article.archive_reason else \
        f"{article.archive_reason} / {note.strip()}"
    article.status = "archived"
    article.archive_reason = reason[:500]
    article.archived_at = utcnow()
    article.archived_by_id = actor.id
    article.archive_requested_by_id = article.archive_requested_at = None
    audit.record(actor, "article.archive", "article", article.id, article.slug,
                 approval=approval, note=note.strip())
    notify([article.id])
    return True


def decline_archive(article: Article, actor, revision_id: int | None, note: str = "") -> None:
    """Keep the article: withdraw (the requester) or decline (anyone else) an archive request."""
    lock_head(article, revision_id)
    if article.archive_requested_by_id is None:
        raise KbError(_l("Nobody asked to archive this article."))
    article.archive_requested_by_id = article.archive_requested_at = None
    article.archive_reason = ""
    audit.record(actor, "article.archive_decline", "article", article.id, article.slug,
                 note=note.strip())


def unarchive(article: Article, actor, revision_id: int | None) -> None:
    """Bring an archived article back: published again if it ever was, else as a draft."""
    lock_head(article, revision_id)
    if article.status != "archived":
        raise KbError(_l("The article is not archived."))
    article.archived_at = article.archived_by_id = None
    article.archive_reason = ""
    if article.published_revision_id:
        article.status = "published"
    else:
        article.status = "review" if article.head_revision.status == "review" else "draft"
    audit.record(actor, "article.unarchive", "article", article.id, article.slug,
                 status=article.status)
    notify([article.id], [article.id] if article.is_published else [])
