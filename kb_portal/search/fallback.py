"""What a query unit can still match when the index does not contain it.

Why: jieba keeps a caller's phrase (``开发票``, ``不回充``) or a mistyped word (``退宽``) as
one word, or as single characters, that the index never saw, while its parts are everywhere.
Such a unit used to match nothing and, alone in a query, gave an empty page although an answer
existed. Each level below is tried for a unit that is not in the index and adds alternatives
that score lower than the unit itself would:

1. **sub-words**: dictionary words of 2–3 characters inside it (jieba's search mode), 0.6;
2. **homophones**: the same word with one character replaced by another of the same pinyin
   (the input method picked the wrong one: ``退宽`` → ``退款``), when that word is in the
   index, 0.5;
3. **character pairs** of it that occur in the index, 0.35;
4. for codes and model numbers (``yf-s3``, ``E-1O9``, ``cjw6``): the nearest codes in the
   index's vocabulary by edit distance, 0.7, also offered as "Did you mean".

The pinyin table is built once per app from its analyzer's jieba dictionary (on the app's
search state, ``search_state().homophones``): in a background thread when a server starts,
else the first time a query needs it.
"""
import re
import threading

from .analysis import joined

W_SUBWORD, W_HOMOPHONE, W_BIGRAM, W_CODE = 0.6, 0.5, 0.35, 0.7
MAX_HOMOPHONES = 40  # per character, most frequent first: bounds the look-ups
MAX_CODES = 3
def subwords(raw: str, freq: dict) -> list[str]:
    """Dictionary words (``freq``: jieba's) of 2 and 3 characters inside ``raw`` (longer than
    them)."""
    found = []
    for n in (3, 2):
        found.extend(raw[i:i + n] for i in range(len(raw) - n + 1)
                     if len(raw) > n and freq.get(raw[i:i + n]))
    return list(dict.fromkeys(found))


def bigrams(raw: str) -> list[str]:
    """Pairs of neighbouring characters."""
    return list(dict.fromkeys(raw[i:i + 2] for i in range(len(raw) - 1)))


class Homophones:
    """Characters by toneless pinyin, from an analyzer's jieba dictionary (most frequent
    first); built on first use (about a second), or ahead of time by :meth:`warm`."""

    def __init__(self):
        self._lock = threading.Lock()
        self._table: tuple[dict, dict] | None = None  # (pinyin by char, chars by pinyin)

    def _build(self, freq: dict) -> tuple[dict, dict]:
        from pypinyin import Style, lazy_pinyin

        chars = sorted(((f, w) for w, f in freq.items() if len(w) == 1 and f), reverse=True)
        pinyin: dict[str, str] = {}
        by_sound: dict[str, list[str]] = {}
        for _f, char in chars:
            if not ("\u4e00" <= char <= "\u9fff"):
                continue
            sound = lazy_pinyin(char, style=Style.NORMAL)[0]
            pinyin[char] = sound
            same = by_sound.setdefault(sound, [])
            if len(same) < MAX_HOMOPHONES:
                same.append(char)
        return pinyin, by_sound

    def warm(self, freq: dict) -> None:
        """Build the table now (servers do it in a thread at start)."""
        with self._lock:
            if self._table is None:
                self._table = self._build(freq)

    def variants(self, raw: str, freq: dict):
        """``raw`` with one character replaced by a homophone, dictionary words only."""
        if self._table is None:
            self.warm(freq)
        pinyin, by_sound = self._table
        for i, char in enumerate(raw):
            for other in by_sound.get(pinyin.get(char, ""), ()):
                if other != char:
                    word = raw[:i] + other + raw[i + 1:]
                    if freq.get(word):
                        yield word


def is_code(term: str) -> bool:
    """Letters and digits mixed (``yfs2``, ``e109``) or a long number (``0800021688``)."""
    # Only ever matched whole (inline, so the linearity test knows it is anchored: scanned from
    # every position of a long run the look-aheads would be quadratic).
    return bool(re.fullmatch(r"(?=[a-z]*[0-9])(?=[0-9]*[a-z])[a-z0-9]+|[0-9]{4,}", term))


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau–Levenshtein (adjacent swaps count one), stopping early above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if (prev2 is not None and i > 1 and j > 1 and ca == b[j - 2]
                    and a[i - 2] == cb):
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return prev[-1]


def near_codes(joined: str, candidates) -> list[str]:
    """The existing codes closest to ``joined`` (at most one edit, two from 7 characters),
    nearest first; equally near ones keep the order given (most frequent first)."""
    limit = 2 if len(joined) >= 7 else 1
    scored = []
    for n, code in enumerate(candidates):
        if code != joined and is_code(code):
            d = edit_distance(joined, code, limit)
            if d <= limit:
                scored.append((d, n, code))
    return [code for _d, _n, code in sorted(scored)[:MAX_CODES]]


def respell(typed: str, code: str) -> str:
    """Show ``code`` (a joined index term) the way the user wrote codes: ``yf-s3`` with
    ``yfs2`` gives ``yf-s2``; separators are put back where the user had them."""
    seps = [(i, c) for i, c in enumerate(typed) if c in "-_./ "]
    if not seps or len(joined(typed.replace(" ", "-"))) != len(code):
        return code
    out, k = [], 0
    for ch in typed:
        if ch in "-_./ ":
            out.append(ch)
        else:
            out.append(code[k])
            k += 1
    return "".join(out)
