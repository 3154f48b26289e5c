"""A big import takes the parallel paths (render in helper processes, index in helper
processes) and loses nothing on the way."""
import multiprocessing

from sqlalchemy import func, select

from kb_portal.bulk import bulk_map
from kb_portal.extensions import db
from kb_portal.kb.importer import import_article_files
from kb_portal.kb.models import Revision
from kb_portal.kb.rendering import render_markdown
from kb_portal.search.reconcile import check
from kb_portal.search.state import search_state

from ..conftest import running_app
from .helpers import slugs

COUNT = 320  # above both thresholds (bulk_map: 200, parallel indexing: 300)


def _write_files(folder):
    for n in range(COUNT):
        (folder / f"bulk-{n:03d}.md").write_text(
            f"---\ntitle: 批量导入第{n}篇\ncategory: sop\ntags: [批量{n % 7}]\n---\n"
            f"## 步骤\n\n客户申请退款时先核对订单 ORD-{n:05d}，再登记工单。\n\n"
            f"| 项目 | 说明 |\n|---|---|\n| 编号 | E-{n} |\n", encoding="utf-8")


def test_rendering_in_helper_processes_matches_rendering_here():
    texts = [f"## 标题 {n}\n\n正文 **{n}** [链接](other-{n}#步骤)" for n in range(250)]
    assert list(bulk_map(render_markdown, texts, procs=2)) == [render_markdown(t) for t in texts]
    assert multiprocessing.active_children() == []


def test_a_bulk_import_on_two_processes_stores_and_indexes_every_article(tmp_path,
                                                                         schema_template):
    with running_app(tmp_path / "data", schema_template, KB_BULK_PROCS=2):
        _import_and_check(tmp_path / "files")


def _import_and_check(tmp_path):
    tmp_path.mkdir()
    _write_files(tmp_path)
    bad = tmp_path / "bulk-bad.md"
    bad.write_text("---\ntitle: [unclosed\n---\n正文\n", encoding="utf-8")
    report = import_article_files(sorted(tmp_path.glob("*.md")))
    assert report.created == COUNT
    assert [path for path, _reason in report.errors] == [str(bad)]
    rendered = db.session.scalar(select(func.count()).select_from(Revision)
                                 .where(Revision.html.like("%<table>%")))
    assert rendered == COUNT
    state = search_state()
    assert not check(state)  # every published article is in the index
    assert state.engine.snapshot().doc_count() == COUNT
    assert state.engine.last_bulk[0] > 0  # helper processes indexed some batches
    assert slugs("ORD-00123") == ["bulk-123"]
    assert slugs("e-7")[:1] == ["bulk-007"]
    assert multiprocessing.active_children() == []
