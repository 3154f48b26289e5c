"""Article, Revision and the tables that hang off them.

An article's *content* (title, body, category, tags, language, summary, answer) lives in
revisions; every change is a new revision. ``Article.published_revision`` is what agents read;
``Article.head_revision`` is the newest revision, which may be a draft or in review while agents
still see the published one. Ownership and the review-by date belong to the article itself.
"""
import json

from ..accounts.models import utcnow
from ..extensions import db
from ..textnorm import to_traditional

ARTICLE_STATUSES = ("draft", "review", "published", "archived")
# When a save must carry a change note: always, only once the article is published, or never.
NOTE_POLICIES = ("always", "published", "never")
LANGUAGES = ("zh-Hans", "zh-Hant", "en")


class Category(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(40), unique=True, nullable=False)
    name_en = db.Column(db.String(80), nullable=False)
    name_zh = db.Column(db.String(80), nullable=False)
    position = db.Column(db.Integer, nullable=False, default=0)
    # Publishing in this category needs approval by a second trainer (e.g. policies).
    requires_approval = db.Column(db.Boolean, nullable=False, default=False)
    # One of NOTE_POLICIES; edited on /admin/categories (see docs/authoring.md).
    note_required = db.Column(db.String(16), nullable=False, default="published",
                              server_default="published")

    def display_name(self, locale: str) -> str:
        """The name in the interface language (the Traditional interface converts name_zh)."""
        locale = str(locale)
        if locale == "zh_Hant":
            return to_traditional(self.name_zh)
        return self.name_zh if locale.startswith("zh") else self.name_en


class Article(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(120), unique=True, nullable=False)
    status = db.Column(db.String(16), nullable=False, default="draft", index=True)
    # The owner is kept as a user name (as in the file format), so articles can be imported
    # before their owners' accounts exist and round-trip through export unchanged.
    owner = db.Column(db.String(64), nullable=True, index=True)
    review_by = db.Column(db.Date, nullable=True)
    verified_at = db.Column(db.DateTime, nullable=True)
    verified_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    # Hash of the file this article was last imported from: an unchanged file is skipped even
    # when the article was edited in the browser since (the browser edit must not be undone).
    import_hash = db.Column(db.String(64), nullable=True)
    # Archiving (docs/authoring.md): why and by whom, and an open request to archive an article
    # of an approval category, which a second person confirms.
    archive_reason = db.Column(db.String(500), nullable=False, default="", server_default="")
    archived_at = db.Column(db.DateTime, nullable=True)
    archived_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    archive_requested_at = db.Column(db.DateTime, nullable=True)
    archive_requested_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    head_revision_id = db.Column(
        db.Integer, db.ForeignKey("revision.id", use_alter=True), nullable=True)
    published_revision_id = db.Column(
        db.Integer, db.ForeignKey("revision.id", use_alter=True), nullable=True)

    verified_by = db.relationship("User", foreign_keys=[verified_by_id])
    archived_by = db.relationship("User", foreign_keys=[archived_by_id])
    archive_requested_by = db.relationship("User", foreign_keys=[archive_requested_by_id])
    head_revision = db.relationship("Revision", foreign_keys=[head_revision_id], post_update=True)
    published_revision = db.relationship(
        "Revision", foreign_keys=[published_revision_id], post_update=True)
    tags = db.relationship("ArticleTag", cascade="all, delete-orphan", lazy="selectin")

    @property
    def current(self) -> "Revision":
        """The revision agents see, falling back to the newest for unpublished articles."""
        return self.published_revision or self.head_revision

    @property
    def is_published(self) -> bool:
        return self.status == "published" and self.published_revision_id is not None

    def __repr__(self) -> str:
        return f"<Article {self.slug} {self.status}>"


