"""The one analyzer (DESIGN.md §5), used to index and to query.

Chain: ``textnorm.fold`` (NFKC → OpenCC t2s → casefold) → scan the folded text into CJK runs and
Latin/digit words → jieba (no HMM, so a word segments the same way in every context) for CJK
runs, Porter stemming for Latin words.

What is emitted, and why:

* CJK: jieba's words, each at its own position. At index time the dictionary words of 2 and 3
  characters inside a longer word are added at the same position (what jieba's "search mode"
  does), so ``退款`` finds ``退款申请``. Words jieba does not know fall apart into single
  characters; for those, the pairs of neighbouring characters are indexed too (``bi``), and the
  query builder asks for the same pairs, so an unknown word like ``云帆`` is matched as a word
  without storing positions for the body (which makes indexing about twice as fast).
* Latin words: the Porter stem; at index time also the unstemmed word when it differs (at the
  same position), so that search-as-you-type prefixes like ``genera`` find ``generation``.
* Codes (``E-102``, ``YF-S2``, ``400-820-6688``): the joined form (``e102``, ``yfs2``) plus each
  part at consecutive positions. A query for ``E-102``, ``e102``, ``E 102`` or ``102`` matches.
* English stop words are skipped (their positions still count).

An :class:`Analyzer` belongs to one app (``app.extensions["kb_search"].analyzer``): it holds
the jieba dictionary with the app's extra words (``KB_SEARCH_USERDICT``) and its own bounded
caches, so two apps in one process never share them. jieba's built-in dictionary is loaded once
per process into jieba's own default tokenizer and never changed afterwards (apps with extra
words get a copy).
"""
import marshal
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jieba

from ..textnorm import fold, nfkc, to_simplified
from .engine import porter_stem

# Bump when the emitted tokens change: an index built with another version is rebuilt.
ANALYZER_VERSION = 7

_CJK = r"\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = r"[0-9a-z\u00df-\u024f]+"
TOKEN_RE = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>{_WORD}(?:[-_./]{_WORD})*)")
SEP_RE = re.compile(r"[-_./]")
LATIN_RE = re.compile(rf"{_WORD}(?:[-_./]{_WORD})*")  # TOKEN_RE's "word" group alone
CJK_RUN_RE = re.compile(rf"[{_CJK}]")
_STOP_EN_TEXT = ("a an and are as at be but by for if in into is it of on or such that the "
                 "their then there these they this to was will with")
STOP_EN = frozenset(_STOP_EN_TEXT.split())
# Chinese function words: indexed (they matter for phrases) but optional in queries.
STOP_ZH = frozenset("的了和与或是在及等也都就吗呢吧啊请把被让给对从向")
USERDICT = Path(__file__).with_name("userdict.txt")
_LONG_TEXT = 256  # longer texts skip fold()'s cache: it is meant for short strings
_CACHED_RUN = 64  # longer runs are rare: not worth a cache slot


@dataclass(frozen=True, slots=True)
class Piece:
    """One emitted term. ``start``/``end`` index the *folded* text; ``kind`` tells the query
    builder how to treat it: ``cjk`` (a jieba word), ``sub`` (index-time sub-word), ``bi`` (pair
    of single characters), ``word``
    (stemmed Latin), ``raw`` (unstemmed Latin), ``code`` (joined code), ``part`` (code part).
    """

    text: str
    start: int
    end: int
    pos: int
    kind: str
    raw: str = ""  # the unstemmed form, for prefixes and fuzzy matching


def _base_dictionary(cache_dir: str | None) -> jieba.Tokenizer:
    """jieba's default tokenizer with its dictionary and our word list loaded (once per
    process; the load takes ~0.4 s from the cache, so no request must pay it)."""
    dt = jieba.dt
    with dt.lock:
        if not getattr(dt, "kb_words_loaded", False):
            jieba.setLogLevel(30)
            if cache_dir:
                Path(cache_dir).mkdir(parents=True, exist_ok=True)
                dt.tmp_dir = str(cache_dir)
            if not (cache_dir and _load_cache(dt, Path(cache_dir) / "jieba.cache")):
                dt.initialize()  # builds the dictionary and writes the cache
            dt.load_userdict(str(USERDICT))
            dt.kb_words_loaded = True
    return dt


