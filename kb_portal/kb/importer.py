"""Import article files into the database and export them back (DESIGN.md §3).

Import is idempotent: a file whose content hash equals the article's head revision creates
nothing; a changed file creates exactly one revision. Bad files are reported with their path
and reason while the good ones are imported.

Transactions: :func:`import_article_files` commits every ``CHUNK`` articles and at its end —
on purpose, the one exception to "services flush, the caller commits": a 50,000-article
import in one transaction would hold SQLite's write lock (and every editor's save) for
minutes. Each chunk is complete in itself and the import is idempotent, so a failure half-way
loses nothing that re-running does not redo. (:func:`apply_article_file`, one file, only
flushes.)
"""
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from .. import transaction
from ..bulk import bulk_map, fewer_collections
from ..extensions import db
from ..request_limits import format_size
from .files import ArticleFile, FileError, dump_article, read_article_file
from .models import Article
from .render_budget import explain, render_or_error
from .rendering import Rendered, RenderError
from .services import (
    ConflictError,
    add_revision,
    category_keys,
    content_hash,
    lock_head,
    notify,
    publish_revision,
)

CHUNK = 500  # articles written per transaction


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
    # The answer joins the hash only when set, so files without one keep their hashes.
    extra = {"answer": doc.answer} if doc.answer else {}
    return content_hash(title=doc.title, body=doc.body, category=doc.category, tags=doc.tags,
                        language=doc.language, summary=doc.summary, status=doc.status,
                        owner=doc.owner, review_by=doc.review_by, **extra)


def _matches(article: Article, doc: ArticleFile) -> bool:
    """True when ``doc`` says what the article already says (what export would write).

    Revisions saved in the web editor carry a hash without the file-level fields, so the hash
    check alone would re-import an unchanged export of them as a new revision.
    """
    rev = article.current
    return (rev.title, rev.body.strip("\n"), rev.category_key, rev.tags, rev.language,
            rev.summary, rev.answer or "", article.status, article.owner, article.review_by) == \
        (doc.title, doc.body.strip("\n"), doc.category, doc.tags, doc.language, doc.summary,
         doc.answer,
         doc.status, doc.owner, doc.review_by)


def apply_article_file(doc: ArticleFile, source: str, actor=None) -> str:
    """Create or update the article described by ``doc`` (not committed).

    Returns ``"created"``, ``"updated"`` or ``"unchanged"``.
    """
    article = db.session.scalar(select(Article).where(Article.slug == doc.slug))
    chash = _file_hash(doc)
    if _unchanged(doc, article, chash):
        return "unchanged"
    return _write(doc, article, chash, source, actor)[0]


def _unchanged(doc: ArticleFile, article: Article | None, chash: str) -> bool:
    """True when importing ``doc`` (whose :func:`_file_hash` is ``chash``) would change
    nothing; remembers the hash on the article."""
    if article is None:
        return False
    if article.import_hash == chash:
        # The file has not changed since it was last imported. Whatever trainers did in the
        # browser since then stands: `make run` re-imports the demo files on every start.
        return True
    if article.head_revision and \
            (article.head_revision.content_hash == chash or _matches(article, doc)):
        article.import_hash = chash
        return True
    return False


def _write(doc: ArticleFile, article: Article | None, chash: str, source: str, actor,
           rendered: Rendered | None = None) -> tuple[str, Article]:
    """Add ``doc`` as a new revision (of a new article when ``article`` is None); no flush.

    :raise ConflictError: when the article was saved in the browser since it was loaded.
    """
    outcome = "updated" if article else "created"
    if article is not None and article.head_revision_id is not None:
        lock_head(article, article.head_revision_id)
    if article is None:
        # An empty tag list up front: assigning tags later then needs no query to load them.
        article = Article(slug=doc.slug, tags=[])
        db.session.add(article)
    article.owner = doc.owner
    article.review_by = doc.review_by
    article.import_hash = chash
    rev = add_revision(
        article, title=doc.title, body=doc.body, category_key=doc.category, tags=doc.tags,
        language=doc.language, summary=doc.summary, answer=doc.answer, author=actor,
        note=f"Imported from {source}", status=doc.status, chash=chash, rendered=rendered,
        flush=False,
    )
    if doc.status in ("published", "archived"):
        publish_revision(article, rev)
    article.status = doc.status
    rev.status = doc.status
    return outcome, article


