"""Query units: how user text is cut into the things the user asked for.

A unit is a Chinese word, a run of single characters that must stay together (a name the
segmenter does not know), an English word, a product code — or a *phrase*: a member of the
synonym map found in the text as a whole (``不回充``, ``charged twice``), which then carries
its other ways of saying it. Question wrappers (``怎么办``, ``能不能``, ``how do I``) become
optional units: they never decide whether an article matches.
"""
import re
from dataclasses import dataclass, field

from ..textnorm import fold
from .analysis import STOP_ZH
from .synonyms import key_of

MAX_CHARS = 200  # longer input is cut: nobody types more while a caller waits
MAX_UNITS = 8
WRAPPER_LONGEST = 4  # characters in the longest wrapper found as a whole
_TOKEN_RE = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|"
                       r"[0-9a-z\u00df-\u024f]+(?:[-_./][0-9a-z\u00df-\u024f]+)*")
# How callers and agents phrase questions; these words never decide whether an article is an
# answer (they may still add score where they occur).
QUESTION_ZH = frozenset((
    "怎么办", "怎么", "如何", "怎样", "多久", "多少", "多少钱", "什么", "为什么", "哪里", "哪些",
    "是否", "能否", "可以", "吗", "呢", "么", "啥", "咋", "办", "能不能", "可不可以", "是不是",
    "有没有", "要不要", "会不会", "行不行", "好不好", "怎么弄", "咋办", "咋弄", "该怎么", "怎么样",
    "请问", "一下", "我想", "我要", "帮我", "还能", "能", "会", "要", "呀", "啦", "哦", "嘛",
    "吧", "了", "的话", "什么时候", "啊", "哪个", "谁", "几", "我", "你", "他", "她", "您",
    "你们", "我们", "这个", "那个", "一直", "还", "就", "都", "又", "没", "不了", "怎么回事",
    "呐", "咩", "点样", "点算", "唔该", "系唔系",
    "可唔可以", "有冇", "嘅", "咗", "几耐", "几时", "几多", "点解", "边个", "边度", "乜嘢",
    "系咪", "得唔得", "使唔使", "一个", "一下子", "一些", "这些", "那些", "怎么会",
    "为啥", "干嘛", "到底", "是什么", "什么意思", "能否", "可否", "是否", "还能不能", "还可以",
))
QUESTION_EN = frozenset((
    "how", "what", "when", "who", "why", "where", "which", "do", "does", "did", "done", "can",
    "i", "we", "you", "my", "our", "your", "me", "us", "he", "she", "him", "her", "them", "its",
    "should", "could", "would", "is", "am", "were", "been", "being", "has", "have", "had",
    "please", "get", "got", "need", "want", "help", "not", "no", "up", "out", "any", "some",
    "just", "still", "also", "very", "too", "much", "many", "about", "from", "so", "than",
    "another", "other", "others", "after", "before", "during", "while", "again", "ever",
))


@dataclass
class Unit:
    """One thing the user asked for (see module docstring)."""

    terms: list[str]  # one term, or several that must all match (pairs of characters, code parts)
    kind: str  # "cjk" | "word" | "code"
    raw: str  # what the user typed (folded), for prefixes, fuzzy matching and suggestions
    joined: str = ""  # codes: the joined form ("e102")
    optional: bool = False  # function words: never required
    parts: list = field(default_factory=list)  # a phrase unit: its own analysed units
    expansions: list = field(default_factory=list)  # a phrase unit: other ways to say it

    @property
    def key(self) -> str:
        if self.kind == "code":
            return self.joined
        return self.raw if self.kind == "cjk" else self.terms[0]


