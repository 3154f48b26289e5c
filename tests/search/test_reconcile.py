"""Does the index follow the database whatever happens (DESIGN.md §1)?"""
import json
import logging
import shutil
import threading
from pathlib import Path

from kb_portal.extensions import db
from kb_portal.kb.models import Article
from kb_portal.kb.signals import article_changed
from kb_portal.search.documents import sources
from kb_portal.search.engine import IndexBusyError, make_engine
from kb_portal.search.reconcile import MAX_SEGMENTS, builder, check, reconcile
from kb_portal.search.state import search_state
from tests import factories

from ..conftest import make_app
from .helpers import slugs, statements

META_FILE = "kb_meta.json"


def _without_index_updates():
    """A context in which saves do not reach the index (as if the process died after commit)."""
    return article_changed.muted()


def _other_process_engine(app):
    """The same index directory through an engine of its own (as another process has)."""
    state = search_state(app)
    return make_engine(state.settings.engine, state.settings.index_dir, state.analyzer)


def test_a_save_is_searchable_at_once(app):
    factories.article("a1", "退款", "申请退款")
    assert search_state().in_sync()
    assert slugs("退款") == ["a1"]


def test_reconcile_repairs_a_missed_write(app):
    factories.article("a1", "退款", "申请退款")
    state = search_state()
    with _without_index_updates():
        factories.article("a2", "换货", "换货流程")
        factories.article("a1", "退款政策", "新的正文：原路退回")
        drift = check(state)
        assert drift.missing and drift.stale and not state.in_sync()
        repaired = reconcile(state)
        assert repaired.summary() == "1 missing, 1 stale, 0 extra"
    assert not check(state)
    assert slugs("换货") == ["a2"] and slugs("原路") == ["a1"]


def test_unpublishing_removes_the_article_from_the_index(app):
    a = factories.article("a1", "退款", "申请退款")
    with _without_index_updates():
        db.session.get(Article, a.id).status = "archived"
        db.session.commit()
    assert check(search_state()).extra == [a.id]
    # A search notices that the database moved on (KB_SEARCH_SYNC_SECONDS is 0 in tests).
    assert slugs("退款") == []


def test_a_deleted_index_is_rebuilt_at_start_up(app, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="kb_portal")
    factories.article("a1", "退款", "申请退款")
    shutil.rmtree(app.config["KB_INDEX_DIR"])
    again = make_app(tmp_path / "data")
    with again.app_context():
        # (a missing index is what a first start looks like: INFO, not a warning)
        assert "filled at first start: 1 missing" in caplog.text
        assert slugs("退款") == ["a1"]


def test_a_corrupt_table_of_contents_is_rebuilt_at_start_up(app, tmp_path, caplog):
    factories.article("a1", "退款", "申请退款")
    for toc in Path(app.config["KB_INDEX_DIR"]).glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage")
    again = make_app(tmp_path / "data")
    with again.app_context():
        assert "is corrupt" in caplog.text
        assert slugs("退款") == ["a1"]


def test_an_index_from_another_analyzer_version_is_rebuilt(app, tmp_path, caplog):
    factories.article("a1", "退款", "申请退款")
    meta = Path(app.config["KB_INDEX_DIR"]) / META_FILE
    meta.write_text(json.dumps(dict(json.loads(meta.read_text()), analyzer_version=-1)))
    again = make_app(tmp_path / "data")
    with again.app_context():
        assert "analyzer version -1" in caplog.text
        assert slugs("退款") == ["a1"]


def test_an_index_from_the_other_engine_is_rebuilt(app, tmp_path, caplog):
    factories.article("a1", "退款", "申请退款")
    other = "reference" if search_state().engine.name == "fast" else "fast"
    again = make_app(tmp_path / "data", KB_SEARCH_ENGINE=other)
    with again.app_context():
        assert "was built by another engine" in caplog.text
        assert search_state().engine.name == other
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


def test_init_hook_fills_the_index_and_the_lexicon_applies(app, runner):
    factories.article("a1", "退款", "申请退款")
    hooks = app.extensions["kb_init_hooks"]
    assert hooks
    for hook in hooks:
        hook()
    assert slugs("退钱") == ["a1"]  # the built-in lexicon: 退钱 is a caller's word for 退款


def test_search_skips_documents_deleted_in_a_segment_that_was_not_merged(app):
    a = factories.article("a1", "退款", "申请退款")
    factories.article("a2", "退款二", "另一篇退款")
    state = search_state()
    doc = builder(state)(next(sources([a.id])))
    with state.engine.writing() as session:  # a replacement whose old version stays, deleted
        session.replace(dict(doc, body="改写后的正文：原路退回", text="原路退回"))
        session.merge = False
    assert state.engine.snapshot().has_deletions()
    assert slugs("申请") == [] and slugs("原路") == ["a1"]
    assert sorted(slugs("退款")) == ["a2"]


def test_the_index_fingerprint_counts_live_documents_only(app):
    a = factories.article("a1", "退款", "申请退款")
    factories.article("a2", "换货", "换货流程")
    state = search_state()
    with state.engine.writing() as session:  # replace a1 without merging: a deleted copy stays
        session.replace(builder(state)(next(sources([a.id]))))
        session.merge = False
    snapshot = state.engine.snapshot()
    ix_state = snapshot.state()
    assert snapshot.has_deletions()
    assert snapshot.fingerprint() == (2, sum(ix_state.values()))
    assert state.in_sync()


