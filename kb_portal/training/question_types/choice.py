"""Single and multiple choice."""
from flask_babel import lazy_gettext as _l

from .base import QuestionError, QuestionType, _index, _texts, register, text


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
        answer = text(definition.get("answer", ""), "answer")
        if answer not in choices:
            raise QuestionError(_l("answer %(answer)s is not one of the choices",
                                   answer=repr(answer)))
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
            raise QuestionError(_l("answer must list the correct choices"))
        answer = [text(a, "each answer") for a in answer]
        missing = [a for a in answer if a not in choices]
        if missing:
            raise QuestionError(_l("answer %(answer)s is not one of the choices",
                                   answer=repr(missing[0])))
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
