"""Trainer reports: quiz and item statistics (Moodle's definitions), trainee progress, CSV.

Over all submitted attempts of a quiz, per question:

* **facility index** = mean mark ÷ max mark (share of the marks people got; low = hard);
* **discrimination index** = Pearson correlation between the mark on the question and the mark
  on the *rest* of the attempt (total minus this question), so that a question does not
  correlate with itself. Low or negative = the question does not separate people who know the
  material from those who don't: often an ambiguous prompt or a wrong key.

Questions below :data:`FACILITY_FLAG` or :data:`DISCRIMINATION_FLAG` are flagged. With a random
draw, each question's statistics use the attempts that contained it.
"""
import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..extensions import db
from ..localtime import iso
from .bank_models import Question
from .grading import one_decimal
from .models import Assignment, Attempt, Quiz, Response
from .tracks import progress

FACILITY_FLAG = 0.30
DISCRIMINATION_FLAG = 0.20


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r, or None when it is undefined (fewer than 2 values, or no spread)."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx < 1e-12 or syy < 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


@dataclass
class ItemStat:
    question: Question
    attempts: int
    facility: float | None
    discrimination: float | None

    @property
    def flags(self) -> list[str]:
        """``low-facility`` and/or ``low-discrimination``."""
        out = []
        if self.facility is not None and self.facility < FACILITY_FLAG:
            out.append("low-facility")
        if self.discrimination is not None and self.discrimination < DISCRIMINATION_FLAG:
            out.append("low-discrimination")
        return out


def item_statistics(rows) -> dict[int, tuple[int, float | None, float | None]]:
    """``rows`` of (attempt id, question id, mark, max mark, attempt score) →
    {question id: (attempts, facility, discrimination)}."""
    by_question = defaultdict(list)
    for _attempt_id, question_id, mark, max_mark, total in rows:
        by_question[question_id].append((mark, max_mark, total))
    stats = {}
    for question_id, items in by_question.items():
        marks = [m for m, _mx, _t in items]
        max_total = sum(mx for _m, mx, _t in items)
        facility = sum(marks) / max_total if max_total else None
        rest = [t - m for m, _mx, t in items]
        stats[question_id] = (len(items), facility, pearson(marks, rest))
    return stats


def score_bins(percents: list[float], width: int = 10) -> list[dict]:
    """Counts of attempts per score band (0–9 %, 10–19 %, …, 90–100 %)."""
    bands = list(range(0, 100, width))
    counts = [0] * len(bands)
    for p in percents:
        counts[min(int(p // width), len(bands) - 1)] += 1
    return [{"label": f"{lo}–{lo + width - 1 if lo + width < 100 else 100}", "count": c}
            for lo, c in zip(bands, counts, strict=True)]


@dataclass
class QuizReport:
    quiz: Quiz
    attempts: list[Attempt]
    items: list[ItemStat] = field(default_factory=list)

    @property
    def pass_rate(self) -> float | None:
        return sum(1 for a in self.attempts if a.passed) / len(self.attempts) \
            if self.attempts else None

    @property
    def mean_percent(self) -> float | None:
        return sum(a.percent for a in self.attempts) / len(self.attempts) \
            if self.attempts else None

    @property
    def bins(self) -> list[dict]:
        return score_bins([a.percent for a in self.attempts])

    def articles_to_improve(self, limit: int = 5) -> list[dict]:
        """Article sections behind the most-missed questions, most missed first."""
        missed = sorted((i for i in self.items if i.facility is not None and i.facility < 1
                         and i.question.article is not None), key=lambda i: i.facility)
        out: dict[str, dict] = {}
        for item in missed:
            ref = item.question.article_ref
            entry = out.setdefault(ref, {"article": item.question.article, "ref": ref,
                                         "anchor": item.question.article_anchor,
                                         "miss_rate": 1 - item.facility, "questions": []})
            entry["questions"].append(item.question)
        return list(out.values())[:limit]


def quiz_report(quiz: Quiz, first_only: bool = False) -> QuizReport:
    """Attempts, pass rate, score distribution and item statistics of ``quiz`` — over every
    graded attempt, or (as Moodle offers) over each person's first attempt only, which keeps
    retakes of remembered questions from flattering the statistics."""
    graded = [Attempt.quiz_id == quiz.id, Attempt.percent.is_not(None)]
    if first_only:
        graded.append(Attempt.number == 1)
    attempts = db.session.scalars(select(Attempt).where(*graded)
                                  .order_by(Attempt.submitted_at)).all()
    final = func.coalesce(Response.override_fraction, Response.fraction)
    rows = db.session.execute(
        select(Response.attempt_id, Response.question_id, final * Response.points,
               Response.points, Attempt.score)
        .join(Attempt, Attempt.id == Response.attempt_id).where(*graded)).all()
    stats = item_statistics(rows)
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_(list(stats) or [0]))).all()}
    order = {s.question_id: s.position for s in quiz.slots if not s.is_random}
    items = [ItemStat(questions[qid], n, fac, disc) for qid, (n, fac, disc) in stats.items()]
    items.sort(key=lambda i: (i.question.retired, order.get(i.question.id, len(order)),
                              i.question.id))
    return QuizReport(quiz, attempts, items)


def trainee_report(user) -> dict:
    """Track progress, attempts with scores, time spent and overdue steps of one person."""
    attempts = db.session.scalars(select(Attempt).where(Attempt.user_id == user.id)
                                  .order_by(Attempt.started_at.desc())).all()
    progresses = [progress(a) for a in db.session.scalars(
        select(Assignment).where(Assignment.user_id == user.id)).all()]
    return {"user": user, "attempts": attempts, "progresses": progresses,
            "seconds": sum(a.duration_seconds or 0 for a in attempts),
            "overdue": [s for p in progresses for s in p.steps if s.status == "overdue"]}


def _csv(header: list[str], rows) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so that Excel opens UTF-8 (Chinese names) correctly
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def attempts_csv() -> str:
    """Every attempt: quiz, person, timing, score."""
    attempts = db.session.scalars(select(Attempt).order_by(Attempt.started_at)).all()
    return _csv(["quiz", "username", "name", "attempt", "started_at", "submitted_at",
                 "seconds", "score", "max_score", "percent", "passed", "late"],
                ([a.quiz.slug, a.user.username, a.user.name, a.number,
                  iso(a.started_at), iso(a.submitted_at),
                  a.duration_seconds if a.duration_seconds is not None else "",
                  a.score if a.score is not None else "", a.max_score,
                  float(one_decimal(a.percent)) if a.percent is not None else "",
                  "" if a.passed is None else int(a.passed), int(a.late)] for a in attempts))


def progress_csv() -> str:
    """One row per assigned person and step."""
    rows = []
    for assignment in db.session.scalars(select(Assignment).order_by(Assignment.id)).all():
        for n, state in enumerate(progress(assignment).steps, 1):
            rows.append([assignment.track.slug, assignment.user.username, assignment.user.name,
                         n, state.step.kind, state.step.target_slug, state.status,
                         iso(state.completed_at),
                         assignment.due_date.isoformat() if assignment.due_date else ""])
    return _csv(["track", "username", "name", "step", "kind", "target", "status",
                 "completed_at", "due_date"], rows)
