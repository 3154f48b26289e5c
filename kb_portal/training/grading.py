"""Attempt totals: the one place that turns per-question fractions into a score and a verdict.

Submission, regrading and manual overrides all end here, so an attempt's score, percentage and
pass/fail can never disagree with its responses.
"""
from .models import Attempt, finite_points


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
    attempt.passed = attempt.percent >= attempt.quiz.pass_mark
