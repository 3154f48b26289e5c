"""Trainer pages: regrade a quiz (dry run, then apply) and override one question's mark."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.access import require
from ..extensions import db
from . import grading, regrade
from .errors import TrainingError
from .models import Attempt, Response
from .views import quiz_or_404

bp = Blueprint("training_grading", __name__, url_prefix="/training/manage/grading")


@bp.route("/quizzes/<quiz_slug>/regrade", methods=["GET", "POST"])
@require("trainer")
def regrade_quiz(quiz_slug: str):
    """GET: what a regrade would change (nothing is written). POST: do it."""
    quiz = quiz_or_404(quiz_slug)
    if request.method == "POST":
        if request.form.get("plan") != regrade.digest(regrade.plan(quiz)):
            flash(_("The regrade changed since you looked at it (the questions were edited "
                    "or attempts came in): check it again."), "warning")
            return redirect(url_for("training_grading.regrade_quiz", quiz_slug=quiz.slug))
        changes = regrade.apply(quiz, current_user)
        db.session.commit()
        flash(_("Regraded: %(n)d attempts changed.", n=len(changes)), "success")
        waiting = regrade.waiting(quiz)
        if waiting:
            flash(_("%(n)d attempts still in progress show an earlier version: regrade again "
                    "once they are submitted.", n=len(waiting)), "warning")
        return redirect(url_for("training_reports.report_quiz", quiz_slug=quiz.slug))
    changes = regrade.plan(quiz)
    return render_template("training/regrade.html", quiz=quiz, changes=changes,
                           plan=regrade.digest(changes), waiting=regrade.waiting(quiz))


def _number(text: str) -> float:
    """:raise TrainingError: when ``text`` is not a finite number."""
    try:
        value = float(text.strip().replace("，", ".").replace(",", "."))
    except ValueError:
        raise TrainingError(_("Give the mark as a number.")) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise TrainingError(_("Give the mark as a number."))
    return value


@bp.route("/attempts/<int:attempt_id>/<int:slot>/override", methods=["POST"])
@require("trainer")
def override(attempt_id: int, slot: int):
    response = db.session.get(Response, (attempt_id, slot)) or abort(404)
    attempt = db.session.get(Attempt, attempt_id)
    if attempt.in_progress:
        abort(404)
    try:
        mark = _number(request.form.get("mark", ""))
        grading.override(response, mark, request.form.get("comment", ""), current_user)
    except TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Mark changed."), "success")
    return redirect(url_for("training.result", attempt_id=attempt_id,
                            _anchor=f"review-{slot + 1}"))
