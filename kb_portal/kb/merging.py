"""Three-way merge for the conflict page: base (what the editor started from), mine, theirs.

The classic diff3 approach: find the regions where base, mine and theirs all agree; between
them, a side that left the base untouched takes the other side's change, identical changes are
taken once, and different changes to the same region become a conflict block with markers the
trainer resolves by hand. The editor refuses to save while markers remain.
"""
import difflib
from dataclasses import dataclass, field

MARK_MINE = "<<<<<<< "
MARK_SPLIT = "======="
MARK_THEIRS = ">>>>>>> "


@dataclass
class MergeResult:
    text: str
    conflicts: int
    field_conflicts: list[str] = field(default_factory=list)


def _sync_regions(base, mine, theirs):
    """(base_start, base_end, mine_start, mine_end, theirs_start, theirs_end) where all agree."""
    am = difflib.SequenceMatcher(None, base, mine, autojunk=False).get_matching_blocks()
    bm = difflib.SequenceMatcher(None, base, theirs, autojunk=False).get_matching_blocks()
    ia = ib = 0
    regions = []
    while ia < len(am) and ib < len(bm):
        abase, amatch, alen = am[ia]
        bbase, bmatch, blen = bm[ib]
        start, end = max(abase, bbase), min(abase + alen, bbase + blen)
        if start < end:
            regions.append((start, end, amatch + start - abase, amatch + end - abase,
                            bmatch + start - bbase, bmatch + end - bbase))
        if abase + alen < bbase + blen:
            ia += 1
        else:
            ib += 1
    regions.append((len(base), len(base), len(mine), len(mine), len(theirs), len(theirs)))
    return regions


def merge_lines(base: list[str], mine: list[str], theirs: list[str],
                mine_label: str = "yours", theirs_label: str = "theirs"):
    """Merge line lists; return (merged lines, number of conflict blocks)."""
    out: list[str] = []
    conflicts = 0
    iz = ia = ib = 0
    for zstart, zend, astart, aend, bstart, bend in _sync_regions(base, mine, theirs):
        a_part, b_part, z_part = mine[ia:astart], theirs[ib:bstart], base[iz:zstart]
        if a_part or b_part:
            if a_part == b_part or b_part == z_part:
                out.extend(a_part)
            elif a_part == z_part:
                out.extend(b_part)
            else:
                conflicts += 1
                out += [MARK_MINE + mine_label, *a_part, MARK_SPLIT, *b_part,
                        MARK_THEIRS + theirs_label]
        out.extend(base[zstart:zend])
        iz, ia, ib = zend, aend, bend
    return out, conflicts


def merge_text(base: str, mine: str, theirs: str, **labels) -> tuple[str, int]:
    """Merge three texts line by line; return (text, conflict blocks)."""
    lines, conflicts = merge_lines(base.splitlines(), mine.splitlines(), theirs.splitlines(),
                                   **labels)
    return "\n".join(lines), conflicts


def merge_content(base: dict, mine: dict, theirs: dict, **labels) -> tuple[dict, MergeResult]:
    """Merge article content dicts: body line by line, other fields whole.

    A field only one side changed takes that side's value; when both changed it differently,
    mine wins and the field is reported so the page can point at it.
    """
    merged, field_conflicts = {}, []
    for name in mine:
        if name == "body":
            continue
        b, m, t = base.get(name), mine[name], theirs.get(name)
        if m == t or t == b:
            merged[name] = m
        elif m == b:
            merged[name] = t
        else:
            merged[name] = m
            field_conflicts.append(name)
    text, conflicts = merge_text(base.get("body", ""), mine.get("body", ""),
                                 theirs.get("body", ""), **labels)
    merged["body"] = text
    return merged, MergeResult(text, conflicts, field_conflicts)


def has_markers(text: str) -> bool:
    """True while a merged text still contains unresolved conflict blocks."""
    lines = text.splitlines()
    return any(line.startswith(MARK_MINE) for line in lines) and \
        any(line.startswith(MARK_THEIRS) for line in lines)
