"""Article import and export: idempotent, one revision per change, bad files reported."""
from pathlib import Path

from sqlalchemy import func, select

from kb_portal import create_app
from kb_portal.config import TestConfig
from kb_portal.extensions import db
from kb_portal.kb.answers import all_cards
from kb_portal.kb.importer import export_articles, import_article_files
from kb_portal.kb.models import Article, Revision
from kb_portal.kb.services import ensure_default_categories, get_article

ROOT = Path(__file__).resolve().parents[2]
GOOD = """---
title: 退款政策
category: policy
tags: [退款, refund]
summary: 退款时限与方式
owner: trainer
review_by: 2027-03-31
---
## 退款时限
收到退货后3个工作日内退款。见[退换货](return-exchange)。
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def revision_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Revision))


def test_importing_the_same_files_twice_creates_no_new_revisions(app, tmp_path):
    files = [write(tmp_path, "refund-policy.md", GOOD),
             write(tmp_path, "return-exchange.md", GOOD.replace("退款政策", "退换货"))]
    first = import_article_files(files)
    assert (first.created, first.updated, first.errors) == (2, 0, [])
    before = revision_count()
    second = import_article_files(files)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert revision_count() == before


def test_a_changed_file_creates_exactly_one_new_revision(app, tmp_path):
    path = write(tmp_path, "refund-policy.md", GOOD)
    import_article_files([path])
    write(tmp_path, "refund-policy.md", GOOD.replace("3个工作日", "5个工作日"))
    report = import_article_files([path])
    assert report.updated == 1
    article = get_article("refund-policy")
    assert [r.number for r in article.revisions] == [1, 2]
    assert "5个工作日" in article.published_revision.body
    assert article.owner == "trainer" and str(article.review_by) == "2027-03-31"


BAD_FILES = {
    "no-front-matter.md": ("# 只有正文\n", "no front matter"),
    "no-title.md": ("---\ncategory: sop\n---\n正文\n", "missing title"),
    "bad-status.md": ("---\ntitle: X\ncategory: sop\nstatus: live\n---\n正文\n", "unknown status"),
    "bad-yaml.md": ("---\ntitle: [unclosed\ncategory: sop\n---\n正文\n", "YAML error"),
    "not-utf8.md": ("---\ntitle: 退款\ncategory: sop\n---\n正文\n".encode("gbk"), "not UTF-8"),
    "bad-category.md": ("---\ntitle: X\ncategory: gossip\n---\n正文\n", "unknown category"),
    "unclosed.md": ("---\ntitle: X\ncategory: sop\n正文\n", "not closed"),
    "dupe.md": ("---\ntitle: 重复\nslug: refund-policy\ncategory: sop\n---\n正文\n",
                "duplicate slug"),
}


def test_bad_files_are_reported_with_path_and_reason_and_good_ones_imported(app, tmp_path):
    good = write(tmp_path, "refund-policy.md", GOOD)
    bad = {write(tmp_path, name, text): reason for name, (text, reason) in BAD_FILES.items()}
    report = import_article_files([good, *bad])
    assert report.created == 1
    errors = dict(report.errors)
    for path, reason in bad.items():
        assert reason in errors.get(str(path), ""), (path, errors)
    assert get_article("refund-policy").published_revision.title == "退款政策"


def test_cli_import_exits_non_zero_and_names_the_bad_file(app, runner, tmp_path):
    write(tmp_path, "refund-policy.md", GOOD)
    write(tmp_path, "broken.md", "no front matter here\n")
    result = runner.invoke(args=["kb", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert "broken.md" in result.output and "no front matter" in result.output
    assert "1 created" in result.output


def test_export_then_import_into_an_empty_database_then_export_is_identical(app, tmp_path):
    report = import_article_files(sorted((ROOT / "articles").glob("*.md")))
    assert not report.errors
    first, second = tmp_path / "first", tmp_path / "second"
    export_articles(first)
    other = create_app(TestConfig(tmp_path / "empty-instance"))
    with other.app_context():
        db.create_all()
        ensure_default_categories()
        assert not import_article_files(sorted(first.glob("*.md"))).errors
        export_articles(second)
        db.session.remove()
    names = sorted(p.name for p in first.iterdir())
    assert len(names) >= 30 and names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_every_demo_article_imports_and_links_resolve(app):
    report = import_article_files(sorted((ROOT / "articles").glob("*.md")))
    assert report.errors == [] and report.created >= 30
    slugs = set(db.session.scalars(select(Article.slug)))
    languages = set(db.session.scalars(select(Revision.language)))
    assert languages == {"zh-Hans", "zh-Hant", "en"}
    carded = []
    for article in db.session.scalars(select(Article)):
        for link in article.published_revision.links:
            assert link["slug"] in slugs, (article.slug, link)
        if all_cards(article.published_revision):
            carded.append(article.slug)
    assert len(carded) >= 20, f"only {len(carded)} demo articles carry an answer card"


def test_reimporting_an_unchanged_file_keeps_edits_made_in_the_browser(app, tmp_path, users):
    from kb_portal.kb.editing import ArticleInput, save_article
    from kb_portal.kb.workflow import publish

    path = write(tmp_path, "sop-x.md", GOOD.replace("category: policy", "category: sop"))
    import_article_files([path])
    article = get_article("sop-x")
    rev = article.published_revision
    save_article(article, ArticleInput(title=rev.title, slug="sop-x", category_key="sop",
                                       body=rev.body + "\n浏览器里补充的一段。", tags=rev.tags,
                                       summary=rev.summary, owner="trainer"),
                 users["trainer"], base_revision_id=article.head_revision_id, note="补充")
    publish(article, users["trainer"], article.head_revision_id)
    assert import_article_files([path]).unchanged == 1  # as `make run` does on every start
    assert "浏览器里补充的一段" in get_article("sop-x").published_revision.body
    write(tmp_path, "sop-x.md", GOOD.replace("category: policy", "category: sop")
          .replace("3个工作日", "4个工作日"))
    assert import_article_files([path]).updated == 1  # a changed file still wins, as a revision
