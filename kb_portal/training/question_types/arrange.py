"""Ordering and matching: answers made of several placements."""
from flask_babel import lazy_gettext as _l

from .base import QuestionError, QuestionType, _index, _texts, register, text


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
        return [f"{n}. {item}" for n, item in enumerate(definition["choices"], 1)]

    def given_answer(self, definition, response):
        """The items in the order the learner placed them (unplaced ones last)."""
        if not isinstance(response, list) or all(p is None for p in response):
            return []
        size = len(definition["choices"])
        order = sorted(range(size), key=lambda i: (response[i] is None, response[i] or 0, i))
        return [f"{'—' if response[i] is None else response[i] + 1}. {definition['choices'][i]}"
                for i in order]


@register
class Matching(QuestionType):
    """Left items are matched to right items, shown once each (shuffled) in every drop-down.

    A pair with an empty left side is a *distractor* (as in Moodle): its right item is offered
    in every drop-down but matches nothing.
    """

    name = "matching"
    label = _l("Matching")

    def validate(self, definition):
        pairs = definition.get("pairs")
        if not isinstance(pairs, list):
            raise QuestionError(_l("pairs must be a list of [left, right] pairs"))
        clean = []
        for pair in pairs:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise QuestionError(_l("each pair must be [left, right]"))
            left, right = (text(v, "pairs") for v in pair)
            if not right:
                raise QuestionError(_l("a pair has an empty right side"))
            clean.append([left, right])
        _texts([p[0] for p in clean if p[0]], _l("the left-hand items"))
        return {"pairs": clean}

    @staticmethod
    def _rights(definition) -> list[str]:
        return list(dict.fromkeys(right for _left, right in definition["pairs"]))

    @staticmethod
    def _real(definition) -> list[int]:
        """Indices of the pairs that are questions (not distractors)."""
        return [i for i, (left, _right) in enumerate(definition["pairs"]) if left]

    def make_layout(self, definition, rng, shuffle):
        pairs, rights = definition["pairs"], self._rights(definition)
        left = self._real(definition)
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
        """``raw`` maps left display position → right display position; returns right texts
        per pair (None for distractors and unanswered items)."""
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
            chosen = response[item] if item < len(response) else None
            if chosen in rights:
                shown[str(pos)] = layout["right"].index(rights.index(chosen))
        return shown

    def grade(self, definition, response):
        pairs, real = definition["pairs"], self._real(definition)
        if not isinstance(response, list) or len(response) != len(pairs):
            return 0.0
        return sum(1 for i in real if response[i] == pairs[i][1]) / len(real)

    def correct_answer(self, definition):
        return [f"{left} → {right}" for left, right in definition["pairs"] if left]

    def given_answer(self, definition, response):
        response = response if isinstance(response, list) else []
        return [f"{left} → {response[i] if i < len(response) and response[i] else '—'}"
                for i, (left, _right) in enumerate(definition["pairs"]) if left]
