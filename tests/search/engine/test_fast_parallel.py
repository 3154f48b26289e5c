"""Bulk indexing on several processes (engine/fast/parallel.py) gives the index one process
gives."""
import multiprocessing

import pytest
from whoosh import index as whoosh_index

from kb_portal.search.engine.fast.codec import KbSegmentWriter
from kb_portal.search.engine.fast.fields import MatchText, WordList
from kb_portal.search.engine.fast.parallel import IndexHelperError, ParallelAdder
from kb_portal.search.engine.schema import make_schema

from .test_fast_codec import _documents


@pytest.fixture(scope="module")
def schema(analyzer):
    return make_schema(analyzer, MatchText, WordList)


def _index(path, schema, docs, procs, build=dict):
    path.mkdir()
    ix = whoosh_index.create_in(str(path), schema)
    writer = KbSegmentWriter(ix)
    try:
        with ParallelAdder(writer, procs, build) as adder:
            for doc in docs:
                adder.add(doc)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return ix


def _by_id(path, schema):
    """Documents keyed by their id (document numbers depend on which process indexed what)."""
    ix = whoosh_index.open_dir(str(path), schema=schema)
    with ix.searcher() as searcher:
        postings = {
            (field, text): sorted(
                (searcher.stored_fields(docnum)["slug"], weight)
                for docnum, weight in searcher.reader().postings(field, text).items_as("weight"))
            for field, text in searcher.reader().all_terms()
        }
        stored = sorted(searcher.all_stored_fields(), key=lambda f: f["slug"])
    return postings, stored


def test_two_processes_index_what_one_process_indexes(tmp_path, schema):
    docs = list(_documents(400, seed=5))
    _index(tmp_path / "one", schema, docs, 1)
    ix = _index(tmp_path / "two", schema, docs, 2)
    assert _by_id(tmp_path / "two", schema) == _by_id(tmp_path / "one", schema)
    assert len(ix.reader().leaf_readers()) >= 1
    assert multiprocessing.active_children() == []


def _fails_on_17(doc):
    if doc["id"] == "17":
        raise ValueError("cannot build document 17")
    return doc


def test_a_failing_document_cancels_the_whole_write(tmp_path, schema):
    path = tmp_path / "ix"
    docs = list(_documents(200, seed=9))
    with pytest.raises((ValueError, IndexHelperError)):
        _index(path, schema, docs, 2, build=_fails_on_17)
    assert whoosh_index.open_dir(str(path), schema=schema).doc_count() == 0
    assert multiprocessing.active_children() == []


EXIT_MID_WRITE = '''
import sys, threading, time
from kb_portal.search.analysis import Analyzer
from kb_portal.search.engine import make_engine

def slow(doc):
    time.sleep(0.05)  # the helpers fall behind: batches wait in the pipe to them
    return doc

def docs():
    for n in range(100000):
        yield {"id": str(n), "slug": f"a{n}", "title": "退款", "body": "退款流程 " * 2000,
               "rev": n}

engine = make_engine("fast", sys.argv[1], Analyzer(), procs=2)
engine.open()

def write():
    with engine.writing() as session:
        session.add_many(docs(), slow, 100000)

threading.Thread(target=write, daemon=True).start()
time.sleep(3)  # mid-write: helpers busy, the job queue full
'''


def test_a_process_ending_mid_write_exits_and_leaves_a_usable_index(tmp_path, analyzer):
    """A server's start-up reconcile writes from a daemon thread; when the process ends
    mid-write (a command, a script, a worker told to stop), multiprocessing ends the helpers
    and then waited for ever for the job queue's feeder thread. The process must end, and the
    next writer must find the index usable (the dead writer's lock broken, nothing committed)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from kb_portal.search.engine import make_engine

    root = Path(__file__).resolve().parents[3]
    path = tmp_path / "ix"
    done = subprocess.run([sys.executable, "-c", EXIT_MID_WRITE, str(path)], cwd=root,
                          env={**os.environ, "PYTHONPATH": str(root)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    engine = make_engine("fast", path, analyzer, lock_timeout=10)
    engine.open()
    assert engine.verify() == []
    with engine.writing() as session:
        session.add({"id": "1", "slug": "after", "title": "退款", "body": "退款流程", "rev": 1})
    assert engine.snapshot().doc_count() == 1
