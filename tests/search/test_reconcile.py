"""Does the index follow the database whatever happens (DESIGN.md §1)?"""
import json
import shutil
from pathlib import Path

from kb_portal import config, create_app
from kb_portal.extensions import db
from kb_portal.kb.models import Article
from kb_portal.kb.signals import article_changed
from kb_portal.search import _on_article_changed
from kb_portal.search.index import META_FILE
from kb_portal.search.reconcile import check, reconcile
from kb_portal.search.runtime import runtime
from tests import factories

from .helpers import slugs


def _without_index_updates():
    """A context in which saves do not reach the index (as if the process died after commit)."""
    class Paused:
        def __enter__(self):
            article_changed.disconnect(_on_article_changed)

        def __exit__(self, *exc):
            article_changed.connect(_on_article_changed, weak=False)

    return Paused()


def test_a_save_is_searchable_at_once(app):
    factories.article("a1", "退款", "申请退款")
    assert runtime().in_sync()
    assert slugs("退款") == ["a1"]


def test_reconcile_repairs_a_missed_write(app):
    factories.article("a1", "退款", "申请退款")
    with _without_index_updates():
        factories.article("a2", "换货", "换货流程")
        factories.article("a1", "退款政策", "新的正文：原路退回")
        drift = check(runtime().index)
        assert drift.missing and drift.stale and not runtime().in_sync()
        repaired = reconcile(runtime().index)
        assert repaired.summary() == "1 missing, 1 stale, 0 extra"
    assert not check(runtime().index)
    assert slugs("换货") == ["a2"] and slugs("原路") == ["a1"]


def test_unpublishing_removes_the_article_from_the_index(app):
    a = factories.article("a1", "退款", "申请退款")
    with _without_index_updates():
        db.session.get(Article, a.id).status = "archived"
        db.session.commit()
    assert check(runtime().index).extra == [a.id]
    # A search notices that the database moved on (KB_SEARCH_SYNC_SECONDS is 0 in tests).
    assert slugs("退款") == []


def test_a_deleted_index_is_rebuilt_at_start_up(app, tmp_path, caplog):
    factories.article("a1", "退款", "申请退款")
    shutil.rmtree(app.config["KB_INDEX_DIR"])
    from kb_portal.search.index import get_index

    get_index(app.config["KB_INDEX_DIR"]).reset()
    again = create_app(config.TestConfig(tmp_path / "data"))
    with again.app_context():
        assert "rebuilt at start-up (is missing)" in caplog.text
        assert slugs("退款") == ["a1"]


def test_a_corrupt_index_is_rebuilt_at_start_up(app, tmp_path, caplog):
    factories.article("a1", "退款", "申请退款")
    index_dir = Path(app.config["KB_INDEX_DIR"])
    for toc in index_dir.glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage")
    from kb_portal.search.index import get_index

    get_index(str(index_dir)).reset()
    again = create_app(config.TestConfig(tmp_path / "data"))
    with again.app_context():
        assert "is corrupt" in caplog.text
        assert slugs("退款") == ["a1"]


def test_an_index_from_another_analyzer_version_is_rebuilt(app, tmp_path, caplog):
    factories.article("a1", "退款", "申请退款")
    index_dir = Path(app.config["KB_INDEX_DIR"])
    (index_dir / META_FILE).write_text(json.dumps({"analyzer_version": -1}))
    from kb_portal.search.index import get_index

    get_index(str(index_dir)).reset()
    again = create_app(config.TestConfig(tmp_path / "data"))
    with again.app_context():
        assert "analyzer version -1" in caplog.text
        assert slugs("退款") == ["a1"]


def test_an_index_directory_deleted_while_serving_keeps_answering_and_comes_back(app):
    factories.article("a1", "退款", "申请退款")
    assert slugs("退款") == ["a1"]
    shutil.rmtree(app.config["KB_INDEX_DIR"])
    assert slugs("退款") == ["a1"]  # the open searcher answers
    assert slugs("退款") == ["a1"]  # the index is recreated and refilled (inline in tests)
    assert (Path(app.config["KB_INDEX_DIR"]) / META_FILE).exists()


def test_check_index_command_reports_and_fixes(app, runner):
    factories.article("a1", "退款", "申请退款")
    with _without_index_updates():
        factories.article("a2", "换货", "换货流程")
        result = runner.invoke(args=["kb", "check-index"])
        assert result.exit_code == 1 and "1 missing" in result.output
        result = runner.invoke(args=["kb", "check-index", "--fix"])
        assert result.exit_code == 0 and "repaired: 1 missing" in result.output
    assert runner.invoke(args=["kb", "check-index"]).exit_code == 0


