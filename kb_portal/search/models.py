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
    """Words that mean the same to an agent (``退款, 退钱, refund``); applied at query time."""

    id = db.Column(db.Integer, primary_key=True)
    terms_text = db.Column(db.Text, nullable=False)  # comma-separated, as the trainer typed it
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)

    @property
    def terms(self) -> list[str]:
        return split_terms(self.terms_text)


def split_terms(text: str) -> list[str]:
    """``"退款, 退钱，refund"`` → ``["退款", "退钱", "refund"]`` (ASCII or Chinese commas,
    semicolons or new lines; duplicates and blanks dropped)."""
    seen = []
    for term in re.split(r"[,，;；、\n]+", text or ""):
        term = " ".join(term.split())[:60]
        if term and term not in seen:
            seen.append(term)
    return seen
