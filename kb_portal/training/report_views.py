"""Trainer report pages and CSV exports."""
from flask import Response, abort, render_template
from sqlalchemy import select

from ..accounts.access import require
from ..accounts.models import User
from ..extensions import db
from . import reports, services, tracks
from .models import Assignment, Quiz
from .views import bp, quiz_or_404


@bp.route("/reports")
@require("trainer")
def reports_index():
    """Everyone's track progress (overdue first) and every quiz's headline numbers."""
    services.close_expired()
    progresses = [tracks.progress(a) for a in db.session.scalars(select(Assignment)).all()]
    progresses.sort(key=lambda p: (not p.overdue, p.complete, p.assignment.user.username))
    quizzes = db.session.scalars(select(Quiz).order_by(Quiz.title)).all()
    return render_template("training/reports.html", progresses=progresses,
                           quiz_reports=[reports.quiz_report(q) for q in quizzes])


@bp.route("/reports/users/<int:user_id>")
@require("trainer")
def report_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    services.close_expired(user=user)
    return render_template("training/report_user.html", **reports.trainee_report(user))


@bp.route("/reports/quizzes/<quiz_slug>")
@require("trainer")
def report_quiz(quiz_slug: str):
    quiz = quiz_or_404(quiz_slug)
    services.close_expired(quiz=quiz)
    return render_template("training/report_quiz.html", report=reports.quiz_report(quiz),
                           facility_flag=reports.FACILITY_FLAG,
                           discrimination_flag=reports.DISCRIMINATION_FLAG)


def _csv_response(text: str, name: str) -> Response:
    return Response(text, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/reports/attempts.csv")
@require("trainer")
def export_attempts():
    return _csv_response(reports.attempts_csv(), "attempts.csv")


@bp.route("/reports/progress.csv")
@require("trainer")
def export_progress():
    return _csv_response(reports.progress_csv(), "track-progress.csv")
