"""Quiz and track files (``quizzes/*.yaml``, ``quizzes/tracks/*.yaml``; docs/training.md).

``parse_quiz``/``parse_track`` turn YAML text into dataclasses or raise :class:`TrainingError` with
a reason a trainer can act on (naming the question); ``dump_quiz``/``dump_track`` write the same
format back in a fixed field order, so that export → import → export is stable. Whether the
referenced articles and quizzes exist is checked by the importer, which has the database.
"""
import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass, field

import yaml
from flask_babel import lazy_gettext as _l

from .. import safe_yaml
from .errors import TrainingError
from .models import MAX_POINTS, REVIEW_OPTIONS
from .question_types import QuestionError, get_type

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
REF_RE = re.compile(r"^([a-z0-9][a-z0-9._-]*)(?:#(.+))?$")
QUIZ_FIELDS = ("kind", "title", "slug", "description", "pass_mark", "time_limit_minutes",
               "max_attempts", "attempt_delay_minutes", "shuffle_questions", "shuffle_choices",
               "draw", "draw_tags", "review", "articles", "questions")
QUESTION_FIELDS = ("id", "type", "prompt", "choices", "answer", "pairs", "explanation",
                   "article", "tags", "points")
DEFINITION_FIELDS = ("choices", "answer", "pairs")
TRACK_FIELDS = ("kind", "title", "slug", "description", "due_days", "steps")


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


@dataclass
class QuizFile:
    slug: str
    title: str
    description: str = ""
    pass_mark: int = 80
    time_limit_minutes: int = 0
    max_attempts: int = 0
    attempt_delay_minutes: int = 0
    shuffle_questions: bool = False
    shuffle_choices: bool = False
    draw: int | None = None
    draw_tags: list[str] = field(default_factory=list)
    review: str = "explanations"
    articles: list[str] = field(default_factory=list)
    questions: list[QuestionFile] = field(default_factory=list)

    def content_hash(self) -> str:
        """A digest of everything the file says, for idempotent imports."""
        blob = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class TrackFile:
    slug: str
    title: str
    description: str = ""
    due_days: int = 14
    steps: list[tuple[str, str]] = field(default_factory=list)  # ("read"|"quiz", slug)

    def content_hash(self) -> str:
        blob = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()


def load_yaml(text: str) -> dict:
    """Parse a YAML mapping with the shared safe loader (bounded depth, size and alias
    expansion). :raise TrainingError: on syntax errors, a non-mapping document or a file that
    breaks those bounds."""
    try:
        data = safe_yaml.load(text)
    except safe_yaml.YamlError as exc:
        raise TrainingError(_l("YAML error: %(reason)s", reason=exc)) from None
    if not isinstance(data, dict):
        raise TrainingError(_l("the file must be a mapping of fields (title: …)"))
    return data


def _unknown(data: dict, known: tuple, where: str = "") -> None:
    unknown = sorted(set(map(str, data)) - set(known))
    if unknown:
        raise TrainingError(_l("unknown field(s): %(names)s", names=", ".join(unknown)))


def _int(data: dict, name: str, default: int, minimum: int = 0, maximum: int = 10**6) -> int:
    value = data.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise TrainingError(_l("%(name)s must be a whole number from %(low)d to %(high)d",
                               name=name, low=minimum, high=maximum))
    return value


