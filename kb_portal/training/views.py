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
from ..kb.rendering import render_markdown
from . import services, tracks
from .errors import TrainingError
from .grading import feedback_band, quiz_grade
from .models import Assignment, Attempt, Quiz
from .question_types import get_type
from .refs import find_article
from .rendering import question_html

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


def markdown_html(text: str) -> str:
    """Quiz descriptions go through the one Markdown renderer."""
    return render_markdown(text).html


def raw_answers(form: MultiDict, responses) -> dict[int, object]:
    """Form fields → raw answer per slot (``q3``, ``q3`` × n for checkboxes, ``q3_0``, …)."""
    raw = {}
    for r in responses:
        name = f"q{r.slot}"
        if r.type == "multiple":
            raw[r.slot] = form.getlist(name)
        elif r.type in ("ordering", "matching"):
            prefix = name + "_"
            raw[r.slot] = {k[len(prefix):]: v for k, v in form.items() if k.startswith(prefix)}
        elif name in form:
            raw[r.slot] = form.get(name)
    return raw


def question_views(attempt: Attempt) -> list[dict]:
    """What the quiz page shows per slot: prompt, options, the saved answer. No answers."""
    views = []
    for r in attempt.responses:
        qtype = get_type(r.type)
        views.append({"slot": r.slot, "number": r.slot + 1, "type": r.type,
                      "prompt_html": question_html(r.shown_prompt, r.prompt_format),
                      "points": r.points,
                      "view": qtype.view(r.definition, r.layout),
                      "shown": qtype.shown(r.definition, r.layout, r.answer)})
    return views


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
    refusal = None if open_attempt else services.start_refusal(quiz, attempts, utcnow())
    db.session.commit()  # close_expired may have graded an attempt
    return render_template("training/quiz.html", quiz=quiz, attempts=attempts,
                           grade=quiz_grade(quiz, current_user),
                           open_attempt=open_attempt, refusal=refusal,
                           study_first=study_articles(quiz),
                           description_html=markdown_html(quiz.description))


def study_articles(quiz: Quiz) -> list:
    """The quiz's "study first" articles a learner may open (published ones), for titles."""
    found = (find_article(slug) for slug in quiz.article_slugs)
    return [a for a in found if a is not None and a.is_published]


def visible_article(article):
    """``article`` when the current user may see it in training pages, else None: agents
    never meet a draft's title or address through a quiz question."""
    if article is None:
        return None
    return article if article.is_published or current_user.has_role("trainer") else None


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
    return render_template("training/attempt.html", attempt=attempt, quiz=attempt.quiz,
                           questions=question_views(attempt), remaining=remaining)


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
    graded = services.finish_attempt(attempt, raw_answers(request.form, attempt.responses))
    db.session.commit()
    if graded and attempt.late:
        flash(str(TIME_IS_UP), "warning")
    return redirect(url_for("training.result", attempt_id=attempt.id))


def review_rows(attempt: Attempt) -> list[dict]:
    """Per question: the prompt, right or not, and (as the quiz allows) answer and explanation."""
    review = "explanations" if current_user.has_role("trainer") else attempt.quiz.review
    if review == "score":
        return []
    rows = []
    for r in attempt.responses:
        q, qtype, definition = r.question, get_type(r.type), r.definition
        article, link = visible_article(q.article), None
        if article is not None:
            link = url_for("kb.article", slug=article.slug, _anchor=q.article_anchor or None)
        rows.append({"number": r.slot + 1, "response": r,
                     "prompt_html": question_html(r.shown_prompt, r.prompt_format),
                     "fraction": r.final_fraction or 0.0, "mark": r.mark or 0.0,
                     "points": r.points, "correct": qtype.correct_answer(definition),
                     "given": qtype.given_answer(definition, r.answer),
                     "feedback_html": [question_html(note, r.prompt_format)
                                       for note in qtype.feedback(definition, r.answer)],
                     "explanation_html": question_html(q.explanation, r.prompt_format)
                     if q.explanation and review == "explanations" else "",
                     "article_link": link, "article_anchor": q.article_anchor,
                     "article_title": article.current.title if article else ""})
    return rows


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
    if not progress.complete:
        flash(_("The certificate is available once every step is done."), "info")
        return redirect(url_for("training.index"))
    return render_template("training/certificate.html", assignment=assignment,
                           progress=progress)
