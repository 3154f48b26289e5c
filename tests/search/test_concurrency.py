"""Two processes writing the index at once lose nothing (the Whoosh lock plus retry)."""
import multiprocessing

from kb_portal.search.index import get_index
from kb_portal.search.reconcile import documents
from kb_portal.search.runtime import runtime
from tests import factories

from .helpers import slugs


def _writer(index_dir: str, start: int, count: int, docs: list) -> None:
    # A separate process: its own SearchIndex, its own file handles, the same directory.
    index = get_index(index_dir, lock_timeout=60)
    for n in range(start, start + count):
        doc = dict(docs[n % len(docs)], id=str(100000 + n), slug=f"w{n}", title=f"并发 {n}")
        with index.writer(timeout=60) as writer:
            writer.update_document(**doc)


def test_two_processes_writing_concurrently_lose_nothing(app):
    a = factories.article("seed", "种子", "并发写入测试正文")
    base = next(documents([a.id]))
    index_dir = app.config["KB_INDEX_DIR"]
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(index_dir, start, 15, [base]))
             for start in (0, 15)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    searcher = runtime().index.searcher()
    found = {fields["slug"] for fields in searcher.all_stored_fields()}
    assert {f"w{n}" for n in range(30)} <= found


def test_a_searcher_sees_another_processes_write(app):
    a = factories.article("seed", "种子", "并发写入测试正文")
    assert slugs("种子") == ["seed"]
    base = next(documents([a.id]))
    ctx = multiprocessing.get_context("fork")
    p = ctx.Process(target=_writer, args=(app.config["KB_INDEX_DIR"], 0, 1, [base]))
    p.start()
    p.join(60)
    searcher = runtime().index.searcher()
    assert "w0" in {fields["slug"] for fields in searcher.all_stored_fields()}


def test_threads_of_one_process_each_read_through_their_own_searcher(app):
    """Whoosh's segment readers share one file object per file: threads sharing a searcher
    read each other's bytes (gthread workers answered 500 with "Block tag error" under load,
    bench/RESULTS.md). Each thread gets its own searcher, and concurrent searches all answer."""
    import threading

    from kb_portal.search.services import SearchParams, search

    for n in range(30):
        factories.article(f"t{n}", f"退款 发票 {n}", "退款 发票 投诉 " * 200, tags=["退款"])
    seen, errors = [], []

    def work():
        with app.app_context():
            seen.append(runtime().index.searcher())
            for q in ("退款", "发票 投诉", "退款 发票", "投诉") * 25:
                try:
                    assert search(SearchParams(q=q)).total == 30
                except Exception as exc:  # collected and reported below
                    errors.append(repr(exc))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len({id(s) for s in seen}) == 4
