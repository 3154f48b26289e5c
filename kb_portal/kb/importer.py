"""Import article files into the database and export them back (DESIGN.md §3).

Import is idempotent: a file whose content hash equals the article's head revision creates
nothing; a changed file creates exactly one revision. Bad files are reported with their path
and reason while the good ones are imported.
"""
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from .files import ArticleFile, FileError, dump_article, read_article_file
from .models import Article
from .services import (
    add_revision,
    category_keys,
    commit_and_notify,
    content_hash,
    publish_revision,
)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    def merge(self, other: "ImportReport") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.errors.extend(other.errors)

    def summary(self, noun: str = "articles") -> str:
        return (f"{noun}: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged, {len(self.errors)} rejected")


def _file_hash(doc: ArticleFile) -> str:
    return content_hash(title=doc.title, body=doc.body, category=doc.category, tags=doc.tags,
                        language=doc.language, summary=doc.summary, status=doc.status,
                        owner=doc.owner, review_by=doc.review_by)


def apply_article_file(doc: ArticleFile, source: str, actor=None) -> str:
    """Create or update the article described by ``doc`` (not committed).

    Returns ``"created"``, ``"updated"`` or ``"unchanged"``.
    """
    chash = _file_hash(doc)
    article = db.session.scalar(select(Article).where(Article.slug == doc.slug))
    if article is not None and article.head_revision and \
            article.head_revision.content_hash == chash:
        return "unchanged"
    outcome = "updated" if article else "created"
    if article is None:
        article = Article(slug=doc.slug)
        db.session.add(article)
        db.session.flush()
    article.owner = doc.owner
    article.review_by = doc.review_by
    rev = add_revision(
        article, title=doc.title, body=doc.body, category_key=doc.category, tags=doc.tags,
        language=doc.language, summary=doc.summary, author=actor,
        note=f"Imported from {source}", status=doc.status, chash=chash,
    )
    if doc.status in ("published", "archived"):
        publish_revision(article, rev)
    article.status = doc.status
    rev.status = doc.status
    return outcome


def _read_all(paths: list[Path], report: ImportReport, progress) -> list[tuple[Path, ArticleFile]]:
    """Parse every file; reject bad ones and all but one file of each duplicated slug.

    Of files claiming the same slug, the one named ``<slug>.md`` wins (else the first by path).
    """
    categories = category_keys()
    parsed: list[tuple[Path, ArticleFile]] = []
    for i, path in enumerate(sorted(paths), 1):
        if progress:
            progress(i, len(paths), path)
        try:
            parsed.append((path, read_article_file(path, categories)))
        except FileError as exc:
            report.errors.append((str(path), str(exc)))
    owner: dict[str, Path] = {}
    for path, doc in parsed:
        if doc.slug not in owner or path.stem.lower() == doc.slug:
            owner[doc.slug] = path
    kept = []
    for path, doc in parsed:
        if owner[doc.slug] != path:
            report.errors.append(
                (str(path), f"duplicate slug {doc.slug!r} (also in {owner[doc.slug]})"))
        else:
            kept.append((path, doc))
    return kept


def import_article_files(paths: list[Path], actor=None, progress=None) -> ImportReport:
    """Import ``paths`` (``.md`` files). ``progress(i, total, path)`` is called per file."""
    report = ImportReport()
    changed: list[int] = []
    published: list[int] = []
    for i, (path, doc) in enumerate(_read_all(paths, report, progress), 1):
        outcome = apply_article_file(doc, str(path), actor)
        setattr(report, outcome, getattr(report, outcome) + 1)
        if outcome != "unchanged":
            article_id = db.session.scalar(select(Article.id).where(Article.slug == doc.slug))
            changed.append(article_id)
            if doc.status == "published":
                published.append(article_id)
        if i % 500 == 0:
            db.session.commit()  # keep transactions (and SQLite locks) short on big imports
    commit_and_notify(changed, published)
    return report


def export_articles(target: Path, progress=None) -> int:
    """Write every article to ``target/<slug>.md`` in the import format; return the count."""
    target.mkdir(parents=True, exist_ok=True)
    articles = db.session.scalars(select(Article).order_by(Article.slug)).all()
    for i, article in enumerate(articles, 1):
        if progress:
            progress(i, len(articles), article.slug)
        rev = article.current
        doc = ArticleFile(
            slug=article.slug, title=rev.title, category=rev.category_key, body=rev.body,
            tags=rev.tags, language=rev.language, summary=rev.summary, status=article.status,
            owner=article.owner, review_by=article.review_by,
        )
        (target / f"{article.slug}.md").write_text(dump_article(doc), encoding="utf-8")
    return len(articles)