def test_reindex_command_rebuilds_everything(app, runner):
    factories.article("a1", "退款", "申请退款")
    factories.article("a2", "换货", "换货流程")
    result = runner.invoke(args=["kb", "reindex"])
    assert result.exit_code == 0 and "indexed 2 published articles" in result.output
    assert slugs("换货") == ["a2"]


def test_after_a_reindex_a_tag_word_finds_articles_when_others_have_no_tags(app, runner):
    """One segment holding tagged and untagged articles: Whoosh reports the untagged ones'
    tag length as None, which once made every search touching the tags field fail."""
    factories.article("a1", "退款", "申请退款")
    factories.article("a2", "发票抬头", "重开", tags=["发票"])
    assert runner.invoke(args=["kb", "reindex"]).exit_code == 0
    assert slugs("发票") == ["a2"]


def test_search_command_prints_the_api_shape(app, runner):
    factories.article("a1", "退款政策", "申请退款", category="policy")
    result = runner.invoke(args=["kb", "search", "退款", "--json", "--category", "policy"])
    data = json.loads(result.output)
    assert set(data) == {"query", "total", "results", "did_you_mean"}
    assert data["total"] == 1
    assert set(data["results"][0]) == {"slug", "title", "category", "score", "snippet",
                                       "section", "section_id", "answer"}
    assert "<mark>退款</mark>" in data["results"][0]["snippet"]


def test_init_hook_seeds_synonyms_and_fills_the_index(app, runner):
    factories.article("a1", "退款", "申请退款")
    hooks = app.extensions["kb_init_hooks"]
    assert hooks
    for hook in hooks:
        hook()
    from kb_portal.search.synonyms import all_groups

    assert len(all_groups()) >= 10
    assert slugs("退钱") == ["a1"]


def test_search_skips_documents_deleted_in_a_segment_that_was_not_merged(app):
    a = factories.article("a1", "退款", "申请退款")
    factories.article("a2", "退款二", "另一篇退款")
    index = runtime().index
    from kb_portal.search.reconcile import documents

    doc = next(documents([a.id]))
    with index.writer() as writer:  # a replacement whose old version stays, marked deleted
        writer.update_document(**dict(doc, body="改写后的正文：原路退回", text="原路退回"))
        writer.kb_commit_options = {"merge": False}
    assert index.searcher().reader().has_deletions()
    assert slugs("申请") == [] and slugs("原路") == ["a1"]
    assert sorted(slugs("退款")) == ["a2"]


def test_the_index_fingerprint_counts_live_documents_only(app):
    from kb_portal.search.index import index_state
    from kb_portal.search.runtime import fingerprint

    a = factories.article("a1", "退款", "申请退款")
    factories.article("a2", "换货", "换货流程")
    index = runtime().index
    from kb_portal.search.reconcile import documents

    with index.writer() as writer:  # replace a1 without merging: a deleted copy remains
        writer.update_document(**next(documents([a.id])))
        writer.kb_commit_options = {"merge": False}
    reader = index.searcher().reader()
    state = index_state(reader)
    assert reader.has_deletions()
    assert fingerprint(reader) == (len(state), sum(state.values())) == (2, sum(state.values()))
    assert runtime().in_sync()


def _segment_count() -> int:
    return len(runtime().index.searcher().reader().leaf_readers())


def test_saves_add_small_segments_that_are_merged_once_there_are_many(app):
    from kb_portal.search.reconcile import MAX_SEGMENTS

    for n in range(MAX_SEGMENTS + 3):
        factories.article(f"seg-{n}", f"分段测试{n}", f"第{n}篇 段落合并")
        assert _segment_count() < MAX_SEGMENTS  # merged right after the save that hit it
    assert len(slugs("段落合并")) == MAX_SEGMENTS + 3
    assert not check(runtime().index)


def test_start_up_does_not_wait_for_the_index_lock_when_nothing_changed(app, caplog):
    factories.article("steady", "稳定", "无需改动")
    with runtime().index.writer(timeout=1) as held:  # another process is writing
        held.kb_skip_commit = True
        runtime().startup()  # in sync: returns without asking for the lock
    assert "another process holds the index lock" not in caplog.text
    assert slugs("稳定") == ["steady"]


def test_on_servers_a_search_repairs_drift_in_the_background(app):
    import threading

    with _without_index_updates():
        factories.article("elsewhere", "别处导入", "另一台服务器导入的文章")
    rt = runtime()
    rt.in_background = True  # as on a server (tests otherwise repair inside the request)
    try:
        rt.force_check()
        rt.maybe_sync()  # returns at once; a thread reconciles
        for thread in [t for t in threading.enumerate() if t.name == "kb-search-sync"]:
            thread.join(30)
    finally:
        rt.in_background = False
    assert not check(rt.index)
    assert slugs("别处导入") == ["elsewhere"]
