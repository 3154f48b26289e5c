"""What Python-Markdown is allowed to see: bounds that keep a render's cost near-linear.

Python-Markdown is a pure-Python, recursive, backtracking parser. Issue 11 found three ways a
short text makes it misbehave, and each has a bound here that no real article comes near:

* **Nesting.** Every list or quote level is a recursive call: ``- `` × 600 on one line, or a
  list indented 400 levels deep, raises ``RecursionError``. :func:`bound_structure` lets a line
  open at most :data:`MAX_NESTING` containers (the next marker is escaped, so it shows as text)
  and caps leading indentation at :data:`MAX_INDENT` columns. Fenced code blocks are left
  exactly as written.
* **Brackets.** To find where ``[link text]`` ends, the link processors walk the text one
  character at a time to the matching bracket — from every ``[``, to the end of the paragraph
  when there is none: 20 KB of ``[`` took 20 s. :class:`BoundedScans` makes them scan at most
  :data:`LINK_SPAN` characters and give up beyond :data:`MAX_BRACKET_DEPTH` nested brackets,
  jumping between brackets with a regex instead of a Python loop per character. (CommonMark
  itself caps a link label at 999 characters.)
* Anything else that is slow is stopped by the render's time budget (:mod:`.render_budget`).
"""
import re
from functools import cache

from markdown.extensions import Extension
from markdown.inlinepatterns import LinkInlineProcessor, ReferenceInlineProcessor

MAX_NESTING = 16  # containers (lists, quotes) one line may open
MAX_INDENT = 4 * MAX_NESTING  # columns of leading white space kept outside code fences
LINK_SPAN = 2048  # characters a link's text, address and title may span together
MAX_BRACKET_DEPTH = 32

_FENCE = re.compile(r"(`{3,}|~{3,})")
_MARKER = re.compile(r"[ \t]{0,3}(?:>|[-*+](?=[ \t])|[0-9]{1,9}[.)](?=[ \t]))")
_BRACKET = re.compile(r"[\[\]]")
_PAREN = re.compile(r"[()]")


def _columns(line: str) -> tuple[int, int]:
    """(characters, columns) of the line's leading white space (a tab is four columns)."""
    chars = len(line) - len(line.lstrip(" \t"))
    return chars, sum(4 if c == "\t" else 1 for c in line[:chars])


def _bound_line(line: str) -> str:
    chars, columns = _columns(line)
    if columns > MAX_INDENT:
        line = " " * MAX_INDENT + line[chars:]
    pos = depth = 0
    while (match := _MARKER.match(line, pos)) is not None:
        depth += 1
        if depth > MAX_NESTING:
            marker_at = len(line) - len(line[match.start():].lstrip(" \t"))
            return line[:marker_at] + "\\" + line[marker_at:]
        pos = match.end()
    return line


def bound_structure(text: str) -> str:
    """``text`` with nesting and indentation capped outside fenced code (see module doc)."""
    out, fence = [], None
    for line in text.split("\n"):
        if fence is not None:
            if line.startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            out.append(line)
            continue
        match = _FENCE.match(line)
        if match:
            fence = match.group(1)
            out.append(line)
            continue
        out.append(_bound_line(line) if line[:1] in " \t>-*+0123456789" else line)
    return "\n".join(out)


class BoundedScans:
    """Mixed into Python-Markdown's link and reference processors (see module doc)."""

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:  # noqa: N802 (API name)
        limit = index + LINK_SPAN  # str.find and finditer stop at the text's end anyway
        close = data.find("]", index, limit)
        if close < 0:
            return "", index, False
        if data.find("[", index, close) < 0:  # the usual link text: no brackets inside
            return data[index:close], close + 1, True
        depth = 1
        for match in _BRACKET.finditer(data, index, limit):
            depth += 1 if match.group() == "[" else -1
            if depth == 0:
                return data[index:match.start()], match.end(), True
            if depth > MAX_BRACKET_DEPTH:
                break
        return "", index, False

    def getLink(self, data: str, index: int):  # noqa: N802 (Markdown's API name)
        if not _parens_close(data, index, index + LINK_SPAN):
            return "", None, index, False
        href, title, end, handled = super().getLink(data[index:index + LINK_SPAN], 0)
        return href, title, index + end, handled

    def evalId(self, data: str, index: int, text: str):  # noqa: N802 (Markdown's API name)
        close = data.find("]", index, index + LINK_SPAN)  # ids hold no "]": end the text there
        window = data[index:close + 1] if close >= 0 else data[index:index + LINK_SPAN]
        ref, end, handled = super().evalId(window, 0, text)
        return ref, index + end, handled


def _parens_close(data: str, start: int, end: int) -> bool:
    """Whether the ``(`` at ``data[start]`` is closed before ``end`` without nesting more than
    :data:`MAX_BRACKET_DEPTH` deep — a quick test before Markdown's own per-character scan,
    which otherwise runs to the window's end from every ``](``. No ``)`` at all in the window
    (a long run of unclosed ``[a](``) is answered by one ``str.find``, not a counted scan."""
    if not data.startswith("(", start):
        return True  # not an inline link: Markdown's own code answers at once
    if data.find(")", start, end) < 0:
        return False
    depth = 0
    for match in _PAREN.finditer(data, start, end):
        depth += 1 if match.group() == "(" else -1
        if depth == 0:
            return True
        if depth > MAX_BRACKET_DEPTH:
            return False
    return False


@cache
def _bounded_class(cls: type) -> type:
    return type("Bounded" + cls.__name__, (BoundedScans, cls), {})


class BoundedScansExtension(Extension):
    """Gives every link, image and reference processor the bounded scans (list it last, after
    any extension that adds such processors)."""

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API name)
        for processor in md.inlinePatterns:
            if isinstance(processor, LinkInlineProcessor | ReferenceInlineProcessor):
                processor.__class__ = _bounded_class(type(processor))
