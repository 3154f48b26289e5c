"""Learner pages: my onboarding, taking a quiz, results, "I have read this", certificates.

The quiz page is built from each response's *view* (choices in display order, values that are
display positions) and never from a definition, so answers cannot leak into the HTML.
"""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..accounts.access import require
from ..accounts.models import utcnow
from ..extensions import db
from ..kb import queries
from . import certificates, services, tracks
from .errors import TrainingError, commit_or_flash
from .grading import feedback_band, quiz_grade
from .models import Assignment, Attempt, Quiz
from .presenting import question_views, raw_answers, review_rows, study_articles
from .rendering import markdown_html

bp = Blueprint("training", __name__, url_prefix="/training")
TIME_IS_UP = _l("Time is up: your attempt was graded on the answers saved before the deadline.")


def quiz_or_404(slug: str) -> Quiz:
    """:raise 404: when there is no quiz with this slug."""
    return db.session.scalar(db.select(Quiz).where(Quiz.slug == slug)) or abort(404)


def attempt_or_404(attempt_id: int, trainer_may_see: bool = False) -> Attempt:
    """The attempt, if it is the current user's (or a trainer may look at it).

    :raise 404: otherwise — other people's attempts do not exist for you.
    """
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or (attempt.user_id != current_user.id and
                           not (trainer_may_see and current_user.has_role("trainer"))):
        abort(404)
    return attempt


@bp.route("/")
@require("agent")
def index():
    quizzes = db.session.scalars(db.select(Quiz).order_by(Quiz.title)).all()
    best = {q.id: services.best_attempt(q, current_user) for q in quizzes}
    return render_template("training/index.html", progresses=tracks.user_progress(current_user),
                           quizzes=quizzes, best=best)


@bp.route("/quiz/<quiz_slug>")
@require("agent")
def quiz(quiz_slug: str):
    quiz = quiz_or_404(quiz_slug)
    services.close_expired(quiz=quiz, user=current_user)
    attempts = services.user_attempts(quiz, current_user)
    open_attempt = next((a for a in attempts if a.in_progress), None)
    refusal = None if open_attempt else \
        services.start_refusal(quiz, current_user, attempts, utcnow())
    db.session.commit()  # close_expired may have graded an attempt
    return render_template("training/quiz.html", quiz=quiz, attempts=attempts,
                           grade=quiz_grade(quiz, current_user),
                           open_attempt=open_attempt, refusal=refusal,
                           study_first=study_articles(quiz),
                           description_html=markdown_html(quiz.description))


@bp.route("/quiz/<quiz_slug>/start", methods=["POST"])
@require("agent")
def start(quiz_slug: str):
    quiz = quiz_or_404(quiz_slug)
    try:
        attempt = services.start_attempt(quiz, current_user)
    except TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("training.quiz", quiz_slug=quiz.slug))
    db.session.commit()
    return redirect(url_for("training.attempt", attempt_id=attempt.id))


@bp.route("/attempt/<int:attempt_id>")
@require("agent")
def attempt(attempt_id: int):
    attempt = attempt_or_404(attempt_id)
    if attempt.in_progress and services.is_expired(attempt, utcnow()):
        services.submit_attempt(attempt, late=True)
        db.session.commit()
        flash(str(TIME_IS_UP), "warning")
    if not attempt.in_progress:
        return redirect(url_for("training.result", attempt_id=attempt.id))
    remaining = None
    if attempt.deadline:
        remaining = max(0, int((attempt.deadline - utcnow()).total_seconds()))
    blanks = services.blank_numbers(attempt) if request.args.get("blanks") else []
    return render_template("training/attempt.html", attempt=attempt, quiz=attempt.quiz,
                           questions=question_views(attempt), remaining=remaining,
                           blanks=blanks, may_withdraw=services.may_withdraw(attempt))


@bp.route("/attempt/<int:attempt_id>/withdraw", methods=["POST"])
@require("agent")
def withdraw(attempt_id: int):
    """"I started this by mistake": the attempt goes away and does not count."""
    attempt = attempt_or_404(attempt_id)
    quiz_slug = attempt.quiz.slug
    try:
        services.withdraw(attempt)
    except TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("training.attempt", attempt_id=attempt_id))
    db.session.commit()
    flash(_("The attempt was withdrawn; it does not count."), "success")
    return redirect(url_for("training.quiz", quiz_slug=quiz_slug))


