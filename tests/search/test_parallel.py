"""Bulk indexing on several processes (search/parallel.py) gives the index one process gives."""
import multiprocessing

import pytest
from whoosh import index as whoosh_index

from kb_portal.search.codec import KbSegmentWriter
from kb_portal.search.index import make_schema
from kb_portal.search.parallel import IndexHelperError, ParallelAdder

from .test_codec import _documents, _dump


def _index(path, docs, procs, build=dict):
    path.mkdir()
    ix = whoosh_index.create_in(str(path), make_schema())
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


def _by_id(path):
    """Documents keyed by their id (document numbers depend on which process indexed what)."""
    ix = whoosh_index.open_dir(str(path))
    with ix.searcher() as searcher:
        postings = {
            (field, text): sorted(
                (searcher.stored_fields(docnum)["slug"], weight)
                for docnum, weight in searcher.reader().postings(field, text).items_as("weight"))
            for field, text in searcher.reader().all_terms()
        }
        stored = sorted(searcher.all_stored_fields(), key=lambda f: f["slug"])
    return postings, stored


def test_two_processes_index_what_one_process_indexes(tmp_path):
    docs = list(_documents(400, seed=5))
    _index(tmp_path / "one", docs, 1)
    ix = _index(tmp_path / "two", docs, 2)
    assert _by_id(tmp_path / "two") == _by_id(tmp_path / "one")
    assert len(ix.reader().leaf_readers()) >= 1
    assert multiprocessing.active_children() == []


def _fails_on_17(doc):
    if doc["id"] == "17":
        raise ValueError("cannot build document 17")
    return doc


def test_a_failing_document_cancels_the_whole_write(tmp_path):
    path = tmp_path / "ix"
    docs = list(_documents(200, seed=9))
    with pytest.raises((ValueError, IndexHelperError)):
        _index(path, docs, 2, build=_fails_on_17)
    assert whoosh_index.open_dir(str(path)).doc_count() == 0
    assert multiprocessing.active_children() == []
    _ = _dump  # the helpers of test_codec are shared
