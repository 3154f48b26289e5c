"""Quiz files ↔ the database: a quiz's own questions live in its *home* bank category.

A quiz file's ``questions`` are saved into the quiz's home category (created on first import,
named after the quiz) and matched by ``id``, so a re-import updates them (a changed question
gets a new version) and keeps their statistics; questions the file no longer lists are retired
(hidden from draws; past attempts still point at them). The quiz's slots come from ``slots``,
else from ``draw``/``draw_tags`` (one random draw from the home category), else one fixed slot
per question — the shape every quiz file had before the bank existed.
"""
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..localtime import from_local, to_local
from . import bank
from .bank_models import Question, QuestionCategory
from .errors import TrainingError
from .files import QuizFile
from .models import Quiz, QuizSlot
from .question_file import QuestionFile
from .refs import find_article, resolve_article_ref
from .rendering import check_question_texts, check_quiz_texts

QUIZ_SETTINGS = ("title", "description", "pass_mark", "time_limit_minutes", "max_attempts",
                 "attempt_delay_minutes", "shuffle_questions", "shuffle_choices", "review",
                 "grading_method")


def _check_refs(doc: QuizFile) -> dict[str, tuple]:
    refs = {}
    for n, q in enumerate(doc.questions, 1):
        try:
            refs[q.id] = resolve_article_ref(q.article) if q.article else (None, "")
        except TrainingError as exc:
            raise TrainingError(f"question {n} ({q.id}): {exc}") from None
    for slug in doc.articles:
        if find_article(slug) is None:
            raise TrainingError(f"articles: {slug!r} does not exist")
    return refs


def _check_texts(doc: QuizFile) -> None:
    """Every Markdown text of the file renders within its budget (:mod:`.rendering`)."""
    for n, q in enumerate(doc.questions, 1):
        try:
            check_question_texts(q)
        except TrainingError as exc:
            raise TrainingError(f"question {n} ({q.id}): {exc}") from None
    check_quiz_texts(doc.description, doc.feedback)


def home_category(quiz: Quiz) -> QuestionCategory:
    """The quiz's home category, created at the top level (named after the quiz) if needed."""
    if quiz.home_category is not None:
        return quiz.home_category
    name = quiz.title[:180]
    taken = bank.child(None, name)
    if taken is not None and db.session.scalar(select(Quiz).where(
            Quiz.home_category_id == taken.id)) is not None:
        name = f"{name} ({quiz.slug})"[:200]
    quiz.home_category = bank.category_for_path(name.replace("/", "//"))
    return quiz.home_category


def _slot_category(path: str, home: QuestionCategory) -> QuestionCategory:
    if not path:
        return home
    category = bank.category_for_path(path, create=False)
    if category is None:
        raise TrainingError(f"slots: there is no bank category {path!r}")
    return category


def build_slots(doc: QuizFile, home: QuestionCategory) -> list[QuizSlot]:
    """The slots ``doc`` describes. :raise TrainingError: for a missing category or question."""
    if doc.slots is None:
        if doc.draw:
            return [QuizSlot(category=home, count=doc.draw, tags=doc.draw_tags)]
        return [QuizSlot(question=bank.find_question(home, q.id)) for q in doc.questions]
    slots = []
    for spec in doc.slots:
        category = _slot_category(spec["category"], home)
        if "question" in spec:
            question = bank.find_question(category, spec["question"])
            if question is None:
                raise TrainingError(f"slots: no question {spec['question']!r} in "
                                    f"{category.path!r}")
            slots.append(QuizSlot(question=question))
        else:
            slots.append(QuizSlot(category=category, count=spec["draw"], tags=spec["tags"],
                                  include_subcategories=spec["subcategories"]))
    return slots


def set_slots(quiz: Quiz, slots: list[QuizSlot]) -> None:
    for position, slot in enumerate(slots):
        slot.position = position
    quiz.slots = slots  # delete-orphan removes the old ones (attempts keep their responses)


