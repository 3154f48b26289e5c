"""Forms for the editor and the content-health actions (Flask-WTF, CSRF-protected)."""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..accounts.models import User
from ..extensions import db
from ..forms import KbForm
from .editing import ArticleInput, clean_save_key
from .queries import categories

LANGUAGE_CHOICES = [SelectChoice("zh-Hans", "简体中文"), SelectChoice("zh-Hant", "繁體中文"),
                    SelectChoice("en", "English")]


class ArticleForm(KbForm):
    """The editor: the revision's content, the article's metadata, and the change note."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Address (slug)"), validators=[Optional(), Length(max=120)],
                       description=_l("Made from the title as you type (Chinese as pinyin); "
                                      "you may change it: lower-case letters, digits and '-'. "
                                      "Old addresses keep working after a change."))
    category = SelectField(_l("Category"))
    tags = StringField(_l("Tags"), description=_l("Separated by commas."))
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    summary = StringField(_l("Summary"), validators=[Length(max=500)],
                          description=_l("One sentence shown under the title in lists and "
                                         "search results."))
    answer = TextAreaField(_l("Answer card"), validators=[Length(max=500)],
                           description=_l("The answer to the article's main question in one or "
                                          "two sentences: agents see it in the search results "
                                          "and can copy it. Section answers: a “!!! answer” "
                                          "block in the text."))
    owner = SelectField(_l("Owner"), validate_choice=False,
                        description=_l("Keeps the article right; sees it in My work when it is "
                                       "due for review."))
    review_by = DateField(_l("Review by"), validators=[Optional()],
                          description=_l("When the article must be checked again."))
    body = TextAreaField(_l("Text (Markdown)"))
    note = StringField(_l("Change note"), validators=[Length(max=500)],
                       description=_l("What changed and why; shown in the history."))
    base_revision_id = HiddenField()
    save_key = HiddenField()  # one per editing session: a retried save is not saved twice

    def load_choices(self, locale: str) -> None:
        """Fill the category and owner lists from the database."""
        self.category.choices = [SelectChoice(c.key, c.display_name(locale))
                                 for c in categories()]
        staff = db.session.execute(select(User.username, User.display_name).where(
            User.role.in_(("trainer", "admin")), User.active.is_(True))
            .order_by(User.username)).all()
        current = self.owner.data
        self.owner.choices = [SelectChoice(u, f"{name} ({u})" if name else u)
                              for u, name in staff]
        if current and current not in {u for u, _name in staff}:
            self.owner.choices.insert(0, SelectChoice(current))  # e.g. imported, no account

    def to_input(self) -> ArticleInput:
        return ArticleInput(
            title=self.title.data or "", slug=self.slug.data or "",
            category_key=self.category.data or "", body=(self.body.data or "").replace(
                "\r\n", "\n"), tags=split_tags(self.tags.data or ""),
            language=self.language.data, summary=self.summary.data or "",
            answer=" ".join((self.answer.data or "").split()),
            owner=self.owner.data or None, review_by=self.review_by.data,
            save_key=clean_save_key(self.save_key.data))

    def fill(self, content: dict, article) -> None:
        """Pre-fill from revision content (``revision_content``) and the article."""
        self.title.data = content["title"]
        self.body.data = content["body"]
        self.category.data = content["category_key"]
        self.tags.data = ", ".join(content["tags"])
        self.language.data = content["language"]
        self.summary.data = content["summary"]
        self.answer.data = content.get("answer", "")
        if article is not None:
            self.slug.data = article.slug
            self.owner.data = article.owner
            self.review_by.data = article.review_by


def split_tags(text: str) -> list[str]:
    return [t.strip() for t in re.split(r"[,，、]", text) if t.strip()]


class VerifyForm(KbForm):
    days = IntegerField(_l("Next review in (days)"), default=90,
                        validators=[Optional(), NumberRange(min=1, max=3650)])


class FeedbackForm(KbForm):
    helpful = RadioField(_l("Was this article helpful?"),
                         choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
                         validators=[DataRequired()])
    comment = TextAreaField(_l("What was missing or wrong? (optional)"),
                            validators=[Length(max=1000)])


class CategoryForm(KbForm):
    key = StringField(_l("Key"), validators=[DataRequired(), Length(max=40)])
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=80)])
    name_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=80)])
    requires_approval = BooleanField(_l("Publishing needs a second person's approval"))
    note_required = SelectField(_l("Change note"), choices=[
        SelectChoice("published", _l("Required once the article is published")),
        SelectChoice("always", _l("Always required")),
        SelectChoice("never", _l("Optional")),
    ])