def _load_cache(dt: jieba.Tokenizer, path: Path) -> bool:
    """Load jieba's dictionary cache ourselves: jieba reads it with ``marshal.load`` from a
    file object, which takes ~1.5 s; reading the bytes first takes ~0.4 s. Same file, same
    result (jieba 0.42 keeps ``FREQ`` and ``total`` in it)."""
    if dt.initialized or not path.is_file():
        return dt.initialized
    try:
        # Our data dir, written by jieba itself (which would marshal-load it just the same).
        freq, total = marshal.loads(path.read_bytes())  # noqa: S302
    except (OSError, ValueError, EOFError, TypeError):
        return False
    dt.FREQ, dt.total = freq, total
    dt.initialized = True
    return True


def _with_site_words(base: jieba.Tokenizer, userdict: str | None) -> jieba.Tokenizer:
    """``base``, or a copy of it with a site's extra words (``KB_SEARCH_USERDICT``)."""
    if not userdict or not Path(userdict).is_file():
        return base
    own = jieba.Tokenizer()
    own.FREQ, own.total, own.initialized = dict(base.FREQ), base.total, True
    own.load_userdict(userdict)
    return own


def stem_word(word: str) -> str:
    """The Porter stem of a Latin word (anything else as it is); uncached — the analyzer's
    :attr:`Analyzer.stem` is the cached one for indexing and queries."""
    return porter_stem(word) if word.isascii() and word.isalpha() else word


class FoldedText(str):
    """Text that :func:`fold_long` has already folded: folding it again returns it as is
    (an index document folds its big match text once for two fields)."""

    __slots__ = ()


def fold_long(text: str) -> str:
    """``fold`` for any length of text (long texts bypass its small cache)."""
    if type(text) is FoldedText:
        return text
    if len(text) <= _LONG_TEXT:
        return fold(text)
    return to_simplified(nfkc(text)).casefold()


def joined(compound: str) -> str:
    """``E-102`` → ``e102``; a dot between digits stays (``3.5`` is not ``35``)."""
    return re.sub(r"(?<![0-9])\.|\.(?![0-9])|[-_/]", "", compound)


def latin_words(folded: str) -> set[str]:
    """The unstemmed Latin words (2+ characters) and joined codes of folded text."""
    found = set()
    # Each distinct compound once: the same words recur many times in an article.
    for compound in set(LATIN_RE.findall(folded)):
        parts = SEP_RE.split(compound)
        if len(parts) > 1:
            found.add(joined(compound))
        found.update(p for p in parts if len(p) > 1)
    return found


