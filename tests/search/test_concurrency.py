"""Two processes writing the index at once lose nothing (the Whoosh lock plus retry)."""
import multiprocessing

from kb_portal.search.documents import sources
from kb_portal.search.engine import make_engine
from kb_portal.search.reconcile import builder
from kb_portal.search.state import search_state
from tests import factories

from .helpers import slugs


def _writer(kind: str, index_dir: str, analyzer, start: int, count: int, doc: dict) -> None:
    # A separate process: its own engine, its own file handles, the same directory.
    engine = make_engine(kind, index_dir, analyzer, lock_timeout=60)
    for n in range(start, start + count):
        with engine.writing() as session:
            session.replace(dict(doc, id=str(100000 + n), slug=f"w{n}", title=f"并发 {n}"))


def _fork(state, start: int, count: int, doc: dict):
    ctx = multiprocessing.get_context("fork")
    return ctx.Process(target=_writer, args=(state.settings.engine, state.settings.index_dir,
                                             state.analyzer, start, count, doc))


def _seed() -> dict:
    a = factories.article("seed", "种子", "并发写入测试正文")
    return builder(search_state())(next(sources([a.id])))


def test_two_processes_writing_concurrently_lose_nothing(app):
    base = _seed()
    procs = [_fork(search_state(), start, 15, base) for start in (0, 15)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    found = {fields["slug"] for fields in search_state().engine.snapshot().all_stored()}
    assert {f"w{n}" for n in range(30)} <= found


def test_a_searcher_sees_another_processes_write(app):
    base = _seed()
    assert slugs("种子") == ["seed"]
    engine = search_state().engine
    before = engine.snapshot()
    assert engine.snapshot() is before  # nothing changed: the open searcher is kept
    p = _fork(search_state(), 0, 1, base)
    p.start()
    p.join(60)
    assert p.exitcode == 0
    after = engine.snapshot()  # the other process committed: a new searcher
    assert after is not before and 100000 in after.state()
    assert 100000 not in before.state()  # the old generation stays as it was


def test_threads_of_one_process_each_read_through_their_own_searcher(app):
    """Whoosh's segment readers share one file object per file: threads sharing a searcher
    read each other's bytes (gthread workers answered 500 with "Block tag error" under load,
    bench/RESULTS.md). Each thread gets its own snapshot, and concurrent searches all answer."""
    import sys
    import threading

    from kb_portal.search.services import SearchParams, search

    for n in range(30):
        factories.article(f"t{n}", f"退款 发票 {n}", "退款 发票 投诉 " * 200, tags=["退款"])
    seen, errors = [], []

    def work():
        with app.app_context():
            seen.append(search_state().engine.snapshot())
            for q in ("退款", "发票 投诉", "退款 发票", "投诉") * 6:
                try:
                    assert search(SearchParams(q=q)).total == 30
                except Exception as exc:  # collected and reported below
                    errors.append(repr(exc))

    # Threads switch far more often than a loaded server's do: few searches suffice.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert errors == []
    assert len({id(s) for s in seen}) == 4
