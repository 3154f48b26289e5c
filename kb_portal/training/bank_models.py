"""The question bank: nested categories, questions, and the versions of each question.

Questions live in categories, not in quizzes; a quiz points at them through its slots
(:class:`.models.QuizSlot`). Saving a changed question adds a :class:`QuestionVersion`; every
attempt response records the version it showed (and keeps its own snapshot), which is what a
regrade compares against.
"""
import json

from ..accounts.models import utcnow
from ..extensions import db
from .models import JsonMixin, json_list

PROMPT_FORMATS = ("markdown", "html", "plain")


class QuestionCategory(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    parent_id = db.Column(db.Integer, db.ForeignKey("question_category.id"), nullable=True,
                          index=True)
    name = db.Column(db.String(200), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    parent = db.relationship("QuestionCategory", remote_side=[id], back_populates="children")
    children = db.relationship("QuestionCategory", back_populates="parent",
                               order_by="QuestionCategory.name")

    __table_args__ = (db.UniqueConstraint("parent_id", "name"),)

    @property
    def ancestry(self) -> list["QuestionCategory"]:
        """This category and its parents, top first."""
        chain, node = [], self
        while node is not None and node not in chain:
            chain.insert(0, node)
            node = node.parent
        return chain

    @property
    def path(self) -> str:
        """``Top/Sub`` (a ``/`` inside a name is written ``//``, as Moodle does)."""
        return "/".join(c.name.replace("/", "//") for c in self.ancestry)

    def __repr__(self) -> str:
        return f"<QuestionCategory {self.path}>"


class Question(JsonMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    category_id = db.Column(db.Integer, db.ForeignKey("question_category.id"), nullable=False,
                            index=True)
    key = db.Column(db.String(100), nullable=False)  # stable id within the category
    title = db.Column(db.String(255), nullable=False, default="")
    type = db.Column(db.String(20), nullable=False)
    prompt = db.Column(db.Text, nullable=False)
    prompt_format = db.Column(db.String(16), nullable=False, default="markdown")
    definition_json = db.Column(db.Text, nullable=False, default="{}")
    explanation = db.Column(db.Text, nullable=False, default="")
    article_id = db.Column(db.Integer, db.ForeignKey("article.id"), nullable=True, index=True)
    article_anchor = db.Column(db.String(200), nullable=False, default="")
    tags_json = db.Column(db.Text, nullable=False, default="[]")
    points = db.Column(db.Float, nullable=False, default=1.0)  # the default mark
    version = db.Column(db.Integer, nullable=False, default=1)
    # Hidden from random draws and the bank's default listing; past attempts still point here.
    retired = db.Column(db.Boolean, nullable=False, default=False)
    # Set when the linked article was republished with "requires re-read".
    needs_review = db.Column(db.Boolean, nullable=False, default=False)
    flagged_at = db.Column(db.DateTime, nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    category = db.relationship("QuestionCategory")
    article = db.relationship("Article")
    versions = db.relationship("QuestionVersion", back_populates="question",
                               order_by="QuestionVersion.number", cascade="all, delete-orphan")

    __table_args__ = (db.UniqueConstraint("category_id", "key"),)

    @property
    def definition(self) -> dict:
        return json.loads(self.definition_json or "{}")

    @definition.setter
    def definition(self, value: dict) -> None:
        self.definition_json = self.dumps(value)

    tags = json_list("tags_json")

    @property
    def label(self) -> str:
        """What lists show: the title, else the key."""
        return self.title or self.key

    @property
    def article_ref(self) -> str:
        """``slug`` or ``slug#anchor`` as in the file format ('' when unlinked)."""
        if self.article is None:
            return ""
        return self.article.slug + (f"#{self.article_anchor}" if self.article_anchor else "")

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.key}>"


VERSIONED_FIELDS = ("title", "type", "prompt", "prompt_format", "definition_json",
                    "explanation", "points")


class QuestionVersion(db.Model):
    """What a question said at one point: the fields that change what a learner sees or how
    they are graded."""

    id = db.Column(db.Integer, primary_key=True)
    question_id = db.Column(db.Integer, db.ForeignKey("question.id"), nullable=False,
                            index=True)
    number = db.Column(db.Integer, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    title = db.Column(db.String(255), nullable=False, default="")
    type = db.Column(db.String(20), nullable=False)
    prompt = db.Column(db.Text, nullable=False)
    prompt_format = db.Column(db.String(16), nullable=False, default="markdown")
    definition_json = db.Column(db.Text, nullable=False)
    explanation = db.Column(db.Text, nullable=False, default="")
    points = db.Column(db.Float, nullable=False, default=1.0)

    question = db.relationship("Question", back_populates="versions")
    created_by = db.relationship("User")

    __table_args__ = (db.UniqueConstraint("question_id", "number"),)

    @property
    def definition(self) -> dict:
        return json.loads(self.definition_json)
