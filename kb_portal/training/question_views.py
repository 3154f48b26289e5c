"""Trainer pages: the question editor (bank questions, with a preview as learners see it).

``/new?quiz=<slug>`` writes a question into the quiz's home category and gives it a fixed slot
there; ``/new?category=<id>`` writes one into that bank category. Saving a change adds a version
of the question; attempts keep the version they showed.
"""
import random

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.access import require
from ..extensions import db
from . import editing
from .bank_models import Question, QuestionCategory
from .errors import TrainingError
from .forms import QuestionForm
from .manage_views import flash_errors
from .models import Quiz
from .question_types import get_type
from .quiz_import import home_category, question_to_file
from .rendering import question_html

bp = Blueprint("training_questions", __name__, url_prefix="/training/manage/questions")


def _context() -> tuple[Quiz | None, QuestionCategory | None]:
    """The quiz (``?quiz=slug``) or category (``?category=id``) the editor was opened from."""
    quiz = db.session.scalar(db.select(Quiz).where(Quiz.slug == request.args.get("quiz", "")))
    category = db.session.get(QuestionCategory, request.args.get("category", 0, type=int))
    return quiz, category


def _back(quiz: Quiz | None, category: QuestionCategory | None):
    if quiz is not None:
        return url_for("training_manage.quiz_edit", quiz_slug=quiz.slug)
    return url_for("training_bank.index", category=category.id if category else None)


@bp.route("/new", methods=["GET", "POST"])
@require("trainer")
def new():
    quiz, category = _context()
    if quiz is None and category is None:
        abort(404)
    return _editor(None, quiz, category or home_category(quiz))


@bp.route("/<int:question_id>", methods=["GET", "POST"])
@require("trainer")
def edit(question_id: int):
    question = db.session.get(Question, question_id) or abort(404)
    quiz, _category = _context()
    return _editor(question, quiz, question.category)


def _editor(question: Question | None, quiz: Quiz | None, category: QuestionCategory):
    """Edit or add a question; "Preview" shows it as agents will."""
    form = QuestionForm()
    if request.method == "GET" and question is not None:
        form.fill(question_to_file(question))
    preview = None
    if form.validate_on_submit():
        try:
            if request.form.get("action") == "preview":
                preview = _preview(editing.check_question(form.to_data()))
            else:
                saved = editing.save_question(category, question, form.to_data(),
                                              current_user, quiz)
                db.session.commit()
                flash(_("Question %(key)s saved.", key=saved.key), "success")
                return redirect(_back(quiz, category))
        except TrainingError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    elif request.method == "POST":
        flash_errors(form)
    return render_template("training/question_edit.html", quiz=quiz, question=question,
                           category=category, form=form, preview=preview,
                           back=_back(quiz, category))


def _preview(qf) -> dict:
    """The question as the quiz page will show it, plus what the review will show."""
    qtype = get_type(qf.type)
    layout = qtype.make_layout(qf.definition, random.Random(), True)
    return {"slot": 0, "number": 1, "type": qf.type, "points": qf.points,
            "prompt_html": question_html(qf.prompt, qf.prompt_format),
            "view": qtype.view(qf.definition, layout), "shown": None,
            "correct": qtype.correct_answer(qf.definition),
            "explanation_html": question_html(qf.explanation, qf.prompt_format),
            "article": qf.article}


@bp.route("/<int:question_id>/reviewed", methods=["POST"])
@require("trainer")
def reviewed(question_id: int):
    question = db.session.get(Question, question_id) or abort(404)
    question.needs_review, question.flagged_at = False, None
    db.session.commit()
    flash(_("Question %(key)s marked as reviewed.", key=question.key), "success")
    return redirect(request.referrer or url_for("training_manage.index"))