@bp.route("/attempt/<int:attempt_id>/save", methods=["POST"])
@require("agent")
def save(attempt_id: int):
    """Autosave (JSON; CSRF token in the ``X-CSRFToken`` header): ``{"fields": [[n, v], …]}``."""
    attempt = attempt_or_404(attempt_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("fields"), list):
        return jsonify(error=_("Expected JSON: {\"fields\": [[name, value], …]}")), 400
    fields = MultiDict([(str(p[0]), str(p[1])) for p in payload["fields"]
                        if isinstance(p, list) and len(p) == 2])
    result_url = url_for("training.result", attempt_id=attempt.id)
    if attempt.in_progress and services.is_expired(attempt, utcnow()):
        services.submit_attempt(attempt, late=True)
        db.session.commit()
        return jsonify(error=str(TIME_IS_UP), result_url=result_url), 409
    try:
        saved = services.save_answers(attempt, raw_answers(fields, attempt.responses))
    except TrainingError as exc:
        db.session.rollback()
        return jsonify(error=str(exc), result_url=result_url), 409
    db.session.commit()
    return jsonify(saved=saved, saved_at=utcnow().isoformat(timespec="seconds"))


@bp.route("/attempt/<int:attempt_id>/submit", methods=["POST"])
@require("agent")
def submit(attempt_id: int):
    attempt = attempt_or_404(attempt_id)
    raw = raw_answers(request.form, attempt.responses)
    now = utcnow()
    if attempt.in_progress and not services.is_expired(attempt, now) and \
            not any(request.form.getlist("confirm_blanks")):
        # Blanks need a second, deliberate click: save what was sent and ask (no JavaScript
        # needed; training.js asks before the form is even sent).
        try:
            services.save_answers(attempt, raw, now)
        except TrainingError:
            db.session.rollback()
        else:
            db.session.commit()
            blanks = services.blank_numbers(attempt)
            if blanks:
                return redirect(url_for("training.attempt", attempt_id=attempt.id,
                                        blanks=",".join(map(str, blanks))))
    graded = services.finish_attempt(attempt, raw)
    db.session.commit()
    if graded and attempt.late:
        flash(str(TIME_IS_UP), "warning")
    return redirect(url_for("training.result", attempt_id=attempt.id))


@bp.route("/attempt/<int:attempt_id>/result")
@require("agent")
def result(attempt_id: int):
    attempt = attempt_or_404(attempt_id, trainer_may_see=True)
    if attempt.in_progress:
        return redirect(url_for("training.attempt", attempt_id=attempt.id))
    band = feedback_band(attempt.quiz, attempt.percent)
    return render_template("training/result.html", attempt=attempt, quiz=attempt.quiz,
                           rows=review_rows(attempt), band_html=markdown_html(band))


@bp.route("/read/<slug>", methods=["POST"])
@require("agent")
def acknowledge(slug: str):
    article = queries.published_or_404(slug)
    try:
        closed = tracks.acknowledge_article(current_user, article)
    except TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("kb.article", slug=article.slug))
    db.session.commit()
    flash(_("Marked as read.") if closed else _("Noted: you have read this article."),
          "success")
    return redirect(url_for("training.index"))


@bp.route("/certificate/<int:assignment_id>")
@require("agent")
def certificate(assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or (assignment.user_id != current_user.id and
                              not current_user.has_role("trainer")):
        abort(404)
    progress = tracks.progress(assignment)
    issued = certificates.certificate_for(assignment)
    if issued is None:
        flash(_("The certificate is available once every step is done."), "info")
        return redirect(url_for("training.index"))
    db.session.commit()
    return render_template("training/certificate.html", assignment=assignment,
                           progress=progress, certificate=issued)


@bp.route("/verify", methods=["GET", "POST"])
@bp.route("/verify/<code>", methods=["GET", "POST"])
@require("agent")
def verify(code: str = ""):
    """Check a certificate's code: who, which track, when, revoked or not (trainers may
    revoke it here, with a reason)."""
    code = code or request.args.get("code", "")
    found = certificates.find(code) if code else None
    if request.method == "POST" and found is not None and current_user.has_role("trainer"):
        commit_or_flash(lambda: certificates.revoke(found, request.form.get("reason", ""),
                                                    current_user),
                        _("Certificate %(code)s revoked.", code=found.code))
        return redirect(url_for("training.verify", code=found.code))
    return render_template("training/verify.html", code=code, certificate=found)
