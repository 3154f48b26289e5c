"""Quizzes, attempts, onboarding tracks and progress.

A :class:`Question` keeps its type-specific definition (choices, answer, pairs …) as JSON in the
*canonical* form of :mod:`.question_types`. An :class:`Attempt` fixes the question order and each
question's choice order when it starts, and every :class:`Response` row carries a snapshot of the
question's definition: a trainer who edits a question mid-attempt changes neither what the
new hire sees nor how that attempt is graded (Moodle does the same with question versions).
"""
import json
import math

from ..accounts.models import utcnow
from ..extensions import db

REVIEW_OPTIONS = ("score", "answers", "explanations")
GRADING_METHODS = ("best", "first", "last", "average")
MAX_POINTS = 1000.0


def finite_points(value) -> float:
    """A question's points, or 1 for a row stored before points were validated (``.inf``,
    ``1e400``, NaN or ≤ 0 were once accepted): grading and pages must never meet those."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 1.0
    return value if math.isfinite(value) and 0 < value <= MAX_POINTS else 1.0


class JsonMixin:
    """Helpers for ``*_json`` text columns (portable across SQLite and PostgreSQL)."""

    @staticmethod
    def dumps(value) -> str:
        return json.dumps(value, ensure_ascii=False)


def json_list(column: str) -> property:
    """A list stored as JSON text in ``column`` (``tags_json`` → ``tags``)."""

    def get(self) -> list:
        return json.loads(getattr(self, column) or "[]")

    def put(self, value) -> None:
        setattr(self, column, json.dumps(list(value or []), ensure_ascii=False))

    return property(get, put)


class Quiz(JsonMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(120), unique=True, nullable=False)
    title = db.Column(db.String(200), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    pass_mark = db.Column(db.Integer, nullable=False, default=80)  # percent
    time_limit_minutes = db.Column(db.Integer, nullable=False, default=0)  # 0 = no limit
    max_attempts = db.Column(db.Integer, nullable=False, default=0)  # 0 = unlimited
    attempt_delay_minutes = db.Column(db.Integer, nullable=False, default=0)
    shuffle_questions = db.Column(db.Boolean, nullable=False, default=False)
    shuffle_choices = db.Column(db.Boolean, nullable=False, default=False)
    review = db.Column(db.String(16), nullable=False, default="explanations")
    grading_method = db.Column(db.String(8), nullable=False, default="best")
    open_at = db.Column(db.DateTime, nullable=True)  # UTC; None = open
    close_at = db.Column(db.DateTime, nullable=True)
    # Overall feedback by grade band: [{"min": percent, "text": Markdown}], highest first.
    feedback_json = db.Column(db.Text, nullable=False, default="[]")
    # Where the questions written in the quiz's own file live in the bank.
    home_category_id = db.Column(db.Integer, db.ForeignKey("question_category.id"),
                                 nullable=True)
    articles_json = db.Column(db.Text, nullable=False, default="[]")  # slugs the quiz covers
    content_hash = db.Column(db.String(64), nullable=True)  # of the last imported file
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    slots = db.relationship("QuizSlot", back_populates="quiz", order_by="QuizSlot.position",
                            cascade="all, delete-orphan")
    home_category = db.relationship("QuestionCategory")

    @property
    def feedback_bands(self) -> list[dict]:
        return json.loads(self.feedback_json or "[]")

    @feedback_bands.setter
    def feedback_bands(self, value) -> None:
        bands = sorted(value or [], key=lambda b: -b["min"])
        self.feedback_json = self.dumps(bands)

    article_slugs = json_list("articles_json")

    @property
    def fixed_questions(self) -> list:
        return [s.question for s in self.slots if not s.is_random]

    def __repr__(self) -> str:
        return f"<Quiz {self.slug}>"


class QuizSlot(JsonMixin, db.Model):
    """One place in a quiz: a fixed bank question, or a random draw of ``count`` questions
    from a category (with its subcategories) optionally limited to questions with one of
    ``tags``. A question can sit in the slots of several quizzes."""

    id = db.Column(db.Integer, primary_key=True)
    quiz_id = db.Column(db.Integer, db.ForeignKey("quiz.id"), nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False, default=0)
    question_id = db.Column(db.Integer, db.ForeignKey("question.id"), nullable=True,
                            index=True)
    category_id = db.Column(db.Integer, db.ForeignKey("question_category.id"), nullable=True,
                            index=True)
    include_subcategories = db.Column(db.Boolean, nullable=False, default=True)
    tags_json = db.Column(db.Text, nullable=False, default="[]")
    count = db.Column(db.Integer, nullable=False, default=1)

    quiz = db.relationship("Quiz", back_populates="slots")
    question = db.relationship("Question")
    category = db.relationship("QuestionCategory")

    @property
    def is_random(self) -> bool:
        return self.question_id is None

    tags = json_list("tags_json")


class QuizOverride(db.Model):
    """Per-person exceptions to a quiz's schedule and limits (Moodle's user overrides)."""

    id = db.Column(db.Integer, primary_key=True)
    quiz_id = db.Column(db.Integer, db.ForeignKey("quiz.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    extra_minutes = db.Column(db.Integer, nullable=False, default=0)
    extra_attempts = db.Column(db.Integer, nullable=False, default=0)
    close_at = db.Column(db.DateTime, nullable=True)  # a later close for this person

    quiz = db.relationship("Quiz")
    user = db.relationship("User")

    __table_args__ = (db.UniqueConstraint("quiz_id", "user_id"),)


class Attempt(JsonMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    quiz_id = db.Column(db.Integer, db.ForeignKey("quiz.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)  # 1, 2, 3 … per user and quiz
    started_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    deadline = db.Column(db.DateTime, nullable=True)  # None = no time limit
    # Set exactly once, by a conditional UPDATE: this is what makes submission idempotent.
    submitted_at = db.Column(db.DateTime, nullable=True, index=True)
    late = db.Column(db.Boolean, nullable=False, default=False)  # closed by the deadline
    score = db.Column(db.Float, nullable=True)
    max_score = db.Column(db.Float, nullable=False, default=0)
    percent = db.Column(db.Float, nullable=True)
    passed = db.Column(db.Boolean, nullable=True)

    quiz = db.relationship("Quiz")
    user = db.relationship("User")
    responses = db.relationship("Response", back_populates="attempt", order_by="Response.slot",
                                cascade="all, delete-orphan")

    # Two concurrent "start" clicks compute the same number; the database keeps one.
    __table_args__ = (db.UniqueConstraint("quiz_id", "user_id", "number"),)

    @property
    def in_progress(self) -> bool:
        return self.submitted_at is None

    @property
    def duration_seconds(self) -> int | None:
        if self.submitted_at is None:
            return None
        end = min(self.submitted_at, self.deadline) if self.deadline else self.submitted_at
        return max(0, int((end - self.started_at).total_seconds()))


class Response(JsonMixin, db.Model):
    """One question slot of an attempt: its layout, the saved answer and, once graded, the mark."""

    attempt_id = db.Column(db.Integer, db.ForeignKey("attempt.id"), primary_key=True)
    slot = db.Column(db.Integer, primary_key=True)  # 0-based display position
    question_id = db.Column(db.Integer, db.ForeignKey("question.id"), nullable=False, index=True)
    type = db.Column(db.String(20), nullable=False)  # snapshot at attempt start …
    definition_json = db.Column(db.Text, nullable=False)  # … with the definition …
    prompt = db.Column(db.Text, nullable=True)  # … and the prompt (None: from before that)
    layout_json = db.Column(db.Text, nullable=False, default="{}")  # choice order etc.
    answer_json = db.Column(db.Text, nullable=True)  # canonical response; None = unanswered
    saved_at = db.Column(db.DateTime, nullable=True)
    prompt_format = db.Column(db.String(16), nullable=True)  # None: markdown (older rows)
    question_version = db.Column(db.Integer, nullable=True)  # the version the attempt saw
    points = db.Column(db.Float, nullable=False, default=1.0)
    fraction = db.Column(db.Float, nullable=True)  # grade() result in [0, 1]
    # A trainer's mark replacing the computed one (regrades keep it), with the reason.
    override_fraction = db.Column(db.Float, nullable=True)
    override_comment = db.Column(db.Text, nullable=False, default="")
    overridden_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    overridden_at = db.Column(db.DateTime, nullable=True)
    # A short answer close to an accepted one but not equal: a trainer should look.
    needs_review = db.Column(db.Boolean, nullable=False, default=False)

    attempt = db.relationship("Attempt", back_populates="responses")
    question = db.relationship("Question")
    overridden_by = db.relationship("User")

    @property
    def definition(self) -> dict:
        return json.loads(self.definition_json)

    @property
    def shown_prompt(self) -> str:
        """The prompt as it was when the attempt started: a trainer editing the question later
        must not change what an attempt in progress, or its review, shows next to the
        snapshot definition."""
        return self.question.prompt if self.prompt is None else self.prompt

    @property
    def layout(self) -> dict:
        return json.loads(self.layout_json or "{}")

    @property
    def answer(self):
        return None if self.answer_json is None else json.loads(self.answer_json)

    @answer.setter
    def answer(self, value) -> None:
        self.answer_json = None if value is None else self.dumps(value)

    @property
    def final_fraction(self) -> float | None:
        """The trainer's override when there is one, else the graded fraction."""
        return self.fraction if self.override_fraction is None else self.override_fraction

    @property
    def mark(self) -> float | None:
        fraction = self.final_fraction
        return None if fraction is None else fraction * finite_points(self.points)


