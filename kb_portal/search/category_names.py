"""Category names for the result badges, kept per worker for a few seconds.

Every search names the categories of its hits; categories change a few times a year, while a
live search box sends a request per keystroke. Reading them from the database for each request
was one of the round trips a search made on PostgreSQL, so a worker keeps them for
``KB_SEARCH_SYNONYM_SECONDS`` (the same freshness as the synonym groups; 0 in tests).
"""
import threading
import time

from ..kb import queries as kb_queries


class CategoryNames:
    """``{category key: display name}`` per interface language, re-read after ``ttl`` s."""

    def __init__(self, ttl: float):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._names: dict[str, dict[str, str]] = {}
        self._read_at = -1e9

    def names(self, locale: str) -> dict[str, str]:
        now = time.monotonic()
        with self._lock:
            if now - self._read_at < self.ttl and locale in self._names:
                return self._names[locale]
        names = {c.key: c.display_name(locale) for c in kb_queries.categories()}
        with self._lock:
            if now - self._read_at >= self.ttl:
                self._names, self._read_at = {}, now  # a new reading: other languages too
            self._names[locale] = names
        return names
