"""Question types: one small class per type, kept in a registry (as CTFd registers challenges).

Each type knows how to

* ``validate(definition)`` — check and normalise the type-specific fields of the file format
  (``choices``, ``answer``, ``pairs``); the definition stored in the database *is* that format;
* ``make_layout(definition, rng, shuffle)`` — fix the display order when an attempt starts;
* ``view(definition, layout)`` — what the form shows. Form values are *display positions*, never
  indices into the definition: for ordering questions (whose choices are stored in the correct
  order) the original index would give the answer away;
* ``read(definition, layout, raw)`` — turn submitted form values into a canonical response that
  no longer depends on the layout, and ``shown(…)`` the reverse, to pre-fill a resumed attempt;
* ``grade(definition, response)`` → a fraction in [0, 1] (the rules of /docs/training.md).
"""
from flask_babel import lazy_gettext as _l

from ..textnorm import fold

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
        raise QuestionError(
            f"unknown type {name!r} (use one of {', '.join(QUESTION_TYPES)})") from None


def _texts(value, what: str, minimum: int = 2) -> list[str]:
    if not isinstance(value, list) or len(value) < minimum:
        raise QuestionError(f"{what} must be a list of at least {minimum} items")
    texts = [str(v).strip() for v in value]
    if not all(texts):
        raise QuestionError(f"{what} contains an empty item")
    if len(set(texts)) != len(texts):
        raise QuestionError(f"{what} contains the same text twice")
    return texts


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


class _ChoiceType(QuestionType):
    """Shared by single and multiple choice: choices shown in a (maybe shuffled) order."""

    def make_layout(self, definition, rng, shuffle):
        order = list(range(len(definition["choices"])))
        if shuffle:
            rng.shuffle(order)
        return {"order": order}

    def view(self, definition, layout):
        choices = definition["choices"]
        return {"options": [(pos, choices[i]) for pos, i in enumerate(layout["order"])]}


@register
class SingleChoice(_ChoiceType):
    name = "single"
    label = _l("Single choice")

    def validate(self, definition):
        choices = _texts(definition.get("choices"), "choices")
        answer = str(definition.get("answer", "")).strip()
        if answer not in choices:
            raise QuestionError(f"answer {answer!r} is not one of the choices")
        return {"choices": choices, "answer": answer}

    def read(self, definition, layout, raw):
        pos = _index(raw, len(layout["order"]))
        return None if pos is None else layout["order"][pos]

    def shown(self, definition, layout, response):
        return None if response is None else layout["order"].index(response)

    def grade(self, definition, response):
        if not isinstance(response, int) or not 0 <= response < len(definition["choices"]):
            return 0.0
        return 1.0 if definition["choices"][response] == definition["answer"] else 0.0

    def correct_answer(self, definition):
        return [definition["answer"]]


@register
class MultipleChoice(_ChoiceType):
    name = "multiple"
    label = _l("Multiple choice")

    def validate(self, definition):
        choices = _texts(definition.get("choices"), "choices")
        answer = definition.get("answer")
        answer = [answer] if isinstance(answer, str) else answer
        if not isinstance(answer, list) or not answer:
            raise QuestionError("answer must list the correct choices")
        answer = [str(a).strip() for a in answer]
        missing = [a for a in answer if a not in choices]
        if missing:
            raise QuestionError(f"answer {missing[0]!r} is not one of the choices")
        return {"choices": choices, "answer": list(dict.fromkeys(answer))}

    def read(self, definition, layout, raw):
        raw = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
        positions = {p for p in (_index(r, len(layout["order"])) for r in raw) if p is not None}
        return sorted(layout["order"][p] for p in positions)

    def shown(self, definition, layout, response):
        return [layout["order"].index(i) for i in response or []]

    def grade(self, definition, response):
        """+1/(number right) per right pick, −1/(number wrong) per wrong pick, floored at 0."""
        choices, right = definition["choices"], set(definition["answer"])
        picked = {choices[i] for i in response or [] if isinstance(i, int)
                  and 0 <= i < len(choices)}
        wrong_total = len(choices) - len(right)
        score = len(picked & right) / len(right)
        if wrong_total:
            score -= len(picked - right) / wrong_total
        return round(max(0.0, min(1.0, score)), 6)  # 1/3 + 1/3 + 1/3 is not 1.0 in floats

    def correct_answer(self, definition):
        return list(definition["answer"])


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
            raise QuestionError("answer must be true or false")
        return {"answer": answer}

    def read(self, definition, layout, raw):
        return {"true": True, "false": False}.get(str(raw).strip().lower())

    def shown(self, definition, layout, response):
        return None if response is None else ("true" if response else "false")

    def grade(self, definition, response):
        return 1.0 if isinstance(response, bool) and response == definition["answer"] else 0.0

    def correct_answer(self, definition):
        return [str(_l("True") if definition["answer"] else _l("False"))]


def normalise_text(text: str) -> str:
    """What short answers are compared on: :func:`fold` plus collapsed white space."""
    return " ".join(fold(str(text)).split())


