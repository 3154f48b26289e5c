"""Term look-ups in the index's vocabulary: prefix expansion, typo candidates, suggestions.

The engine answers the raw questions (which terms begin with…, which are within n edits of…,
how frequent is…); this module decides what to ask for a unit the user typed and caches the
answers per snapshot, so the cache lives exactly as long as the index generation it describes.

Latin words are looked up in the ``words`` field, which holds the unstemmed words of every
document: typos and prefixes are about what people type, not about stems.
"""
from collections import OrderedDict

from .engine import MATCH_FIELD, WORDS_FIELD

MAX_EXPANSIONS = 8
SCAN_LIMIT = 400  # lexicon entries looked at per prefix: bounds the work for one-letter prefixes
CACHE_SIZE = 2048


class Vocabulary:
    """Cached vocabulary look-ups for one snapshot (use :meth:`of`)."""

    def __init__(self, snapshot, analyzer):
        self.snapshot = snapshot
        self.stem = analyzer.stem
        self._cache: OrderedDict = OrderedDict()

    @classmethod
    def of(cls, snapshot, analyzer) -> "Vocabulary":
        return snapshot.memo("vocabulary", lambda s: cls(s, analyzer))

    def _cached(self, key, compute):
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        value = self._cache[key] = compute()
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return value

    def _frequent(self, field: str, terms) -> list[str]:
        ranked = sorted(terms, key=lambda t: -self.snapshot.doc_frequency(field, t))
        return ranked[:MAX_EXPANSIONS]

    def _expand(self, field: str, prefix: str) -> list[str]:
        return self.snapshot.prefix_terms(field, prefix, MAX_EXPANSIONS, SCAN_LIMIT)

    def prefix_terms(self, unit) -> set[str]:
        """Index terms the last unit may be the beginning of (search-as-you-type)."""
        if unit.kind == "word":
            if len(unit.raw) < 2:
                return set()
            words = self._cached(("pw", unit.raw), lambda: self._expand(WORDS_FIELD, unit.raw))
            return {self.stem(w) for w in words}
        prefix = unit.joined if unit.kind == "code" else "".join(unit.terms)
        if unit.kind == "code" and len(prefix) < 2:
            return set()
        return set(self._cached(("pb", prefix), lambda: self._expand(MATCH_FIELD, prefix)))

    def fuzzy_terms(self, raw: str) -> set[str]:
        """Stems of indexed words within 1 edit (4+ letters) or 2 edits (8+ letters)."""
        if len(raw) < 4 or not raw.isascii() or not raw.isalpha():
            return set()
        return set(self._cached(("fz", raw), lambda: self._near(raw)))

    def _near(self, raw: str) -> list[str]:
        stem = self.stem
        maxdist = 2 if len(raw) >= 8 else 1
        stems = {stem(w) for w in self.snapshot.near_terms(WORDS_FIELD, raw, maxdist)
                 if w != raw}
        # Swapped neighbours ("refnud") are one typo but two Levenshtein edits; the swapped
        # word may only occur inflected ("refunds"), so look its stem up in the body.
        for i in range(len(raw) - 1):
            swapped = raw[:i] + raw[i + 1] + raw[i] + raw[i + 2:]
            if swapped != raw and self.snapshot.doc_frequency(MATCH_FIELD, stem(swapped)):
                stems.add(stem(swapped))
        stems.discard(stem(raw))
        return self._frequent(MATCH_FIELD, stems)

    def present(self, unit) -> bool:
        """Whether the unit itself (all its terms, or its joined code) is in the index."""
        def df(term):
            return self.snapshot.doc_frequency(MATCH_FIELD, term) > 0

        if unit.joined and df(unit.joined):
            return True
        return all(df(t) for t in unit.terms)

    def known(self, raw: str) -> int:
        """In how many documents the word ``raw`` appears."""
        return self.snapshot.doc_frequency(WORDS_FIELD, raw)

    def correction(self, raw: str) -> str | None:
        """The most frequent indexed word closest to ``raw``, for "did you mean"."""
        if len(raw) < 3 or not raw.isascii() or not raw.isalpha():
            return None

        def best():
            for maxdist in (1, 2) if len(raw) >= 5 else (1,):
                near = [w for w in self.snapshot.near_terms(WORDS_FIELD, raw, maxdist)
                        if w != raw]
                if near:
                    return self._frequent(WORDS_FIELD, near)[0]
            return None

        return self._cached(("dym", raw), best)
