"""What the API hands out: articles as JSON, the article list, a user's training progress.

Handlers in ``views.py`` parse nothing and build nothing themselves; they call these. Parameter
readers raise :class:`ApiParamError` (answered 400) with a message naming the parameter, and
accept only what the OpenAPI document says (ASCII digits, RFC 3339 times) so that the document
and the behaviour cannot drift apart silently (schemathesis checks both ways).
"""
import re
from datetime import UTC, datetime

from flask import url_for
from sqlalchemy import func, select

from ..extensions import db
from ..kb import answers, article_page, queries
from ..kb.models import Article, ArticleTag, Category, Revision

MAX_PER_PAGE = 100
MAX_PAGE = 100_000
_DIGITS = re.compile(r"[0-9]{1,7}")
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ApiParamError(ValueError):
    """A bad query parameter; the message is shown to the client as is."""


def int_param(args, name: str, default: int, low: int, high: int) -> int:
    """A whole number in ``[low, high]`` written in ASCII digits (``+5``, ``1_0``, ``١`` are
    refused: they are typos in a URL, not numbers anyone meant)."""
    raw = args.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise ApiParamError(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def require_values(args, names: tuple[str, ...]) -> None:
    """Refuse ``name=`` with nothing after it for typed parameters: the document promises a
    number or a choice, and a client sending an empty one has a bug worth hearing about."""
    for name in names:
        if args.get(name) == "":
            raise ApiParamError(f"{name} must not be empty (leave it out for the default)")


def text_param(args, name: str, max_length: int) -> str:
    """A filter value: at most ``max_length`` characters, no control characters."""
    value = args.get(name) or ""
    if len(value) > max_length or _CONTROL.search(value):
        raise ApiParamError(f"{name} must be at most {max_length} characters without control "
                            "characters")
    return value


def time_param(args, name: str) -> datetime | None:
    """An RFC 3339 date-time (``2026-05-01T08:00:00Z``) as naive UTC, or None when absent."""
    raw = args.get(name)
    if raw is None:
        return None
    match = _RFC3339.fullmatch(raw)
    try:
        if not match:
            raise ValueError
        parsed = datetime.fromisoformat(raw.replace("z", "Z").replace("t", "T"))
        return parsed.astimezone(UTC).replace(tzinfo=None)
    except ValueError:
        raise ApiParamError(f"{name} must be an RFC 3339 date-time such as "
                            "2026-05-01T08:00:00Z") from None
    except OverflowError:  # year 1 or 9999 moved past the calendar's end by the offset
        return datetime.min if int(match.group(1)) < 5000 else datetime.max


def rfc3339(value: datetime | None) -> str | None:
    """A stored naive-UTC time as RFC 3339 with ``Z`` (JSON clients parse it as is)."""
    return value.replace(tzinfo=UTC).isoformat(timespec="seconds").replace("+00:00", "Z") \
        if value else None


def _category_names() -> dict[str, str]:
    from flask_babel import get_locale

    locale = str(get_locale() or "en")
    return {c.key: c.display_name(locale) for c in db.session.scalars(select(Category))}


def article_summary(article: Article, rev: Revision, names: dict[str, str]) -> dict:
    """The fields every article carries in a list (no body)."""
    return {
        "slug": article.slug,
        "title": rev.title,
        "category": rev.category_key,
        "category_name": names.get(rev.category_key, rev.category_key),
        "tags": rev.tags,
        "language": rev.language,
        "summary": rev.summary,
        "status": article.status,
        "revision": rev.number,
        "updated": rfc3339(article.updated_at),
        "url": url_for("kb.article", slug=article.slug),
    }


def find_article(slug: str, user) -> Article | None:
    """The article with this current or former slug that ``user`` may read (agents: published
    only; trainers also drafts, as on the article page), else None."""
    if _CONTROL.search(slug):  # PostgreSQL refuses NUL in text: no article has one anyway
        return None
    article, _renamed = queries.find_by_slug(slug)
    if article is None or (not article.is_published and not user.has_role("trainer")):
        return None
    return article


def article_detail(article: Article) -> dict:
    """One article: the list fields plus the rendered HTML, the Markdown source and its answer
    cards (the article's own in ``answer``; every card, the article's first, in ``answers``), so
    a CRM sidebar can show the answer without parsing the HTML."""
    rev = article.current
    data = article_summary(article, rev, _category_names())
    data["html"] = article_page.body_html(rev)
    data["markdown"] = rev.body
    data["toc"] = [{"level": h["level"], "id": h["id"], "name": h["name"]} for h in rev.toc]
    data["answers"] = answers.all_cards(rev)
    data["answer"] = next((c for c in data["answers"] if not c["section_id"]), None)
    return data


def list_articles(category: str, tag: str, updated_since: datetime | None, page: int,
                  per_page: int) -> dict:
    """Published articles, newest change first, filtered and paginated."""
    query = queries.visible_articles()
    if category:
        query = query.where(Revision.category_key == category)
    if tag:
        query = query.join(ArticleTag, ArticleTag.article_id == Article.id) \
            .where(ArticleTag.tag == tag)
    if updated_since is not None:
        query = query.where(Article.updated_at >= updated_since)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        query.add_columns(Revision).order_by(Article.updated_at.desc(), Article.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    names = _category_names()
    return {
        "articles": [article_summary(article, rev, names) for article, rev in rows],
        "page": page, "per_page": per_page, "total": total,
        "pages": max(1, -(-total // per_page)),
    }


def training_progress(user) -> dict:
    """The user's onboarding tracks, step by step, as on their home page."""
    from ..training.tracks import user_progress

    return {
        "user": {"username": user.username, "name": user.name, "role": user.role},
        "assignments": [_assignment(p) for p in user_progress(user)],
    }


def _assignment(progress) -> dict:
    assignment = progress.assignment
    return {
        "track": {"slug": assignment.track.slug, "title": assignment.track.title},
        "start_date": assignment.start_date.isoformat(),
        "due_date": assignment.due_date.isoformat() if assignment.due_date else None,
        "completed_at": rfc3339(assignment.completed_at),
        "done": progress.done, "total": progress.total, "percent": progress.percent,
        "overdue": progress.overdue, "complete": progress.complete,
        "steps": [{"kind": s.step.kind, "target": s.step.target_slug, "title": s.step.title,
                   "status": s.status, "completed_at": rfc3339(s.completed_at)}
                  for s in progress.steps],
    }
