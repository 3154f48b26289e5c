"""Land on the answer: which section of a result holds its best passage, and that passage's
answer card.

The best passage is the snippet's (``snippets.passage``: the window with the most distinct
matched words, read under its section's heading), so the "› section" a result shows, the
snippet under it and the place the article opens at always agree. Sections are found in the
plain text the snippet comes from: each heading of the revision's table of contents (the index
stores their names) is a line of that text, in order. Heading ids and answers come from the
database, by the revision id the index stored, so they belong to the text searched.
"""
import json
import re
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..kb.answers import answer_card
from ..kb.models import Revision

LOOKAHEAD = 4  # headings a line may skip ahead to (one the plain text lost must not stop us)
_NOT_TEXT = re.compile(r"[\s*_`~#|]+")


@dataclass
class Located:
    """Where a hit's best passage is: the revision searched and the index of its section in
    the revision's table of contents (None: above the first heading, or the match was in the
    title, tags or summary only)."""

    revision_id: int | None
    heading: int | None
    name: str = ""


def _key(text: str) -> str:
    return _NOT_TEXT.sub("", text)


def heading_lines(body: str, names: list[str], cache=None,
                  revision_id: int | None = None) -> list[tuple[int, int, int]]:
    """``(start, end, index in names)`` of each heading found as a line of ``body``; kept in
    ``cache`` by revision (its text never changes) when both are given: every search looked
    at every line of every result again."""
    if not names:
        return []
    if cache is not None and revision_id:
        key = ("headings", revision_id, len(body))
        found = cache.get(key)
        if found is None:
            found = heading_lines(body, names)
            cache.put(key, found)
        return found
    keys = [_key(name) for name in names]
    found, pos, j = [], 0, 0
    for line in body.splitlines(keepends=True):
        key = _key(line) if j < len(keys) else ""
        if key:
            for k in range(j, min(j + LOOKAHEAD, len(keys))):
                if key == keys[k]:
                    found.append((pos, pos + len(line.rstrip("\r\n")), k))
                    j = k + 1
                    break
        pos += len(line)
    return found


def _revisions(revision_ids, cache) -> dict[int, "_Rev"]:
    """What the cards need of each revision: from ``cache`` (a revision never changes once
    saved, so its table of contents and answers can be kept by id), else in one query (two
    when a revision's answers were never stored: those are read from its HTML, see
    kb/answers.py). A search that read them for every keystroke made one more round trip to
    the database than it needed."""
    ids = {rid for rid in revision_ids if rid}
    revs = {rid: rev for rid in ids if (rev := cache.get(rid)) is not None}
    missing = ids - set(revs)
    if not missing:
        return revs
    read = {row.id: _Rev(row) for row in db.session.execute(
        select(Revision.id, Revision.toc_json, Revision.answers_json, Revision.answer)
        .where(Revision.id.in_(missing)))}
    unknown = [rid for rid, rev in read.items() if rev.answers_json is None]
    if unknown:
        for rid, html in db.session.execute(
                select(Revision.id, Revision.html).where(Revision.id.in_(unknown))):
            read[rid].html = html or ""
    for rid, rev in read.items():
        cache.put(rid, rev)
    return revs | read


class _Rev:
    """Just enough of a revision for :func:`kb.answers.answer_card`."""

    def __init__(self, row):
        self.answer = row.answer
        self.answers_json = row.answers_json
        self.html = ""
        self.toc = json.loads(row.toc_json or "[]")


def annotate(hits, located: list[Located], cache) -> None:
    """Fill in each hit's ``section``, ``section_id`` and ``answer`` (its answer card);
    ``cache``: what the search state keeps by revision (``SearchState.by_revision``)."""
    revs = _revisions((place.revision_id for place in located), cache)
    for hit, place in zip(hits, located, strict=True):
        rev = revs.get(place.revision_id)
        if rev is None:
            continue
        if place.heading is not None and place.heading < len(rev.toc) and \
                _key(rev.toc[place.heading].get("name", "")) == _key(place.name):
            entry = rev.toc[place.heading]
            hit.section, hit.section_id = entry.get("name", ""), entry.get("id", "")
        hit.answer = answer_card(rev, hit.section_id or None)
