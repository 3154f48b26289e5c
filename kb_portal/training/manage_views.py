"""Trainer pages: the quiz list, file import, quiz settings and slots, export."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..accounts.access import require
from ..accounts.models import User
from ..extensions import db
from ..localtime import from_local, to_local
from . import editing, scheduling
from .bank_models import Question, QuestionCategory
from .errors import TrainingError, commit_or_flash
from .files import dump_quiz
from .forms import ImportForm, OverrideForm, QuizSettingsForm, split_tags
from .gift_export import dump_gift
from .importer import import_upload
from .models import Attempt, Quiz, QuizOverride, Track
from .quiz_import import question_to_file, quiz_to_file
from .views import quiz_or_404

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
            kind, name, skipped = import_upload(upload.filename or "", upload.read(),
                                                form.category.data or "", current_user)
        except TrainingError as exc:
            db.session.rollback()
            flash(_("%(file)s was not imported: %(reason)s", file=upload.filename,
                    reason=str(exc)), "error")
        else:
            db.session.commit()
            _flash_imported(kind, name, skipped)
        return redirect(url_for("training_manage.index"))
    counts = dict(db.session.execute(select(Attempt.quiz_id, func.count())
                                     .group_by(Attempt.quiz_id)).all())
    return render_template(
        "training/manage.html", form=form, counts=counts,
        quizzes=db.session.scalars(select(Quiz).order_by(Quiz.title)).all(),
        tracks=db.session.scalars(select(Track).order_by(Track.title)).all(),
        flagged=db.session.scalars(select(Question).where(
            Question.needs_review, Question.retired.is_(False))).all())


def _flash_imported(kind: str, name: str, skipped) -> None:
    if kind == "bank":
        flash(_("Imported the questions into the bank category %(name)s.", name=name),
              "success")
    else:
        flash(_("Imported quiz %(slug)s.", slug=name) if kind == "quiz" else
              _("Imported track %(slug)s.", slug=name), "success")
    for s in skipped:
        flash(_("Skipped line %(line)d (%(title)s): %(reason)s", line=s.line, title=s.title,
                reason=s.reason), "warning")


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
        form.open_at.data = _local(quiz.open_at)
        form.close_at.data = _local(quiz.close_at)
        form.articles.data = ", ".join(quiz.article_slugs)
        form.feedback.data = "\n".join(f"{b['min']:g}: {b['text']}" for b in quiz.feedback_bands)
    saved = submit_form(form, lambda data: editing.save_quiz_settings(quiz, data),
                        _("Quiz saved."))
    if saved is not None:
        return redirect(url_for("training_manage.quiz_edit", quiz_slug=saved.slug))
    categories = db.session.scalars(select(QuestionCategory)).all()
    return render_template("training/quiz_edit.html", quiz=quiz, form=form,
                           categories=sorted(categories, key=lambda c: c.path),
                           override_form=_override_form(), overrides=db.session.scalars(
                               select(QuizOverride).where(QuizOverride.quiz_id == quiz.id))
                           .all() if quiz else [])


def _local(value):
    return to_local(value).replace(tzinfo=None) if value else None


def _override_form() -> OverrideForm:
    form = OverrideForm()
    people = db.session.scalars(select(User).where(User.active.is_(True))
                                .order_by(User.username)).all()
    form.user_id.choices = [(u.id, f"{u.name} ({u.username})") for u in people]
    return form


@bp.route("/quizzes/<quiz_slug>/overrides", methods=["POST"])
@require("trainer")
def quiz_override(quiz_slug: str):
    """Give one person extra time, extra attempts or a later close (all empty: remove)."""
    quiz = quiz_or_404(quiz_slug)
    form = _override_form()
    if form.validate_on_submit():
        person = db.session.get(User, form.user_id.data)
        commit_or_flash(lambda: scheduling.set_override(
            quiz, person, form.extra_minutes.data or 0, form.extra_attempts.data or 0,
            from_local(form.later_close.data)),
            _("Exceptions for %(name)s saved.", name=person.name))
    else:
        flash_errors(form)
    return redirect(url_for("training_manage.quiz_edit", quiz_slug=quiz.slug,
                            _anchor="overrides"))


@bp.route("/quizzes/<quiz_slug>/slots", methods=["POST"])
@require("trainer")
def quiz_slots(quiz_slug: str):
    """Move or remove a slot, or add a random draw from a bank category."""
    quiz = quiz_or_404(quiz_slug)
    action = request.form.get("action", "")
    try:
        if action == "add_random":
            category = db.session.get(QuestionCategory,
                                      request.form.get("category_id", type=int) or 0)
            count = request.form.get("count", type=int) or 0
            if category is None or not 1 <= count <= 1000:
                raise TrainingError(_("Choose a category and how many questions to draw."))
            editing.add_random(quiz, category, count,
                               split_tags(request.form.get("tags", "")),
                               bool(request.form.get("subcategories")))
        else:
            editing.change_slot(quiz, request.form.get("slot_id", type=int) or 0, action)
    except TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
    return redirect(url_for("training_manage.quiz_edit", quiz_slug=quiz.slug))


@bp.route("/quizzes/<quiz_slug>/export.<fmt>")
@require("trainer")
def quiz_export(quiz_slug: str, fmt: str):
    quiz = quiz_or_404(quiz_slug)
    if fmt not in ("yaml", "gift"):
        abort(404)
    doc = quiz_to_file(quiz)
    text = dump_quiz(doc) if fmt == "yaml" else \
        dump_gift((q.category.path, question_to_file(q)) for q in quiz.fixed_questions)
    return Response(text, content_type="text/plain; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename={quiz.slug}.{fmt}"})


