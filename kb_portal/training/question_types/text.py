"""True/false and short text.

* **true_false**: ``feedback: {true: …, false: …}`` is shown for the value the learner chose
  (GIFT ``{T#shown when wrong#shown when right}``).
* **short_text**: accepted ``answer`` texts; ``partial`` gives some of them a percentage (GIFT
  ``=%50%…``), ``feedback`` a note. An answer may use ``*`` as a wildcard for any text, as in
  Moodle (``=%0%*#Not quite`` catches every other answer to give feedback). The best matching
  answer decides the mark. Comparison is on :func:`normalise_text`.
"""
import re

from flask_babel import lazy_gettext as _l

from ...textnorm import fold
from .base import (
    QuestionError,
    QuestionType,
    clamp,
    feedback_map,
    percent_map,
    register,
    text,
    with_extras,
)

_TRUE_WORDS = {"true", "t", "yes", "对", "正确", "是"}
_FALSE_WORDS = {"false", "f", "no", "错", "错误", "否"}


@register
class TrueFalse(QuestionType):
    name = "true_false"
    label = _l("True / false")

    def validate(self, definition):
        answer = definition.get("answer")
        if isinstance(answer, str) and answer.strip().lower() in _TRUE_WORDS | _FALSE_WORDS:
            answer = answer.strip().lower() in _TRUE_WORDS
        if not isinstance(answer, bool):
            raise QuestionError(_l("answer must be true or false"))
        raw = definition.get("feedback") or {}
        raw = {str(k).lower(): v for k, v in raw.items()} if isinstance(raw, dict) else raw
        return with_extras({"answer": answer},
                           feedback=feedback_map(raw, ["true", "false"]))

    def read(self, definition, layout, raw):
        return {"true": True, "false": False}.get(str(raw).strip().lower())

    def shown(self, definition, layout, response):
        return None if response is None else ("true" if response else "false")

    def grade(self, definition, response):
        return 1.0 if isinstance(response, bool) and response == definition["answer"] else 0.0

    def correct_answer(self, definition):
        return [_bool_label(definition["answer"])]

    def given_answer(self, definition, response):
        return [] if not isinstance(response, bool) else [_bool_label(response)]

    def feedback(self, definition, response):
        if not isinstance(response, bool):
            return []
        note = definition.get("feedback", {}).get("true" if response else "false")
        return [note] if note else []


def _bool_label(value: bool) -> str:
    return str(_l("True") if value else _l("False"))


# One optional space each side: runs of white space are collapsed first, and "\s*" here would
# rescan a long run from each of its characters (tests/test_regex_linearity.py).
_SPACE_NEXT_TO_CJK = re.compile(r"\s?([\u3000-\u303f\u3400-\u9fff\uff00-\uffef])\s?")


def normalise_text(value: str) -> str:
    """What short answers are compared on: :func:`fold`, collapsed white space, and no white
    space next to Chinese characters (``1 个工作日`` and ``1个工作日`` are the same answer)."""
    return _SPACE_NEXT_TO_CJK.sub(r"\1", " ".join(fold(str(value)).split()))


def matches(given: str, accepted: str) -> bool:
    """Whether normalised ``given`` matches normalised ``accepted``, where ``*`` in
    ``accepted`` stands for any text. Matched piece by piece, left to right (linear time, no
    regular expression built from trainer input)."""
    pieces = accepted.split("*")
    if len(pieces) == 1:
        return given == accepted
    if not given.startswith(pieces[0]) or not given.endswith(pieces[-1]) or \
            len(given) < len(pieces[0]) + len(pieces[-1]):
        return False
    position, end = len(pieces[0]), len(given) - len(pieces[-1])
    for piece in pieces[1:-1]:
        found = given.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


@register
class ShortText(QuestionType):
    name = "short_text"
    label = _l("Short text")

    def validate(self, definition):
        answer = definition.get("answer")
        answer = [answer] if isinstance(answer, str | int | float) else answer
        if not isinstance(answer, list) or not answer:
            raise QuestionError(_l("answer must give at least one accepted answer"))
        texts = list(dict.fromkeys(text(a, "answer") for a in answer))
        if not all(texts):
            raise QuestionError(_l("an accepted answer is empty"))
        partial = percent_map(definition.get("partial"), "partial", texts, low=0.0)
        if all(partial.get(t, 100) < 100 for t in texts):
            raise QuestionError(_l("at least one accepted answer must earn full marks"))
        return with_extras({"answer": texts}, partial=partial,
                           feedback=feedback_map(definition.get("feedback"), texts))

    def read(self, definition, layout, raw):
        value = (raw[0] if isinstance(raw, list) and raw else raw) or ""
        return str(value)[:500]

    def best_match(self, definition, response) -> str | None:
        """The accepted answer (or pattern) that gives ``response`` the most marks."""
        given = normalise_text(response or "")
        if not given:
            return None
        partial = definition.get("partial", {})
        found = [a for a in definition["answer"] if matches(given, normalise_text(a))]
        return max(found, key=lambda a: partial.get(a, 100.0), default=None)

    def grade(self, definition, response):
        best = self.best_match(definition, response)
        return 0.0 if best is None else clamp(definition.get("partial", {}).get(best, 100) / 100)

    def correct_answer(self, definition):
        partial = definition.get("partial", {})
        return [a for a in definition["answer"] if partial.get(a, 100) >= 100]

    def given_answer(self, definition, response):
        return [response] if response else []

    def feedback(self, definition, response):
        note = definition.get("feedback", {}).get(self.best_match(definition, response))
        return [note] if note else []
