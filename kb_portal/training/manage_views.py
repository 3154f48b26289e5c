"""Trainer pages: quiz editor with preview, import/export, track builder, assignment."""
import random

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from ..accounts.access import require
from ..accounts.models import User
from ..extensions import db
from ..kb.files import FileError
from ..kb.models import Article
from . import editing, tracks
from .files import QuestionFile, dump_quiz, dump_track
from .forms import AddStepForm, AssignForm, ImportForm, QuestionForm, QuizSettingsForm, TrackForm
from .gift import dump_gift
from .importer import import_upload, quiz_to_file, track_to_file
from .models import Assignment, Attempt, Question, Quiz, Track
from .question_types import get_type
from .views import bp, markdown_html, quiz_or_404


def track_or_404(slug: str) -> Track:
    """:raise 404: when there is no track with this slug."""
    return db.session.scalar(select(Track).where(Track.slug == slug)) or abort(404)


def _flash_errors(form) -> None:
    for name, errors in form.errors.items():
        for error in errors:
            flash(f"{getattr(form, name).label.text}: {error}", "error")


@bp.route("/manage", methods=["GET", "POST"])
@require("trainer")
def manage():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            kind, slug = import_upload(upload.filename or "", upload.read())
        except FileError as exc:
            db.session.rollback()
            flash(_("%(file)s was not imported: %(reason)s", file=upload.filename,
                    reason=str(exc)), "error")
        else:
            flash(_("Imported quiz %(slug)s.", slug=slug) if kind == "quiz" else
                  _("Imported track %(slug)s.", slug=slug), "success")
        return redirect(url_for("training.manage"))
    counts = dict(db.session.execute(select(Attempt.quiz_id, func.count())
                                     .group_by(Attempt.quiz_id)).all())
    return render_template(
        "training/manage.html", form=form, counts=counts,
        quizzes=db.session.scalars(select(Quiz).order_by(Quiz.title)).all(),
        tracks=db.session.scalars(select(Track).order_by(Track.title)).all(),
        flagged=db.session.scalars(select(Question).where(
            Question.needs_review, Question.retired.is_(False))).all())


@bp.route("/manage/quizzes/new", methods=["GET", "POST"])
@require("trainer")
def quiz_new():
    return _quiz_settings(None)


@bp.route("/manage/quizzes/<quiz_slug>", methods=["GET", "POST"])
@require("trainer")
def quiz_edit(quiz_slug: str):
    return _quiz_settings(quiz_or_404(quiz_slug))


def _quiz_settings(quiz: Quiz | None):
    form = QuizSettingsForm(obj=quiz)
    if request.method == "GET" and quiz:
        form.draw_tags.data = ", ".join(quiz.draw_tags)
        form.articles.data = ", ".join(quiz.article_slugs)
    if form.validate_on_submit():
        try:
            quiz = editing.save_quiz_settings(quiz, form.data)
        except FileError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("Quiz saved."), "success")
            return redirect(url_for("training.quiz_edit", quiz_slug=quiz.slug))
    elif request.method == "POST":
        _flash_errors(form)
    return render_template("training/quiz_edit.html", quiz=quiz, form=form)


@bp.route("/manage/quizzes/<quiz_slug>/questions/<question_key>", methods=["GET", "POST"])
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
                flash(_("Question %(key)s saved.", key=saved.key), "success")
                return redirect(url_for("training.quiz_edit", quiz_slug=quiz.slug))
        except FileError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    elif request.method == "POST":
        _flash_errors(form)
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


@bp.route("/manage/quizzes/<quiz_slug>/questions/<question_key>/retire", methods=["POST"])
@require("trainer")
def question_retire(quiz_slug: str, question_key: str):
    quiz = quiz_or_404(quiz_slug)
    question = next((q for q in quiz.questions if q.key == question_key), None) or abort(404)
    question.retired = True
    db.session.commit()
    flash(_("Question %(key)s removed from the quiz.", key=question.key), "success")
    return redirect(url_for("training.quiz_edit", quiz_slug=quiz.slug))