def _bool(data: dict, name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise TrainingError(_l("%(name)s must be true or false", name=name))
    return value


SCALARS = (str, int, float, bool)


def text_field(value, name: str) -> str:
    """A text field: a string (or a number written without quotes), never a list or mapping."""
    if value is None:
        return ""
    if not isinstance(value, SCALARS):
        raise TrainingError(_l("%(name)s must be text, not a list or mapping", name=name))
    return str(value).strip()


def _list(value, name: str) -> list[str]:
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


def _slug(value, default: str) -> str:
    slug = (text_field(value, "slug") or default).lower()
    if not SLUG_RE.match(slug):
        raise TrainingError(_l("bad slug %(slug)s: use lower-case letters, digits, '-', '_' "
                               "or '.'", slug=repr(slug)))
    return slug


def question_problem(number: int, key: str, problem) -> object:
    """``problem`` prefixed with which question it is about (number, and id when known)."""
    if key:
        return _l("question %(n)d (%(key)s): %(problem)s", n=number, key=key, problem=problem)
    return _l("question %(n)d: %(problem)s", n=number, problem=problem)


def parse_question(data, number: int) -> QuestionFile:
    """Parse one entry of ``questions``. :raise TrainingError: naming the question."""
    if not isinstance(data, dict):
        raise TrainingError(_l("question %(n)d: must be a mapping (id: …, type: …)", n=number))
    key = str(data.get("id") or "").strip() if isinstance(data.get("id"), SCALARS) else ""
    try:
        _unknown(data, QUESTION_FIELDS)
        if not KEY_RE.match(key):
            raise TrainingError(_l("id is required: lower-case letters, digits, '-' or '_'"))
        qtype = get_type(text_field(data.get("type"), "type"))
        prompt = text_field(data.get("prompt"), "prompt")
        if not prompt:
            raise TrainingError(_l("prompt is missing"))
        definition = qtype.validate({k: data[k] for k in DEFINITION_FIELDS if k in data})
        article = text_field(data.get("article"), "article")
        if article and not REF_RE.match(article):
            raise TrainingError(_l("article %(ref)s is not 'slug' or 'slug#heading'",
                                  ref=repr(article)))
        points = points_field(data.get("points", 1))
        explanation = text_field(data.get("explanation"), "explanation")
        tags = _list(data.get("tags"), "tags")
    except (TrainingError, QuestionError) as exc:
        raise TrainingError(question_problem(number, key, exc)) from None
    return QuestionFile(id=key, type=qtype.name, prompt=prompt, definition=definition,
                        explanation=explanation, article=article, tags=tags, points=points)


def parse_quiz(text_or_data, default_slug: str) -> QuizFile:
    """Parse a quiz file (text or an already loaded mapping). :raise TrainingError:."""
    data = load_yaml(text_or_data) if isinstance(text_or_data, str) else text_or_data
    _unknown(data, QUIZ_FIELDS)
    title = text_field(data.get("title"), "title")
    if not title:
        raise TrainingError(_l("missing title"))
    review = text_field(data.get("review"), "review") or "explanations"
    if review not in REVIEW_OPTIONS:
        raise TrainingError(_l("review must be one of %(options)s",
                              options=", ".join(REVIEW_OPTIONS)))
    raw_questions = data.get("questions") or []
    if not isinstance(raw_questions, list) or not raw_questions:
        raise TrainingError(_l("questions must be a non-empty list"))
    questions = [parse_question(q, n) for n, q in enumerate(raw_questions, 1)]
    keys = [q.id for q in questions]
    duplicate = next((k for k in keys if keys.count(k) > 1), None)
    if duplicate:
        raise TrainingError(_l("question id %(key)s is used twice", key=repr(duplicate)))
    draw = data.get("draw")
    if draw is not None:
        draw = _int(data, "draw", 0, 1)
    return QuizFile(
        slug=_slug(data.get("slug"), default_slug), title=title,
        description=text_field(data.get("description"), "description"),
        pass_mark=_int(data, "pass_mark", 80, 0, 100),
        time_limit_minutes=_int(data, "time_limit_minutes", 0),
        max_attempts=_int(data, "max_attempts", 0),
        attempt_delay_minutes=_int(data, "attempt_delay_minutes", 0),
        shuffle_questions=_bool(data, "shuffle_questions"),
        shuffle_choices=_bool(data, "shuffle_choices"),
        draw=draw, draw_tags=_list(data.get("draw_tags"), "draw_tags"), review=review,
        articles=_list(data.get("articles"), "articles"), questions=questions,
    )


def parse_track(text_or_data, default_slug: str) -> TrackFile:
    """Parse a track file (``kind: track``). :raise TrainingError:."""
    data = load_yaml(text_or_data) if isinstance(text_or_data, str) else text_or_data
    _unknown(data, TRACK_FIELDS)
    title = text_field(data.get("title"), "title")
    if not title:
        raise TrainingError(_l("missing title"))
    steps = []
    for n, step in enumerate(data.get("steps") or [], 1):
        if not isinstance(step, dict) or len(step) != 1 or \
                next(iter(step)) not in ("article", "quiz"):
            raise TrainingError(_l("step %(n)d: write 'article: slug' or 'quiz: slug'", n=n))
        kind, slug = next(iter(step.items()))
        steps.append(("read" if kind == "article" else "quiz", _slug(slug, "")))
    if not steps:
        raise TrainingError(_l("steps must be a non-empty list"))
    return TrackFile(slug=_slug(data.get("slug"), default_slug), title=title,
                     description=text_field(data.get("description"), "description"),
                     due_days=_int(data, "due_days", 14, 0, 3650), steps=steps)


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text (prompts, explanations) as readable ``|`` blocks."""


_Dumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None))


def _dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def question_to_dict(q: QuestionFile) -> dict:
    """The file-format mapping of one question (empty optional fields left out)."""
    out = {"id": q.id, "type": q.type, "prompt": q.prompt, **q.definition}
    for name in ("explanation", "article", "tags"):
        if getattr(q, name):
            out[name] = getattr(q, name)
    if q.points != 1:
        out["points"] = int(q.points) if q.points.is_integer() else q.points
    return out


def dump_quiz(quiz: QuizFile) -> str:
    """Serialise ``quiz`` in the import format, with a fixed field order."""
    data = {"title": quiz.title, "slug": quiz.slug, "description": quiz.description,
            "pass_mark": quiz.pass_mark, "time_limit_minutes": quiz.time_limit_minutes,
            "max_attempts": quiz.max_attempts,
            "attempt_delay_minutes": quiz.attempt_delay_minutes,
            "shuffle_questions": quiz.shuffle_questions, "shuffle_choices": quiz.shuffle_choices,
            "draw": quiz.draw, "draw_tags": quiz.draw_tags, "review": quiz.review,
            "articles": quiz.articles}
    data = {k: v for k, v in data.items() if v not in (None, "", [])}
    data["questions"] = [question_to_dict(q) for q in quiz.questions]
    return _dump(data)


def dump_track(track: TrackFile) -> str:
    """Serialise ``track`` in the import format."""
    data = {"kind": "track", "title": track.title, "slug": track.slug,
            "description": track.description, "due_days": track.due_days,
            "steps": [{"article" if kind == "read" else "quiz": slug}
                      for kind, slug in track.steps]}
    return _dump({k: v for k, v in data.items() if v != ""})
