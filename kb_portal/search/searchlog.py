"""The search log behind the content-gap reports: every search and the result opened.

One search is what the agent meant, not every keystroke: requests carrying the same
``session_key`` (the live search box sends one per typing session) update one row, and without
a key a request that extends or shortens the user's previous query within a few seconds does
too.
"""
import json
from datetime import timedelta

from sqlalchemy import case, func, select, update

from ..accounts.models import utcnow
from ..extensions import db
from ..kb.models import Article
from .models import SearchEvent
from .query import normalise

TYPING_GAP = timedelta(seconds=10)
SESSION_SPAN = timedelta(minutes=30)
CLICK_SPAN = timedelta(hours=1)


def _recent_event(user_id, query) -> SearchEvent | None:
    """Without a typing-session key: the user's last search, if this request extends or
    shortens its query within a few seconds and nothing was opened from it yet."""
    last = db.session.scalar(
        select(SearchEvent).where(SearchEvent.user_id == user_id,
                                  SearchEvent.updated_at >= utcnow() - TYPING_GAP)
        .order_by(SearchEvent.id.desc()).limit(1))
    if last and last.clicked_at is None and (
            query.startswith(last.query) or last.query.startswith(query)):
        return last
    return None


def _continue_session(user_id, session_key: str, values: dict) -> bool:
    """Update the typing session's event in one statement (each keystroke of the live box
    comes here: a look-up then an update were two round trips to the database per request).
    False when the session has no event yet."""
    latest = (select(SearchEvent.id)
              .where(SearchEvent.user_id == user_id, SearchEvent.session_key == session_key,
                     SearchEvent.created_at >= utcnow() - SESSION_SPAN)
              .order_by(SearchEvent.id.desc()).limit(1).scalar_subquery())
    done = db.session.execute(
        update(SearchEvent).where(SearchEvent.id == latest)
        .values(keystrokes=func.coalesce(SearchEvent.keystrokes, 0) + 1, **values)
        .execution_options(synchronize_session=False))
    return done.rowcount > 0


def record_search(user_id, raw_query: str, hits: int, latency_ms: float, source: str,
                  session_key: str | None = None, filters: dict | None = None) -> None:
    """Log one search (or continue the typing session it belongs to). Flushes."""
    query = normalise(raw_query)
    if not query:
        return
    session_key = (session_key or "")[:40] or None
    values = {"query": query, "raw_query": (raw_query or "")[:200], "hits": hits,
              "latency_ms": round(latency_ms, 2), "updated_at": utcnow(),
              "filters_json": json.dumps(filters or {}, ensure_ascii=False)}
    if session_key and _continue_session(user_id, session_key, values):
        return
    event = None if session_key else _recent_event(user_id, query)
    if event is None:
        event = SearchEvent(user_id=user_id, session_key=session_key, source=source,
                            keystrokes=0)
        db.session.add(event)
    for name, value in values.items():
        setattr(event, name, value)
    event.keystrokes = (event.keystrokes or 0) + 1
    db.session.flush()


def record_click(user_id, slug: str, rank: int | None, raw_query: str,
                 session_key: str | None) -> None:
    """Record that the user opened ``slug`` from the results of their search. Flushes."""
    article_id = db.session.scalar(select(Article.id).where(Article.slug == slug))
    if article_id is None:
        return
    query = normalise(raw_query)
    since = utcnow() - CLICK_SPAN
    where = [SearchEvent.user_id == user_id, SearchEvent.updated_at >= since]
    where.append(SearchEvent.session_key == session_key if session_key
                 else SearchEvent.query == query)
    event = db.session.scalar(select(SearchEvent).where(*where)
                              .order_by(SearchEvent.id.desc()).limit(1))
    if event is None:
        if not query:
            return
        event = SearchEvent(user_id=user_id, session_key=session_key, query=query,
                            raw_query=raw_query[:200], hits=1, source="page")
        db.session.add(event)
    if event.clicked_at is None:  # the first result opened is the answer to the search
        event.clicked_article_id = article_id
        event.clicked_rank = rank
        event.clicked_at = utcnow()
    db.session.flush()


def report(days: int, limit: int = 50) -> dict:
    """Top, zero-result and no-click queries of the last ``days`` days."""
    since = utcnow() - timedelta(days=days)
    clicked = func.sum(case((SearchEvent.clicked_at.is_not(None), 1), else_=0))
    base = (select(SearchEvent.query, func.count().label("n"), func.avg(SearchEvent.hits),
                   clicked.label("clicks"), func.max(SearchEvent.created_at))
            .where(SearchEvent.created_at >= since).group_by(SearchEvent.query))

    def rows(query):
        return [{"query": q, "count": n, "avg_hits": round(float(h or 0), 1),
                 "clicks": int(c or 0), "last": last}
                for q, n, h, c, last in db.session.execute(query.limit(limit))]

    totals = db.session.execute(
        select(func.count(), func.sum(case((SearchEvent.hits == 0, 1), else_=0)),
               func.sum(case((SearchEvent.clicked_at.is_not(None), 1), else_=0)),
               func.avg(SearchEvent.latency_ms))
        .where(SearchEvent.created_at >= since)).one()
    return {
        "days": days,
        "searches": int(totals[0] or 0), "zero": int(totals[1] or 0),
        "clicked": int(totals[2] or 0), "avg_latency": round(float(totals[3] or 0), 1),
        "top": rows(base.order_by(func.count().desc(), SearchEvent.query)),
        "zero_results": rows(base.where(SearchEvent.hits == 0)
                             .order_by(func.count().desc(), SearchEvent.query)),
        "no_click": rows(base.where(SearchEvent.hits > 0).having(clicked == 0)
                         .order_by(func.count().desc(), SearchEvent.query)),
    }
