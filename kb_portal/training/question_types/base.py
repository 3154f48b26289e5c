"""The question type registry, the base class and helpers shared by the types."""
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
