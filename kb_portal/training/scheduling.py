"""When a learner may take a quiz: open and close dates, and per-person overrides.

A :class:`.models.QuizOverride` gives one person extra minutes on the time limit, extra
attempts, or a later close (Moodle's user overrides). An attempt's deadline is the earlier of
its time limit and the (effective) close; nothing can be saved after it.
"""
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..localtime import to_local
from .errors import TrainingError
from .models import Quiz, QuizOverride


def override_for(quiz: Quiz, user) -> QuizOverride | None:
    return db.session.scalar(select(QuizOverride).where(QuizOverride.quiz_id == quiz.id,
                                                        QuizOverride.user_id == user.id))


def close_for(quiz: Quiz, user) -> datetime | None:
    """The close that applies to ``user``: their override's later close, else the quiz's."""
    override = override_for(quiz, user)
    return override.close_at if override and override.close_at else quiz.close_at


def attempts_allowed(quiz: Quiz, user) -> int:
    """0 = unlimited; else the quiz's limit plus the person's extra attempts."""
    override = override_for(quiz, user)
    return quiz.max_attempts + (override.extra_attempts if override else 0) \
        if quiz.max_attempts else 0


def time_limit(quiz: Quiz, user) -> int:
    """Minutes (0 = none), with the person's extra time."""
    override = override_for(quiz, user)
    return quiz.time_limit_minutes + (override.extra_minutes if override else 0) \
        if quiz.time_limit_minutes else 0


def deadline(quiz: Quiz, user, start: datetime) -> datetime | None:
    minutes, close = time_limit(quiz, user), close_for(quiz, user)
    ends = [t for t in (start + timedelta(minutes=minutes) if minutes else None, close) if t]
    return min(ends) if ends else None


def _when(value: datetime) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M")


def window_refusal(quiz: Quiz, user, now: datetime) -> str | None:
    """Why the quiz cannot be started now because of its dates, or None."""
    if quiz.open_at and now < quiz.open_at:
        return _("This quiz opens on %(when)s.", when=_when(quiz.open_at))
    close = close_for(quiz, user)
    if close and now >= close:
        return _("This quiz closed on %(when)s.", when=_when(close))
    return None


def set_override(quiz: Quiz, user, extra_minutes: int, extra_attempts: int,
                 close_at: datetime | None) -> QuizOverride | None:
    """Create, change or (all empty) remove the person's override. Flushes.

    :raise TrainingError: for negative numbers or a close before the quiz opens.
    """
    if extra_minutes < 0 or extra_attempts < 0:
        raise TrainingError(_("Extra time and extra attempts cannot be negative."))
    if close_at and quiz.open_at and close_at <= quiz.open_at:
        raise TrainingError(_("The later close must be after the quiz opens."))
    override = override_for(quiz, user)
    if not (extra_minutes or extra_attempts or close_at):
        if override is not None:
            db.session.delete(override)
        db.session.flush()
        return None
    override = override or QuizOverride(quiz_id=quiz.id, user_id=user.id)
    override.extra_minutes, override.extra_attempts = extra_minutes, extra_attempts
    override.close_at = close_at
    db.session.add(override)
    db.session.flush()
    return override
