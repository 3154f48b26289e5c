"""True/false and short text."""
import re

from flask_babel import lazy_gettext as _l

from ...textnorm import fold
from .base import QuestionError, QuestionType, register, text

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
        return {"answer": answer}

    def read(self, definition, layout, raw):
        return {"true": True, "false": False}.get(str(raw).strip().lower())

    def shown(self, definition, layout, response):
        return None if response is None else ("true" if response else "false")

    def grade(self, definition, response):
        return 1.0 if isinstance(response, bool) and response == definition["answer"] else 0.0

    def correct_answer(self, definition):
        return [str(_l("True") if definition["answer"] else _l("False"))]


_SPACE_NEXT_TO_CJK = re.compile(r"\s*([\u3000-\u303f\u3400-\u9fff\uff00-\uffef])\s*")


def normalise_text(text: str) -> str:
    """What short answers are compared on: :func:`fold`, collapsed white space, and no white
    space next to Chinese characters (``1 个工作日`` and ``1个工作日`` are the same answer)."""
    return _SPACE_NEXT_TO_CJK.sub(r"\1", " ".join(fold(str(text)).split()))


@register
class ShortText(QuestionType):
    name = "short_text"
    label = _l("Short text")

    def validate(self, definition):
        answer = definition.get("answer")
        answer = [answer] if isinstance(answer, str | int | float) else answer
        if not isinstance(answer, list) or not answer:
            raise QuestionError(_l("answer must give at least one accepted answer"))
        texts = [text(a, "each accepted answer") for a in answer]
        if not all(texts):
            raise QuestionError(_l("an accepted answer is empty"))
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
