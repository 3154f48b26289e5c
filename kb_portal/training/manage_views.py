"""Trainer pages: the quiz list, file import, quiz settings, question editor, export."""
import random

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.access import require
from ..extensions import db
from . import editing
from .errors import TrainingError
from .files import QuestionFile, dump_quiz
from .forms import ImportForm, QuestionForm, QuizSettingsForm
from .gift import dump_gift
from .importer import import_upload, quiz_to_file
from .models import Attempt, Question, Quiz, Track
from .question_types import get_type
from .views import markdown_html, quiz_or_404

bp = Blueprint("training_manage", __name__, url_prefix="/training/manage")


def submit_form(form, save, success: str):
    """The settings forms' round: validate, run ``save(form.data)``, commit once and flash
    ``success`` — or roll back and flash the :class:`TrainingError`'s reason. Returns what
    ``save`` returned, or None when nothing was saved."""
    if form.validate_on_submit():
        try:
            saved = save(form.data)
        except TrainingError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return None
        db.session.commit()
        flash(success, "success")
        return saved
    if request.method == "POST":
        flash_errors(form)
    return None


def flash_errors(form) -> None:
    for name, errors in form.errors.items():
        for error in errors:
            flash(f"{getattr(form, name).label.text}: {error}", "error")


@bp.route("", methods=["GET", "POST"])
@require("trainer")
def index():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            kind, slug = import_upload(upload.filename or "", upload.read())
        except TrainingError as exc:
            db.session.rollback()
            flash(_("%(file)s was not imported: %(reason)s", file=upload.filename,
                    reason=str(exc)), "error")
        else:
            db.session.commit()
            flash(_("Imported quiz %(slug)s.", slug=slug) if kind == "quiz" else
                  _("Imported track %(slug)s.", slug=slug), "success")
        return redirect(url_for("training_manage.index"))
    counts = dict(db.session.execute(select(Attempt.quiz_id, func.count())
                                     .group_by(Attempt.quiz_id)).all())
    return render_template(
        "training/manage.html", form=form, counts=counts,
        quizzes=db.session.scalars(select(Quiz).order_by(Quiz.title)).all(),
        tracks=db.session.scalars(select(Track).order_by(Track.title)).all(),
        flagged=db.session.scalars(select(Question).where(
            Question.needs_review, Question.retired.is_(False))).all())


@bp.route("/quizzes/new", methods=["GET", "POST"])
@require("trainer")
def quiz_new():
    return _quiz_settings(None)


@bp.route("/quizzes/<quiz_slug>", methods=["GET", "POST"])
@require("trainer")
def quiz_edit(quiz_slug: str):
    return _quiz_settings(quiz_or_404(quiz_slug))


def _quiz_settings(quiz: Quiz | None):
    form = QuizSettingsForm(obj=quiz)
    if request.method == "GET" and quiz:
        form.draw_tags.data = ", ".join(quiz.draw_tags)
        form.articles.data = ", ".join(quiz.article_slugs)
    saved = submit_form(form, lambda data: editing.save_quiz_settings(quiz, data),
                        _("Quiz saved."))
    if saved is not None:
        return redirect(url_for("training_manage.quiz_edit", quiz_slug=saved.slug))
    return render_template("training/quiz_edit.html", quiz=quiz, form=form)


@bp.route("/quizzes/<quiz_slug>/questions/<question_key>", methods=["GET", "POST"])
@require("trainer")
def question_edit(quiz_slug: str, question_key: str):
    """Edit (or, with the key ``new``, add) a question; "Preview" shows it as agents will."""
    quiz = quiz_or_404(quiz_slug)
    question = next((q for q in quiz.questions if q.key == question_key), None)
    if question is None and question_key != "new":
        abort(404)
    form = QuestionForm()
    if request.method == "GET" and question is not None:
        form.fill(QuestionFile(
            id=question.key, type=question.type, prompt=question.prompt,
            definition=question.definition, explanation=question.explanation,
            article=question.article_ref, tags=question.tags, points=question.points))
    preview = None
    if form.validate_on_submit():
        try:
            if request.form.get("action") == "preview":
                preview = _preview(editing.check_question(form.to_data()))
            else:
                saved = editing.save_question(quiz, question, form.to_data())
                db.session.commit()
                flash(_("Question %(key)s saved.", key=saved.key), "success")
                return redirect(url_for("training_manage.quiz_edit", quiz_slug=quiz.slug))
        except TrainingError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    elif request.method == "POST":
        flash_errors(form)
    return render_template("training/question_edit.html", quiz=quiz, question=question,
                           form=form, preview=preview)


def _preview(qf) -> dict:
    """The question as the quiz page will show it, plus what the review will show."""
    qtype = get_type(qf.type)
    layout = qtype.make_layout(qf.definition, random.Random(), True)
    return {"slot": 0, "number": 1, "type": qf.type, "points": qf.points,
            "prompt_html": markdown_html(qf.prompt), "view": qtype.view(qf.definition, layout),
            "shown": None, "correct": qtype.correct_answer(qf.definition),
            "explanation_html": markdown_html(qf.explanation), "article": qf.article}


@bp.route("/quizzes/<quiz_slug>/questions/<question_key>/retire", methods=["POST"])
@require("trainer")
def question_retire(quiz_slug: str, question_key: str):
    quiz = quiz_or_404(quiz_slug)
    question = next((q for q in quiz.questions if q.key == question_key), None) or abort(404)
    question.retired = True
    db.session.commit()
    flash(_("Question %(key)s removed from the quiz.", key=question.key), "success")
    return redirect(url_for("training_manage.quiz_edit", quiz_slug=quiz.slug))


@bp.route("/questions/<int:question_id>/reviewed", methods=["POST"])
@require("trainer")
def question_reviewed(question_id: int):
    question = db.session.get(Question, question_id) or abort(404)
    question.needs_review, question.flagged_at = False, None
    db.session.commit()
    flash(_("Question %(key)s marked as reviewed.", key=question.key), "success")
    return redirect(request.referrer or url_for("training_manage.index"))


@bp.route("/quizzes/<quiz_slug>/export.<fmt>")
@require("trainer")
def quiz_export(quiz_slug: str, fmt: str):
    quiz = quiz_or_404(quiz_slug)
    if fmt not in ("yaml", "gift"):
        abort(404)
    doc = quiz_to_file(quiz)
    text = dump_quiz(doc) if fmt == "yaml" else dump_gift(doc)
    return Response(text, mimetype="text/plain; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename={quiz.slug}.{fmt}"})


