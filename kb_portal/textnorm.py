"""Text folding shared by search analysis, language detection and quiz short-answer grading.

``fold`` = NFKC (full-width → half-width, compatibility forms) → traditional → simplified
(OpenCC ``t2s``) → case-folding. Keeping one implementation means that what search treats as
the same word, quiz grading does too.
"""
import re
import threading
import unicodedata
from functools import lru_cache

import opencc

_local = threading.local()
CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _converter(config: str = "t2s") -> opencc.OpenCC:
    # OpenCC objects are not documented as thread-safe: keep one per thread and direction.
    conv = getattr(_local, config, None)
    if conv is None:
        conv = opencc.OpenCC(config)
        setattr(_local, config, conv)
    return conv


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese; other text passes through unchanged."""
    if not CJK_RE.search(text):
        return text
    return _converter().convert(text)


def to_traditional(text: str) -> str:
    """Simplified → Traditional characters (Taiwan standard forms, OpenCC ``s2tw``), for names
    kept in Simplified only (category names) shown in the Traditional interface."""
    if not CJK_RE.search(text):
        return text
    return _converter("s2tw").convert(text)


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """The canonical comparison form of ``text`` (see module docstring)."""
    return to_simplified(nfkc(text)).casefold()


def detect_language(text: str) -> str:
    """Guess ``zh-Hans``, ``zh-Hant`` or ``en`` from the text itself."""
    cjk = CJK_RE.findall(text)
    letters = sum(1 for ch in text if ch.isalpha())
    if not cjk or len(cjk) < 0.2 * max(letters, 1):
        return "en"
    sample = "".join(cjk[:2000])
    changed = sum(1 for a, b in zip(sample, to_simplified(sample), strict=False) if a != b)
    return "zh-Hant" if changed >= max(3, 0.03 * len(sample)) else "zh-Hans"
