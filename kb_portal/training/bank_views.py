"""Trainer pages: the question bank — browse the category tree, search, tag, move, export,
and put questions into a quiz."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from ..accounts.access import require
from ..extensions import db
from . import bank, editing
from .bank_models import Question, QuestionCategory
from .errors import TrainingError
from .forms import split_tags
from .gift_export import dump_gift
from .models import Quiz
from .quiz_import import question_to_file

bp = Blueprint("training_bank", __name__, url_prefix="/training/bank")


def _tree() -> list[tuple[QuestionCategory, int, int]]:
    """(category, depth, question count) for every category, depth first."""
    counts = dict(db.session.execute(select(Question.category_id, func.count())
                                     .where(Question.retired.is_(False))
                                     .group_by(Question.category_id)).all())
    tops = db.session.scalars(select(QuestionCategory).where(
        QuestionCategory.parent_id.is_(None)).order_by(QuestionCategory.name)).all()
    out, todo = [], [(c, 0) for c in reversed(tops)]
    while todo:
        node, depth = todo.pop()
        out.append((node, depth, counts.get(node.id, 0)))
        todo.extend((c, depth + 1) for c in reversed(node.children))
    return out


def _questions(category: QuestionCategory | None, text: str, tag: str, hidden: bool):
    query = select(Question).order_by(Question.category_id, Question.id)
    if category is not None:
        query = query.where(Question.category_id.in_(
            [c.id for c in bank.descendants(category)]))
    if text:
        like = f"%{text}%"
        query = query.where(or_(Question.prompt.ilike(like), Question.title.ilike(like),
                                Question.key.ilike(like)))
    if not hidden:
        query = query.where(Question.retired.is_(False))
    questions = db.session.scalars(query.limit(500)).all()
    return [q for q in questions if not tag or tag in q.tags]


@bp.route("")
@require("trainer")
def index():
    category = db.session.get(QuestionCategory, request.args.get("category", 0, type=int))
    text, tag = request.args.get("q", "").strip(), request.args.get("tag", "").strip()
    hidden = bool(request.args.get("hidden"))
    return render_template(
        "training/bank.html", tree=_tree(), category=category, text=text, tag=tag,
        hidden=hidden, questions=_questions(category, text, tag, hidden),
        quizzes=db.session.scalars(select(Quiz).order_by(Quiz.title)).all())


def _category_or_none(field: str) -> QuestionCategory | None:
    return db.session.get(QuestionCategory, request.form.get(field, 0, type=int))


@bp.route("/categories", methods=["POST"])
@require("trainer")
def category_change():
    """Create a category, or rename / move one (``category_id`` given)."""
    parent = _category_or_none("parent_id")
    name = request.form.get("name", "").strip()
    category = _category_or_none("category_id")
    try:
        if category is None:
            if not name:
                raise TrainingError(_("Give the category a name."))
            if bank.child(parent, name) is not None:
                raise TrainingError(_("There is already a category %(name)s there.",
                                      name=name))
            category = QuestionCategory(name=name[:200], parent=parent)
            db.session.add(category)
        else:
            bank.move_category(category, parent, name or None)
        db.session.flush()
    except TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("training_bank.index"))
    db.session.commit()
    flash(_("Category %(path)s saved.", path=category.path), "success")
    return redirect(url_for("training_bank.index", category=category.id))


@bp.route("/questions", methods=["POST"])
@require("trainer")
def questions_change():
    """Act on the ticked questions: move them, tag them, hide or show them, or add them to a
    quiz as fixed questions."""
    ids = [int(i) for i in request.form.getlist("question_id") if i.isdigit()]
    chosen = db.session.scalars(select(Question).where(Question.id.in_(ids or [0]))).all()
    action = request.form.get("action", "")
    back = request.form.get("back") or url_for("training_bank.index")
    if not chosen:
        flash(_("Tick at least one question."), "error")
        return redirect(back)
    target = _category_or_none("target_id")
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == request.form.get("quiz", "")))
    try:
        _apply(action, chosen, target, quiz, split_tags(request.form.get("tags")))
    except TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    db.session.commit()
    flash(_("%(n)d questions changed.", n=len(chosen)), "success")
    return redirect(back)


def _apply(action: str, chosen, target, quiz, tags) -> None:
    if action == "move" and target is not None:
        for question in chosen:
            if bank.find_question(target, question.key) not in (None, question):
                raise TrainingError(_("%(category)s already has a question %(key)s.",
                                      category=target.path, key=question.key))
            question.category = target
    elif action == "tag" and tags:
        for question in chosen:
            question.tags = list(dict.fromkeys([*question.tags, *tags]))
    elif action in ("hide", "show"):
        for question in chosen:
            question.retired = action == "hide"
    elif action == "add_to_quiz" and quiz is not None:
        editing.add_fixed(quiz, chosen)
    else:
        raise TrainingError(_("Choose what to do with the ticked questions."))
    db.session.flush()


@bp.route("/categories/<int:category_id>/export.gift")
@require("trainer")
def export(category_id: int):
    """The category (with its subcategories) as GIFT, readable by this portal and Moodle."""
    category = db.session.get(QuestionCategory, category_id) or abort(404)
    questions = sorted(_questions(category, "", "", hidden=False),
                       key=lambda q: (q.category.path, q.key))
    text = dump_gift((q.category.path, question_to_file(q)) for q in questions)
    return Response(text, content_type="text/plain; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=bank-{category.id}.gift"})
