"""Onboarding tracks: assignment, step completion, progress, and reopening after a re-read.

A *read* step is done when the assignee opened the article (an ``ArticleView`` row exists) and
then pressed "I have read this" (an :class:`ArticleAck`). A *quiz* step is done when the quiz is
passed. Completions are stored (``StepCompletion``) rather than recomputed, because a
"requires re-read" publication must be able to reopen a step that was done.

A read step whose article agents cannot read (a draft, in review or archived) is
*unavailable*: learners see neither its title nor its address, and it counts neither as done
nor as to do, so it never blocks the track. It becomes an ordinary step again once the article is
published. The track builder refuses drafts; files may name one (articles and tracks are often
imported together, the article as a draft first).
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.models import User, utcnow
from ..extensions import db
from ..kb.models import Article, ArticleView
from ..localtime import local_today
from .bank_models import Question
from .errors import TrainingError
from .models import (
    ArticleAck,
    Assignment,
    Quiz,
    StepCompletion,
    Track,
    TrackStep,
)


@dataclass
class StepState:
    step: TrackStep
    status: str  # done | open | overdue | reopened | unavailable
    completed_at: object = None


@dataclass
class Progress:
    assignment: Assignment
    steps: list[StepState] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.status == "done")

    @property
    def total(self) -> int:
        return sum(1 for s in self.steps if s.status != "unavailable")

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def next_step(self) -> StepState | None:
        return next((s for s in self.steps if s.status not in ("done", "unavailable")), None)

    @property
    def overdue(self) -> bool:
        return any(s.status == "overdue" for s in self.steps)

    @property
    def complete(self) -> bool:
        return self.done == self.total


def has_passed(quiz_id: int, user_id: int) -> bool:
    """Whether the user's grade for the quiz (by its grading method) reaches the pass mark."""
    from .grading import has_passed as grade_passes

    quiz, user = db.session.get(Quiz, quiz_id), db.session.get(User, user_id)
    return quiz is not None and user is not None and grade_passes(quiz, user)


def _has_ack(user_id: int, article_id: int) -> bool:
    return db.session.get(ArticleAck, (user_id, article_id)) is not None


def _mark_done(assignment: Assignment, step: TrackStep, when) -> None:
    row = db.session.get(StepCompletion, (assignment.id, step.id))
    if row is None:
        row = StepCompletion(assignment_id=assignment.id, step_id=step.id)
        db.session.add(row)
    if row.completed_at is None:
        row.completed_at = when


def _refresh_completed(assignment: Assignment) -> None:
    done = {c.step_id for c in assignment.completions if c.completed_at}
    complete = all(s.id in done for s in assignment.track.steps if s.available)
    if complete and assignment.completed_at is None:
        assignment.completed_at = utcnow()
    elif not complete:
        assignment.completed_at = None


def sync_assignment(assignment: Assignment) -> None:
    """Record steps already done before the assignment existed (passes, acknowledgements)."""
    db.session.flush()
    for step in assignment.track.steps:
        if (step.kind == "quiz" and has_passed(step.quiz_id, assignment.user_id)) or \
                (step.kind == "read" and _has_ack(assignment.user_id, step.article_id)):
            _mark_done(assignment, step, utcnow())
    db.session.flush()
    db.session.refresh(assignment)
    _refresh_completed(assignment)


def _assignments_with_step(user_id: int, **step_filter) -> list[tuple[Assignment, TrackStep]]:
    rows = db.session.execute(
        select(Assignment, TrackStep).join(TrackStep, TrackStep.track_id == Assignment.track_id)
        .where(Assignment.user_id == user_id, *[getattr(TrackStep, k) == v
                                                for k, v in step_filter.items()])).all()
    return [(a, s) for a, s in rows]


def sync_quiz_steps(user, quiz, passed: bool) -> None:
    """The user's grade for ``quiz`` changed: complete its steps when it passes, reopen them
    when a regrade or a trainer's mark took the pass away."""
    for assignment, step in _assignments_with_step(user.id, kind="quiz", quiz_id=quiz.id):
        row = db.session.get(StepCompletion, (assignment.id, step.id))
        if passed:
            _mark_done(assignment, step, utcnow())
        elif row is not None and row.completed_at is not None:
            row.completed_at = None
        db.session.flush()
        db.session.refresh(assignment)
        _refresh_completed(assignment)
    db.session.flush()