class Revision(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    article_id = db.Column(db.Integer, db.ForeignKey("article.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)  # 1, 2, 3 … within the article
    base_revision_id = db.Column(db.Integer, nullable=True)  # what the editor started from
    status = db.Column(db.String(16), nullable=False, default="draft")
    title = db.Column(db.String(200), nullable=False)
    body = db.Column(db.Text, nullable=False, default="")
    category_key = db.Column(db.String(40), nullable=False)
    tags_json = db.Column(db.Text, nullable=False, default="[]")
    language = db.Column(db.String(8), nullable=False, default="zh-Hans")
    summary = db.Column(db.String(500), nullable=False, default="")
    # The answer card of the article (front matter ``answer:``); kb/answers.py.
    answer = db.Column(db.String(500), nullable=False, default="", server_default="")
    note = db.Column(db.String(500), nullable=False, default="")
    author_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    content_hash = db.Column(db.String(64), nullable=False)
    # Rendered once per revision (the body never changes); links are resolved at view time.
    html = db.Column(db.Text, nullable=True)
    toc_json = db.Column(db.Text, nullable=True)
    links_json = db.Column(db.Text, nullable=True)
    # Answers of "!!! answer" blocks by heading id, found once at save (kb/answers.py); NULL on
    # revisions saved before answer cards existed.
    answers_json = db.Column(db.Text, nullable=True)
    # Set when this revision was published (the last time, if more than once), and whether the
    # publisher asked agents who read an older revision to read it again (the re-read banner).
    published_at = db.Column(db.DateTime, nullable=True)
    requires_reread = db.Column(db.Boolean, nullable=False, default=False,
                                server_default=db.false())
    # The editor's idempotency key (one per editing session): a save retried because its
    # response was lost finds the revision it already made instead of adding a second one.
    save_key = db.Column(db.String(40), nullable=True, index=True)

    article = db.relationship("Article", foreign_keys=[article_id], backref=db.backref(
        "revisions", order_by="Revision.number", lazy="dynamic"))
    author = db.relationship("User")

    __table_args__ = (db.UniqueConstraint("article_id", "number"),)

    @property
    def tags(self) -> list[str]:
        return json.loads(self.tags_json or "[]")

    @tags.setter
    def tags(self, value: list[str]) -> None:
        self.tags_json = json.dumps(list(value), ensure_ascii=False)

    @property
    def toc(self) -> list[dict]:
        return json.loads(self.toc_json or "[]")

    @property
    def links(self) -> list[dict]:
        return json.loads(self.links_json or "[]")


class ArticleTag(db.Model):
    """Tags of the *published* revision, denormalised for tag pages and filters."""

    article_id = db.Column(db.Integer, db.ForeignKey("article.id"), primary_key=True)
    tag = db.Column(db.String(80), primary_key=True, index=True)


class ArticleSlug(db.Model):
    """Former slugs, so that old URLs and links keep working after a rename."""

    slug = db.Column(db.String(120), primary_key=True)
    article_id = db.Column(db.Integer, db.ForeignKey("article.id"), nullable=False)


class ArticleView(db.Model):
    """One row per user, article and day: view counts and 'recently viewed by me'."""

    article_id = db.Column(db.Integer, db.ForeignKey("article.id"), primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), primary_key=True)
    day = db.Column(db.Date, primary_key=True)
    last_viewed_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    # The revision shown at the last view that day ("changed since you last read"); NULL on
    # views recorded before it was kept.
    revision_id = db.Column(db.Integer, db.ForeignKey("revision.id"), nullable=True)


class Feedback(db.Model):
    """An agent's helpful / not helpful vote on an article (one per user, changeable)."""

    article_id = db.Column(db.Integer, db.ForeignKey("article.id"), primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), primary_key=True)
    helpful = db.Column(db.Boolean, nullable=False)
    comment = db.Column(db.String(1000), nullable=False, default="")
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User")


class Attachment(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    article_id = db.Column(db.Integer, db.ForeignKey("article.id"), nullable=True)
    filename = db.Column(db.String(200), nullable=False)
    stored_name = db.Column(db.String(80), unique=True, nullable=False)
    content_type = db.Column(db.String(80), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    uploaded_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
