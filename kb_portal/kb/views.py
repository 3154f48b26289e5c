"""Reading UI: home, category and tag pages, the article page."""
from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit, transaction
from ..accounts.access import require
from ..extensions import db
from ..params import whole_number
from . import answers, article_page, feedback, health, history, queries, rereads, workflow
from .diffing import diff_fields, diff_texts
from .editing import revision_content
from .forms import LANGUAGE_CHOICES, FeedbackForm, VerifyForm
from .models import Category, Revision

bp = Blueprint("kb", __name__)
bp.add_app_template_global(history.status_label, "status_label")
bp.add_app_template_global(history.revision_note, "revision_note")
bp.add_app_template_global(audit.describe, "describe_audit")
bp.add_app_template_global(audit.target_type, "audit_target_type")
bp.add_app_template_global(audit.note_of, "audit_note")


@bp.app_template_global()
def category_label(key: str) -> str:
    """A category's name in the interface language (categories are read once per request)."""
    names = g.get("category_names")
    if names is None:
        names = g.category_names = {
            cat.key: cat.display_name(_locale()) for cat in db.session.scalars(db.select(Category))
        }
    return names.get(key, key)


def readable_content(content: dict) -> dict:
    """Category and language as their names, for the field diff people read."""
    languages = {choice.value: choice.label for choice in LANGUAGE_CHOICES}
    return {**content, "category_key": category_label(content["category_key"]),
            "language": languages.get(content["language"], content["language"])}


@bp.route("/")
@require("agent")
def home():
    return render_template(
        "kb/home.html",
        categories=queries.category_counts(),
        recent=queries.recently_updated(),
        viewed=queries.recently_viewed_by(current_user),
        changed=rereads.changed_since_read(current_user),
        health=health.summary(current_user) if current_user.has_role("trainer") else None,
    )


@bp.route("/c/<key>")
@require("agent")
def category(key: str):
    cat = db.session.scalar(db.select(Category).where(Category.key == key)) or abort(404)
    page = queries.in_category(key, whole_number(request.args.get("page")) or 1)
    return render_template("kb/list.html", heading=cat.display_name(_locale()), page=page,
                           category=cat)


@bp.route("/t/<tag>")
@require("agent")
def tag(tag: str):
    page = queries.with_tag(tag, whole_number(request.args.get("page")) or 1)
    return render_template("kb/list.html", heading="#" + tag, page=page, category=None)


@bp.route("/a/<slug>")
@require("agent")
def article(slug: str):
    """Show the published text of an article.

    :raise 404: when there is no such article or it is not published (for agents).
    """
    article, renamed = queries.find_by_slug(slug)
    if article is None or (not article.is_published and not current_user.has_role("trainer")):
        abort(404)
    if renamed:
        return redirect(url_for("kb.article", slug=article.slug, **request.args), 301)
    rev = article.current
    unread = rereads.unread_for(article, current_user)  # before this view counts as read
    queries.record_view(article, current_user)
    vote = feedback.my_vote(article, current_user)
    page = render_template(
        "kb/article.html", article=article, rev=rev, html=article_page.body_html(rev),
        toc=article_page.table_of_contents(rev),
        review_state=queries.review_state(article), related=queries.related(article),
        unread=unread, diff_from=rereads.diff_start(unread) if unread else None,
        card=answers.answer_card(rev),
        category=db.session.scalar(db.select(Category).where(Category.key == rev.category_key)),
        vote=vote, feedback_form=FeedbackForm(helpful="yes" if vote and vote.helpful else
                                              "no" if vote else None,
                                              comment=vote.comment if vote else ""),
        **(_trainer_context(article) if current_user.has_role("trainer") else {}),
    )
    # Committed after the page is drawn: a commit expires the loaded rows, and reading the
    # revision again would fetch its whole body and HTML (megabytes) a second time.
    transaction.commit()
    return page


@bp.route("/a/<slug>/changes")
@require("agent")
def changes(slug: str):
    """What changed in the published text since revision ``?from=<n>`` (a published one).

    Agents reach it from the re-read banner; drafts never show (trainers have the full diff).
    :raise 404: when the article is not published.
    """
    article = queries.published_or_404(slug)
    to_rev = article.published_revision
    from_rev = db.session.scalar(db.select(Revision).where(
        Revision.article_id == article.id, Revision.status == "published",
        Revision.number < to_rev.number,
        Revision.number <= request.args.get("from", to_rev.number - 1, type=int))
        .order_by(Revision.number.desc()).limit(1))
    new = readable_content(revision_content(to_rev))
    old = readable_content(revision_content(from_rev)) if from_rev else dict.fromkeys(new, "")
    since = db.session.scalars(db.select(Revision).where(
        Revision.article_id == article.id, Revision.status == "published",
        Revision.number > (from_rev.number if from_rev else 0), Revision.number <= to_rev.number)
        .order_by(Revision.number.desc())).all()
    return render_template("kb/changes.html", article=article, from_rev=from_rev, to_rev=to_rev,
                           since=since,
                           fields=diff_fields(old, new), diff=diff_texts(old["body"], new["body"]),
                           mode="inline")


def _trainer_context(article) -> dict:
    """What the trainer bar on the article page needs (pending changes, buttons, counts)."""
    return {
        "pending": workflow.has_pending_changes(article),
        **workflow.buttons_context(article, current_user),
        "needs_approval": workflow.needs_approval(article),
        "views_total": health.view_count(article),
        "views_30": health.view_count(article, 30),
        "votes": feedback.counts(article),
        "verify_form": VerifyForm(),
    }


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "en")
