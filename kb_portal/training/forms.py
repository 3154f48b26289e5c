"""Trainer forms (Flask-WTF: every form carries a CSRF token).

The question form edits the same fields as the file format, one item per line, and goes
through the same validation (:func:`.files.parse_question`), so the browser and the files can
never disagree about what a valid question is.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ..forms import KbForm
from .bank_models import PROMPT_FORMATS
from .files import SLUG_RE
from .models import GRADING_METHODS, REVIEW_OPTIONS
from .question_file import QuestionFile
from .question_types import QUESTION_TYPES

GRADING_LABELS = {"best": _l("Highest grade"), "first": _l("First attempt"),
                  "last": _l("Last attempt"), "average": _l("Average of all attempts")}
REVIEW_LABELS = {"score": _l("Score only"), "answers": _l("Score and correct answers"),
                 "explanations": _l("Score, correct answers and explanations")}


class QuizSettingsForm(KbForm):
    slug = StringField(_l("Slug (used in the URL and the file name)"),
                       validators=[DataRequired(), Regexp(SLUG_RE.pattern)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description (Markdown)"))
    pass_mark = IntegerField(_l("Pass mark (%)"), default=80,
                             validators=[NumberRange(0, 100)])
    time_limit_minutes = IntegerField(_l("Time limit in minutes (0 = none)"), default=0,
                                      validators=[NumberRange(0, 24 * 60)])
    max_attempts = IntegerField(_l("Maximum attempts (0 = unlimited)"), default=0,
                                validators=[NumberRange(0, 1000)])
    attempt_delay_minutes = IntegerField(_l("Minutes between attempts"), default=0,
                                         validators=[NumberRange(0, 100_000)])
    shuffle_questions = BooleanField(_l("Shuffle questions"))
    shuffle_choices = BooleanField(_l("Shuffle choices"))
    open_at = DateTimeLocalField(_l("Opens (empty = open now)"), format="%Y-%m-%dT%H:%M",
                                 validators=[Optional()])
    close_at = DateTimeLocalField(_l("Closes (empty = never)"), format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()])
    review = SelectField(_l("After submission show"), default="explanations",
                         choices=[SelectChoice(k, REVIEW_LABELS[k]) for k in REVIEW_OPTIONS])
    grading_method = SelectField(_l("Grade from several attempts"), choices=[
        SelectChoice(k, GRADING_LABELS[k]) for k in GRADING_METHODS])
    feedback = TextAreaField(_l("Overall feedback by score, one band per line: "
                                "“80: Well done” (shown from a score of 80 out of 100)"))
    articles = StringField(_l("Articles the quiz covers (slugs, comma separated)"))


def lines(text: str | None) -> list[str]:
    """Non-empty stripped lines of a text area."""
    return [t.strip() for t in (text or "").splitlines() if t.strip()]


def split_tags(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").replace("，", ",").split(",") if t.strip()]


def _entries(text: str | None) -> list[tuple[str, str, str]]:
    """``text | percent | feedback`` lines → (text, percent or '', feedback)."""
    out = []
    for line in lines(text):
        parts = [p.strip() for p in line.split("|", 2)] + ["", ""]
        out.append((parts[0], parts[1].rstrip("%").strip(), parts[2]))
    return out


def _number(value: str):
    try:
        return float(value)
    except ValueError:
        return value  # parse_question names what is wrong


FORMAT_LABELS = {"markdown": _l("Markdown"), "html": _l("HTML (sanitised)"),
                 "plain": _l("Plain text")}


class QuestionForm(KbForm):
    key = StringField(_l("Question id (stable, unique in its category)"),
                      validators=[DataRequired(), Length(max=100)])
    title = StringField(_l("Title (optional; GIFT's ::title::)"), validators=[Length(max=255)])
    type = SelectField(_l("Type"), choices=[SelectChoice(n, t.label)
                                          for n, t in QUESTION_TYPES.items()])
    format = SelectField(_l("Text format"), choices=[SelectChoice(k, FORMAT_LABELS[k])
                                                     for k in PROMPT_FORMATS])
    prompt = TextAreaField(_l("Prompt"), validators=[DataRequired()])
    choices = TextAreaField(_l("Choices, one per line (ordering: in the correct order); "
                               "optionally “choice | percent | feedback”"))
    answer = TextAreaField(_l("Answer: the right choice(s), accepted answers one per line "
                              "(optionally “answer | percent | feedback”), or true / false"))
    pairs = TextAreaField(_l("Matching pairs, one per line: left | right (empty left: a "
                             "distractor)"))
    feedback_true = StringField(_l("Feedback when the learner answers true"))
    feedback_false = StringField(_l("Feedback when the learner answers false"))
    explanation = TextAreaField(_l("Explanation (shown after submission)"))
    article = StringField(_l("Article section that teaches it (slug or slug#heading)"))
    tags = StringField(_l("Tags (comma separated)"))
    points = FloatField(_l("Points"), default=1.0, validators=[NumberRange(min=0.01)])

    def to_data(self) -> dict:
        """The file-format mapping of the question typed into the form."""
        kind = self.type.data
        data = {"id": self.key.data, "title": self.title.data, "type": kind,
                "format": self.format.data, "prompt": self.prompt.data,
                "explanation": self.explanation.data, "article": self.article.data,
                "tags": self.tags.data, "points": self.points.data or 1}
        choices = _entries(self.choices.data)
        answers = _entries(self.answer.data)
        if kind in ("single", "multiple", "ordering"):
            data["choices"] = [c for c, _p, _f in choices]
        if kind in ("single", "multiple"):
            data["feedback"] = {c: f for c, _p, f in choices if f}
            weights = {c: _number(p) for c, p, _f in choices if p}
            data["partial" if kind == "single" else "weights"] = weights
        if kind == "single":
            data["answer"] = ([a for a, _p, _f in answers] or [""])[0]
        elif kind == "multiple" and not data["weights"]:
            data["answer"] = [a for a, _p, _f in answers]
        elif kind == "short_text":
            data["answer"] = [a for a, _p, _f in answers]
            data["partial"] = {a: _number(p) for a, p, _f in answers if p}
            data["feedback"] = {a: f for a, _p, f in answers if f}
        elif kind == "true_false":
            data["answer"] = (self.answer.data or "").strip()
            data["feedback"] = {"true": self.feedback_true.data or "",
                                "false": self.feedback_false.data or ""}
        elif kind == "matching":
            data["pairs"] = [[part.strip() for part in line.split("|", 1)]
                             for line in lines(self.pairs.data)]
        return data

    def fill(self, q: QuestionFile) -> None:
        """Put an existing question into the form."""
        d = q.definition
        self.key.data, self.title.data, self.type.data = q.id, q.title, q.type
        self.format.data, self.prompt.data = q.prompt_format, q.prompt
        self.explanation.data, self.article.data = q.explanation, q.article
        self.tags.data, self.points.data = ", ".join(q.tags), q.points
        notes = d.get("feedback", {})
        weights = d.get("partial") or d.get("weights") or {}
        self.choices.data = "\n".join(_line(c, weights.get(c), notes.get(c))
                                       for c in d.get("choices", []))
        answer = d.get("answer", "")
        if q.type == "short_text":
            self.answer.data = "\n".join(_line(a, d.get("partial", {}).get(a), notes.get(a))
                                          for a in answer)
        elif isinstance(answer, list):
            self.answer.data = "\n".join(answer)
        else:
            self.answer.data = "true" if answer is True else "false" if answer is False \
                else answer
        self.feedback_true.data = notes.get("true", "") if q.type == "true_false" else ""
        self.feedback_false.data = notes.get("false", "") if q.type == "true_false" else ""
        self.pairs.data = "\n".join(f"{left} | {right}" for left, right in d.get("pairs", []))


def _line(text: str, percent, note) -> str:
    parts = [text, "" if percent is None else f"{percent:g}", note or ""]
    while parts[-1] == "" and len(parts) > 1:
        parts.pop()
    return " | ".join(parts)


class OverrideForm(KbForm):
    user_id = SelectField(_l("Person"), coerce=int)
    extra_minutes = IntegerField(_l("Extra minutes"), default=0,
                                 validators=[Optional(), NumberRange(0, 24 * 60)])
    extra_attempts = IntegerField(_l("Extra attempts"), default=0,
                                  validators=[Optional(), NumberRange(0, 100)])
    later_close = DateTimeLocalField(_l("Later close"), format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()])


class TrackForm(KbForm):
    slug = StringField(_l("Slug"), validators=[DataRequired(), Regexp(SLUG_RE.pattern)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"))
    due_days = IntegerField(_l("Due this many days after the start date"), default=14,
                            validators=[NumberRange(0, 3650)])


class AddStepForm(KbForm):
    target = SelectField(_l("Add a step"), validators=[DataRequired()])


class AssignForm(KbForm):
    users = SelectMultipleField(_l("Users"), coerce=int, validators=[Optional()])
    start_date = DateField(_l("…or everyone whose start date is"), validators=[Optional()])
    due_date = DateField(_l("Due date (empty = start date + the track's due days)"),
                         validators=[Optional()])


class ImportForm(KbForm):
    file = FileField(_l("Quiz or track file (.yaml) or a Moodle question bank (.gift)"),
                     validators=[FileRequired()])
    category = StringField(_l("Bank category for GIFT questions without $CATEGORY "
                              "(default: the file name)"), validators=[Length(max=400)])
