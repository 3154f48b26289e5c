"""Synonym groups: stored in the database, edited by trainers, applied at query time.

A query word that matches a member of a group (after analysis, so ``退錢`` matches ``退钱`` and
``refunds`` matches ``refund``) also searches for the other members, with a lower weight. A
member that analyses into several words (``money back``) is searched for, but does not trigger
the group itself.

Each app caches the groups (:class:`SynonymCache`, on its search state) and re-reads them when
the table changed (checked at most every ``KB_SEARCH_SYNONYM_SECONDS``), so an edit reaches
every gunicorn worker within seconds. The services here flush; the view or command commits.
"""
import threading
import time

from sqlalchemy import func, select

from ..extensions import db
from .models import SynonymGroup, split_terms

# The starter set, seeded when the table is empty (``flask kb init``). Chosen from the words
# agents use for the same request in support centres: the formal term, the caller's words, the
# traditional (HK/TW) term where it differs, and the English term.
STARTER_GROUPS = (
    "退款, 退钱, 退费, 返款, refund",
    "投诉, 差评, 客诉, 申诉, complaint",
    "回访, 回电, 回拨, callback",
    "保修, 保固, 质保, 保养, warranty",
    "换货, 更换, 调换, exchange",
    "退货, 退回商品, return",
    "升级, 上报, 转交, escalation",
    "工单, 单据, ticket",
    "快递, 物流, 配送, delivery, shipping",
    "发票, 开票, invoice",
    "维修, 修理, 报修, 送修, repair",
    "故障, 报错, 故障代码, error",
    "赔偿, 补偿, 赔付, compensation",
    "坐席, 客服, 座席, agent",
    "满意度, 满意率, csat",
)


class SynonymMap:
    """Analysed group members → the raw text of the other members."""

    def __init__(self, groups: list[list[str]], analyzer):
        from .query import units_of

        self.groups = groups
        self._by_key: dict[str, list[str]] = {}
        for terms in groups:
            for term in terms:
                units = units_of(term, analyzer)
                if len(units) != 1:
                    continue
                key = units[0].key
                others = [t for t in terms if t != term]
                self._by_key.setdefault(key, [])
                self._by_key[key].extend(o for o in others if o not in self._by_key[key])

    def alternatives(self, unit) -> list[str]:
        """Other ways to say ``unit`` (raw text, to be analysed by the caller)."""
        return self._by_key.get(unit.key, [])

    def __len__(self) -> int:
        return len(self.groups)


def _version() -> tuple:
    count, latest = db.session.execute(
        select(func.count(), func.max(SynonymGroup.updated_at))).one()
    return count, str(latest)


class SynonymCache:
    """One app's copy of the groups, re-read when the table changed (see the module
    docstring)."""

    def __init__(self, analyzer, ttl: float):
        self.analyzer = analyzer
        self.ttl = ttl
        self._lock = threading.Lock()
        self._cached: tuple | None = None  # (checked at, table version, SynonymMap)

    def current(self) -> SynonymMap:
        now = time.monotonic()
        with self._lock:
            cached = self._cached
        if cached and now - cached[0] < self.ttl:
            return cached[2]
        version = _version()
        if cached and cached[1] == version:
            smap = cached[2]
        else:
            smap = SynonymMap([g.terms for g in all_groups()], self.analyzer)
        with self._lock:
            self._cached = (now, version, smap)
        return smap

    def invalidate(self) -> None:
        """Forget the groups (after an edit in this process)."""
        with self._lock:
            self._cached = None


def all_groups() -> list[SynonymGroup]:
    return list(db.session.scalars(select(SynonymGroup).order_by(SynonymGroup.id)))


def save_group(text: str, actor=None, group: SynonymGroup | None = None) -> SynonymGroup | None:
    """Create or update a group from comma-separated ``text``; fewer than two terms deletes
    it (or creates nothing). Returns the group, or None when there is none. Flushes."""
    terms = split_terms(text)
    if len(terms) < 2:
        if group is not None:
            db.session.delete(group)
            db.session.flush()
        return None
    if group is None:
        group = SynonymGroup(terms_text="")
        db.session.add(group)
    group.terms_text = ", ".join(terms)
    group.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    return group


def seed_starter_groups() -> int:
    """Add :data:`STARTER_GROUPS` when there are no groups at all; return how many.
    Flushes."""
    if db.session.scalar(select(func.count()).select_from(SynonymGroup)):
        return 0
    for text in STARTER_GROUPS:
        db.session.add(SynonymGroup(terms_text=text))
    db.session.flush()
    return len(STARTER_GROUPS)
