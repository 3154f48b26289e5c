"""The contact-centre lexicon shipped with the product (``contact_centre.txt`` beside this file).

Why a shipped lexicon: agents type the caller's words ("钱没回来", "扫地机不回充", "保養期",
"charged twice") while articles use the formal term ("退款到账", "充电异常", "保修期限",
"重复扣款").
No segmenter links them; a centre's trainers would have to write hundreds of groups before
search understood its callers. The lexicon gives every centre that start, and trainers layer
their own groups on top (and can switch a built-in group off or add words to it).

The file is plain text so that a reviewer can read and diff it (format in its header). Each
group has a stable key (``section.key``) by which trainers' overrides refer to it. It is applied
at query time only — the index does not depend on it — so a new version needs no reindex; its
version is stated beside the analyzer's (:data:`kb_portal.search.analysis.ANALYZER_VERSION`)
and shown on the Synonyms page.
"""
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LEXICON_FILE = Path(__file__).with_name("contact_centre.txt")
_VERSION_RE = re.compile(r"^#\s*version:\s*(\d+)\s*$")
ROLES = ("formal", "callers", "regional", "english")


class LexiconError(ValueError):
    """A malformed lexicon line (the message names the file and line)."""


@dataclass(frozen=True)
class LexiconGroup:
    """One built-in group. Two-way groups fill the four role lists; one-way groups fill
    ``narrow`` (the words that also find ...) and ``broad`` (... these words)."""

    key: str
    section: str
    formal: tuple[str, ...] = ()
    callers: tuple[str, ...] = ()
    regional: tuple[str, ...] = ()
    english: tuple[str, ...] = ()
    narrow: tuple[str, ...] = ()
    broad: tuple[str, ...] = ()

    @property
    def one_way(self) -> bool:
        return bool(self.narrow)

    @property
    def members(self) -> tuple[str, ...]:
        """Every word of the group (two-way) or both sides (one-way), first occurrence kept."""
        seen: dict[str, None] = {}
        for word in (*self.formal, *self.callers, *self.regional, *self.english,
                     *self.narrow, *self.broad):
            seen.setdefault(word, None)
        return tuple(seen)

    @property
    def title(self) -> str:
        """How the group is named on the Synonyms page."""
        if self.one_way:
            return f"{', '.join(self.narrow)} → {', '.join(self.broad)}"
        return (self.formal or self.members)[0]


@dataclass(frozen=True)
class Lexicon:
    version: int
    groups: tuple[LexiconGroup, ...] = field(default_factory=tuple)

    def by_key(self) -> dict[str, LexiconGroup]:
        return {g.key: g for g in self.groups}

    def sections(self) -> list[str]:
        return list(dict.fromkeys(g.section for g in self.groups))


def _words(text: str) -> tuple[str, ...]:
    words = []
    for word in re.split(r"[,，、]", text):
        word = " ".join(word.split())
        if word and word != "-" and word not in words:
            words.append(word)
    return tuple(words)


def parse(text: str, source: str = "lexicon") -> Lexicon:
    """Parse the lexicon format (see the file's header). :raise LexiconError: on a bad line."""
    version, section, groups, keys = 0, "", [], set()
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if match := _VERSION_RE.match(stripped):
            version = int(match.group(1))
            continue
        if not stripped or stripped.startswith("#"):
            continue
        where = f"{source}:{number}"
        if stripped.startswith("@"):
            section = stripped[1:].strip()
            if not re.fullmatch(r"[a-z][a-z0-9-]*", section):
                raise LexiconError(f"{where}: a section name is lower-case letters and '-'")
            continue
        fields = [f.strip() for f in stripped.split("|")]
        name = fields[0]
        if not section or not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", name):
            raise LexiconError(f"{where}: a group starts with its key, inside a section")
        key = f"{section}.{name}"
        if key in keys:
            raise LexiconError(f"{where}: the key {key} is used twice")
        keys.add(key)
        if len(fields) == 2 and ">" in fields[1]:
            narrow, _, broad = fields[1].partition(">")
            group = LexiconGroup(key, section, narrow=_words(narrow), broad=_words(broad))
            if not group.narrow or not group.broad:
                raise LexiconError(f"{where}: a one-way line needs words on both sides of '>'")
        elif len(fields) == 5:
            group = LexiconGroup(key, section, *(_words(f) for f in fields[1:]))
            if len(group.members) < 2:
                raise LexiconError(f"{where}: a group needs at least two words")
        else:
            raise LexiconError(f"{where}: expected 'key | formal | callers | HK/TW | English' "
                               "or 'key | narrower > broader'")
        if short := [w for w in group.members if len(w) == 1 and not w.isascii()]:
            raise LexiconError(f"{where}: one-character words match far too much: {short}")
        groups.append(group)
    if not version:
        raise LexiconError(f"{source}: no '# version: N' line")
    return Lexicon(version, tuple(groups))


def load(path: Path = LEXICON_FILE) -> Lexicon:
    """Read and parse a lexicon file (the app keeps the result: see ``synonyms.SynonymCache``).

    Parsed once per process for each version of the file (its path, modification time and
    size): a :class:`Lexicon` is immutable — frozen dataclasses and tuples — so apps may share
    it, and every app (each test builds several hundred) no longer pays the ~30 ms parse.
    """
    stat = path.stat()
    return _parsed(str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _parsed(path: str, _mtime_ns: int, _size: int) -> Lexicon:
    return parse(Path(path).read_text(encoding="utf-8"), Path(path).name)
