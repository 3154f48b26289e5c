"""The article file format (DESIGN.md §3): YAML front matter + Markdown body.

``parse_article`` turns file text into an :class:`ArticleFile` or raises :class:`FileError`
with a reason a trainer can act on; ``dump_article`` writes the same format back, with a fixed
field order so that export → import → export is byte-for-byte stable.
"""
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import safe_yaml
from ..textnorm import detect_language
from .models import LANGUAGES

FILE_STATUSES = ("published", "draft", "review", "archived")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
KNOWN_FIELDS = ("title", "slug", "category", "tags", "language", "summary", "answer", "status",
                "owner", "review_by")
MAX_ANSWER = 500  # as Revision.answer


class FileError(ValueError):
    """A file that cannot be imported; the message says why."""


@dataclass
class ArticleFile:
    slug: str
    title: str
    category: str
    body: str
    tags: list[str] = field(default_factory=list)
    language: str = "zh-Hans"
    summary: str = ""
    answer: str = ""
    status: str = "published"
    owner: str | None = None
    review_by: dt.date | None = None


def split_front_matter(text: str) -> tuple[str, str]:
    """Return (yaml text, body). :raise FileError: when there is no front matter block."""
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        raise FileError("no front matter: the file must start with a '---' line")
    match = re.match(r"^---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", text, re.S | re.M)
    if not match:
        raise FileError("front matter is not closed by a '---' line")
    return match.group(1), text[match.end():]


def _tags(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[,，、]", value)
    if not isinstance(value, list):
        raise FileError("tags must be a list, e.g. [投诉, refund]")
    tags = [str(t).strip() for t in value if str(t).strip()]
    return list(dict.fromkeys(tags))  # de-duplicate, keep order


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise FileError(f"review_by {value!r} is not a date like 2027-03-31") from None


def parse_article(text: str, default_slug: str, categories: set[str] | None = None) -> ArticleFile:
    """Parse one article file. :raise FileError: on anything that would import wrongly."""
    meta_text, body = split_front_matter(text)
    try:
        meta = safe_yaml.load_mapping(meta_text, safe_yaml.FRONT_MATTER)
    except safe_yaml.YamlError as exc:
        raise FileError(f"YAML error in front matter: {exc}") from None
    unknown = sorted(set(map(str, meta)) - set(KNOWN_FIELDS))
    if unknown:
        raise FileError(f"unknown field(s): {', '.join(unknown)}")
    title = str(meta.get("title") or "").strip()
    if not title:
        raise FileError("missing title")
    slug = str(meta.get("slug") or default_slug).strip().lower()
    if not SLUG_RE.match(slug):
        raise FileError(f"bad slug {slug!r}: use lower-case letters, digits, '-', '_' or '.'")
    category = str(meta.get("category") or "").strip().lower()
    if not category:
        raise FileError("missing category")
    if categories is not None and category not in categories:
        raise FileError(f"unknown category {category!r} (known: {', '.join(sorted(categories))})")
    status = str(meta.get("status") or "published").strip().lower()
    if status not in FILE_STATUSES:
        raise FileError(f"unknown status {status!r} (use one of {', '.join(FILE_STATUSES)})")
    body = body.strip("\n")
    language = str(meta.get("language") or "").strip() or detect_language(title + "\n" + body)
    if language not in LANGUAGES:
        raise FileError(f"unknown language {language!r} (use one of {', '.join(LANGUAGES)})")
    owner = meta.get("owner")
    answer = " ".join(str(meta.get("answer") or "").split())
    if len(answer) > MAX_ANSWER:
        raise FileError(f"answer is {len(answer)} characters long (at most {MAX_ANSWER}): "
                        "keep the card to a sentence or two")
    return ArticleFile(
        slug=slug, title=title, category=category, body=body, tags=_tags(meta.get("tags")),
        language=language, summary=str(meta.get("summary") or "").strip(), answer=answer,
        status=status,
        owner=str(owner).strip() if owner else None, review_by=_date(meta.get("review_by")),
    )


def read_article_file(path: Path, categories: set[str] | None = None) -> ArticleFile:
    """Read and parse ``path``. :raise FileError: including for files that are not UTF-8."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileError(f"not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise FileError(f"cannot read: {exc.strerror}") from None
    return parse_article(text, path.stem.lower(), categories)


def _scalar(value) -> str:
    dumped = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000)
    return dumped.removesuffix("\n...\n").strip()


def dump_article(doc: ArticleFile) -> str:
    """Serialise ``doc`` in the import format (fixed field order, empty fields left out)."""
    fields = {
        "title": doc.title, "slug": doc.slug, "category": doc.category, "tags": doc.tags,
        "language": doc.language, "summary": doc.summary, "answer": doc.answer,
        "status": doc.status,
        "owner": doc.owner, "review_by": doc.review_by,
    }
    lines = ["---"]
    for name, value in fields.items():
        if value in (None, "") or (name == "tags" and not value):
            continue
        lines.append(f"{name}: {_scalar(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n" + doc.body.strip("\n") + "\n"
