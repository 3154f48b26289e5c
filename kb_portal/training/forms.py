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
from .files import KEY_RE, SLUG_RE, QuestionFile
from .models import REVIEW_OPTIONS
from .question_types import QUESTION_TYPES

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
    draw = IntegerField(_l("Questions drawn per attempt (empty = all)"),
                        validators=[Optional(), NumberRange(1, 1000)])
    draw_tags = StringField(_l("Draw only from questions with these tags (comma separated)"))
    review = SelectField(_l("After submission show"),
                         choices=[SelectChoice(k, REVIEW_LABELS[k]) for k in REVIEW_OPTIONS])
    articles = StringField(_l("Articles the quiz covers (slugs, comma separated)"))


def lines(text: str | None) -> list[str]:
    """Non-empty stripped lines of a text area."""
    return [t.strip() for t in (text or "").splitlines() if t.strip()]


class QuestionForm(KbForm):
    key = StringField(_l("Question id (stable; lower-case letters, digits, - and _)"),
                      validators=[DataRequired(), Regexp(KEY_RE.pattern)])
    type = SelectField(_l("Type"), choices=[SelectChoice(n, t.label)
                                          for n, t in QUESTION_TYPES.items()])
    prompt = TextAreaField(_l("Prompt (Markdown)"), validators=[DataRequired()])
    choices = TextAreaField(_l("Choices, one per line (ordering: in the correct order)"))
    answer = TextAreaField(_l("Answer: the right choice(s), accepted answers one per line, "
                              "or true / false"))
    pairs = TextAreaField(_l("Matching pairs, one per line: left | right"))
    explanation = TextAreaField(_l("Explanation (Markdown, shown after submission)"))
    article = StringField(_l("Article section that teaches it (slug or slug#heading)"))
    tags = StringField(_l("Tags (comma separated)"))
    points = FloatField(_l("Points"), default=1.0, validators=[NumberRange(min=0.01)])

    def to_data(self) -> dict:
        """The file-format mapping of the question typed into the form."""
        data = {"id": self.key.data, "type": self.type.data, "prompt": self.prompt.data,
                "explanation": self.explanation.data, "article": self.article.data,
                "tags": self.tags.data, "points": self.points.data or 1}
        if self.type.data in ("single", "multiple", "ordering"):
            data["choices"] = lines(self.choices.data)
        if self.type.data == "single":
            data["answer"] = (lines(self.answer.data) or [""])[0]
        elif self.type.data in ("multiple", "short_text"):
            data["answer"] = lines(self.answer.data)
        elif self.type.data == "true_false":
            data["answer"] = (self.answer.data or "").strip()
        elif self.type.data == "matching":
            data["pairs"] = [[part.strip() for part in line.split("|", 1)]
                             for line in lines(self.pairs.data)]
        return data

    def fill(self, q: QuestionFile) -> None:
        """Put an existing question into the form."""
        d = q.definition
        self.key.data, self.type.data, self.prompt.data = q.id, q.type, q.prompt
        self.explanation.data, self.article.data = q.explanation, q.article
        self.tags.data, self.points.data = ", ".join(q.tags), q.points
        self.choices.data = "\n".join(d.get("choices", []))
        answer = d.get("answer", "")
        self.answer.data = "\n".join(answer) if isinstance(answer, list) else \
            ("true" if answer is True else "false" if answer is False else answer)
        self.pairs.data = "\n".join(f"{left} | {right}" for left, right in d.get("pairs", []))


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
    file = FileField(_l("Quiz or track file (.yaml or Moodle .gift)"),
                     validators=[FileRequired()])
