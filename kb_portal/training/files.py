"""Quiz and track files (``quizzes/*.yaml``, ``quizzes/tracks/*.yaml``; docs/training.md).

``parse_quiz``/``parse_track`` turn YAML text into dataclasses or raise :class:`TrainingError` with
a reason a trainer can act on (naming the question); ``dump_quiz``/``dump_track`` write the same
format back in a fixed field order, so that export → import → export is stable. Whether the
referenced articles and quizzes exist is checked by the importer, which has the database.
"""
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

import yaml

from .. import safe_yaml
from .errors import TrainingError
from .models import GRADING_METHODS, REVIEW_OPTIONS
from .question_file import QuestionFile, list_field, parse_question, question_to_dict, text_field

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
QUIZ_FIELDS = ("kind", "title", "slug", "description", "pass_mark", "time_limit_minutes",
               "max_attempts", "attempt_delay_minutes", "shuffle_questions", "shuffle_choices",
               "draw", "draw_tags", "review", "grading_method", "feedback", "open_at",
               "close_at", "articles",
               "questions", "slots")
TRACK_FIELDS = ("kind", "title", "slug", "description", "due_days", "steps")


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
    grading_method: str = "best"
    open_at: str = ""  # "YYYY-MM-DD HH:MM" in the centre's time zone ('' = always open)
    close_at: str = ""
    feedback: list[dict] = field(default_factory=list)  # [{"min": percent, "text": …}]
    articles: list[str] = field(default_factory=list)
    questions: list[QuestionFile] = field(default_factory=list)
    # None: one slot per question (or one draw with ``draw``); else explicit slots, each
    # {"question": key, "category": path} or {"draw": n, "category": path, "tags": [],
    # "subcategories": bool}; an empty category means the quiz's own questions.
    slots: list[dict] | None = None

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
        raise TrainingError(f"YAML error: {exc}") from None
    if not isinstance(data, dict):
        raise TrainingError("the file must be a mapping of fields (title: …)")
    return data


def _unknown(data: dict, known: tuple, where: str = "") -> None:
    unknown = sorted(set(map(str, data)) - set(known))
    if unknown:
        raise TrainingError(f"{where}unknown field(s): {', '.join(unknown)}")


def _int(data: dict, name: str, default: int, minimum: int = 0, maximum: int = 10**6) -> int:
    value = data.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise TrainingError(f"{name} must be a whole number from {minimum} to {maximum}")
    return value


