"""Term look-ups in the index's vocabulary: prefix expansion, typo candidates, suggestions.

The engine answers the raw questions (which terms begin with…, which are within n edits of…,
how frequent is…); this module decides what to ask for a unit the user typed and caches the
answers per snapshot, so the cache lives exactly as long as the index generation it describes.

Latin words are looked up in the ``words`` field, which holds the unstemmed words of every
document: typos and prefixes are about what people type, not about stems.
"""
from collections import OrderedDict

from .engine import MATCH_FIELD, WORDS_FIELD
from .fallback import edit_distance

MAX_EXPANSIONS = 8
SCAN_LIMIT = 400  # lexicon entries looked at per prefix: bounds the work for one-letter prefixes
CACHE_SIZE = 2048


class Vocabulary:
    """Cached vocabulary look-ups for one snapshot (use :meth:`of`)."""

    def __init__(self, snapshot, analyzer):
        self.snapshot = snapshot
        self.stem = analyzer.stem
        self.doc_count = snapshot.doc_count()
        self._df: dict[str, int] = {}
        self._english: int | None = None
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

    def df(self, term: str) -> int:
        """Documents with ``term`` in the match field (asked many times per query: synonyms,
        fallbacks and feedback all check their terms)."""
        found = self._df.get(term)
        if found is None:
            if len(self._df) > CACHE_SIZE * 4:
                self._df.clear()
            found = self._df[term] = self.snapshot.doc_frequency(MATCH_FIELD, term)
        return found

    def present(self, unit) -> bool:
        """Whether the unit itself (all its terms, or its joined code) is in the index."""
        if unit.joined and self.df(unit.joined):
            return True
        return all(self.df(t) for t in unit.terms)

    def present_term(self, term: str) -> bool:
        """Whether one term occurs in the index."""
        return self.df(term) > 0

    def frequency(self, unit) -> int:
        """In how many documents the unit's rarest term occurs (its joined form for codes)."""
        if unit.joined:
            return self.df(unit.joined)
        return min((self.df(t) for t in unit.terms), default=0)

    def minority_script(self, units) -> bool:
        """Whether ``units`` are all in the script of fewer than half the articles: Latin
        words when most articles are Chinese (``language`` is ``en`` in the rest), Chinese
        ones when most are English."""
        if self._english is None:
            self._english = self.snapshot.doc_frequency("language", "en")
        latin = [u.raw.isascii() for u in units]
        english_majority = 2 * self._english > self.doc_count
        return bool(latin) and (all(latin) if not english_majority else not any(latin))

    def code_candidates(self, joined: str) -> list[str]:
        """Indexed terms within one edit of a code (two from 7 characters) that begin with
        its first character, most frequent first: the codes it may be a typo of."""
        maxdist = 2 if len(joined) >= 7 else 1

        def near():
            found = self.snapshot.near_terms(MATCH_FIELD, joined, maxdist)
            return sorted(found, key=lambda t: -self.df(t))

        return self._cached(("code", joined), near)

    def known(self, raw: str) -> int:
        """In how many documents the word ``raw`` appears."""
        return self.snapshot.doc_frequency(WORDS_FIELD, raw)

    def correction(self, raw: str) -> str | None:
        """The indexed word to offer for ``raw`` in "did you mean": the nearest by edit
        distance (swaps count one), then the one sharing the longest beginning with what was
        typed, then the most frequent — so ``recal`` gets ``recall``, never a frequent word
        that merely lies as near (``real``) or nearer in letters but not in intent."""
        if len(raw) < 3 or not raw.isascii() or not raw.isalpha():
            return None

        def best():
            maxdist = 2 if len(raw) >= 5 else 1
            near = [w for w in self.snapshot.near_terms(WORDS_FIELD, raw, maxdist)
                    if w != raw and w.isalpha()]
            if not near:
                return None
            return min(near, key=lambda w: (edit_distance(raw, w, maxdist),
                                            -common_prefix(raw, w),
                                            -self.known(w), w))

        return self._cached(("dym", raw), best)


def common_prefix(a: str, b: str) -> int:
    """How many letters ``a`` and ``b`` begin with alike."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