def units_of(text: str, analyzer) -> list[Unit]:
    """Analyse ``text`` (query mode, with the app's ``analyzer``) and group the pieces into
    units."""
    folded = fold(text[:MAX_CHARS])
    units: list[Unit] = []
    singles: list = []  # pending run of single CJK characters

    def flush():
        if singles:
            raw = "".join(p.text for p in singles)
            # Unknown words are indexed as pairs of neighbouring characters (analysis.py).
            pairs = [raw[k:k + 2] for k in range(len(raw) - 1)] or [raw]
            units.append(Unit(pairs, "cjk", raw, optional=_wrapper(raw)))
            singles.clear()

    pieces = list(analyzer.scan(folded, index=False))
    i = 0
    while i < len(pieces):
        p = pieces[i]
        if p.kind == "cjk" and len(p.text) == 1 and not _wrapper(p.text) and (
                not singles or singles[-1].end == p.start):
            singles.append(p)
        else:
            flush()
            if p.kind == "cjk" and len(p.text) == 1 and not _wrapper(p.text):
                singles.append(p)
            elif p.kind == "cjk":
                units.append(Unit([p.text], "cjk", p.text, optional=_wrapper(p.text)))
            elif p.kind == "code":
                parts = []
                while i + 1 < len(pieces) and pieces[i + 1].kind == "part":
                    i += 1
                    parts.append(pieces[i].text)
                units.append(Unit(parts or [p.text], "code", folded[p.start:p.end], p.text))
            else:
                units.append(Unit([p.text], "word", p.raw or p.text,
                                  optional=p.raw in QUESTION_EN))
        i += 1
    flush()
    return units[:MAX_UNITS]


def _wrapper(text: str) -> bool:
    return text in QUESTION_ZH or text in STOP_ZH


def phrase_units(folded: str, synonyms, analyzer) -> list[Unit]:
    """Units of folded text, synonym-map members found as phrases first (longest, leftmost).

    Question wrappers inside a phrase are skipped over (``钱怎么还没退回来`` holds the member
    ``钱退回来``), and a wrapper of several characters (``能不能``) is found as a whole before
    the segmenter can cut it into ``能`` + ``不能``."""
    tokens = _tokens(folded, analyzer)
    units: list[Unit] = []
    start_char, i = 0, 0
    while i < len(tokens):
        match = _member_at(tokens, i, synonyms)
        if match is None:
            i += 1
            continue
        j, key, wrapper = match
        begin, end = tokens[i][1], tokens[j][2]
        units += units_of(folded[start_char:begin], analyzer)
        raw = folded[begin:end]
        if wrapper:
            units.append(Unit([raw], "cjk", raw, optional=True))
        else:
            units.append(Unit([raw], "phrase", raw, parts=units_of(raw, analyzer),
                              expansions=synonyms.expansions(key)))
        start_char, i = end, j + 1
    units += units_of(folded[start_char:], analyzer)
    return units[:MAX_UNITS]


def _member_at(tokens, i: int, synonyms):
    """The longest member (or multi-character wrapper) starting at token ``i``:
    (last token, key, is a wrapper), or None."""
    wrapper = None
    for n in range(min(WRAPPER_LONGEST, len(tokens) - i), 1, -1):
        if "".join(t[0] for t in tokens[i:i + n]) in QUESTION_ZH:
            wrapper = (i + n - 1, (), True)
            break
    if synonyms is None:
        return wrapper
    best = None
    # Members with wrapper words in them ("不想要了", "not charging"), then with those skipped.
    # A member may begin with a wrapper word only when it is longer than that word.
    for skip in (False,) if tokens[i][3] else (False, True):
        keys, ends = [], []
        for j in range(i, len(tokens)):
            if len(keys) >= synonyms.longest:
                break
            if not (skip and tokens[j][3]):
                keys.append(tokens[j][0])
                ends.append(j)
        for n in range(len(keys), 0, -1):
            key = tuple(keys[:n])
            if key in synonyms and not (n == 1 and (_wrapper(key[0]) or tokens[i][3])):
                if best is None or ends[n - 1] > best[0]:
                    best = (ends[n - 1], key, False)
                break
    if wrapper and (best is None or wrapper[0] >= best[0]):
        return wrapper
    return best


def _tokens(folded: str, analyzer) -> list[tuple[str, int, int, bool]]:
    """(match-key token, start, end, inside a question wrapper) of folded text, as
    :func:`synonyms.key_of` cuts it; the segmenter decides what is a wrapper."""
    wrapped = set()
    for piece in analyzer.scan(folded, index=False):
        if (piece.kind == "cjk" and _wrapper(piece.text)) or (
                piece.kind == "word" and piece.raw in QUESTION_EN):
            wrapped.update(range(piece.start, piece.end))
    found = []
    for m in _TOKEN_RE.finditer(folded):
        key = key_of(m.group())
        if key:
            found.append((key[0], m.start(), m.end(), m.start() in wrapped))
    return found
