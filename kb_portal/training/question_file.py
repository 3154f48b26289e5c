"""One question in the file format, shared by quiz YAML files, GIFT and the question editor.

:func:`parse_question` is the single validation path: a question typed into the browser, read
from a quiz file or converted from GIFT is checked by the same code, and the message names the
question. Field helpers here refuse lists or mappings where text is expected and non-finite
points (issue 11 point 7).
"""
import math
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from .bank_models import PROMPT_FORMATS
from .errors import TrainingError
from .models import MAX_POINTS
from .question_types import QuestionError, get_type

REF_RE = re.compile(r"^([a-z0-9][a-z0-9._-]*)(?:#(.+))?$")
QUESTION_FIELDS = ("id", "title", "type", "format", "prompt", "choices", "answer", "pairs",
                   "partial", "weights", "feedback", "explanation", "article", "tags", "points")
DEFINITION_FIELDS = ("choices", "answer", "pairs", "partial", "weights", "feedback")
SCALARS = (str, int, float, bool)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class QuestionFile:
    id: str
    type: str
    prompt: str
    definition: dict
    explanation: str = ""
    article: str = ""  # "slug" or "slug#anchor"
    tags: list[str] = field(default_factory=list)
    points: float = 1.0
    title: str = ""
    prompt_format: str = "markdown"  # markdown | html | plain


def text_field(value, name: str) -> str:
    """A text field: a string (or a number written without quotes), never a list or mapping."""
    if value is None:
        return ""
    if not isinstance(value, SCALARS):
        raise TrainingError(_l("%(name)s must be text, not a list or mapping", name=name))
    return str(value).strip()


def list_field(value, name: str) -> list[str]:
    """A list of texts (or one comma-separated text), duplicates and blanks dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[,，、]", value)
    if not isinstance(value, list):
        raise TrainingError(_l("%(name)s must be a list", name=name))
    texts = [text_field(v, _l("each item of %(name)s", name=name)) for v in value]
    return list(dict.fromkeys(t for t in texts if t))


def points_field(value) -> float:
    """Points: a finite number above 0 and at most :data:`MAX_POINTS` (``.inf``, ``.nan`` and
    ``1e400`` are refused: they once made grading and result pages fail)."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise TrainingError(_l("points must be a number, not %(value)s",
                                   value=repr(value[:20]))) from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TrainingError(_l("points must be a number"))
    if not math.isfinite(value) or not 0 < value <= MAX_POINTS:
        raise TrainingError(_l("points must be a number above 0 and at most %(max)s",
                               max=f"{MAX_POINTS:g}"))
    return float(value)


def key_field(value) -> str:
    """A question's stable id: 1–100 characters, no line breaks or control characters (GIFT
    ids and titles are free text, so this is looser than a slug)."""
    key = text_field(value, "id")
    if not key or len(key) > 100 or _CONTROL.search(key):
        raise TrainingError(_l("id is required: up to 100 characters on one line"))
    return key


def parse_question(data, number: int) -> QuestionFile:
    """Parse one question mapping. :raise TrainingError: naming the question."""
    if not isinstance(data, dict):
        raise TrainingError(_l("question %(n)d: must be a mapping (id: …, type: …)", n=number))
    raw_key = data.get("id")
    shown_key = str(raw_key).strip() if isinstance(raw_key, str | int) else ""
    try:
        unknown = sorted(set(map(str, data)) - set(QUESTION_FIELDS))
        if unknown:
            raise TrainingError(_l("unknown field(s): %(names)s", names=", ".join(unknown)))
        key = key_field(raw_key)
        qtype = get_type(text_field(data.get("type"), "type"))
        prompt = text_field(data.get("prompt"), "prompt")
        if not prompt:
            raise TrainingError(_l("prompt is missing"))
        prompt_format = text_field(data.get("format"), "format") or "markdown"
        if prompt_format not in PROMPT_FORMATS:
            raise TrainingError(_l("format must be one of %(options)s",
                                   options=", ".join(PROMPT_FORMATS)))
        definition = qtype.validate({k: data[k] for k in DEFINITION_FIELDS if k in data})
        article = text_field(data.get("article"), "article")
        if article and not REF_RE.match(article):
            raise TrainingError(_l("article %(ref)s is not 'slug' or 'slug#heading'",
                                   ref=repr(article)))
        title = text_field(data.get("title"), "title")[:255]
        question = QuestionFile(
            id=key, type=qtype.name, prompt=prompt, definition=definition,
            explanation=text_field(data.get("explanation"), "explanation"), article=article,
            tags=list_field(data.get("tags"), "tags"),
            points=points_field(data.get("points", 1)), title=title,
            prompt_format=prompt_format)
    except (TrainingError, QuestionError) as exc:
        raise TrainingError(question_problem(number, shown_key, exc)) from None
    return question


def question_problem(number: int, key: str, problem) -> object:
    """``problem`` prefixed with which question it is about (number, and id when known)."""
    if key:
        return _l("question %(n)d (%(key)s): %(problem)s", n=number, key=key, problem=problem)
    return _l("question %(n)d: %(problem)s", n=number, problem=problem)


def question_to_dict(q: QuestionFile) -> dict:
    """The file-format mapping of one question (empty optional fields left out)."""
    out = {"id": q.id}
    if q.title:
        out["title"] = q.title
    out["type"] = q.type
    if q.prompt_format != "markdown":
        out["format"] = q.prompt_format
    out.update({"prompt": q.prompt, **q.definition})
    for name in ("explanation", "article", "tags"):
        if getattr(q, name):
            out[name] = getattr(q, name)
    if q.points != 1:
        out["points"] = int(q.points) if q.points.is_integer() else q.points
    return out
