"""Synonyms: the shipped lexicon below the trainers' groups, applied at query time.

Two layers, both turned into one :class:`SynonymMap`:

1. the **lexicon** shipped with the product (:mod:`kb_portal.search.lexicon`), minus the groups
   a trainer switched off, plus the words trainers added to a group (``LexiconOverride``);
2. the **trainers' groups** (``SynonymGroup``), edited on the Synonyms page. They weigh a
   little more than built-in ones: a centre's own words are the most precise.

A member is matched in the query by its *key*: the folded text as a sequence of CJK characters
and stemmed Latin words (codes joined), so ``退錢`` matches ``退钱``, ``refunds`` matches
``refund``, and a member of several words (``charged twice``, ``充不进电``) is matched as a
phrase inside a longer query (the query builder looks for the longest members first). One-way
groups (``滚刷 > 耗材``) key only their narrower words.

Each app keeps the map in its :class:`SynonymCache` (on its search state,
``app.extensions["kb_search"].synonyms``) and rebuilds it when either table changed, checked
at most every ``KB_SEARCH_SYNONYM_SECONDS``, so an edit reaches every gunicorn worker within
seconds.
"""
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from ..extensions import db
from ..textnorm import fold
from . import lexicon as lexicon_mod
from .analysis import STOP_EN, TOKEN_RE, joined, stem_word
from .models import LexiconOverride, SynonymGroup

W_TRAINER, W_LEXICON = 0.8, 0.75
MAX_KEY = 12  # tokens in the longest member that is matched as a phrase


@dataclass(frozen=True)
class Expansion:
    """Another way to say a matched member: ``text`` (raw, analysed by the query builder)."""

    weight: float
    text: str
    source: str  # "trainer" or the lexicon group's key


def key_of(text: str) -> tuple[str, ...]:
    """The match key of ``text``: CJK characters one by one, Latin words stemmed (stop words
    left out), codes joined (``E-102`` → ``e102``)."""
    key: list[str] = []
    for m in TOKEN_RE.finditer(fold(text)):
        run = m.group()
        if m.lastgroup == "cjk":
            key.extend(run)
        elif any(sep in run for sep in "-_./"):
            key.append(joined(run))
        elif run not in STOP_EN:
            key.append(stem_word(run))
    return tuple(key)


class SynonymMap:
    """Member keys → the other ways to say them."""

    def __init__(self):
        self._by_key: dict[tuple[str, ...], list[Expansion]] = {}
        self.groups = 0
        self.longest = 1
        self._words: dict[int, set[str]] = {}  # single Latin members by length, for typos
        self.english: set[str] = set()  # every Latin word of every member: real words

    def add(self, words, broad=(), weight: float = W_TRAINER, source: str = "trainer") -> None:
        """Add a group: without ``broad`` every word finds the others; with it (one-way) each
        of ``words`` finds the ``broad`` words, and nothing finds ``words`` back."""
        self.groups += 1
        for word in words:
            key = key_of(word)
            if not key or (len(key) == 1 and not key[0].isascii() and len(key[0]) == 1):
                continue  # one CJK character matches far too much to trigger a group
            found = self._by_key.setdefault(key, [])
            if word.isascii():
                self.english.update(w for w in word.lower().split() if w.isalpha())
            if len(key) == 1 and word.isascii() and word.isalpha():
                self._words.setdefault(len(word), set()).add(word.lower())
            known = {key_of(e.text) for e in found} | {key}
            for other in broad or words:
                other_key = key_of(other)
                if other_key and other_key not in known:  # 回電 and 回电 are one member
                    found.append(Expansion(weight, other, source))
                    known.add(other_key)
            self.longest = max(self.longest, min(len(key), MAX_KEY))

    def expansions(self, key: tuple[str, ...]) -> list[Expansion]:
        return self._by_key.get(key, [])

    def is_word(self, word: str) -> bool:
        """Whether ``word`` is a word of some member (so not a typo to correct)."""
        return word in self.english

    def near_words(self, word: str) -> list[str]:
        """Single-word Latin members within one edit (two from 8 letters) of a word the index
        does not know: a misspelt ``warantee`` still reaches the group of ``guarantee``."""
        from .fallback import edit_distance

        limit = 2 if len(word) >= 8 else 1
        found = []
        for n in range(len(word) - limit, len(word) + limit + 1):
            for member in self._words.get(n, ()):
                d = edit_distance(word, member, limit)
                if d <= limit:
                    found.append((d, member))
        return [m for _d, m in sorted(found)[:3]]

    def alternatives(self, unit) -> list[str]:
        """Other ways to say one query unit (raw text)."""
        return [e.text for e in self.expansions(key_of(unit.raw or unit.key))]

    def __contains__(self, key) -> bool:
        return key in self._by_key

    def __len__(self) -> int:
        return self.groups


class SynonymCache:
    """One app's synonyms (on its search state): the parsed lexicon, and the current map with
    the table versions it was built from, re-checked at most every ``ttl`` seconds."""

    def __init__(self, lexicon_setting: str, ttl: float):
        if lexicon_setting.lower() == "off":
            self.lexicon = lexicon_mod.Lexicon(0)
        else:
            self.lexicon = lexicon_mod.load(Path(lexicon_setting) if lexicon_setting
                                            else lexicon_mod.LEXICON_FILE)
        self.ttl = ttl
        self._lock = threading.Lock()
        self._checked = -1e9
        self._version = None
        self._map = None

    def current(self) -> "SynonymMap":
        now = time.monotonic()
        with self._lock:
            if self._map is not None and now - self._checked < self.ttl:
                return self._map
        version = _tables_version()
        with self._lock:
            if self._map is None or version != self._version:
                self._map, self._version = build_map(self.lexicon, *_stored()), version
            self._checked = now
            return self._map

    def invalidate(self) -> None:
        """Forget the map (after an edit in this process, so this worker sees it at once)."""
        with self._lock:
            self._map = None


def _tables_version() -> tuple:
    parts = []
    for model, stamp in ((SynonymGroup, SynonymGroup.updated_at),
                         (LexiconOverride, LexiconOverride.updated_at)):
        count, latest = db.session.execute(select(func.count(), func.max(stamp))
                                           .select_from(model)).one()
        parts += [count, str(latest)]
    return tuple(parts)


def _stored() -> tuple[dict, list]:
    """The trainers' overrides of built-in groups (by key) and their own groups' sides."""
    overrides = {o.key: (o.disabled, tuple(o.extra_terms))
                 for o in db.session.scalars(select(LexiconOverride))}
    groups = [g.sides for g in db.session.scalars(select(SynonymGroup).order_by(SynonymGroup.id))]
    return overrides, groups


def build_map(lexicon, overrides: dict | None = None, groups=()) -> SynonymMap:
    """The lexicon with the trainers' ``overrides`` (``{key: (disabled, extra words)}``), then
    the trainers' ``groups`` (``(narrow, broad)`` each; ``broad`` empty for two-way)."""
    smap = SynonymMap()
    overrides = overrides or {}
    for group in lexicon.groups:
        disabled, extra = overrides.get(group.key, (False, ()))
        if disabled:
            continue
        if group.one_way:
            smap.add(group.narrow + extra, group.broad, W_LEXICON * 0.9, group.key)
        else:
            smap.add(group.members + extra, (), W_LEXICON, group.key)
    for narrow, broad in groups:
        smap.add(narrow, broad, W_TRAINER, "trainer")
    return smap
