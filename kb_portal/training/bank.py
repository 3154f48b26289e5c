"""The question bank's services: category paths, saving questions as versions, slot pools.

Functions flush; the caller commits. Category paths are written ``Top/Sub/Leaf`` with ``//``
for a slash inside a name, as in Moodle's ``$CATEGORY:`` lines (whose ``$course$/top/`` style
prefixes are dropped: this portal has one bank).
"""
import re

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import utcnow
from ..extensions import db
from .bank_models import VERSIONED_FIELDS, Question, QuestionCategory, QuestionVersion
from .errors import TrainingError

_CONTEXT_PREFIX = re.compile(r"^\$[a-z0-9]+\$/", re.I)


def split_path(path: str) -> list[str]:
    """``$course$/top/A/B//C`` → ``["A", "B/C"]``."""
    path = _CONTEXT_PREFIX.sub("", path.strip())
    names = [n.replace("\0", "/").strip() for n in path.replace("//", "\0").split("/")]
    names = [n for n in names if n]
    if names and names[0].lower() == "top":
        names = names[1:]
    if any(len(n) > 200 for n in names):
        raise TrainingError(_("A category name is longer than 200 characters."))
    return names


def child(parent: QuestionCategory | None, name: str) -> QuestionCategory | None:
    parent_test = QuestionCategory.parent_id.is_(None) if parent is None else \
        QuestionCategory.parent_id == parent.id
    return db.session.scalar(select(QuestionCategory).where(parent_test,
                                                            QuestionCategory.name == name))


def category_for_path(path: str, create: bool = True) -> QuestionCategory | None:
    """The category at ``path``, created (with its parents) when missing and ``create``."""
    node = None
    for name in split_path(path):
        found = child(node, name)
        if found is None:
            if not create:
                return None
            found = QuestionCategory(name=name, parent=node)
            db.session.add(found)
            db.session.flush()
        node = found
    if node is None:
        raise TrainingError(_("Give the category a name."))
    return node


def descendants(category: QuestionCategory) -> list[QuestionCategory]:
    """The category and everything below it."""
    out, todo = [], [category]
    while todo:
        node = todo.pop()
        if node not in out:
            out.append(node)
            todo.extend(node.children)
    return out


def move_category(category: QuestionCategory, parent: QuestionCategory | None,
                  name: str | None = None) -> None:
    """Rename and/or move ``category`` under ``parent`` (None = top level).

    :raise TrainingError: when that would put it inside itself or clash with a sibling.
    """
    name = (name or category.name).strip()
    if not name:
        raise TrainingError(_("Give the category a name."))
    if parent is not None and parent in descendants(category):
        raise TrainingError(_("A category cannot be moved inside itself."))
    clash = child(parent, name)
    if clash is not None and clash is not category:
        raise TrainingError(_("There is already a category %(name)s there.", name=name))
    category.parent, category.name = parent, name
    db.session.flush()


def pool(category: QuestionCategory, include_subcategories: bool = True,
         tags=()) -> list[Question]:
    """The questions a random slot draws from: not retired, in the category (and below),
    carrying one of ``tags`` when any are given. Ordered by id for stable draws."""
    categories = descendants(category) if include_subcategories else [category]
    questions = db.session.scalars(select(Question).where(
        Question.category_id.in_([c.id for c in categories]), Question.retired.is_(False))
        .order_by(Question.id)).all()
    wanted = set(tags)
    return [q for q in questions if not wanted or wanted & set(q.tags)]


def snapshot(question: Question) -> dict:
    return {name: getattr(question, name) for name in VERSIONED_FIELDS}


def record_version(question: Question, before: dict | None, actor=None) -> bool:
    """Add a version when what learners see or how they are graded changed; True if it did.

    ``before`` is :func:`snapshot` taken before the edit (None for a new question).
    """
    if before is not None and before == snapshot(question):
        return False
    if before is not None:
        question.version = (question.version or 1) + 1
    question.updated_at = utcnow()
    question.versions.append(QuestionVersion(
        number=question.version or 1, created_by_id=getattr(actor, "id", None),
        **snapshot(question)))
    return True


def find_question(category: QuestionCategory, key: str) -> Question | None:
    return db.session.scalar(select(Question).where(Question.category_id == category.id,
                                                    Question.key == key))


def fill_question(question: Question, qf, article, anchor: str) -> None:
    """Copy a parsed question (:class:`.files.QuestionFile`) onto ``question``."""
    question.key, question.title, question.type = qf.id, qf.title, qf.type
    question.prompt, question.prompt_format = qf.prompt, qf.prompt_format
    question.definition, question.explanation = qf.definition, qf.explanation
    question.article, question.article_anchor = article, anchor
    question.tags, question.points = qf.tags, qf.points


def save_question(category: QuestionCategory, qf, article=None, anchor: str = "",
                  actor=None, original: Question | None = None) -> tuple[Question, str]:
    """Create or update the question ``qf.id`` of ``category``: (question, outcome) with
    outcome ``created``, ``updated`` (a new version) or ``unchanged``.

    :raise TrainingError: when another question of the category already has that key.
    """
    existing = find_question(category, qf.id)
    if original is not None and existing is not None and existing is not original:
        raise TrainingError(_("The key %(key)s is already used in %(category)s.",
                              key=qf.id, category=category.path))
    question = original or existing
    if question is None:
        question = Question(category=category, created_at=utcnow())
        db.session.add(question)
        fill_question(question, qf, article, anchor)
        record_version(question, None, actor)
        db.session.flush()
        return question, "created"
    before = snapshot(question)
    meta_before = (question.key, question.article_id, question.article_anchor,
                   question.tags_json, question.retired, question.category_id)
    question.category = category
    fill_question(question, qf, article, anchor)
    question.retired = False
    changed = record_version(question, before, actor)
    db.session.flush()
    meta_after = (question.key, question.article_id, question.article_anchor,
                  question.tags_json, question.retired, question.category_id)
    return question, "updated" if changed or meta_before != meta_after else "unchanged"
