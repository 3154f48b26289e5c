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
    draw = db.Column(db.Integer, nullable=True)  # questions per attempt; None = all
    draw_tags_json = db.Column(db.Text, nullable=False, default="[]")
    review = db.Column(db.String(16), nullable=False, default="explanations")
    articles_json = db.Column(db.Text, nullable=False, default="[]")  # slugs the quiz covers
    content_hash = db.Column(db.String(64), nullable=True)  # of the last imported file
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    questions = db.relationship("Question", back_populates="quiz", order_by="Question.position",
                                cascade="all, delete-orphan")

    @property
    def draw_tags(self) -> list[str]:
        return json.loads(self.draw_tags_json or "[]")

    @draw_tags.setter
    def draw_tags(self, value) -> None:
        self.draw_tags_json = self.dumps(list(value or []))

    @property
    def article_slugs(self) -> list[str]:
        return json.loads(self.articles_json or "[]")

    @article_slugs.setter
    def article_slugs(self, value) -> None:
        self.articles_json = self.dumps(list(value or []))

    @property
    def active_questions(self) -> list["Question"]:
        return [q for q in self.questions if not q.retired]

    def __repr__(self) -> str:
        return f"<Quiz {self.slug}>"


class Question(JsonMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    quiz_id = db.Column(db.Integer, db.ForeignKey("quiz.id"), nullable=False, index=True)
    key = db.Column(db.String(80), nullable=False)  # the file's stable ``id``
    position = db.Column(db.Integer, nullable=False, default=0)
    type = db.Column(db.String(20), nullable=False)
    prompt = db.Column(db.Text, nullable=False)
    definition_json = db.Column(db.Text, nullable=False, default="{}")
    explanation = db.Column(db.Text, nullable=False, default="")
    article_id = db.Column(db.Integer, db.ForeignKey("article.id"), nullable=True, index=True)
    article_anchor = db.Column(db.String(200), nullable=False, default="")
    tags_json = db.Column(db.Text, nullable=False, default="[]")
    points = db.Column(db.Float, nullable=False, default=1.0)
    # Questions removed from the quiz are retired, not deleted: past attempts point at them.
    retired = db.Column(db.Boolean, nullable=False, default=False)
    # Set when the linked article was republished with "requires re-read".
    needs_review = db.Column(db.Boolean, nullable=False, default=False)
    flagged_at = db.Column(db.DateTime, nullable=True)

    quiz = db.relationship("Quiz", back_populates="questions")
    article = db.relationship("Article")

    __table_args__ = (db.UniqueConstraint("quiz_id", "key"),)

    @property
    def definition(self) -> dict:
        return json.loads(self.definition_json or "{}")

    @definition.setter
    def definition(self, value: dict) -> None:
        self.definition_json = self.dumps(value)

    @property
    def tags(self) -> list[str]:
        return json.loads(self.tags_json or "[]")

    @tags.setter
    def tags(self, value) -> None:
        self.tags_json = self.dumps(list(value or []))

    @property
    def article_ref(self) -> str:
        """``slug`` or ``slug#anchor`` as in the file format ('' when unlinked)."""
        if self.article is None:
            return ""
        return self.article.slug + (f"#{self.article_anchor}" if self.article_anchor else "")


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
    points = db.Column(db.Float, nullable=False, default=1.0)
    fraction = db.Column(db.Float, nullable=True)  # grade() result in [0, 1]

    attempt = db.relationship("Attempt", back_populates="responses")
    question = db.relationship("Question")

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
    def mark(self) -> float | None:
        return None if self.fraction is None else self.fraction * finite_points(self.points)


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


class ArticleAck(db.Model):
    """"I have read this": a user acknowledged an article they opened."""

    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), primary_key=True)
    article_id = db.Column(db.Integer, db.ForeignKey("article.id"), primary_key=True)
    revision_id = db.Column(db.Integer, db.ForeignKey("revision.id"), nullable=True)
    acknowledged_at = db.Column(db.DateTime, nullable=False, default=utcnow)
