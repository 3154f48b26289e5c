"""Index documents built from the database: what the engine stores for one published revision.

:func:`sources` reads the rows (in this process: it alone talks to the database);
:func:`document` turns one into the dict of fields ``engine/schema.py`` describes. It may run
in the fast engine's helper processes, so a :class:`Source` is plain values (picklable) and
:func:`document` touches no database.
"""
import json
import re
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from ..extensions import db
from ..kb.models import Article, Revision
from ..textnorm import fold
from .analysis import FoldedText, fold_long, latin_words

BATCH = 200


class Source(NamedTuple):
    """What the index needs of one published revision."""

    article_id: int
    slug: str
    updated_at: datetime | None
    revision_id: int
    title: str
    body: str
    tags_json: str
    summary: str | None
    category_key: str
    language: str
    toc_json: str | None


def sources(ids):
    """Yield a :class:`Source` for the published revision of each of ``ids`` (in batches)."""
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        rows = db.session.execute(
            select(Article.id, Article.slug, Article.updated_at, Revision.id, Revision.title,
                   Revision.body, Revision.tags_json, Revision.summary, Revision.category_key,
                   Revision.language, Revision.toc_json)
            .join(Revision, Revision.id == Article.published_revision_id)
            .where(Article.id.in_(ids[start:start + BATCH]), Article.status == "published")
        ).all()
        for row in rows:
            yield Source(*row)


def document(source: Source, fold_same_length) -> dict:
    """The index document of one published revision (``fold_same_length`` is the app's
    :meth:`~.snippets.Snippets.fold_same_length`, for the snippets' folded body)."""
    tags = json.loads(source.tags_json or "[]")
    title, summary = source.title, source.summary or ""
    body = plain_text(source.body or "")
    # Folded once here for the match field and the word list.
    text = FoldedText(fold_long("\n".join((title, " , ".join(tags), summary, body))))
    return {
        "id": str(source.article_id), "rev": source.revision_id, "slug": source.slug,
        "title": title, "tags": " , ".join(tags), "summary": summary, "text": text,
        "body": body, "words": " ".join(sorted(latin_words(text))),
        "folded": fold_same_length(body),
        "tag": ",".join(tag_filter(t) for t in tags),
        "category": source.category_key, "language": source.language,
        "updated": int(source.updated_at.timestamp()) if source.updated_at else 0,
        "headings": [h.get("name", "") for h in json.loads(source.toc_json or "[]")],
    }


def tag_filter(tag: str) -> str:
    """A tag as the ``tag`` field holds it (what a filter must ask for)."""
    return fold(tag).replace(",", " ")


# Linear by construction (tests/test_regex_linearity.py): a scan for a closing character never
# crosses another opening one, so no text is scanned from two starts, and no two quantifiers
# can split the same run of characters between them.
_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")
# [^\S\n] is white space within a line (\r of a browser's \r\n included).
_MD_TABLE_RULE = re.compile(r"^[^\S\n]*(?:\|[^\S\n]*)?:?-{3,}.*$", re.M)
_MD_MARKS = re.compile(
    r"^[^\S\n]{0,3}(?:#{1,6}[^\S\n]+|>[^\S\n]?|[-*+][^\S\n]+|\d+[.)][^\S\n]+)|[*_`~]{1,3}|\|",
    re.M)
_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")
_SPACES = re.compile(r"[ \t]+")


# "!!! warning "注意"" / "??? note": the box's type is markup; its title is text agents read.
_MD_ADMONITION = re.compile(r'^ {0,3}(?:!!!|\?\?\?\+?) *[\w-]+(?: +"([^"\n]*)")? *$', re.M)


def plain_text(markdown_text: str) -> str:
    """Markdown → the text an agent reads (for indexing and snippets)."""
    text = _MD_ADMONITION.sub(r"\1", markdown_text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_TABLE_RULE.sub("", text)
    text = _MD_MARKS.sub(" ", text)
    return _SPACES.sub(" ", _BLANK_LINES.sub("\n", text)).strip()
