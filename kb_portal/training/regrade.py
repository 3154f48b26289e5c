"""Regrading after a question changed (a corrected key, a new partial-credit weight …).

Every response keeps the version of the question it showed. A regrade moves a submitted
response to the question's current version when the learner's answer still means the same
thing there — Moodle's rule for regrading to the latest version:

* the type is unchanged;
* choices (and ordering items) are the same texts in any order — the answer follows its text —
  or, when some were reworded, the same number of them — the answer keeps its position;
* matching questions keep their number of pairs (pairs follow their position).

Otherwise the response keeps its version and is listed as not regraded, with the reason. The
prompt the learner read is never changed. A trainer's manual mark (an override) is kept.
:func:`plan` is the dry run; :func:`apply` makes the same changes and writes one audit entry.
"""
import hashlib
import json
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..extensions import db
from .grading import after_grading, flag_close_answer, total_attempt
from .models import Attempt, Quiz, Response, finite_points
from .question_types import get_type


@dataclass
class SlotChange:
    number: int
    before: float  # fraction
    after: float
    kept_override: bool = False


@dataclass
class AttemptChange:
    attempt: Attempt
    before: float  # score
    after: float
    slots: list[SlotChange] = field(default_factory=list)
    not_regraded: list[tuple[int, str]] = field(default_factory=list)  # (number, reason)

    @property
    def difference(self) -> float:
        return round(self.after - self.before, 6)


def _mapping(old: list[str], new: list[str]) -> list[int] | None:
    """Old index → new index: by text when the texts are the same, else by position."""
    if sorted(old) == sorted(new):
        return [new.index(text) for text in old]
    return list(range(len(old))) if len(old) == len(new) else None


def _remap(response: Response, new: dict):
    """(answer, layout) for the new definition, or a reason why the answer cannot follow."""
    old, answer, layout = response.definition, response.answer, response.layout
    if response.type in ("single", "multiple", "ordering"):
        mapping = _mapping(old["choices"], new["choices"])
        if mapping is None:
            return _l("the number of choices changed")
        if "order" in layout:
            layout = {**layout, "order": [mapping[i] for i in layout["order"]]}
        if response.type == "single" and isinstance(answer, int):
            answer = mapping[answer] if 0 <= answer < len(mapping) else None
        elif response.type == "multiple" and isinstance(answer, list):
            answer = sorted(mapping[i] for i in answer if 0 <= i < len(mapping))
        elif response.type == "ordering" and isinstance(answer, list):
            places = [None] * len(mapping)
            for i, place in enumerate(answer[:len(mapping)]):
                places[mapping[i]] = place
            answer = places
        return answer, layout
    if response.type == "matching":
        if len(old["pairs"]) != len(new["pairs"]):
            return _l("the number of pairs changed")
        rights = {o[1]: n[1] for o, n in zip(old["pairs"], new["pairs"], strict=True)}
        answer = [rights.get(a, a) if a is not None else None for a in answer or []]
        old_rights = list(dict.fromkeys(r for _l_, r in old["pairs"]))
        new_rights = list(dict.fromkeys(r for _l_, r in new["pairs"]))
        order = [new_rights.index(rights[old_rights[i]]) for i in layout.get("right", [])
                 if rights.get(old_rights[i]) in new_rights]
        return answer, {**layout, "right": order} if len(order) == len(new_rights) else layout
    return answer, layout


def _regraded(response: Response):
    """(new definition, answer, layout, version, fraction) or a reason, or None (current)."""
    question = response.question
    if response.question_version == question.version and \
            response.definition_json == question.definition_json:
        return None
    if question.type != response.type:
        return _l("the question type changed")
    remapped = _remap(response, question.definition)
    if not isinstance(remapped, tuple):
        return remapped
    answer, layout = remapped
    fraction = get_type(question.type).grade(question.definition, answer)
    return question.definition_json, answer, layout, question.version, fraction


def _attempt_change(attempt: Attempt, write: bool) -> AttemptChange | None:
    change = AttemptChange(attempt, attempt.score or 0.0, 0.0)
    after = 0.0
    for response in attempt.responses:
        result = _regraded(response)
        fraction = response.fraction or 0.0
        if result is not None and not isinstance(result, tuple):
            change.not_regraded.append((response.slot + 1, str(result)))
        elif result is not None:
            definition_json, answer, layout, version, fraction = result
            if fraction != (response.fraction or 0.0):
                change.slots.append(SlotChange(response.slot + 1, response.fraction or 0.0,
                                               fraction, response.override_fraction is not None))
            if write:
                response.definition_json, response.answer = definition_json, answer
                response.layout_json, response.question_version = Response.dumps(layout), version
                response.fraction = fraction
                flag_close_answer(response)
        final = fraction if response.override_fraction is None else response.override_fraction
        after += final * finite_points(response.points)
    change.after = round(after, 6)
    return change if change.slots or change.not_regraded else None


def _submitted(quiz: Quiz) -> list[Attempt]:
    return db.session.scalars(select(Attempt).where(
        Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
        .order_by(Attempt.user_id, Attempt.number)).all()


def waiting(quiz: Quiz) -> list[Attempt]:
    """Attempts still in progress that show an older version of a question. They are graded
    on submission against the version they show, so the trainer is told to regrade again
    once they are in (moving a learner's question under their feet is worse)."""
    return [a for a in db.session.scalars(select(Attempt).where(
        Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_(None))
        .order_by(Attempt.started_at)).all()
        if any(_regraded(r) is not None for r in a.responses)]


def digest(changes: list[AttemptChange]) -> str:
    """A fingerprint of a plan, so that applying it can check it is still the one the trainer
    reviewed (another edit in between would regrade what nobody looked at)."""
    text = json.dumps([[c.attempt.id, c.before, c.after,
                        [[s.number, s.before, s.after] for s in c.slots],
                        [number for number, _reason in c.not_regraded]] for c in changes])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def plan(quiz: Quiz) -> list[AttemptChange]:
    """The dry run: which attempts a regrade changes and by how much (nothing is written)."""
    return [c for c in (_attempt_change(a, write=False) for a in _submitted(quiz)) if c]


def apply(quiz: Quiz, actor) -> list[AttemptChange]:
    """Regrade every submitted attempt of ``quiz`` (flushed) and audit it."""
    changes = [c for c in (_attempt_change(a, write=True) for a in _submitted(quiz)) if c]
    for change in changes:
        total_attempt(change.attempt)
        after_grading(change.attempt)
    audit.record(actor, "training.regrade", "quiz", quiz.id, quiz.title,
                 attempts=len(changes), changes=[
                     {"attempt": c.attempt.id, "user": c.attempt.user.username,
                      "before": c.before, "after": c.after} for c in changes])
    db.session.flush()
    return changes