@register
class ShortText(QuestionType):
    name = "short_text"
    label = _l("Short text")

    def validate(self, definition):
        answer = definition.get("answer")
        answer = [answer] if isinstance(answer, str | int | float) else answer
        if not isinstance(answer, list) or not answer:
            raise QuestionError("answer must give at least one accepted answer")
        texts = [str(a).strip() for a in answer]
        if not all(texts):
            raise QuestionError("an accepted answer is empty")
        return {"answer": texts}

    def read(self, definition, layout, raw):
        text = (raw[0] if isinstance(raw, list) and raw else raw) or ""
        return str(text)[:500]

    def grade(self, definition, response):
        given = normalise_text(response or "")
        if not given:
            return 0.0
        return 1.0 if any(given == normalise_text(a) for a in definition["answer"]) else 0.0

    def correct_answer(self, definition):
        return list(definition["answer"])


def _derange(rng, size: int) -> list[int]:
    """A random order that is not the identity (the shown order must not be the answer)."""
    order = list(range(size))
    while size > 1 and order == sorted(order):
        rng.shuffle(order)
    return order


@register
class Ordering(QuestionType):
    """Items are stored in the correct order and always shown shuffled."""

    name = "ordering"
    label = _l("Ordering")
    in_gift = False

    def validate(self, definition):
        return {"choices": _texts(definition.get("choices"), "choices")}

    def make_layout(self, definition, rng, shuffle):
        return {"order": _derange(rng, len(definition["choices"]))}

    def view(self, definition, layout):
        choices = definition["choices"]
        return {"entries": [(pos, choices[i]) for pos, i in enumerate(layout["order"])],
                "positions": list(range(len(choices)))}

    def read(self, definition, layout, raw):
        """``raw`` maps display position → chosen place (0-based); returns place per item."""
        raw = raw if isinstance(raw, dict) else {}
        size = len(layout["order"])
        places: list[int | None] = [None] * size
        for pos, item in enumerate(layout["order"]):
            places[item] = _index(raw.get(str(pos)), size)
        return places

    def shown(self, definition, layout, response):
        response = response or []
        return {str(pos): response[item] for pos, item in enumerate(layout["order"])
                if item < len(response) and response[item] is not None}

    def grade(self, definition, response):
        size = len(definition["choices"])
        if not isinstance(response, list) or len(response) != size:
            return 0.0
        return sum(1 for i, place in enumerate(response) if place == i) / size

    def correct_answer(self, definition):
        return [f"{n}. {text}" for n, text in enumerate(definition["choices"], 1)]


@register
class Matching(QuestionType):
    """Left items are matched to right items, shown once each (shuffled) in every drop-down."""

    name = "matching"
    label = _l("Matching")

    def validate(self, definition):
        pairs = definition.get("pairs")
        if not isinstance(pairs, list) or len(pairs) < 2:
            raise QuestionError("pairs must be a list of at least 2 [left, right] pairs")
        clean = []
        for pair in pairs:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise QuestionError("each pair must be [left, right]")
            left, right = (str(v).strip() for v in pair)
            if not left or not right:
                raise QuestionError("a pair has an empty side")
            clean.append([left, right])
        _texts([p[0] for p in clean], "the left-hand items")
        return {"pairs": clean}

    @staticmethod
    def _rights(definition) -> list[str]:
        return list(dict.fromkeys(right for _left, right in definition["pairs"]))

    def make_layout(self, definition, rng, shuffle):
        pairs, rights = definition["pairs"], self._rights(definition)
        left = list(range(len(pairs)))
        if shuffle:
            rng.shuffle(left)
        right = list(range(len(rights)))
        # Reshuffle while the right column lines up with the left one: that would be the answer.
        while len(right) > 1 and all(rights[r] == pairs[i][1] for i, r in zip(left, right,
                                                                              strict=False)):
            rng.shuffle(right)
        return {"left": left, "right": right}

    def view(self, definition, layout):
        pairs, rights = definition["pairs"], self._rights(definition)
        return {"left": [(pos, pairs[i][0]) for pos, i in enumerate(layout["left"])],
                "right": [(pos, rights[i]) for pos, i in enumerate(layout["right"])]}

    def read(self, definition, layout, raw):
        """``raw`` maps left display position → right display position; returns right texts."""
        raw = raw if isinstance(raw, dict) else {}
        rights = self._rights(definition)
        chosen: list[str | None] = [None] * len(definition["pairs"])
        for pos, item in enumerate(layout["left"]):
            right_pos = _index(raw.get(str(pos)), len(layout["right"]))
            if right_pos is not None:
                chosen[item] = rights[layout["right"][right_pos]]
        return chosen

    def shown(self, definition, layout, response):
        rights, response = self._rights(definition), response or []
        shown = {}
        for pos, item in enumerate(layout["left"]):
            text = response[item] if item < len(response) else None
            if text in rights:
                shown[str(pos)] = layout["right"].index(rights.index(text))
        return shown

    def grade(self, definition, response):
        pairs = definition["pairs"]
        if not isinstance(response, list) or len(response) != len(pairs):
            return 0.0
        return sum(1 for (_left, right), got in zip(pairs, response, strict=True)
                   if got == right) / len(pairs)

    def correct_answer(self, definition):
        return [f"{left} → {right}" for left, right in definition["pairs"]]