def _bool(data: dict, name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise TrainingError(f"{name} must be true or false")
    return value


def _slug(value, default: str) -> str:
    slug = (text_field(value, "slug") or default).lower()
    if not SLUG_RE.match(slug):
        raise TrainingError(f"bad slug {slug!r}: use lower-case letters, digits, '-', '_' or '.'")
    return slug


def parse_quiz(text_or_data, default_slug: str) -> QuizFile:
    """Parse a quiz file (text or an already loaded mapping). :raise TrainingError:."""
    data = load_yaml(text_or_data) if isinstance(text_or_data, str) else text_or_data
    _unknown(data, QUIZ_FIELDS)
    title = text_field(data.get("title"), "title")
    if not title:
        raise TrainingError("missing title")
    review = text_field(data.get("review"), "review") or "explanations"
    if review not in REVIEW_OPTIONS:
        raise TrainingError(f"review must be one of {', '.join(REVIEW_OPTIONS)}")
    raw_questions = data.get("questions") or []
    if not isinstance(raw_questions, list):
        raise TrainingError("questions must be a list")
    questions = [parse_question(q, n) for n, q in enumerate(raw_questions, 1)]
    keys = [q.id for q in questions]
    duplicate = next((k for k in keys if keys.count(k) > 1), None)
    if duplicate:
        raise TrainingError(f"question id {duplicate!r} is used twice")
    draw = data.get("draw")
    if draw is not None:
        draw = _int(data, "draw", 0, 1)
    slots = None if data.get("slots") is None else [
        _slot(raw, n, keys) for n, raw in enumerate(_items(data.get("slots"), "slots"), 1)]
    if slots is not None and draw is not None:
        raise TrainingError("write either draw or slots, not both")
    if not questions and not slots:
        raise TrainingError("questions (or slots) must be a non-empty list")
    grading = text_field(data.get("grading_method"), "grading_method") or "best"
    if grading not in GRADING_METHODS:
        raise TrainingError(f"grading_method must be one of {', '.join(GRADING_METHODS)}")
    return QuizFile(
        open_at=_moment(data.get("open_at"), "open_at"),
        close_at=_moment(data.get("close_at"), "close_at"), grading_method=grading,
        feedback=feedback_bands(data.get("feedback")), slots=slots,
        slug=_slug(data.get("slug"), default_slug), title=title,
        description=text_field(data.get("description"), "description"),
        pass_mark=_int(data, "pass_mark", 80, 0, 100),
        time_limit_minutes=_int(data, "time_limit_minutes", 0),
        max_attempts=_int(data, "max_attempts", 0),
        attempt_delay_minutes=_int(data, "attempt_delay_minutes", 0),
        shuffle_questions=_bool(data, "shuffle_questions"),
        shuffle_choices=_bool(data, "shuffle_choices"),
        draw=draw, draw_tags=list_field(data.get("draw_tags"), "draw_tags"), review=review,
        articles=list_field(data.get("articles"), "articles"), questions=questions,
    )


def _moment(value, name: str) -> str:
    """A date and time as written in a file (``2026-12-01 09:00``), checked and normalised."""
    if value in (None, ""):
        return ""
    try:
        moment = value if isinstance(value, datetime) else \
            datetime.fromisoformat(text_field(value, name))
    except ValueError:
        raise TrainingError(f"{name} must be a date and time like 2026-12-01 09:00") from None
    return moment.strftime("%Y-%m-%d %H:%M")


def _items(value, name: str) -> list:
    if not isinstance(value, list):
        raise TrainingError(f"{name} must be a list")
    return value


def feedback_bands(value) -> list[dict]:
    """Overall feedback: ``[{min: 80, text: …}, …]``, shown for the highest ``min`` (a
    percentage) the score reaches."""
    bands = []
    for n, raw in enumerate(_items(value or [], "feedback"), 1):
        if not isinstance(raw, dict) or set(map(str, raw)) - {"min", "text"}:
            raise TrainingError(f"feedback {n}: write {{min: percent, text: …}}")
        low = raw.get("min", 0)
        if isinstance(low, bool) or not isinstance(low, int | float) or not 0 <= low <= 100:
            raise TrainingError(f"feedback {n}: min must be a percentage from 0 to 100")
        bands.append({"min": low, "text": text_field(raw.get("text"), "feedback text")})
    if len({b["min"] for b in bands}) != len(bands):
        raise TrainingError("feedback: two bands start at the same percentage")
    return sorted(bands, key=lambda b: -b["min"])


def _slot(raw, n: int, keys: list[str]) -> dict:
    where = f"slot {n}"
    if not isinstance(raw, dict):
        raise TrainingError(f"{where}: write {{question: id}} or {{draw: n, …}}")
    category = text_field(raw.get("category"), "category")
    if "question" in raw:
        if set(map(str, raw)) - {"question", "category"}:
            raise TrainingError(f"{where}: a question slot has question and category only")
        key = text_field(raw["question"], "question")
        if not category and key not in keys:
            raise TrainingError(f"{where}: no question {key!r} in this file (name its category)")
        return {"question": key, "category": category}
    if set(map(str, raw)) - {"draw", "category", "tags", "subcategories"}:
        raise TrainingError(f"{where}: a draw has draw, category, tags and subcategories")
    count = _int(raw, "draw", 0, 1, 1000)
    if not count:
        raise TrainingError(f"{where}: draw must say how many questions")
    sub = raw.get("subcategories", True)
    if not isinstance(sub, bool):
        raise TrainingError(f"{where}: subcategories must be true or false")
    return {"draw": count, "category": category, "tags": list_field(raw.get("tags"), "tags"),
            "subcategories": sub}


def parse_track(text_or_data, default_slug: str) -> TrackFile:
    """Parse a track file (``kind: track``). :raise TrainingError:."""
    data = load_yaml(text_or_data) if isinstance(text_or_data, str) else text_or_data
    _unknown(data, TRACK_FIELDS)
    title = text_field(data.get("title"), "title")
    if not title:
        raise TrainingError("missing title")
    steps = []
    for n, step in enumerate(data.get("steps") or [], 1):
        if not isinstance(step, dict) or len(step) != 1 or \
                next(iter(step)) not in ("article", "quiz"):
            raise TrainingError(f"step {n}: write 'article: slug' or 'quiz: slug'")
        kind, slug = next(iter(step.items()))
        steps.append(("read" if kind == "article" else "quiz", _slug(slug, "")))
    if not steps:
        raise TrainingError("steps must be a non-empty list")
    return TrackFile(slug=_slug(data.get("slug"), default_slug), title=title,
                     description=text_field(data.get("description"), "description"),
                     due_days=_int(data, "due_days", 14, 0, 3650), steps=steps)


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text (prompts, explanations) as readable ``|`` blocks."""


_Dumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None))


def _dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def dump_quiz(quiz: QuizFile) -> str:
    """Serialise ``quiz`` in the import format, with a fixed field order."""
    data = {"title": quiz.title, "slug": quiz.slug, "description": quiz.description,
            "pass_mark": quiz.pass_mark, "time_limit_minutes": quiz.time_limit_minutes,
            "max_attempts": quiz.max_attempts,
            "attempt_delay_minutes": quiz.attempt_delay_minutes,
            "shuffle_questions": quiz.shuffle_questions, "shuffle_choices": quiz.shuffle_choices,
            "draw": quiz.draw, "draw_tags": quiz.draw_tags, "review": quiz.review,
            "grading_method": None if quiz.grading_method == "best" else quiz.grading_method,
            "open_at": quiz.open_at, "close_at": quiz.close_at,
            "feedback": quiz.feedback, "articles": quiz.articles}
    data = {k: v for k, v in data.items() if v not in (None, "", [])}
    data["questions"] = [question_to_dict(q) for q in quiz.questions]
    if quiz.slots is not None:
        data["slots"] = [{k: v for k, v in slot.items()
                          if not (k == "category" and v == "") and not (k == "tags" and not v)
                          and not (k == "subcategories" and v is True)} for slot in quiz.slots]
    return _dump(data)


def dump_track(track: TrackFile) -> str:
    """Serialise ``track`` in the import format."""
    data = {"kind": "track", "title": track.title, "slug": track.slug,
            "description": track.description, "due_days": track.due_days,
            "steps": [{"article" if kind == "read" else "quiz": slug}
                      for kind, slug in track.steps]}
    return _dump({k: v for k, v in data.items() if v != ""})
