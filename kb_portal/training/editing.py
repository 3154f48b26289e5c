"""Trainer edits in the browser: quiz settings, questions, track steps.

Each function flushes; the view commits once (or rolls back on a :class:`TrainingError`).

Questions typed into the editor go through the file format's validation
(:func:`.question_file.parse_question`) and article check (:func:`.refs.resolve_article_ref`).
A quiz's ``content_hash`` keeps the hash of the last *imported file*: browser edits leave it
alone, so re-importing an unchanged file does not undo them, while a changed file wins.
"""
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..localtime import from_local
from . import bank
from .bank_models import Question, QuestionCategory
from .errors import TrainingError
from .files import SLUG_RE, feedback_bands
from .models import Quiz, QuizSlot, Track, TrackStep
from .question_file import QuestionFile, parse_question
from .quiz_import import home_category, set_slots
from .refs import find_article, resolve_article_ref
from .rendering import check_question_texts, check_quiz_texts

QUIZ_SETTINGS = ("title", "description", "pass_mark", "time_limit_minutes", "max_attempts",
                 "attempt_delay_minutes", "shuffle_questions", "shuffle_choices", "review",
                 "grading_method")


def _split(text: str) -> list[str]:
    return [t.strip() for t in (text or "").replace("，", ",").split(",") if t.strip()]


def parse_bands(text: str) -> list[dict]:
    """Overall feedback typed one band per line, ``80: Well done`` (from 80 % up).

    :raise TrainingError: for a line that is not ``percent: text``.
    """
    bands = []
    for line in (t.strip() for t in (text or "").splitlines()):
        low, colon, note = line.replace("：", ":").partition(":")
        if not line:
            continue
        try:
            bands.append({"min": float(low.strip().rstrip("%")), "text": note.strip()})
        except ValueError:
            colon = ""
        if not colon:
            raise TrainingError(_("Write each feedback band as “percent: text”, e.g. "
                                  "“80: Well done”."))
    return feedback_bands([{"min": int(b["min"]) if b["min"].is_integer() else b["min"],
                            "text": b["text"]} for b in bands])


def save_quiz_settings(quiz: Quiz | None, data: dict) -> Quiz:
    """Create or update a quiz from the settings form's data.

    :raise TrainingError: with a reason.
    """
    slug = data["slug"].strip().lower()
    other = db.session.scalar(select(Quiz).where(Quiz.slug == slug))
    if other is not None and other is not quiz:
        raise TrainingError(f"the slug {slug!r} is taken by another quiz")
    missing = [s for s in _split(data.get("articles")) if find_article(s) is None]
    if missing:
        raise TrainingError(f"article {missing[0]!r} does not exist")
    bands = parse_bands(data.get("feedback"))
    check_quiz_texts(data.get("description") or "", bands)
    if quiz is None:
        quiz = Quiz(slug=slug)
        db.session.add(quiz)
    quiz.slug = slug
    for name in QUIZ_SETTINGS:
        setattr(quiz, name, data.get(name))
    quiz.description = quiz.description or ""
    quiz.article_slugs, quiz.feedback_bands = _split(data.get("articles")), bands
    quiz.open_at, quiz.close_at = from_local(data.get("open_at")), from_local(data.get("close_at"))
    if quiz.open_at and quiz.close_at and quiz.close_at <= quiz.open_at:
        raise TrainingError(_("The quiz must close after it opens."))
    home_category(quiz)
    db.session.flush()
    return quiz


def check_question(data: dict) -> QuestionFile:
    """Validate the question form's data like a file would be.

    :raise TrainingError: with a reason.
    """
    question = parse_question(data, 1)
    check_question_texts(question)
    if question.article:
        resolve_article_ref(question.article)
    return question


