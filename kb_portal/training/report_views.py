"""Trainer report pages and CSV exports."""
from flask import Blueprint, Response, abort, render_template, request
from sqlalchemy import select

from ..accounts.access import require
from ..accounts.models import User
from ..extensions import db
from . import reports, responses_report, services, tracks
from .models import Assignment, Quiz
from .views import quiz_or_404

bp = Blueprint("training_reports", __name__, url_prefix="/training/reports")


@bp.route("")
@require("trainer")
def index():
    """Everyone's track progress (overdue first) and every quiz's headline numbers."""
    services.close_expired()
    db.session.commit()
    progresses = [tracks.progress(a) for a in db.session.scalars(select(Assignment)).all()]
    progresses.sort(key=lambda p: (not p.overdue, p.complete, p.assignment.user.username))
    quizzes = db.session.scalars(select(Quiz).order_by(Quiz.title)).all()
    return render_template("training/reports.html", progresses=progresses,
                           quiz_reports=[reports.quiz_report(q) for q in quizzes])


@bp.route("/users/<int:user_id>")
@require("trainer")
def report_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    services.close_expired(user=user)
    db.session.commit()
    return render_template("training/report_user.html", **reports.trainee_report(user))


@bp.route("/quizzes/<quiz_slug>")
@require("trainer")
def report_quiz(quiz_slug: str):
    quiz = quiz_or_404(quiz_slug)
    services.close_expired(quiz=quiz)
    db.session.commit()
    first_only = bool(request.args.get("first"))
    return render_template("training/report_quiz.html",
                           report=reports.quiz_report(quiz, first_only), first_only=first_only,
                           frequencies=responses_report.frequencies(quiz, first_only),
                           facility_flag=reports.FACILITY_FLAG,
                           discrimination_flag=reports.DISCRIMINATION_FLAG)


@bp.route("/quizzes/<quiz_slug>/responses")
@require("trainer")
def responses(quiz_slug: str):
    """Who answered what, question by question."""
    quiz = quiz_or_404(quiz_slug)
    first_only = bool(request.args.get("first"))
    return render_template("training/report_responses.html", quiz=quiz, first_only=first_only,
                           rows=responses_report.response_rows(quiz, first_only))


@bp.route("/quizzes/<quiz_slug>/responses.csv")
@require("trainer")
def responses_csv(quiz_slug: str):
    quiz = quiz_or_404(quiz_slug)
    return _csv_response(responses_report.responses_csv(quiz, bool(request.args.get("first"))),
                         f"{quiz.slug}-responses.csv")


def _csv_response(text: str, name: str) -> Response:
    # content_type, not mimetype: Werkzeug appends its own charset to a mimetype.
    return Response(text, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/attempts.csv")
@require("trainer")
def export_attempts():
    return _csv_response(reports.attempts_csv(), "attempts.csv")


@bp.route("/progress.csv")
@require("trainer")
def export_progress():
    return _csv_response(reports.progress_csv(), "track-progress.csv")
