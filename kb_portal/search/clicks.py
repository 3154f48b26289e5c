"""Click-through boost: the articles agents opened for the same (normalised) query rank a
little higher.

Why mild, bounded and decaying: clicks say what looked like the answer last month, not what is
right today. So the boost only multiplies the score of an article that already matches the
query (it never adds an article, and a query that does not match an article never reaches it),
it saturates at ``1 + KB_SEARCH_CLICK_BOOST_MAX`` however many clicks there were, and each click
counts half as much every ``KB_SEARCH_CLICK_HALF_LIFE`` days. ``KB_SEARCH_CLICK_BOOST=off``
switches it off (for a centre that wants rankings to depend on content alone, or to compare).

The clicks of a query are read from the search log with one indexed query and kept for a
minute in a bounded cache on the app's search state (``search_state().clicks``).
"""
import math
import threading
import time
from collections import OrderedDict
from datetime import timedelta

from sqlalchemy import select

from ..accounts.models import utcnow
from ..extensions import db
from .models import SearchEvent

SATURATION = 3.0  # decayed clicks at which the boost reaches 63 % of its maximum
WINDOW_HALF_LIVES = 6  # older clicks (under 2 % weight) are not read at all
CACHE_SIZE = 2048
CACHE_SECONDS = 60.0


def factor(weight: float, maximum: float) -> float:
    """The score multiplier for ``weight`` decayed clicks: 1 for none, always below
    ``1 + maximum``."""
    if weight <= 0 or maximum <= 0:
        return 1.0
    return 1.0 + maximum * (1.0 - math.exp(-weight / SATURATION))


def decayed(ages_days, half_life: float) -> float:
    """Sum of 0.5 ** (age / half_life) over the clicks' ages in days."""
    return sum(0.5 ** (max(age, 0.0) / half_life) for age in ages_days)


class ClickBoost:
    """One app's click-boost settings and cache (``KB_SEARCH_CLICK_BOOST``, ``…_MAX``,
    ``…_HALF_LIFE`` in days, checked by ``settings.py``)."""

    def __init__(self, enabled: bool, maximum: float, half_life: float):
        self.enabled = enabled
        self.maximum = maximum
        self.half_life = half_life
        self._cache: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def factors(self, query: str) -> dict[int, float]:
        """{article id: multiplier} for the normalised ``query`` (empty when switched off)."""
        if not self.enabled or not query or self.maximum <= 0:
            return {}
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(query)
            if hit and now - hit[0] < CACHE_SECONDS:
                self._cache.move_to_end(query)
                return hit[1]
        result = self._read(query)
        with self._lock:
            self._cache[query] = (now, result)
            self._cache.move_to_end(query)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return result

    def _read(self, query: str) -> dict[int, float]:
        today = utcnow()
        since = today - timedelta(days=self.half_life * WINDOW_HALF_LIVES)
        ages: dict[int, list[float]] = {}
        rows = db.session.execute(
            select(SearchEvent.clicked_article_id, SearchEvent.clicked_at)
            .where(SearchEvent.query == query, SearchEvent.clicked_at >= since,
                   SearchEvent.clicked_article_id.is_not(None)))
        for article_id, clicked_at in rows:
            ages.setdefault(article_id, []).append((today - clicked_at).total_seconds() / 86400)
        return {aid: factor(decayed(a, self.half_life), self.maximum) for aid, a in ages.items()}

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

