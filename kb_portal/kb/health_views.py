"""Content health (the trainer's page), "verified", and agents' helpfulness votes."""
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import transaction
from ..accounts.access import require
from ..localtime import local_today
from . import feedback, health, queries
from .forms import FeedbackForm, VerifyForm
from .services import mark_verified

bp = Blueprint("kb_health", __name__)


@bp.route("/kb/health")
@require("trainer")
def overview():
    """Review queue, waiting reviews, helpfulness, gaps and views on one page."""
    return render_template(
        "kb/health.html", queue=health.review_queue(), in_review=health.in_review(),
        least_helpful=feedback.least_helpful(), broken=health.broken_links(),
        unviewed=health.never_viewed(), most_viewed=health.most_viewed(),
        search_gaps=health.search_gap_link(), today=local_today(),
        stuck_days=health.STUCK_DAYS, unviewed_days=health.UNVIEWED_DAYS,
        verify_form=VerifyForm())


@bp.route("/a/<slug>/verify", methods=["POST"])
@require("trainer")
def verify(slug: str):
    """Record that the current user checked the article; next review in N days (90)."""
    article, _renamed = queries.find_by_slug(slug)
    if article is None:
        abort(404)
    form = VerifyForm()
    if not form.validate_on_submit():
        flash(_("Enter a number of days between 1 and 3650."), "error")
    else:
        review_by = local_today() + timedelta(days=form.days.data or 90)
        mark_verified(article, current_user, review_by)
        transaction.commit()
        flash(_("Verified; next review by %(date)s.", date=review_by.isoformat()), "success")
    return redirect(url_for("kb.article", slug=article.slug))


@bp.route("/a/<slug>/feedback", methods=["POST"])
@require("agent")
def vote(slug: str):
    """An agent's helpful / not helpful vote (changeable), with an optional comment."""
    article = queries.published_or_404(slug)
    form = FeedbackForm()
    if form.validate_on_submit():
        feedback.vote(article, current_user, form.helpful.data == "yes", form.comment.data)
        transaction.commit()
        flash(_("Thank you for your feedback."), "success")
    else:
        flash(_("Choose yes or no."), "error")
    return redirect(url_for("kb.article", slug=article.slug) + "#feedback")
