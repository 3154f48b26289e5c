"""Single and multiple choice, with Moodle's weights.

* **single**: one right ``answer``; ``partial`` gives other choices a percentage of the marks
  (GIFT ``{=A ~%50%B ~C}``: B earns half). A negative percentage scores 0 for the question.
* **multiple**: without ``weights``, each right pick earns 1/(number right) and each wrong pick
  costs 1/(number wrong); with ``weights`` (GIFT ``{~%50%a ~%50%b ~%-100%c}``) the picked
  percentages are added. Both are floored at 0. The positive weights must add up to 100, as
  Moodle requires; the right answers are the choices with a positive weight.
"""
from flask_babel import lazy_gettext as _l

from .base import (
    QuestionError,
    QuestionType,
    _index,
    _texts,
    clamp,
    feedback_map,
    percent_map,
    register,
    text,
    with_extras,
)


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

    @staticmethod
    def picked(definition, response) -> list[str]:
        """The chosen choice texts of a canonical response (indices into ``choices``)."""
        choices = definition["choices"]
        indices = response if isinstance(response, list) else [response]
        return [choices[i] for i in indices
                if isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(choices)]

    def given_answer(self, definition, response):
        return self.picked(definition, response)

    def feedback(self, definition, response):
        notes = definition.get("feedback", {})
        return [notes[c] for c in self.picked(definition, response) if c in notes]


@register
class SingleChoice(_ChoiceType):
    name = "single"
    label = _l("Single choice")

    def validate(self, definition):
        choices = _texts(definition.get("choices"), "choices")
        answer = text(definition.get("answer", ""), "answer")
        if answer not in choices:
            raise QuestionError(_l("answer %(answer)s is not one of the choices",
                                   answer=repr(answer)))
        partial = percent_map(definition.get("partial"), "partial", choices)
        if answer in partial:
            raise QuestionError(_l("partial: %(answer)s is the right answer (always 100%%)",
                                   answer=repr(answer)))
        return with_extras({"choices": choices, "answer": answer}, partial=partial,
                           feedback=feedback_map(definition.get("feedback"), choices))

    def read(self, definition, layout, raw):
        pos = _index(raw, len(layout["order"]))
        return None if pos is None else layout["order"][pos]

    def shown(self, definition, layout, response):
        return None if response is None else layout["order"].index(response)

    def grade(self, definition, response):
        picked = self.picked(definition, response)
        if not picked:
            return 0.0
        if picked[0] == definition["answer"]:
            return 1.0
        return clamp(definition.get("partial", {}).get(picked[0], 0.0) / 100)

    def correct_answer(self, definition):
        full = [c for c, p in definition.get("partial", {}).items() if p >= 100]
        return [definition["answer"], *full]


@register
class MultipleChoice(_ChoiceType):
    name = "multiple"
    label = _l("Multiple choice")

    def validate(self, definition):
        choices = _texts(definition.get("choices"), "choices")
        weights = percent_map(definition.get("weights"), "weights", choices)
        answer = definition.get("answer")
        answer = [answer] if isinstance(answer, str) else answer
        if weights:
            right = [c for c in choices if weights.get(c, 0) > 0]
            total = sum(weights[c] for c in right)
            if abs(total - 100) > 0.01 * len(choices):
                raise QuestionError(_l("weights: the positive weights add up to %(total)s%%; "
                                       "they must add up to 100%%", total=f"{total:g}"))
            if answer not in (None, []) and sorted(map(str, answer)) != sorted(right):
                raise QuestionError(_l("answer must list exactly the choices with a positive "
                                       "weight (or leave answer out)"))
            answer = right
        if not isinstance(answer, list) or not answer:
            raise QuestionError(_l("answer must list the correct choices"))
        answer = list(dict.fromkeys(text(a, "answer") for a in answer))
        missing = [a for a in answer if a not in choices]
        if missing:
            raise QuestionError(_l("answer %(answer)s is not one of the choices",
                                   answer=repr(missing[0])))
        if weights and _default_weights(choices, answer) == weights:
            weights = {}  # the same grading as the rule without weights: keep the short form
        return with_extras({"choices": choices, "answer": answer}, weights=weights,
                           feedback=feedback_map(definition.get("feedback"), choices))

    def read(self, definition, layout, raw):
        raw = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
        positions = {p for p in (_index(r, len(layout["order"])) for r in raw) if p is not None}
        return sorted(layout["order"][p] for p in positions)

    def shown(self, definition, layout, response):
        return [layout["order"].index(i) for i in response or []]

    def grade(self, definition, response):
        picked = set(self.picked(definition, response))
        weights = definition.get("weights") or \
            _default_weights(definition["choices"], definition["answer"])
        return clamp(sum(weights.get(c, 0.0) for c in picked) / 100)

    def correct_answer(self, definition):
        return list(definition["answer"])


def _default_weights(choices: list[str], answer: list[str]) -> dict[str, float]:
    """The rule without weights, written as weights: +100/right, −100/wrong per pick."""
    right, wrong = len(answer), len(choices) - len(answer)
    return {c: round(100 / right, 5) if c in answer else round(-100 / max(wrong, 1), 5)
            for c in choices}
