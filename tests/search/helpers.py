"""Helpers for search tests: search as the service does, return slugs; record SQL."""
from contextlib import contextmanager

from sqlalchemy import event

from kb_portal.extensions import db
from kb_portal.search.services import SearchParams, search


def slugs(q: str, **params) -> list[str]:
    """Slugs of the results for ``q`` (first page, best first)."""
    return [hit.slug for hit in search(SearchParams(q=q, limit=50, **params)).results]


def run(q: str, **params):
    return search(SearchParams(q=q, limit=50, **params))


@contextmanager
def statements():
    """The SQL statements run while the context is open (a list filled as they run)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
