"""History, diffs, one revision, restore, and the workflow buttons (submit, publish, …)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import transaction
from ..accounts.access import require
from ..audit import AuditEntry
from ..extensions import db
from ..redirects import local_target
from . import article_page, editing, queries, workflow
from .diffing import diff_fields, diff_texts
from .models import Revision
from .services import ConflictError, KbError
from .views import readable_content

bp = Blueprint("kb_revisions", __name__)
EMPTY_CONTENT = {"title": "", "body": "", "category_key": "", "tags": [], "language": "",
                 "summary": ""}


def _article_or_404(slug: str):
    article, _renamed = queries.find_by_slug(slug)
    return article or abort(404)


def _newest_first(article) -> list[Revision]:
    # The relationship orders by number ascending; order_by(None) drops that default first.
    return article.revisions.order_by(None).order_by(Revision.number.desc()).all()


def _revision_or_404(article, number: int) -> Revision:
    return article.revisions.filter_by(number=number).first() or abort(404)


@bp.route("/a/<slug>/history")
@require("trainer")
def history(slug: str):
    """Every revision (newest first) and every status change from the audit log."""
    article = _article_or_404(slug)
    revisions = _newest_first(article)
    events = db.session.scalars(select(AuditEntry).where(
        AuditEntry.target_type == "article", AuditEntry.target_id == article.id)
        .order_by(AuditEntry.id.desc())).all()
    return render_template("kb/history.html", article=article, revisions=revisions,
                           events=events)


@bp.route("/a/<slug>/diff")
@require("trainer")
def diff(slug: str):
    """Compare ``?from=<n>&to=<m>`` (default: published → newest), side by side or inline.

    A new article's first revision is compared with nothing (``from=0``), so a reviewer reads
    it whole on the same page. When the newest revision is in review, the page carries the
    review actions (approve and publish, return with a reason).
    """
    article = _article_or_404(slug)
    head = article.head_revision
    default_from = article.published_revision if article.published_revision_id and \
        article.published_revision_id != head.id else None
    to_rev = _revision_or_404(article, request.args.get("to", head.number, type=int))
    from_number = request.args.get("from", type=int)
    if from_number is None:
        from_number = default_from.number if default_from else to_rev.number - 1
    from_rev = _revision_or_404(article, from_number) if from_number > 0 else None
    mode = "inline" if request.args.get("mode") == "inline" else "side"
    full = request.args.get("full") == "1"
    old = readable_content(editing.revision_content(from_rev)) if from_rev else EMPTY_CONTENT
    new = readable_content(editing.revision_content(to_rev))
    reviewing = to_rev.id == head.id and head.status == "review"
    return render_template(
        "kb/diff.html", article=article, from_rev=from_rev, to_rev=to_rev, mode=mode, full=full,
        fields=diff_fields(old, new), diff=diff_texts(old["body"], new["body"],
                                                      context=-1 if full else 3),
        numbers=[r.number for r in _newest_first(article)], reviewing=reviewing,
        **workflow.buttons_context(article, current_user))


@bp.route("/a/<slug>/r/<int:number>")
@require("trainer")
def revision(slug: str, number: int):
    """One revision rendered as agents would see it once published."""
    article = _article_or_404(slug)
    rev = _revision_or_404(article, number)
    return render_template("kb/revision.html", article=article, rev=rev,
                           html=article_page.body_html(rev))


@bp.route("/a/<slug>/restore/<int:number>", methods=["POST"])
@require("trainer")
def restore(slug: str, number: int):
    article = _article_or_404(slug)
    try:
        rev = editing.restore_revision(article, number, current_user,
                                       request.form.get("base_revision_id", type=int),
                                       note=request.form.get("note", ""))
        transaction.commit()
    except ConflictError:
        transaction.rollback()
        flash(_("The article changed since you opened this page; check the history again."),
              "error")
    except KbError as exc:
        transaction.rollback()
        flash(str(exc), "error")
    else:
        flash(_("Revision %(old)s restored as revision %(new)s (a draft).", old=number,
                new=rev.number), "success")
    return redirect(url_for("kb_revisions.history", slug=article.slug))


# Each workflow action: (service call, success message — or a function of the call's result).
# The form names the revision it acts on, so a click on a stale page is a conflict, not a
# surprise.
def _act(slug: str, action, message):
    article = _article_or_404(slug)
    revision_id = request.form.get("revision_id", type=int)
    try:
        result = action(article, revision_id)
        transaction.commit()
    except ConflictError:
        transaction.rollback()
        flash(_("Someone changed the article since you opened the page; look at the newest "
                "revision first."), "error")
    except KbError as exc:
        transaction.rollback()
        flash(str(exc), "error")
    else:
        flash(message(result) if callable(message) else message, "success")
    return redirect(local_target(request.form.get("next"))
                    or url_for("kb.article", slug=article.slug))


@bp.route("/a/<slug>/submit", methods=["POST"])
@require("trainer")
def submit(slug: str):
    return _act(slug, lambda a, rid: workflow.submit_for_review(a, current_user, rid),
                _("Submitted for review."))


@bp.route("/a/<slug>/return", methods=["POST"])
@require("trainer")
def return_to_draft(slug: str):
    return _act(slug, lambda a, rid: workflow.return_to_draft(
        a, current_user, rid, request.form.get("note", "")),
        _("Returned to draft: the author sees your reason."))


@bp.route("/a/<slug>/publish", methods=["POST"])
@require("trainer")
def publish(slug: str):
    return _act(slug, lambda a, rid: workflow.publish(
        a, current_user, rid, requires_reread=bool(request.form.get("requires_reread")),
        note=request.form.get("note", "")), _("Published: agents now see this revision."))


@bp.route("/a/<slug>/archive", methods=["POST"])
@require("trainer")
def archive(slug: str):
    """Archive (or, in approval categories, ask a second person to); a reason is required."""
    return _act(slug, lambda a, rid: workflow.archive(
        a, current_user, rid, request.form.get("note", "")),
        lambda archived: _("Archived: agents no longer see this article.") if archived else
        _("Archiving requested: another trainer or an admin must confirm; agents still see "
          "the article."))


@bp.route("/a/<slug>/keep", methods=["POST"])
@require("trainer")
def decline_archive(slug: str):
    """Withdraw or decline a request to archive; the article stays."""
    return _act(slug, lambda a, rid: workflow.decline_archive(
        a, current_user, rid, request.form.get("note", "")), _("The article stays: the request "
                                                           "to archive it is withdrawn."))


@bp.route("/a/<slug>/unarchive", methods=["POST"])
@require("trainer")
def unarchive(slug: str):
    return _act(slug, lambda a, rid: workflow.unarchive(a, current_user, rid),
                _("The article is back."))
