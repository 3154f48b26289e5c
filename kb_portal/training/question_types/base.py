"""The question type registry, the base class and helpers shared by the types.

Weights are written as *percentages* (as GIFT and Moodle's forms do): ``partial: {B: 50}`` gives
half marks for choice B. A question's fraction is always clamped to [0, 1]: negative weights
take marks away within the question but a question never scores below zero (Moodle floors a
multiple-answer question at 0 the same way).
"""
import math

from flask_babel import lazy_gettext as _l

QUESTION_TYPES: dict[str, "QuestionType"] = {}


class QuestionError(ValueError):
    """A question definition that cannot be used; the message says why."""


def register(cls):
    """Class decorator: add an instance of ``cls`` to the registry under ``cls.name``."""
    QUESTION_TYPES[cls.name] = cls()
    return cls


def get_type(name: str) -> "QuestionType":
    """:raise QuestionError: for an unknown type name."""
    try:
        return QUESTION_TYPES[name]
    except KeyError:
        raise QuestionError(_l("unknown type %(name)s (use one of %(types)s)", name=repr(name),
                               types=", ".join(QUESTION_TYPES))) from None


def text(value, what: str) -> str:
    """One item as text: strings and numbers are fine, lists and mappings are not (a nested
    structure from a hostile file must give a message, not a recursion error)."""
    if not isinstance(value, str | int | float | bool):
        raise QuestionError(_l("%(name)s must be text, not a list or mapping", name=what))
    return str(value).strip()


def _texts(value, what: str, minimum: int = 2) -> list[str]:
    if not isinstance(value, list) or len(value) < minimum:
        raise QuestionError(_l("%(what)s must be a list of at least %(n)d items", what=what,
                               n=minimum))
    texts = [text(v, _l("each item of %(name)s", name=what)) for v in value]
    if not all(texts):
        raise QuestionError(_l("%(what)s contains an empty item", what=what))
    if len(set(texts)) != len(texts):
        raise QuestionError(_l("%(what)s contains the same text twice", what=what))
    return texts


def percent_map(value, what: str, keys: list[str], low: float = -100.0) -> dict[str, float]:
    """``{choice text: percent}`` with every key one of ``keys`` and every value a finite
    number from ``low`` to 100; an absent or empty mapping is ``{}``."""
    if value in (None, {}):
        return {}
    if not isinstance(value, dict):
        raise QuestionError(_l("%(what)s must map choices to percentages", what=what))
    out = {}
    for key, number in value.items():
        key = text(key, what)
        if key not in keys:
            raise QuestionError(_l("%(what)s: %(key)s is not one of the choices", what=what,
                                   key=repr(key)))
        if isinstance(number, bool) or not isinstance(number, int | float) or \
                not math.isfinite(number) or not low <= number <= 100:
            raise QuestionError(_l("%(what)s: the percentage for %(key)s must be a number "
                                   "from %(low)s to 100", what=what, key=repr(key),
                                   low=f"{low:g}"))
        out[key] = float(number)
    return out


def feedback_map(value, keys: list[str]) -> dict[str, str]:
    """``{answer text: feedback}`` for per-answer feedback; empty texts are left out."""
    if value in (None, {}):
        return {}
    if not isinstance(value, dict):
        raise QuestionError(_l("feedback must map answers to texts"))
    out = {}
    for key, note in value.items():
        key = text(key, "feedback")
        if key not in keys:
            raise QuestionError(_l("feedback: %(key)s is not one of the answers", key=repr(key)))
        note = text(note, "feedback")
        if note:
            out[key] = note
    return out


def with_extras(definition: dict, **extras) -> dict:
    """``definition`` plus the optional fields that are not empty (a stable, minimal form)."""
    return {**definition, **{k: v for k, v in extras.items() if v}}


def clamp(fraction: float) -> float:
    """Into [0, 1], rounded so that 1/3 + 1/3 + 1/3 is 1."""
    return round(max(0.0, min(1.0, fraction)), 6)


def _index(raw, size: int) -> int | None:
    """A display position from a form value, or None when missing or out of range."""
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if 0 <= value < size else None


class QuestionType:
    name = ""
    label = ""
    in_gift = True  # whether Moodle's GIFT format can express the type

    def validate(self, definition: dict) -> dict:
        raise NotImplementedError

    def make_layout(self, definition: dict, rng, shuffle: bool) -> dict:
        return {}

    def view(self, definition: dict, layout: dict) -> dict:
        return {}

    def read(self, definition: dict, layout: dict, raw):
        raise NotImplementedError

    def shown(self, definition: dict, layout: dict, response):
        return response

    def grade(self, definition: dict, response) -> float:
        raise NotImplementedError

    def correct_answer(self, definition: dict) -> list[str]:
        """The right answer as lines of text, for the review after submission."""
        raise NotImplementedError

    def given_answer(self, definition: dict, response) -> list[str]:
        """What the learner answered, as lines of text (empty when unanswered)."""
        raise NotImplementedError

    def feedback(self, definition: dict, response) -> list[str]:
        """The per-answer feedback the learner's answer earned (Moodle's "specific
        feedback"), in the question's text format."""
        return []

    def is_blank(self, response) -> bool:
        """Whether nothing was answered (the submit page warns about these)."""
        return response in (None, "", [], {}) or (
            isinstance(response, list) and all(r is None for r in response))
