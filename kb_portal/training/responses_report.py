"""Who answered what: the per-question responses report (page and CSV) and, for choice
questions, how often each answer was chosen.

Answers are read from each response's own snapshot (the choices as that attempt showed them),
so a question edited since still reports what people actually picked.
"""
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..localtime import iso
from .bank_models import Question
from .models import Attempt, Quiz, Response
from .question_types import get_type
from .reports import _csv

CHOICE_TYPES = ("single", "multiple", "true_false")


@dataclass
class Frequency:
    question: Question
    responses: int = 0
    counts: Counter = field(default_factory=Counter)  # answer text → times chosen
    right: set = field(default_factory=set)
    blank: int = 0

    def share(self, text: str) -> float:
        return self.counts[text] / self.responses if self.responses else 0.0


def graded_responses(quiz: Quiz, first_only: bool = False):
    query = select(Response, Attempt).join(Attempt, Attempt.id == Response.attempt_id).where(
        Attempt.quiz_id == quiz.id, Attempt.percent.is_not(None))
    if first_only:
        query = query.where(Attempt.number == 1)
    return db.session.execute(query.order_by(Attempt.user_id, Attempt.number,
                                             Response.slot)).all()


def frequencies(quiz: Quiz, first_only: bool = False) -> list[Frequency]:
    """Per choice question, how many times each answer was chosen (and left blank)."""
    out: dict[int, Frequency] = {}
    for response, _attempt in graded_responses(quiz, first_only):
        if response.type not in CHOICE_TYPES:
            continue
        qtype, definition = get_type(response.type), response.definition
        entry = out.setdefault(response.question_id, Frequency(response.question))
        entry.responses += 1
        entry.right.update(qtype.correct_answer(definition))
        options = definition.get("choices") or [qtype.correct_answer({"answer": True})[0],
                                                qtype.correct_answer({"answer": False})[0]]
        for option in options:
            entry.counts.setdefault(option, 0)
        given = qtype.given_answer(definition, response.answer)
        entry.counts.update(given)
        entry.blank += not given
    return list(out.values())


def response_rows(quiz: Quiz, first_only: bool = False) -> list[dict]:
    rows = []
    for response, attempt in graded_responses(quiz, first_only):
        qtype = get_type(response.type)
        rows.append({"attempt": attempt, "response": response,
                     "question": response.question.label,
                     "answer": " | ".join(qtype.given_answer(response.definition,
                                                             response.answer)),
                     "mark": response.mark or 0.0, "points": response.points})
    return rows


def responses_csv(quiz: Quiz, first_only: bool = False) -> str:
    return _csv(["quiz", "username", "name", "attempt", "submitted_at", "question_id",
                 "question", "answer", "mark", "points", "overridden"],
                ([quiz.slug, r["attempt"].user.username, r["attempt"].user.name,
                  r["attempt"].number, iso(r["attempt"].submitted_at),
                  r["response"].question_id, r["question"], r["answer"],
                  round(r["mark"], 4), r["points"],
                  int(r["response"].override_fraction is not None)]
                 for r in response_rows(quiz, first_only)))