def save_question(category: QuestionCategory, original: Question | None, data: dict,
                  actor=None, quiz: Quiz | None = None) -> Question:
    """Create or change a bank question (a change adds a version). A new question written
    from a quiz's page also gets a fixed slot in that quiz.

    :raise TrainingError: with a reason.
    """
    qf = check_question(data)
    article, anchor = resolve_article_ref(qf.article) if qf.article else (None, "")
    question, _outcome = bank.save_question(category, qf, article, anchor, actor, original)
    question.needs_review = False
    if quiz is not None and original is None:
        add_fixed(quiz, [question])
    db.session.flush()
    return question


def add_fixed(quiz: Quiz, questions) -> int:
    """Append fixed slots for ``questions`` not already fixed in the quiz; how many."""
    present = {s.question_id for s in quiz.slots if not s.is_random}
    added = [q for q in questions if q.id not in present]
    for question in added:
        quiz.slots.append(QuizSlot(question=question, position=len(quiz.slots)))
    db.session.flush()
    return len(added)


def add_random(quiz: Quiz, category: QuestionCategory, count: int, tags=(),
               include_subcategories: bool = True) -> QuizSlot:
    """Append a random draw of ``count`` questions from ``category``."""
    slot = QuizSlot(category=category, count=count, tags=list(tags),
                    include_subcategories=include_subcategories, position=len(quiz.slots))
    quiz.slots.append(slot)
    db.session.flush()
    return slot


def change_slot(quiz: Quiz, slot_id: int, action: str) -> None:
    """Move a slot up or down, or remove it. :raise TrainingError: for an unknown slot."""
    slots = list(quiz.slots)
    index = next((i for i, s in enumerate(slots) if s.id == slot_id), None)
    if index is None or action not in ("up", "down", "remove"):
        raise TrainingError(_("No such question in this quiz."))
    if action == "remove":
        slots.pop(index)
    else:
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(slots):
            slots[index], slots[other] = slots[other], slots[index]
    set_slots(quiz, slots)
    db.session.flush()


def save_track(track: Track | None, data: dict) -> Track:
    """Create or update a track's title, description and due days. :raise TrainingError:."""
    slug = data["slug"].strip().lower()
    if not SLUG_RE.match(slug):
        raise TrainingError(f"bad slug {slug!r}")
    other = db.session.scalar(select(Track).where(Track.slug == slug))
    if other is not None and other is not track:
        raise TrainingError(f"the slug {slug!r} is taken by another track")
    if track is None:
        track = Track(slug=slug)
        db.session.add(track)
    track.slug, track.title = slug, data["title"]
    track.description, track.due_days = data.get("description") or "", data["due_days"]
    db.session.flush()
    return track


def change_step(track: Track, action: str, step_id: int | None = None,
                target: str = "") -> None:
    """Add (``target`` = ``read:slug`` / ``quiz:slug``), move up/down or remove a step.

    :raise TrainingError: for an unknown step or target.
    """
    steps = list(track.steps)
    if action == "add":
        kind, _colon, slug = target.partition(":")
        obj = find_article(slug) if kind == "read" else \
            db.session.scalar(select(Quiz).where(Quiz.slug == slug)) if kind == "quiz" else None
        if obj is None:
            raise TrainingError(_("Nothing to add for %(target)s.", target=target))
        if kind == "read" and not obj.is_published:
            # New hires could neither open it nor finish the track (issue 11 point 10).
            raise TrainingError(_("%(slug)s is not published: only published articles can be "
                                  "track steps.", slug=obj.slug))
        step = TrackStep(kind=kind, article=obj if kind == "read" else None,
                         quiz=obj if kind == "quiz" else None)
        steps.append(step)
    else:
        index = next((i for i, s in enumerate(steps) if s.id == step_id), None)
        if index is None:
            raise TrainingError("no such step")
        if action == "remove":
            steps.pop(index)
        elif action in ("up", "down"):
            other = index - 1 if action == "up" else index + 1
            if 0 <= other < len(steps):
                steps[index], steps[other] = steps[other], steps[index]
        else:
            raise TrainingError(f"unknown action {action!r}")
    for position, step in enumerate(steps):
        step.position = position
    track.steps = steps
    db.session.flush()
