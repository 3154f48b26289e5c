"""Synonym suggestions mined from the search log.

An agent who searches in the caller's words and finds nothing useful usually rephrases until a
result is worth opening. That rephrasing is a synonym the centre has not written down yet: a
search with no result, or whose results nobody opened, followed in the same search session by
a search whose result was opened, gives the pair (first words → second words). The parts both
searches share, and question wrappers, are left out, so ``扫地机 不回充 怎么办`` →
``扫地机 充电异常`` suggests ``不回充`` → ``充电异常``. Pairs are counted over the log; trainers
accept them on the Synonyms page as a group or one-way, or dismiss them.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from ..accounts.models import utcnow
from ..extensions import db
from .analysis import STOP_EN, STOP_ZH
from .models import SearchEvent, SuggestionDecision
from .state import search_state
from .synonyms import key_of
from .units import QUESTION_EN, QUESTION_ZH, units_of

SESSION_GAP = timedelta(minutes=5)  # searches further apart than this are separate sessions
MAX_EVENTS = 50_000  # the most recent searches looked at: bounds the page's work
MAX_PENDING = 3  # unsuccessful searches remembered per session
WRAPPERS = QUESTION_ZH | STOP_ZH | QUESTION_EN | STOP_EN


@dataclass
class Suggestion:
    source: str
    target: str
    count: int = 0
    agents: set = field(default_factory=set)
    last: datetime | None = None

    @property
    def agent_count(self) -> int:
        return len(self.agents)


def words(query: str, analyzer) -> list[str]:
    """The units of a (normalised) query that can carry meaning, as typed (runs of single
    characters kept together); question wrappers and function words dropped."""
    return [u.raw for u in units_of(query, analyzer) if not u.optional and u.raw not in WRAPPERS]


def difference(first: str, second: str, analyzer) -> tuple[str, str] | None:
    """The words of ``first`` not in ``second`` and the reverse, or None when either side
    is empty (a refinement or a shortening, not another word for the same thing).

    A one-character word next to a differing word goes with it (``咔咔响`` vs ``异响`` differ
    in ``咔咔``/``异``, but the pair worth suggesting is the whole word as typed).
    """
    a, b = words(first, analyzer), words(second, analyzer)
    left, right = _differing(a, set(b)), _differing(b, set(a))
    if not left or not right:
        return None
    source, target = _join(left), _join(right)
    if source == target or len(source) > 40 or len(target) > 40:
        return None
    return source, target


def _differing(mine: list[str], theirs: set[str]) -> list[str]:
    keep = [w not in theirs for w in mine]
    if not any(keep):
        return []
    for i, word in enumerate(mine):
        if not keep[i] and len(word) == 1 and not word.isascii() and (
                (i > 0 and keep[i - 1] and len(mine[i - 1]) > 1) or
                (i + 1 < len(mine) and keep[i + 1] and len(mine[i + 1]) > 1)):
            keep[i] = True
    return [w for w, k in zip(mine, keep, strict=True) if k]


def _join(parts: list[str]) -> str:
    text = ""
    for part in parts:
        if text and (part[0].isascii() or text[-1].isascii()):
            text += " "
        text += part
    return text


def mined(days: int = 90, limit: int = 20) -> list[Suggestion]:
    """The most frequent undecided pairs of the last ``days`` days, most frequent first."""
    since = utcnow() - timedelta(days=days)
    rows = db.session.execute(
        select(SearchEvent.user_id, SearchEvent.query, SearchEvent.hits, SearchEvent.clicked_at,
               SearchEvent.created_at, SearchEvent.updated_at)
        .where(SearchEvent.created_at >= since, SearchEvent.user_id.is_not(None))
        .order_by(SearchEvent.created_at.desc()).limit(MAX_EVENTS)).all()
    by_user = defaultdict(list)
    for row in rows:
        by_user[row.user_id].append(row)
    found: dict[tuple[str, str], Suggestion] = {}
    state = search_state()
    for user_id, events in by_user.items():
        events.sort(key=lambda r: r.created_at)
        pending, last = [], None
        for event in events:
            if last is not None and event.created_at - last > SESSION_GAP:
                pending = []
            if event.clicked_at is not None:
                for failed in pending:
                    _count(found, failed, event, user_id, state.analyzer)
                pending = []
            else:
                pending = [*pending[-(MAX_PENDING - 1):], event]
            last = event.updated_at or event.created_at
    ranked = sorted(found.values(), key=lambda s: (-s.count, -s.agent_count, s.source))
    return _undecided(ranked, limit, state.synonyms.current())


def _count(found: dict, failed, success, user_id, analyzer) -> None:
    pair = difference(failed.query, success.query, analyzer)
    if pair is None:
        return
    suggestion = found.setdefault(pair, Suggestion(*pair))
    suggestion.count += 1
    suggestion.agents.add(user_id)
    suggestion.last = max(filter(None, (suggestion.last, success.created_at)))


def _undecided(suggestions: list[Suggestion], limit: int, smap) -> list[Suggestion]:
    """Leave out pairs a trainer decided on and pairs the synonyms (``smap``) already join."""
    decided = set(db.session.execute(select(SuggestionDecision.source, SuggestionDecision.target)))
    kept = []
    for s in suggestions:
        if (s.source, s.target) in decided:
            continue
        target_key = key_of(s.target)
        if any(key_of(e.text) == target_key for e in smap.expansions(key_of(s.source))):
            continue
        kept.append(s)
        if len(kept) >= limit:
            break
    return kept
