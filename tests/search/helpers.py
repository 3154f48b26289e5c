"""Helpers for search tests: search as the service does, return slugs."""
from kb_portal.search.services import SearchParams, search


def slugs(q: str, **params) -> list[str]:
    """Slugs of the results for ``q`` (first page, best first)."""
    return [hit.slug for hit in search(SearchParams(q=q, limit=50, **params)).results]


def run(q: str, **params):
    return search(SearchParams(q=q, limit=50, **params))
