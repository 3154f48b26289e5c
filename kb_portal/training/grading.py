"""Grades: attempt totals, the quiz grade per grading method, bands, overrides, close answers.

Submission, regrading and manual overrides all end in :func:`total_attempt` and
:func:`after_grading`, so an attempt's score, its pass/fail and the learner's track steps can
never disagree with the responses. Functions flush; the caller commits.
"""
from decimal import ROUND_HALF_UP, Context, Decimal

from flask_babel import lazy_gettext as _l
from rapidfuzz.distance import Levenshtein
from sqlalchemy import select

from .. import audit
from ..accounts.models import utcnow
from ..extensions import db
from .errors import TrainingError
from .models import Attempt, Quiz, Response, finite_points

AUDIT_ACTIONS = {
    "training.regrade": _l("regraded the quiz: %(attempts)s attempts changed"),
    "training.override": _l("set the mark of question %(question)s to %(after)s "
                            "(was %(before)s): “%(comment)s”"),
}


_ANY_FLOAT = Context(prec=400)  # the largest float has 309 digits before the point


def one_decimal(value: float) -> Decimal:
    """``value`` as people read it: one decimal, halves rounded up (0.25 → 0.3). Pass marks
    and grade bands compare this figure, so a learner shown "80%" is never told they missed a
    pass mark of 80% (79.996 from GIFT's 33.333% weights)."""
    return Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP,
                                                context=_ANY_FLOAT)


def reaches(percent: float, mark: float) -> bool:
    return one_decimal(percent) >= Decimal(repr(float(mark)))


def total_attempt(attempt: Attempt) -> None:
    """Set ``score``, ``max_score``, ``percent`` and ``passed`` from the graded responses.

    Points are read through :func:`finite_points`, so an attempt made from a question stored
    before points were validated still gets a finite score (and its result page a number).
    """
    max_score = sum(finite_points(r.points) for r in attempt.responses)
    score = sum(r.mark or 0.0 for r in attempt.responses)
    attempt.max_score = max_score
    attempt.score = round(score, 6)
    attempt.percent = round(100 * score / max_score, 4) if max_score else 0.0
    attempt.passed = reaches(attempt.percent, attempt.quiz.pass_mark)


def quiz_grade(quiz: Quiz, user) -> float | None:
    """The learner's grade for the quiz (a percentage) by the quiz's grading method: the
    highest, first, last or average of the graded attempts; None before any."""
    percents = [a.percent for a in db.session.scalars(select(Attempt).where(
        Attempt.quiz_id == quiz.id, Attempt.user_id == user.id,
        Attempt.percent.is_not(None)).order_by(Attempt.number))]
    if not percents:
        return None
    method = quiz.grading_method
    if method == "first":
        return percents[0]
    if method == "last":
        return percents[-1]
    if method == "average":
        return sum(percents) / len(percents)
    return max(percents)


def has_passed(quiz: Quiz, user) -> bool:
    grade = quiz_grade(quiz, user)
    return grade is not None and reaches(grade, quiz.pass_mark)


def feedback_band(quiz: Quiz, percent: float | None) -> str:
    """The overall feedback for ``percent``: the band with the highest minimum reached."""
    if percent is None:
        return ""
    return next((b["text"] for b in quiz.feedback_bands if reaches(percent, b["min"])), "")


def after_grading(attempt: Attempt) -> None:
    """Bring the learner's quiz steps in line with their grade (it may have gone down)."""
    from .tracks import sync_quiz_steps

    db.session.flush()
    sync_quiz_steps(attempt.user, attempt.quiz, has_passed(attempt.quiz, attempt.user))


def flag_close_answer(response: Response) -> None:
    """Mark a short answer that missed full marks but is within a typo of an accepted answer
    (edit distance at most 1 per 4 characters, at least 1) for a trainer to review."""
    from .question_types.text import normalise_text

    response.needs_review = False
    if response.type != "short_text" or (response.fraction or 0) >= 1 or not response.answer:
        return
    given = normalise_text(response.answer)
    partial = response.definition.get("partial", {})
    keys = [normalise_text(a) for a in response.definition["answer"]
            if "*" not in a and partial.get(a, 100) >= 100]
    response.needs_review = any(
        Levenshtein.distance(given, key, score_cutoff=max(1, len(key) // 4)) <=
        max(1, len(key) // 4) for key in keys)


def override(response: Response, mark: float, comment: str, actor) -> None:
    """A trainer's mark for one question (in points, from 0 to the question's points), with a
    reason; kept by later regrades, audited.

    :raise TrainingError: for a mark out of range or a missing reason.
    """
    points = finite_points(response.points)
    if not 0 <= mark <= points:
        raise TrainingError(_l("The mark must be from 0 to %(points)s.", points=f"{points:g}"))
    if not comment.strip():
        raise TrainingError(_l("Say why the mark changes: the learner reads it."))
    attempt = response.attempt
    before = response.mark or 0.0
    response.override_fraction = mark / points
    response.override_comment = comment.strip()[:2000]
    response.overridden_by_id, response.overridden_at = actor.id, utcnow()
    response.needs_review = False
    total_attempt(attempt)
    after_grading(attempt)
    audit.record(actor, "training.override", "attempt", attempt.id,
                 f"{attempt.quiz.title} #{attempt.number} ({attempt.user.username})",
                 question=response.slot + 1, before=f"{before:g}", after=f"{mark:g}",
                 comment=response.override_comment)
    db.session.flush()
