"""Index files are read through memory maps without copying them (engine/storage.py)."""
import gc
import io
import os
import random
import shutil
import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.query import Term

from kb_portal.search.engine import storage

WORDS = [f"w{n}" for n in range(3000)]


def _schema():
    return Schema(id=ID(stored=True, unique=True), body=TEXT(stored=True))


def _build(path, count=3000, seed=3):
    """An index of one compound segment of a few megabytes."""
    path.mkdir()
    rng = random.Random(seed)
    ix = storage.create_index(path, _schema())
    with ix.writer() as writer:
        for n in range(count):
            writer.add_document(id=str(n), body=" ".join(rng.choices(WORDS, k=120)))
    return sum(f.stat().st_size for f in path.glob("*.seg"))


def _read(ix) -> tuple:
    with ix.searcher() as searcher:
        hits = [(hit["id"], round(hit.score, 6)) for hit in
                searcher.search(Term("body", "w7"), limit=20)]
        stored = [searcher.stored_fields(n) for n in range(0, 3000, 97)]
        lengths = [searcher.reader().doc_field_length(n, "body") for n in range(0, 3000, 97)]
        frequencies = [searcher.doc_frequency("body", word) for word in WORDS[:50]]
    return hits, stored, lengths, frequencies


def test_reading_an_index_does_not_copy_its_files(tmp_path):
    size = _build(tmp_path / "ix")
    assert size > 1_000_000
    tracemalloc.start()
    try:
        _read(storage.open_index(tmp_path / "ix", _schema()))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Whoosh's own storage copies every part it opens (the whole segment, here): its peak
    # is above the segment's size. Ours holds what one search needs.
    assert peak < size / 4, (peak, size)


def test_it_reads_what_whoosh_reads(tmp_path):
    _build(tmp_path / "ix")
    ours = _read(storage.open_index(tmp_path / "ix", _schema()))
    stock = _read(whoosh_index.open_dir(str(tmp_path / "ix"), schema=_schema()))
    assert ours == stock
    assert ours[0] and ours[1][0]["body"]


def test_an_open_searcher_keeps_answering_after_its_files_are_deleted(tmp_path):
    _build(tmp_path / "ix", count=300)
    ix = storage.open_index(tmp_path / "ix", _schema())
    with ix.searcher() as searcher:
        before = [hit["id"] for hit in searcher.search(Term("body", "w7"), limit=5)]
        shutil.rmtree(tmp_path / "ix")
        after = [hit["id"] for hit in searcher.search(Term("body", "w7"), limit=5)]
        assert after == before and before


def _open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_searchers_let_go_of_their_files_when_dropped(tmp_path):
    _build(tmp_path / "ix", count=300)
    ix = storage.open_index(tmp_path / "ix", _schema())
    ix.searcher().close()
    gc.collect()
    before = _open_files()
    for _ in range(50):
        searcher = ix.searcher()
        searcher.search(Term("body", "w7"))
        del searcher
    gc.collect()
    assert _open_files() <= before + 2


def test_an_empty_index_opens(tmp_path):
    (tmp_path / "ix").mkdir()
    storage.create_index(tmp_path / "ix", _schema())
    with storage.open_index(tmp_path / "ix", _schema()).searcher() as searcher:
        assert searcher.doc_count_all() == 0


_operations = st.lists(st.one_of(
    st.tuples(st.just("read"), st.integers(-1, 40)),
    st.tuples(st.just("readline"), st.integers(-1, 40)),
    st.tuples(st.just("readinto"), st.integers(0, 40)),
    st.tuples(st.just("seek"), st.integers(0, 80), st.sampled_from([0, 1, 2])),
    st.tuples(st.just("tell"),),
), max_size=30)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=60), before=st.binary(max_size=10),
       after=st.binary(max_size=10), operations=_operations)
def test_a_window_reads_like_a_file_of_its_bytes(tmp_path_factory, data, before, after,
                                                 operations):
    """A window onto part of a map behaves as io.BytesIO over just that part."""
    path = tmp_path_factory.mktemp("w") / "file"
    path.write_bytes(before + data + after + b"!")
    folder = storage.MappedStorage(path.parent)
    window = folder.open_file("file").subset(len(before), len(data)).file
    expected = io.BytesIO(data)
    for name, *args in operations:
        if name == "seek":
            offset, whence = args
            offset = offset if whence == 0 else -offset if whence == 2 else offset - 10
            if whence == 1 and expected.tell() + offset < 0:
                continue  # BytesIO refuses to seek before the start
            assert window.seek(offset, whence) == expected.seek(offset, whence)
        elif name == "readinto":
            mine, theirs = bytearray(args[0]), bytearray(args[0])
            assert window.readinto(mine) == expected.readinto(theirs)
            assert mine == theirs
        else:
            assert getattr(window, name)(*args) == getattr(expected, name)(*args)
    assert window.peek(5)[:5] == expected.getvalue()[expected.tell():expected.tell() + 5]