def _existing(slugs: list[str]) -> dict[str, Article]:
    """The articles with these slugs, loaded in a few queries rather than one per file."""
    found: dict[str, Article] = {}
    for start in range(0, len(slugs), 500):
        chunk = slugs[start:start + 500]
        found.update((a.slug, a) for a in db.session.scalars(
            select(Article).where(Article.slug.in_(chunk))))
    return found


def _parse(path: Path, categories: set[str], max_bytes: int) -> ArticleFile | FileError:
    try:
        if path.stat().st_size > max_bytes:
            raise FileError(f"larger than the article size limit of {format_size(max_bytes)} "
                            "(KB_ARTICLE_MAX_BYTES)")
        return read_article_file(path, categories)
    except FileError as exc:
        return exc  # returned, not raised: one bad file must not end a parallel map
    except OSError as exc:
        return FileError(f"cannot read: {exc.strerror}")


def _read_all(paths: list[Path], report: ImportReport, progress,
              procs: int = 1) -> list[tuple[Path, ArticleFile]]:
    """Parse every file (on ``procs`` processes); reject bad ones and all but one file of each
    duplicated slug.

    Of files claiming the same slug, the one named ``<slug>.md`` wins (else the first by path).
    """
    paths = sorted(paths)
    parsed: list[tuple[Path, ArticleFile]] = []
    parse = partial(_parse, categories=category_keys(),
                    max_bytes=current_app.config["KB_ARTICLE_MAX_BYTES"])
    results = bulk_map(parse, paths, procs, chunksize=32)
    for i, (path, doc) in enumerate(zip(paths, results, strict=True), 1):
        if progress:
            progress(i, len(paths), path)
        if isinstance(doc, FileError):
            report.errors.append((str(path), str(doc)))
        else:
            parsed.append((path, doc))
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
    with fewer_collections():
        return _import(paths, actor, progress)


def _import(paths: list[Path], actor, progress) -> ImportReport:
    report = ImportReport()
    procs = current_app.config["KB_BULK_PROCS"]
    docs = _read_all(paths, report, progress, procs)
    existing = _existing([doc.slug for _path, doc in docs])
    pending = []
    for path, doc in docs:
        chash = _file_hash(doc)
        if _unchanged(doc, existing.get(doc.slug), chash):
            report.unchanged += 1
        else:
            pending.append((path, doc, chash))
    changed: list[int] = []
    published: list[int] = []
    # An iterator: with several processes, rendering runs ahead while this loop writes rows.
    # Each render has its time budget; a text that fails is reported, the others go on.
    render = partial(render_or_error, per_mb=current_app.config["KB_RENDER_BUDGET_SECONDS"])
    rendered = bulk_map(render, [doc.body for _path, doc, _hash in pending], procs)
    for start in range(0, len(pending), CHUNK):
        written = []
        # The chunk first: zip stops at its end without taking one more rendered text.
        for (path, doc, chash), page in zip(pending[start:start + CHUNK], rendered,
                                            strict=False):
            if isinstance(page, RenderError):
                report.errors.append((str(path), explain(page)))
                continue
            try:
                outcome, article = _write(doc, existing.get(doc.slug), chash, str(path),
                                          actor, page)
            except ConflictError:
                report.errors.append((str(path), "the article was changed in the browser "
                                                 "during the import; import it again"))
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
            written.append((article, doc.status == "published"))
        db.session.flush()  # one batch of INSERTs for the chunk
        changed.extend(article.id for article, _published in written)
        published.extend(article.id for article, is_published in written if is_published)
        if start + CHUNK < len(pending):
            db.session.commit()  # keep transactions (and SQLite locks) short: see above
    notify(changed, published)
    transaction.commit()
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
            tags=rev.tags, language=rev.language, summary=rev.summary, answer=rev.answer or "",
            status=article.status,
            owner=article.owner, review_by=article.review_by,
        )
        (target / f"{article.slug}.md").write_text(dump_article(doc), encoding="utf-8")
    return len(articles)