def acknowledge_article(user, article: Article) -> int:
    """"I have read this": record it and complete read steps; return how many steps it closed.

    :raise TrainingError: when the user never opened the article (the acknowledgement must follow
        a real visit, not a crafted POST).
    """
    opened = db.session.scalar(select(func.count()).select_from(ArticleView).where(
        ArticleView.article_id == article.id, ArticleView.user_id == user.id))
    if not opened:
        raise TrainingError(_("Open the article and read it before confirming."))
    ack = db.session.get(ArticleAck, (user.id, article.id)) or \
        ArticleAck(user_id=user.id, article_id=article.id)
    ack.revision_id, ack.acknowledged_at = article.published_revision_id, utcnow()
    db.session.add(ack)
    pairs = _assignments_with_step(user.id, kind="read", article_id=article.id)
    for assignment, step in pairs:
        _mark_done(assignment, step, ack.acknowledged_at)
        db.session.flush()
        db.session.refresh(assignment)
        _refresh_completed(assignment)
    db.session.flush()
    return len(pairs)


def needs_ack(user, article: Article) -> bool:
    """Whether the article page should offer "I have read this" to ``user``."""
    for assignment, step in _assignments_with_step(user.id, kind="read", article_id=article.id):
        row = db.session.get(StepCompletion, (assignment.id, step.id))
        if row is None or row.completed_at is None:
            return True
    return False


def assign_track(track: Track, users, due_date: date | None = None, start_date=None,
                 actor=None) -> list[Assignment]:
    """Assign ``track`` to ``users``; return the new assignments (existing ones are kept)."""
    created = []
    for user in users:
        if db.session.scalar(select(Assignment).where(Assignment.track_id == track.id,
                                                      Assignment.user_id == user.id)):
            continue
        start = start_date or user.start_date or local_today()
        assignment = Assignment(track=track, user=user, start_date=start,
                                due_date=due_date or start + timedelta(days=track.due_days),
                                assigned_by_id=getattr(actor, "id", None))
        db.session.add(assignment)
        sync_assignment(assignment)
        created.append(assignment)
    db.session.flush()
    return created


def assign_by_start_date(track: Track, start_date: date, due_date: date | None = None,
                         actor=None) -> list[Assignment]:
    """Assign ``track`` to every active user whose start date is ``start_date``."""
    users = db.session.scalars(select(User).where(User.start_date == start_date,
                                                  User.active.is_(True))).all()
    return assign_track(track, users, due_date, start_date, actor)


def progress(assignment: Assignment, today: date | None = None) -> Progress:
    """Where the assignee stands on each step."""
    today = today or local_today()
    rows = {c.step_id: c for c in assignment.completions}
    late = assignment.due_date is not None and assignment.due_date < today
    result = Progress(assignment)
    for step in assignment.track.steps:
        row = rows.get(step.id)
        if not step.available:
            status = "unavailable"
        elif row and row.completed_at:
            status = "done"
        else:
            status = "overdue" if late else ("reopened" if row and row.reopened_at else "open")
        result.steps.append(StepState(step, status, row.completed_at if row else None))
    return result


def user_progress(user) -> list[Progress]:
    assignments = db.session.scalars(select(Assignment).where(Assignment.user_id == user.id)
                                     .order_by(Assignment.assigned_at)).all()
    return [progress(a) for a in assignments]


def reopen_steps_for_article(article_id: int) -> int:
    """The article changed substantially: reopen completed read steps; return how many."""
    rows = db.session.scalars(
        select(StepCompletion).join(TrackStep, TrackStep.id == StepCompletion.step_id)
        .where(TrackStep.kind == "read", TrackStep.article_id == article_id,
               StepCompletion.completed_at.is_not(None))).all()
    now = utcnow()
    for row in rows:
        row.completed_at, row.reopened_at = None, now
        row.assignment.completed_at = None
    db.session.execute(ArticleAck.__table__.delete().where(ArticleAck.article_id == article_id))
    return len(rows)


def flag_questions_for_article(article_id: int) -> int:
    """Flag active questions linked to the article for the trainer to review."""
    questions = db.session.scalars(select(Question).where(
        Question.article_id == article_id, Question.retired.is_(False))).all()
    for question in questions:
        question.needs_review, question.flagged_at = True, utcnow()
    return len(questions)


def on_article_published(_sender, article_ids=(), requires_reread=False, **_extra) -> None:
    """Subscriber of ``kb.signals.article_published``.

    The signal is sent after the publishing request committed, so this is a unit of work of
    its own and commits itself.
    """
    if not requires_reread:
        return
    for article_id in article_ids:
        reopen_steps_for_article(article_id)
        flag_questions_for_article(article_id)
    db.session.commit()
