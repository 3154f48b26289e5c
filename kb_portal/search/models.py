"""Search tables: the query log (for content-gap reports), agents' reports of searches that
found nothing, and trainer-managed synonym groups."""
import json
import re

from ..accounts.models import utcnow
from ..extensions import db


class SearchEvent(db.Model):
    """One search as the agent meant it: the keystrokes of one search-as-you-type session
    update the same row (``session_key``), and the result the agent opened is recorded on it.
    """

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True, index=True)
    session_key = db.Column(db.String(40), nullable=True, index=True)
    query = db.Column(db.String(200), nullable=False, index=True)  # normalised (folded)
    raw_query = db.Column(db.String(200), nullable=False, default="")
    filters_json = db.Column(db.Text, nullable=False, default="{}")
    hits = db.Column(db.Integer, nullable=False, default=0)
    latency_ms = db.Column(db.Float, nullable=False, default=0.0)
    source = db.Column(db.String(8), nullable=False, default="page")  # page | live | api | cli
    keystrokes = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    clicked_article_id = db.Column(db.Integer, db.ForeignKey("article.id"), nullable=True)
    clicked_rank = db.Column(db.Integer, nullable=True)
    clicked_at = db.Column(db.DateTime, nullable=True)

    @property
    def filters(self) -> dict:
        return json.loads(self.filters_json or "{}")


class GapReport(db.Model):
    """An agent's "Tell the trainers" from a search that found nothing useful: the query as
    typed, its normalised form (reports are counted per normalised query) and an optional
    note. A trainer dismisses a query's reports once the gap is filled."""

    id = db.Column(db.Integer, primary_key=True)
    query = db.Column(db.String(200), nullable=False, index=True)  # normalised (folded)
    raw_query = db.Column(db.String(200), nullable=False, default="")
    note = db.Column(db.String(1000), nullable=False, default="")
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    dismissed_at = db.Column(db.DateTime, nullable=True, index=True)
    dismissed_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)

    user = db.relationship("User", foreign_keys=[user_id])


class SynonymGroup(db.Model):
    """Words that mean the same to an agent (``退款, 退钱, refund``); applied at query time.

    ``narrow > broad`` in the text makes the group one-way: a search for a word on the left
    also finds articles with a word on the right, not the reverse.
    """

    id = db.Column(db.Integer, primary_key=True)
    terms_text = db.Column(db.Text, nullable=False)  # comma-separated, as the trainer typed it
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)

    @property
    def terms(self) -> list[str]:
        return split_terms(self.terms_text.replace(">", ","))

    @property
    def sides(self) -> tuple[list[str], list[str]]:
        """(narrow, broad) of a one-way group; (terms, []) of a two-way one."""
        return split_group(self.terms_text)

    @property
    def one_way(self) -> bool:
        return bool(self.sides[1])


class LexiconOverride(db.Model):
    """A trainer's change to a group of the shipped lexicon (``search/lexicon``): switched off,
    and/or more words. Keyed by the group's stable key, so it survives a new lexicon version."""

    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(80), nullable=False, unique=True)
    disabled = db.Column(db.Boolean, nullable=False, default=False)
    extra_text = db.Column(db.Text, nullable=False, default="")
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)

    @property
    def extra_terms(self) -> list[str]:
        return split_terms(self.extra_text)


class SuggestionDecision(db.Model):
    """A trainer's answer to a synonym pair mined from the search log (accepted as a group,
    accepted one-way, or dismissed), so the pair is not suggested again."""

    __table_args__ = (db.UniqueConstraint("source", "target"),)
    id = db.Column(db.Integer, primary_key=True)
    source = db.Column(db.String(200), nullable=False)  # the words that found nothing useful
    target = db.Column(db.String(200), nullable=False)  # the words whose result was opened
    decision = db.Column(db.String(12), nullable=False)  # group | one_way | dismissed
    decided_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)


def split_group(text: str) -> tuple[list[str], list[str]]:
    """``"滚刷, 边刷 > 耗材"`` → (["滚刷", "边刷"], ["耗材"]); without ``>`` all words are on the
    left and the right is empty (a two-way group)."""
    left, arrow, right = (text or "").partition(">")
    if not arrow:
        return split_terms(left), []
    return split_terms(left), [t for t in split_terms(right.replace(">", ","))
                               if t not in split_terms(left)]


def split_terms(text: str) -> list[str]:
    """``"退款, 退钱，refund"`` → ``["退款", "退钱", "refund"]`` (ASCII or Chinese commas,
    semicolons or new lines; duplicates and blanks dropped)."""
    seen = []
    for term in re.split(r"[,，;；、\n]+", text or ""):
        term = " ".join(term.split())[:60]
        if term and term not in seen:
            seen.append(term)
    return seen
