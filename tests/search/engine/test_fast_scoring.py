"""The fast engine's term scores: read once per snapshot, read-only, bounded, never stale."""
import pytest

from kb_portal.search.engine.combine import BoundedCache
from kb_portal.search.engine.fast.scoring import Scorer

from .conftest import fill, new_engine, source

DOCS = [source(1, "refund", "退款政策", "客户申请退款后原路退回。", "policy"),
        source(2, "callback", "投诉回访", "回访时说明退款进度。", "sop"),
        source(3, "codes", "YF-S2 error codes", "E-102 means the brush is stuck.", "product")]


@pytest.fixture
def fast(tmp_path, analyzer, build):
    engine = new_engine("fast", tmp_path / "ix", analyzer)
    fill(engine, build, DOCS)
    return engine


def test_a_terms_scores_are_read_once_per_snapshot_and_cannot_be_changed(fast):
    scorer = fast.snapshot().memo("scorer", Scorer)
    first = scorer.term("text", "退款")
    assert len(first) == 2 and scorer.term("text", "退款") is first  # not read again
    with pytest.raises(TypeError):
        first[0] = 99.0  # a search that changed it would change the next one's ranking


def test_a_new_generation_reads_the_terms_again(fast, build):
    before = fast.snapshot()
    assert len(before.memo("scorer", Scorer).term("text", "退款")) == 2
    with fast.writing() as session:
        session.delete(2)
        session.merge = False
    after = fast.snapshot()
    assert set(after.memo("scorer", Scorer).term("text", "退款")) == {after.ref_of(1)}
    assert len(before.memo("scorer", Scorer).term("text", "退款")) == 2  # an open search's view


def test_the_cache_is_bounded_by_the_weight_of_what_it_keeps():
    cache = BoundedCache(10, weigh=len)
    for key in "abc":
        cache.put(key, [0] * 4)
    assert cache.get("a") is None and cache.get("b") and cache.get("c")
    cache.put("big", [0] * 11)  # heavier than the whole cache: not kept
    assert cache.get("big") is None and len(cache) == 0
    counted = BoundedCache(2)
    for key in "abc":
        counted.put(key, key)
    assert len(counted) == 2 and counted.get("a") is None


def test_deleted_copies_are_left_out_in_every_segment(fast, build):
    for text in ("客户退款一次。", "客户再次退款。"):  # two saves: old copies stay, marked deleted
        with fast.writing() as session:
            session.replace(build(source(2, "callback", "投诉回访", text, "sop")))
            session.merge = False
    with fast.writing() as session:
        session.delete(1)
        session.merge = False
    snapshot = fast.snapshot()
    assert snapshot.segment_count() == 3 and snapshot.has_deletions()
    scores = snapshot.memo("scorer", Scorer).term("text", "退款")
    assert set(scores) == {snapshot.ref_of(2)}  # the live copy only, from the last segment
