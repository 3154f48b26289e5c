"""Trainer edits in the browser: quiz settings, questions, track steps.

Each function flushes; the view commits once (or rolls back on a :class:`TrainingError`).

Questions typed into the editor go through the file format's validation
(:func:`.files.parse_question`) and article check (:func:`.importer.resolve_article_ref`).
A quiz's ``content_hash`` keeps the hash of the last *imported file*: browser edits leave it
alone, so re-importing an unchanged file does not undo them, while a changed file wins.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from .errors import TrainingError
from .files import SLUG_RE, QuestionFile, parse_question
from .importer import find_article, resolve_article_ref
from .models import Question, Quiz, Track, TrackStep

QUIZ_SETTINGS = ("title", "description", "pass_mark", "time_limit_minutes", "max_attempts",
                 "attempt_delay_minutes", "shuffle_questions", "shuffle_choices", "draw",
                 "review")


def _split(text: str) -> list[str]:
    return [t.strip() for t in (text or "").replace("，", ",").split(",") if t.strip()]


def save_quiz_settings(quiz: Quiz | None, data: dict) -> Quiz:
    """Create or update a quiz from the settings form's data.

    :raise TrainingError: with a reason.
    """
    slug = data["slug"].strip().lower()
    other = db.session.scalar(select(Quiz).where(Quiz.slug == slug))
    if other is not None and other is not quiz:
        raise TrainingError(_l("the slug %(slug)s is taken by another quiz", slug=repr(slug)))
    missing = [s for s in _split(data.get("articles")) if find_article(s) is None]
    if missing:
        raise TrainingError(_l("article %(slug)s does not exist", slug=repr(missing[0])))
    if quiz is None:
        quiz = Quiz(slug=slug)
        db.session.add(quiz)
    quiz.slug = slug
    for name in QUIZ_SETTINGS:
        setattr(quiz, name, data.get(name))
    quiz.description = quiz.description or ""
    quiz.draw_tags, quiz.article_slugs = _split(data.get("draw_tags")), \
        _split(data.get("articles"))
    db.session.flush()
    return quiz


def check_question(data: dict) -> QuestionFile:
    """Validate the question form's data like a file would be.

    :raise TrainingError: with a reason.
    """
    question = parse_question(data, 1)
    if question.article:
        resolve_article_ref(question.article)
    return question


def save_question(quiz: Quiz, original: Question | None, data: dict) -> Question:
    """Create or replace a question of ``quiz``.

    :raise TrainingError: with a reason.
    """
    qf = check_question(data)
    clash = next((q for q in quiz.questions if q.key == qf.id), None)
    if clash is not None and clash is not original:
        raise TrainingError(_l("question id %(key)s is already used in this quiz",
                              key=repr(qf.id)))
    article, anchor = resolve_article_ref(qf.article) if qf.article else (None, "")
    question = original or Question(key=qf.id, position=len(quiz.questions))
    if original is None:
        quiz.questions.append(question)
    question.key, question.type, question.prompt = qf.id, qf.type, qf.prompt
    question.definition, question.explanation = qf.definition, qf.explanation
    question.article, question.article_anchor = article, anchor
    question.tags, question.points = qf.tags, qf.points
    question.retired, question.needs_review = False, False
    db.session.flush()
    return question


def save_track(track: Track | None, data: dict) -> Track:
    """Create or update a track's title, description and due days. :raise TrainingError:."""
    slug = data["slug"].strip().lower()
    if not SLUG_RE.match(slug):
        raise TrainingError(_l("bad slug %(slug)s", slug=repr(slug)))
    other = db.session.scalar(select(Track).where(Track.slug == slug))
    if other is not None and other is not track:
        raise TrainingError(_l("the slug %(slug)s is taken by another track", slug=repr(slug)))
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
            raise TrainingError(_l("no such step"))
        if action == "remove":
            steps.pop(index)
        elif action in ("up", "down"):
            other = index - 1 if action == "up" else index + 1
            if 0 <= other < len(steps):
                steps[index], steps[other] = steps[other], steps[index]
        else:
            raise TrainingError(_l("unknown action %(action)s", action=repr(action)))
    for position, step in enumerate(steps):
        step.position = position
    track.steps = steps
    db.session.flush()
