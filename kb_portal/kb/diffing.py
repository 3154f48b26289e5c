"""Diffs between two revisions: lines first, then words inside changed lines.

Chinese has no spaces, so a character diff is noisy and a line diff too coarse; changed lines are
cut into words with jieba. jieba's dictionary is simplified-only, so traditional text is
segmented in its simplified form and the word boundaries are mapped back onto the original
(OpenCC's t2s keeps the length of the text here; when it does not, characters are used).
Every piece of text is HTML-escaped here, so templates may output the rows with ``|safe``.
"""
import difflib
import re
from dataclasses import dataclass, field

import jieba
from markupsafe import Markup, escape

from ..textnorm import CJK_RE, to_simplified

CONTEXT_LINES = 3
EMPTY = Markup("")  # immutable, so a safe dataclass default


@dataclass
class Row:
    """One line of a diff. ``kind``: equal, replace, delete, insert, or skip (hidden lines)."""

    kind: str
    left_no: int | None = None
    right_no: int | None = None
    left: Markup = EMPTY
    right: Markup = EMPTY
    inline: Markup = EMPTY
    skipped: int = 0


@dataclass
class TextDiff:
    rows: list[Row] = field(default_factory=list)
    added: int = 0  # lines
    removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


_LATIN_RE = re.compile(r"\s+|[A-Za-z0-9_]+(?:[-.'][A-Za-z0-9_]+)*|.", re.S)


def tokens(text: str) -> list[str]:
    """Split a line into words (jieba for Chinese, word/space/punctuation otherwise)."""
    if not CJK_RE.search(text):
        return _LATIN_RE.findall(text)
    simplified = to_simplified(text)
    if len(simplified) != len(text):
        return list(text)
    out, pos = [], 0
    for word in jieba.cut(simplified, HMM=True):
        out.append(text[pos:pos + len(word)])
        pos += len(word)
    return out


def _word_diff(a: str, b: str) -> tuple[Markup, Markup, Markup]:
    ta, tb = tokens(a), tokens(b)
    left, right, inline = [], [], []
    matcher = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = escape("".join(ta[i1:i2])), escape("".join(tb[j1:j2]))
        if op == "equal":
            left.append(old)
            right.append(old)
            inline.append(old)
            continue
        if old:
            left.append(Markup("<del>%s</del>") % old)
            inline.append(Markup("<del>%s</del>") % old)
        if new:
            right.append(Markup("<ins>%s</ins>") % new)
            inline.append(Markup("<ins>%s</ins>") % new)
    return Markup("").join(left), Markup("").join(right), Markup("").join(inline)


def _changed_block(a_lines, b_lines, i1, j1, out: list[Row], diff: TextDiff) -> None:
    """Pair the lines of a replaced block for word-level diffs; the rest are pure +/−."""
    pairs = min(len(a_lines), len(b_lines))
    for k in range(pairs):
        left, right, inline = _word_diff(a_lines[k], b_lines[k])
        out.append(Row("replace", i1 + k + 1, j1 + k + 1, left, right, inline))
    for k in range(pairs, len(a_lines)):
        text = escape(a_lines[k])
        out.append(Row("delete", i1 + k + 1, None, left=Markup("<del>%s</del>") % text,
                       inline=Markup("<del>%s</del>") % text))
    for k in range(pairs, len(b_lines)):
        text = escape(b_lines[k])
        out.append(Row("insert", None, j1 + k + 1, right=Markup("<ins>%s</ins>") % text,
                       inline=Markup("<ins>%s</ins>") % text))
    diff.removed += len(a_lines)
    diff.added += len(b_lines)


def _equal_block(lines, i1, j1, first: bool, last: bool, context: int, out: list[Row]):
    """Equal lines, keeping ``context`` lines around changes and folding the rest."""
    n = len(lines)
    keep_head = 0 if first else context
    keep_tail = 0 if last else context
    if context < 0 or n <= keep_head + keep_tail + 1:
        shown = range(n)
    else:
        shown = [*range(keep_head), -1, *range(n - keep_tail, n)]
    for k in shown:
        if k == -1:
            out.append(Row("skip", skipped=n - keep_head - keep_tail))
            continue
        text = escape(lines[k])
        out.append(Row("equal", i1 + k + 1, j1 + k + 1, text, text, text))


def diff_texts(old: str, new: str, context: int = CONTEXT_LINES) -> TextDiff:
    """Diff two texts; ``context=-1`` shows every unchanged line."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    diff = TextDiff()
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            _equal_block(a[i1:i2], i1, j1, index == 0, index == len(opcodes) - 1, context,
                         diff.rows)
        else:
            _changed_block(a[i1:i2], b[j1:j2], i1, j1, diff.rows, diff)
    return diff


def diff_fields(old: dict, new: dict) -> list[tuple[str, Markup, Markup]]:
    """Word diffs of the short fields (title, summary, tags…) that differ."""
    out = []
    for name in old:
        if name == "body" or old[name] == new.get(name):
            continue
        a, b = old[name], new.get(name)
        a = ", ".join(a) if isinstance(a, list) else str(a or "")
        b = ", ".join(b) if isinstance(b, list) else str(b or "")
        left, right, _inline = _word_diff(a, b)
        out.append((name, left, right))
    return out
