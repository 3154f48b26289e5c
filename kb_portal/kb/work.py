"""A trainer's own queue ("My work"): what they wrote or own that is not live yet, what waits
for them, and what came back to them with a reviewer's reason.

* **Returned to me** — my pending changes whose last workflow step was "return to draft": the
  reviewer's reason stays shown until I submit again.
* **My drafts** and **my articles in review** — pending heads I wrote or own.
* **Reviews waiting for me** — heads in review that someone else submitted and that I may
  publish (for approval categories: I wrote none of the pending revisions).
* **Archive requests** — someone else asked to archive an article of an approval category; I
  may confirm or decline it.
* **Due for review** — articles I own whose review-by date passed or is within 14 days.

"Mine" means: I wrote the newest revision, or I own the article. The menu's count is the number
of items that ask me to act: returned, reviews waiting, archive requests, due.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask import g
from sqlalchemy import or_, select

from ..extensions import db
from . import health, workflow
from .models import Article, Revision


@dataclass
class WorkItem:
    article: Article
    since: datetime | None = None  # when it was submitted or returned
    who: object = None  # the submitter or the reviewer who returned it
    note: str = ""  # the reviewer's reason, for returned items


@dataclass
class MyWork:
    returned: list[WorkItem] = field(default_factory=list)
    drafts: list[WorkItem] = field(default_factory=list)
    in_review: list[WorkItem] = field(default_factory=list)
    to_review: list[WorkItem] = field(default_factory=list)
    to_archive: list[WorkItem] = field(default_factory=list)
    due: list[Article] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Items that ask the trainer to act (the menu's number)."""
        return len(self.returned) + len(self.to_review) + len(self.to_archive) + len(self.due)


def _pending(status: str):
    """A select of (article, head) whose head revision is pending with ``status``."""
    return (select(Article, Revision).join(Revision, Revision.id == Article.head_revision_id)
            .where(Revision.status == status, Article.status != "archived",
                   or_(Article.published_revision_id.is_(None),
                       Article.published_revision_id != Article.head_revision_id)))


def _mine(user):
    return or_(Revision.author_id == user.id, Article.owner == user.username)


def my_work(user) -> MyWork:
    """Everything on the My work page for ``user`` (see the module docstring)."""
    work = MyWork()
    drafts = db.session.execute(_pending("draft").where(_mine(user))
                                .order_by(Article.updated_at.desc())).all()
    steps = workflow.last_steps([a.id for a, _head in drafts])
    for article, head in drafts:
        step = steps.get(article.id)
        if step is not None and step.action == "article.return_to_draft":
            work.returned.append(WorkItem(article, step.created_at, step.actor,
                                          step.detail.get("note", "")))
        else:
            work.drafts.append(WorkItem(article, head.created_at))
    in_review = db.session.execute(_pending("review").order_by(Article.updated_at)).all()
    steps = workflow.last_steps([a.id for a, _head in in_review])
    for article, head in in_review:
        step = steps.get(article.id)
        item = WorkItem(article, step.created_at if step else head.created_at,
                        step.actor if step else head.author)
        if head.author_id == user.id or article.owner == user.username:
            work.in_review.append(item)
        if (item.who is None or item.who.id != user.id) and \
                workflow.publish_blocker(article, user) is None:
            work.to_review.append(item)
    work.to_archive = [WorkItem(a, a.archive_requested_at, a.archive_requested_by,
                                a.archive_reason) for a in db.session.scalars(
        select(Article).where(Article.archive_requested_by_id.is_not(None),
                              Article.archive_requested_by_id != user.id)
        .order_by(Article.archive_requested_at))]
    work.due = health.review_queue().get(user.username, [])
    return work


def count_for_menu(user) -> int:
    """The number next to "My work" in the menu (computed once per request)."""
    if "kb_my_work_count" not in g:
        g.kb_my_work_count = my_work(user).count if user.has_role("trainer") else 0
    return g.kb_my_work_count