@bp.route("/manage/questions/<int:question_id>/reviewed", methods=["POST"])
@require("trainer")
def question_reviewed(question_id: int):
    question = db.session.get(Question, question_id) or abort(404)
    question.needs_review, question.flagged_at = False, None
    db.session.commit()
    flash(_("Question %(key)s marked as reviewed.", key=question.key), "success")
    return redirect(request.referrer or url_for("training.manage"))


@bp.route("/manage/quizzes/<quiz_slug>/export.<fmt>")
@require("trainer")
def quiz_export(quiz_slug: str, fmt: str):
    quiz = quiz_or_404(quiz_slug)
    if fmt not in ("yaml", "gift"):
        abort(404)
    doc = quiz_to_file(quiz)
    text = dump_quiz(doc) if fmt == "yaml" else dump_gift(doc)
    return Response(text, mimetype="text/plain; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename={quiz.slug}.{fmt}"})


@bp.route("/manage/tracks/new", methods=["GET", "POST"])
@require("trainer")
def track_new():
    return _track_builder(None)


@bp.route("/manage/tracks/<track_slug>", methods=["GET", "POST"])
@require("trainer")
def track_edit(track_slug: str):
    return _track_builder(track_or_404(track_slug))


def _track_builder(track: Track | None):
    """The track builder: details, and steps to add, move and remove."""
    form = TrackForm(obj=track)
    if form.validate_on_submit():
        try:
            track = editing.save_track(track, form.data)
        except FileError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("Track saved."), "success")
            return redirect(url_for("training.track_edit", track_slug=track.slug))
    elif request.method == "POST":
        _flash_errors(form)
    add_form = AddStepForm()
    add_form.target.choices = _step_choices()
    return render_template("training/track_edit.html", track=track, form=form,
                           add_form=add_form, yaml=dump_track(track_to_file(track))
                           if track else "")


def _step_choices() -> list[tuple[str, str]]:
    articles = db.session.scalars(select(Article).where(Article.status == "published")
                                  .order_by(Article.slug)).all()
    quizzes = db.session.scalars(select(Quiz).order_by(Quiz.title)).all()
    return [SelectChoice(f"read:{a.slug}", _("Read: %(title)s", title=a.current.title))
            for a in articles] + \
        [SelectChoice(f"quiz:{q.slug}", _("Pass: %(title)s", title=q.title)) for q in quizzes]


@bp.route("/manage/tracks/<track_slug>/steps", methods=["POST"])
@require("trainer")
def track_step(track_slug: str):
    track = track_or_404(track_slug)
    try:
        editing.change_step(track, request.form.get("action", ""),
                            request.form.get("step_id", type=int),
                            request.form.get("target", ""))
    except FileError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("training.track_edit", track_slug=track.slug))


@bp.route("/manage/tracks/<track_slug>/assign", methods=["GET", "POST"])
@require("trainer")
def track_assign(track_slug: str):
    track = track_or_404(track_slug)
    form = AssignForm()
    agents = db.session.scalars(select(User).where(User.active.is_(True))
                                .order_by(User.username)).all()
    form.users.choices = [SelectChoice(u.id, f"{u.name} ({u.username})") for u in agents]
    if form.validate_on_submit():
        if form.start_date.data:
            created = tracks.assign_by_start_date(track, form.start_date.data,
                                                  form.due_date.data, current_user)
        else:
            chosen = [u for u in agents if u.id in (form.users.data or [])]
            created = tracks.assign_track(track, chosen, form.due_date.data,
                                          actor=current_user)
        flash(_("Assigned to %(n)d people (already assigned people are left as they were).",
                n=len(created)), "success")
        return redirect(url_for("training.track_assign", track_slug=track.slug))
    assigned = [tracks.progress(a) for a in _assignments(track)]
    return render_template("training/track_assign.html", track=track, form=form,
                           assigned=assigned)


def _assignments(track: Track):
    return db.session.scalars(select(Assignment).where(Assignment.track_id == track.id)
                              .order_by(Assignment.assigned_at)).all()