def test_saves_add_small_segments_that_are_merged_once_there_are_many(app):
    for n in range(MAX_SEGMENTS + 3):
        factories.article(f"seg-{n}", f"分段测试{n}", f"第{n}篇 段落合并")
        # merged right after the save that reached the limit
        assert search_state().engine.snapshot().segment_count() < MAX_SEGMENTS
    assert len(slugs("段落合并")) == MAX_SEGMENTS + 3
    assert not check(search_state())


def test_start_up_takes_no_lock_when_nothing_changed(app, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="kb_portal")
    factories.article("steady", "稳定", "无需改动")
    state = search_state()
    asked = []
    real_writing = state.engine.writing
    monkeypatch.setattr(state.engine, "writing",
                        lambda *a, **kw: asked.append(a) or real_writing(*a, **kw))
    with _other_process_engine(app).writing(timeout=1) as held:  # another process writes
        held.discard()
        state.startup()  # in sync: compares fingerprints and returns
    assert asked == []
    assert "skipped" not in caplog.text
    assert slugs("稳定") == ["steady"]


def test_a_save_waits_the_save_timeout_and_a_command_the_lock_timeout(tmp_path, caplog,
                                                                     schema_template):
    """KB_SEARCH_SAVE_TIMEOUT for saves in a request, KB_SEARCH_LOCK_TIMEOUT otherwise."""
    from ..conftest import running_app

    with running_app(tmp_path / "data", schema_template, KB_SEARCH_SAVE_TIMEOUT=0.2,
                     KB_SEARCH_LOCK_TIMEOUT=20) as app:
        state = search_state()
        with _without_index_updates():
            a = factories.article("late", "迟到", "等待写锁")
        holder = _other_process_engine(app)

        def held_for(seconds: float):
            taken = threading.Event()

            def hold():
                with holder.writing() as session:
                    session.discard()
                    taken.set()
                    threading.Event().wait(seconds)

            thread = threading.Thread(target=hold)
            thread.start()
            assert taken.wait(10)
            return thread

        thread = held_for(1.0)
        with app.test_request_context("/"):  # a save in a request: gives up after 0.2 s
            state.after_change([a.id])
        assert "search index busy" in caplog.text
        assert check(state).missing == [a.id]
        thread.join()
        thread = held_for(1.0)
        state.after_change([a.id])  # a command (the importer): waits until the lock is free
        thread.join()
        assert not check(state)


def test_reindex_honours_the_lock_timeout_and_says_who_holds_the_lock(tmp_path, schema_template):
    from ..conftest import running_app

    with running_app(tmp_path / "data", schema_template, KB_SEARCH_LOCK_TIMEOUT=0.3) as app:
        factories.article("a1", "退款", "申请退款")
        with _without_index_updates():
            factories.article("a2", "换货", "换货流程")  # drift for check-index --fix
        taken, release = threading.Event(), threading.Event()

        def hold():
            with _other_process_engine(app).writing() as session:
                session.discard()
                taken.set()
                release.wait(5)

        thread = threading.Thread(target=hold)
        thread.start()
        try:
            assert taken.wait(10)
            result = app.test_cli_runner().invoke(args=["kb", "reindex"])
            fix = app.test_cli_runner().invoke(args=["kb", "check-index", "--fix"])
        finally:
            release.set()
            thread.join()
    for outcome in (result, fix):
        assert not isinstance(outcome.exception, IndexBusyError)
        assert outcome.exit_code == 1 and "is being written by pid" in outcome.output
        assert "Traceback" not in outcome.output


def test_on_servers_a_search_repairs_drift_in_the_background(app):
    with _without_index_updates():
        factories.article("elsewhere", "别处导入", "另一台服务器导入的文章")
    state = search_state()
    state.in_background = True  # as on a server (tests otherwise repair inside the request)
    try:
        state.force_check()
        state.maybe_sync()  # returns at once; a thread reconciles
        for thread in [t for t in threading.enumerate() if t.name == "kb-search-sync"]:
            thread.join(30)
    finally:
        state.in_background = False
    assert not check(state)
    assert slugs("别处导入") == ["elsewhere"]


def test_a_periodic_check_skips_the_full_compare_when_another_worker_caught_up(app):
    factories.article("a1", "退款", "申请退款")
    state = search_state()
    with statements() as seen:
        assert not reconcile(state, when_behind=True)
    # Only the two fingerprints, not every (article, revision) pair.
    assert not any("published_revision_id" in s and "count(" not in s.lower() for s in seen)
    with statements() as seen:
        assert not reconcile(state)  # a full reconcile (start-up, commands) still compares
    assert any("published_revision_id" in s and "count(" not in s.lower() for s in seen)


def test_a_periodic_check_still_repairs_when_the_index_is_behind(app):
    with _without_index_updates():
        factories.article("elsewhere", "别处导入", "另一台服务器导入的文章")
    repaired = reconcile(search_state(), when_behind=True)
    assert repaired.summary() == "1 missing, 0 stale, 0 extra"
    assert slugs("别处导入") == ["elsewhere"]