class Analyzer:
    """The analyzer of one app (see the module docstring). The engine calls :meth:`terms`,
    :meth:`positioned_terms` and :meth:`pieces`; the query builder :meth:`scan`."""

    version = ANALYZER_VERSION

    def __init__(self, cache_dir: str | None = None, userdict: str | None = None):
        self.jieba = _with_site_words(_base_dictionary(cache_dir), userdict)
        # Bounded caches: the same clauses and words recur all the time in support texts.
        self.stem = lru_cache(maxsize=50_000)(self._stem)
        self.segment = lru_cache(maxsize=100_000)(self._segment)
        self._run_terms = lru_cache(maxsize=100_000)(self._run_terms_uncached)
        self._run_texts = lru_cache(maxsize=100_000)(self._run_texts_uncached)

    # -- what the engine asks for (unfolded text) --------------------------------------------
    def terms(self, text: str) -> list[str]:
        return self.index_term_texts(fold_long(text))

    def positioned_terms(self, text: str):
        return self.index_terms(fold_long(text))

    def pieces(self, text: str, index: bool = True):
        return self.scan(fold_long(text), index)

    def analyze(self, text: str, index: bool = True) -> list[Piece]:
        """Fold and tokenize ``text``; ``index=False`` leaves out index-only extras."""
        return list(self.scan(fold_long(text), index))

    # -- words ---------------------------------------------------------------------------------
    _stem = staticmethod(stem_word)

    def _segment(self, run: str) -> tuple[str, ...]:
        """jieba words of one CJK run."""
        return tuple(self.jieba.cut(run, HMM=False))

    def _subwords(self, word: str) -> list[tuple[str, int]]:
        """Dictionary words of 2–3 characters inside ``word`` (jieba's search mode), with
        offsets."""
        freq = self.jieba.FREQ
        found = []
        for n in (2, 3):
            if len(word) > n:
                found.extend((word[i:i + n], i) for i in range(len(word) - n + 1)
                             if freq.get(word[i:i + n]))
        return found

    # -- scanning ------------------------------------------------------------------------------
    def scan(self, folded: str, index: bool = True):
        """Yield :class:`Piece` objects for already folded text."""
        pos = -1
        for m in TOKEN_RE.finditer(folded):
            start = m.start()
            if m.lastgroup == "cjk":
                previous_single = ""
                for word in self.segment(m.group()):
                    pos += 1
                    end = start + len(word)
                    yield Piece(word, start, end, pos, "cjk")
                    if index and len(word) > 2:
                        for sub, offset in self._subwords(word):
                            yield Piece(sub, start + offset, start + offset + len(sub), pos,
                                        "sub")
                    if len(word) == 1:
                        if index and previous_single:
                            yield Piece(previous_single + word, start - 1, end, pos - 1, "bi")
                        previous_single = word
                    else:
                        previous_single = ""
                    start = end
            else:
                pos = yield from self._latin(m.group(), start, pos, index)

    def _latin(self, compound: str, start: int, pos: int, index: bool):
        parts = SEP_RE.split(compound)
        if len(parts) > 1:
            yield Piece(joined(compound), start, start + len(compound), pos + 1, "code")
        offset = start
        for part in parts:
            pos += 1
            begin = compound.find(part, offset - start) + start
            offset = begin + len(part)
            if part in STOP_EN:
                continue
            kind = "part" if len(parts) > 1 else "word"
            yield Piece(self.stem(part), begin, offset, pos, kind, part)
        return pos

    def _run_terms_uncached(self, run: str) -> tuple[tuple[tuple[str, int], ...], int]:
        """Index terms of one CJK run or Latin compound as ((term, relative position), …) and
        the number of positions it takes."""
        terms = tuple((p.text, p.pos) for p in self.scan(run, True))
        return terms, self._width(run)

    def _run_texts_uncached(self, run: str) -> tuple[str, ...]:
        return tuple(text for text, _pos in self._run_terms(run)[0])

    def _width(self, run: str) -> int:
        """How many positions :meth:`scan` gives a run (stop words count, sub-words not)."""
        return len(self.segment(run)) if CJK_RUN_RE.match(run) else len(SEP_RE.split(run))

    def index_terms(self, folded: str):
        """Yield (term, position) for indexing: :meth:`scan`'s terms without the offsets,
        about three times faster thanks to the per-run cache."""
        pos = 0
        for m in TOKEN_RE.finditer(folded):
            run = m.group()
            if len(run) > _CACHED_RUN:
                terms, width = [(p.text, p.pos) for p in self.scan(run, True)], self._width(run)
            else:
                terms, width = self._run_terms(run)
            for text, rel in terms:
                yield text, pos + rel
            pos += width

    def index_term_texts(self, folded: str) -> list[str]:
        """The index terms of folded text without positions (for fields that store none)."""
        texts: list[str] = []
        for m in TOKEN_RE.finditer(folded):
            run = m.group()
            if len(run) > _CACHED_RUN:
                texts.extend(p.text for p in self.scan(run, True))
            else:
                texts.extend(self._run_texts(run))
        return texts
