"""A damaged index segment (issue 11 point 9): 4 KB of random bytes written into a real segment
file is found by ``flask kb check-index`` and at start-up, and repaired; a search that trips
over it never answers 500 — the page and the API say 503 while the index is rebuilt."""
import json
import logging
import random
import threading
from pathlib import Path

import pytest

from kb_portal.kb.signals import article_changed
from kb_portal.search.documents import sources
from kb_portal.search.engine import make_engine
from kb_portal.search.reconcile import builder
from kb_portal.search.state import search_state
from tests import factories

from ..conftest import login, make_app
from .helpers import slugs


def damage(index_dir: str, where: str) -> Path:
    """Overwrite 4 KB of the biggest segment file with random bytes (seeded)."""
    segment = max(Path(index_dir).glob("*.seg"), key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    assert len(data) > 3 * 4096
    start = {"middle": len(data) // 2 - 2048, "end": len(data) - 4096}[where]
    data[start:start + 4096] = random.Random(4).randbytes(4096)
    segment.write_bytes(bytes(data))
    return segment


@pytest.fixture
def indexed(app, runner):
    for n in range(30):
        factories.article(f"art-{n}", f"退款说明第{n}篇", "客户申请退款的流程说明。" * 25,
                          tags=["退款"])
    assert runner.invoke(args=["kb", "reindex"]).exit_code == 0  # one big segment
    return app


def test_check_index_finds_the_damaged_segment_and_fix_rebuilds(indexed, runner):
    segment = damage(indexed.config["KB_INDEX_DIR"], "middle")
    result = runner.invoke(args=["kb", "check-index"])
    assert result.exit_code == 1
    assert f"damaged: segment {segment.stem}" in result.output
    fixed = runner.invoke(args=["kb", "check-index", "--fix"])
    assert fixed.exit_code == 0 and "rebuilt: 30 published articles indexed" in fixed.output
    assert not segment.exists()
    assert runner.invoke(args=["kb", "check-index"]).exit_code == 0
    assert len(slugs("退款")) == 30


def test_start_up_finds_the_damaged_segment_and_rebuilds(indexed, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="kb_portal")
    segment = damage(indexed.config["KB_INDEX_DIR"], "middle")
    again = make_app(tmp_path / "data")
    with again.app_context():
        assert f"is damaged, rebuilding it: segment {segment.stem}" in caplog.text
        assert search_state().engine.verify(full=True) == []
        assert len(slugs("退款")) == 30


def test_a_search_on_a_damaged_index_answers_503_then_results(indexed, users):
    state = search_state()
    client = indexed.test_client()
    assert login(client, users["agent"].username).status_code == 302
    assert client.get("/search?q=退款").status_code == 200  # this worker has a searcher
    with article_changed.muted():
        fresh = factories.article("fresh", "新文章", "别的内容")
    other = make_engine(state.settings.engine, state.settings.index_dir, state.analyzer)
    other.open()  # another worker, running since before the damage
    damage(indexed.config["KB_INDEX_DIR"], "end")
    # ... saves a new article: a new generation, which this worker must open
    with other.writing() as session:
        session.add(builder(state)(next(sources([fresh.id]))))
        session.merge = False
    state.in_background = True  # as on a server: the rebuild runs in a thread
    try:
        page = client.get("/search?q=退款")
        api = client.get("/api/v1/search?q=退款")
        for thread in [t for t in threading.enumerate() if t.name == "kb-search-repair"]:
            thread.join(60)
    finally:
        state.in_background = False
    assert page.status_code == 503 and page.headers["Retry-After"]
    assert "Search is being repaired" in page.get_data(as_text=True)
    assert api.status_code in (503, 200)  # 200 when the rebuild was already done
    if api.status_code == 503:
        assert api.get_json()["error"]["status"] == 503
    after = client.get("/api/v1/search?q=退款&limit=50")
    assert after.status_code == 200 and after.get_json()["total"] == 30
    assert client.get("/search?q=新文章").status_code == 200
    assert state.engine.verify(full=True) == []


def test_in_a_command_or_test_the_repair_happens_before_the_answer(indexed):
    state = search_state()
    assert len(slugs("退款")) == 30
    with article_changed.muted():
        fresh = factories.article("fresh", "新文章", "别的内容")
    other = make_engine(state.settings.engine, state.settings.index_dir, state.analyzer)
    damage(indexed.config["KB_INDEX_DIR"], "end")
    with other.writing() as session:  # a process started after the damage writes
        session.add(builder(state)(next(sources([fresh.id]))))
        session.merge = False
    assert len(slugs("退款")) == 30  # rebuilt inline, then answered


def test_a_save_that_finds_a_damaged_segment_rebuilds_and_indexes_the_change(indexed):
    damage(indexed.config["KB_INDEX_DIR"], "end")
    factories.article("fresh", "新文章", "别的内容")  # a command's save: repaired right away
    assert slugs("新文章") == ["fresh"] and len(slugs("退款")) == 30
    assert search_state().engine.verify(full=True) == []


def test_every_commit_records_checksums_and_start_up_compares_them(indexed):
    """Start-up compares checksums (fast) instead of decoding every segment: each commit
    records its new segments' digests, and a changed byte is a mismatch."""
    engine = search_state().engine
    checksums = Path(indexed.config["KB_INDEX_DIR"]) / "kb_segments.json"
    before = json.loads(checksums.read_text())
    assert len(before) == engine.snapshot().segment_count() == 1
    factories.article("fresh", "新文章", "别的内容")  # a save: a small new segment
    after = json.loads(checksums.read_text())
    assert len(after) == engine.snapshot(live=True).segment_count() == 2
    assert set(before) < set(after)
    segment = damage(indexed.config["KB_INDEX_DIR"], "middle")
    problems = engine.verify()
    assert [p.segment for p in problems] == [segment.stem]
    assert "checksum mismatch" in problems[0].reason