class Track(db.Model):
    """An onboarding track: an ordered list of read and quiz steps."""

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(120), unique=True, nullable=False)
    title = db.Column(db.String(200), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    due_days = db.Column(db.Integer, nullable=False, default=14)
    content_hash = db.Column(db.String(64), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    steps = db.relationship("TrackStep", back_populates="track", order_by="TrackStep.position",
                            cascade="all, delete-orphan")


class TrackStep(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    track_id = db.Column(db.Integer, db.ForeignKey("track.id"), nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False, default=0)
    kind = db.Column(db.String(8), nullable=False)  # "read" | "quiz"
    article_id = db.Column(db.Integer, db.ForeignKey("article.id"), nullable=True, index=True)
    quiz_id = db.Column(db.Integer, db.ForeignKey("quiz.id"), nullable=True, index=True)

    track = db.relationship("Track", back_populates="steps")
    article = db.relationship("Article")
    quiz = db.relationship("Quiz")

    @property
    def target_slug(self) -> str:
        return self.article.slug if self.kind == "read" else self.quiz.slug

    @property
    def available(self) -> bool:
        """Whether learners can do the step: a read step needs a published article."""
        return self.kind != "read" or self.article.is_published

    @property
    def title(self) -> str:
        return self.article.current.title if self.kind == "read" else self.quiz.title


class Assignment(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    track_id = db.Column(db.Integer, db.ForeignKey("track.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    assigned_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    assigned_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    start_date = db.Column(db.Date, nullable=False)
    due_date = db.Column(db.Date, nullable=True)
    completed_at = db.Column(db.DateTime, nullable=True)

    track = db.relationship("Track")
    user = db.relationship("User", foreign_keys=[user_id])
    completions = db.relationship("StepCompletion", back_populates="assignment",
                                  cascade="all, delete-orphan")

    __table_args__ = (db.UniqueConstraint("track_id", "user_id"),)


class StepCompletion(db.Model):
    """A step done by an assignee. Reopening clears ``completed_at`` and keeps the row."""

    assignment_id = db.Column(db.Integer, db.ForeignKey("assignment.id"), primary_key=True)
    step_id = db.Column(db.Integer, db.ForeignKey("track_step.id"), primary_key=True)
    completed_at = db.Column(db.DateTime, nullable=True)
    reopened_at = db.Column(db.DateTime, nullable=True)

    assignment = db.relationship("Assignment", back_populates="completions")
    step = db.relationship("TrackStep")


class Certificate(db.Model):
    """A completed track's certificate. The code is printed on it and anyone logged in can
    check it on the verify page; the names are kept as they were when it was issued."""

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(16), unique=True, nullable=False)
    assignment_id = db.Column(db.Integer, db.ForeignKey("assignment.id"), unique=True,
                              nullable=False)
    user_name = db.Column(db.String(120), nullable=False)
    track_title = db.Column(db.String(200), nullable=False)
    completed_at = db.Column(db.DateTime, nullable=False)
    issued_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    revoked_at = db.Column(db.DateTime, nullable=True)
    revoked_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    revoke_reason = db.Column(db.Text, nullable=False, default="")

    assignment = db.relationship("Assignment")
    revoked_by = db.relationship("User")


class ReminderLog(db.Model):
    """One reminder digest sent to one person on one day: what makes ``flask kb remind``
    idempotent per day (the row is claimed before sending, committed after)."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    day = db.Column(db.Date, nullable=False)
    kind = db.Column(db.String(8), nullable=False)  # learner | trainer
    sent_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    delivery = db.Column(db.String(8), nullable=False, default="smtp")  # smtp | log

    __table_args__ = (db.UniqueConstraint("user_id", "day", "kind"),)


class ArticleAck(db.Model):
    """"I have read this": a user acknowledged an article they opened."""

    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), primary_key=True)
    article_id = db.Column(db.Integer, db.ForeignKey("article.id"), primary_key=True)
    revision_id = db.Column(db.Integer, db.ForeignKey("revision.id"), nullable=True)
    acknowledged_at = db.Column(db.DateTime, nullable=False, default=utcnow)
