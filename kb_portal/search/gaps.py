"""Searches that found nothing: help for the agent, and their reports for the trainers.

When a search finds nothing the agent still gets somewhere: the articles other agents opened
after *similar* searches (the search log's clicks; similar = sharing enough character pairs of
Chinese or Latin words, so ``寄回去的退货运费`` finds what agents opened for ``退货运费谁出``), the
categories those articles belong to, and a "Tell the trainers" button that records the query
with an optional note. Trainers see the reports on the content-health page, counted per
normalised query, and dismiss them once the gap is filled.

Services ``flush``; the view commits (one transaction per request).
"""
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..accounts.models import utcnow
from ..extensions import db
from ..kb.models import Article, Category, Revision
from ..kb.queries import visible_articles
from .models import GapReport, SearchEvent
from .query import normalise

SIMILAR_DAYS = 90
SIMILAR_ROWS = 5000  # the newest clicked searches compared (bounded work per page)
SIMILARITY = 0.5  # share of the shorter query's grams the other query has too
MAX_NOTE = 1000
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[0-9a-z]+")


def grams(query: str) -> frozenset:
    """What two queries are compared by: the character pairs of each Chinese run (a lone
    character stands for itself) and the Latin words or numbers."""
    text = normalise(query)
    found = set(_WORD.findall(text))
    for run in _CJK_RUN.findall(text):
        found.update(run[i:i + 2] for i in range(max(1, len(run) - 1)))
    return frozenset(found)


def similarity(a: frozenset, b: frozenset) -> float:
    """The overlap coefficient: a short query contained in a longer one is similar to it."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def similar_opened(query: str, limit: int = 5) -> list[tuple[Article, int]]:
    """Published articles agents opened after searches similar to ``query``, most first."""
    mine = grams(query)
    if not mine:
        return []
    since = utcnow() - timedelta(days=SIMILAR_DAYS)
    rows = db.session.execute(
        select(SearchEvent.query, SearchEvent.clicked_article_id)
        .where(SearchEvent.clicked_article_id.is_not(None), SearchEvent.created_at >= since)
        .order_by(SearchEvent.id.desc()).limit(SIMILAR_ROWS)).all()
    opened: Counter = Counter()
    weight: Counter = Counter()  # more similar searches count for more in the order
    for other, article_id in rows:
        score = similarity(mine, grams(other))
        if score >= SIMILARITY:
            opened[article_id] += 1
            weight[article_id] += score
    if not opened:
        return []
    articles = {a.id: a for a in db.session.scalars(
        visible_articles().where(Article.id.in_(list(opened))))}
    ranked = sorted((a for a in opened if a in articles), key=lambda a: (-weight[a], a))
    return [(articles[a], opened[a]) for a in ranked[:limit]]


def closest_categories(opened: list[tuple[Article, int]]) -> list[Category]:
    """The categories of what similar searches led to, most opened first; every category when
    there is nothing to go by (the agent can still browse)."""
    weights: Counter = Counter()
    for article, count in opened:
        weights[article.current.category_key] += count
    categories = db.session.scalars(select(Category).order_by(Category.position)).all()
    if not weights:
        return list(categories)
    return sorted((c for c in categories if c.key in weights),
                  key=lambda c: (-weights[c.key], c.position))


def report_gap(user, raw_query: str, note: str = "") -> GapReport | None:
    """Record an agent's "Tell the trainers" (not committed); None for an empty query."""
    query = normalise(raw_query)[:200]
    if not query:
        return None
    report = GapReport(query=query, raw_query=(raw_query or "").strip()[:200],
                       note=(note or "").strip()[:MAX_NOTE], user_id=getattr(user, "id", None))
    db.session.add(report)
    db.session.flush()
    return report


@dataclass
class ReportedQuery:
    """The open reports of one normalised query."""

    query: str
    raw_query: str
    count: int
    last: datetime
    notes: list[GapReport] = field(default_factory=list)


def open_reports(limit: int = 50, notes_per_query: int = 5) -> list[ReportedQuery]:
    """Undismissed reports grouped by normalised query, most reported first."""
    grouped = db.session.execute(
        select(GapReport.query, func.count(), func.max(GapReport.created_at),
               func.max(GapReport.raw_query))
        .where(GapReport.dismissed_at.is_(None)).group_by(GapReport.query)
        .order_by(func.count().desc(), func.max(GapReport.created_at).desc()).limit(limit)).all()
    out = [ReportedQuery(q, raw or q, n, last) for q, n, last, raw in grouped]
    if out:
        noted = db.session.scalars(
            select(GapReport).where(GapReport.dismissed_at.is_(None), GapReport.note != "",
                                    GapReport.query.in_([r.query for r in out]))
            .order_by(GapReport.created_at.desc())).all()
        by_query = {r.query: r for r in out}
        for report in noted:
            entry = by_query[report.query]
            if len(entry.notes) < notes_per_query:
                entry.notes.append(report)
    return out


def dismiss(query: str, user) -> int:
    """Dismiss every open report of ``query`` (normalised); return how many (not committed)."""
    reports = db.session.scalars(select(GapReport).where(
        GapReport.query == normalise(query), GapReport.dismissed_at.is_(None))).all()
    now = utcnow()
    for report in reports:
        report.dismissed_at, report.dismissed_by_id = now, getattr(user, "id", None)
    db.session.flush()
    return len(reports)


def searched_without_card(days: int = 30, limit: int = 10) -> list[tuple[Article, int]]:
    """Published articles agents opened most from search whose text has no answer card."""
    since = utcnow() - timedelta(days=days)
    opened = (select(SearchEvent.clicked_article_id.label("article_id"),
                     func.count().label("n"))
              .where(SearchEvent.clicked_article_id.is_not(None),
                     SearchEvent.created_at >= since)
              .group_by(SearchEvent.clicked_article_id).subquery())
    # answers_json is NULL only on old revisions whose HTML has an answer block (migration).
    no_card = (Revision.answer == "") & (Revision.answers_json == "{}")
    return db.session.execute(
        visible_articles().join(opened, opened.c.article_id == Article.id)
        .where(no_card).add_columns(opened.c.n)
        .order_by(opened.c.n.desc(), Article.slug).limit(limit)).all()