def apply_quiz_file(doc: QuizFile, actor=None) -> str:
    """Create or update the quiz in ``doc`` (flushed): created / updated / unchanged.

    :raise TrainingError: when a referenced article, section or bank question is missing.
    """
    chash = doc.content_hash()
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == doc.slug))
    if quiz is not None and quiz.content_hash == chash:
        return "unchanged"
    refs = _check_refs(doc)
    _check_texts(doc)
    outcome = "updated" if quiz else "created"
    if quiz is None:
        quiz = Quiz(slug=doc.slug)
        db.session.add(quiz)
    for name in QUIZ_SETTINGS:
        setattr(quiz, name, getattr(doc, name))
    quiz.article_slugs, quiz.feedback_bands = doc.articles, doc.feedback
    quiz.open_at, quiz.close_at = _from_file(doc.open_at), _from_file(doc.close_at)
    home = home_category(quiz)
    listed = set()
    for qf in doc.questions:
        question, _outcome = bank.save_question(home, qf, *refs[qf.id], actor=actor)
        listed.add(question.id)
    for leftover in db.session.scalars(select(Question).where(
            Question.category_id == home.id, Question.id.not_in(listed or {0}))).all():
        leftover.retired = True
    set_slots(quiz, build_slots(doc, home))
    quiz.content_hash = chash
    db.session.flush()
    return outcome


def _from_file(moment: str):
    return from_local(datetime.fromisoformat(moment)) if moment else None


def _to_file(value) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def question_to_file(q: Question) -> QuestionFile:
    return QuestionFile(id=q.key, type=q.type, prompt=q.prompt, definition=q.definition,
                        explanation=q.explanation, article=q.article_ref, tags=q.tags,
                        points=q.points, title=q.title, prompt_format=q.prompt_format)


def _file_slots(quiz: Quiz, own: list[Question]) -> tuple[list[dict] | None, int | None, list]:
    """(slots, draw, draw_tags) for the file: the short forms when they say the same."""
    home, slots = quiz.home_category, quiz.slots
    if [s.question_id for s in slots] == [q.id for q in own] and own:
        return None, None, []
    if len(slots) == 1 and slots[0].is_random and slots[0].category_id == home.id and \
            slots[0].include_subcategories:
        return None, slots[0].count, slots[0].tags
    out = []
    for s in slots:
        if s.is_random:
            out.append({"draw": s.count, "category": "" if s.category_id == home.id
                        else s.category.path, "tags": s.tags,
                        "subcategories": s.include_subcategories})
        else:
            out.append({"question": s.question.key, "category": ""
                        if s.question.category_id == home.id else s.question.category.path})
    return out, None, []


def quiz_to_file(quiz: Quiz) -> QuizFile:
    """The file form of a quiz: settings, its home category's questions, its slots."""
    home = home_category(quiz)
    own = db.session.scalars(select(Question).where(
        Question.category_id == home.id, Question.retired.is_(False))
        .order_by(Question.id)).all()
    fixed_order = {s.question_id: s.position for s in quiz.slots if not s.is_random}
    # Slot order, then by id text: creation order is not kept by a bank → quiz round trip.
    own.sort(key=lambda q: (fixed_order.get(q.id, len(fixed_order)), q.key))
    slots, draw, draw_tags = _file_slots(quiz, own)
    return QuizFile(
        slug=quiz.slug, title=quiz.title, description=quiz.description,
        pass_mark=quiz.pass_mark, time_limit_minutes=quiz.time_limit_minutes,
        max_attempts=quiz.max_attempts, attempt_delay_minutes=quiz.attempt_delay_minutes,
        shuffle_questions=quiz.shuffle_questions, shuffle_choices=quiz.shuffle_choices,
        draw=draw, draw_tags=draw_tags, review=quiz.review,
        grading_method=quiz.grading_method, feedback=quiz.feedback_bands,
        open_at=_to_file(quiz.open_at), close_at=_to_file(quiz.close_at),
        articles=quiz.article_slugs, questions=[question_to_file(q) for q in own],
        slots=slots)
