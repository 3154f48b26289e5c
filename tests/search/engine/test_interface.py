"""The engine interface, the same tests for both engines (``engine`` is parametrised)."""
import os
import sys
import threading

import pytest

from kb_portal.search.engine import IndexBusyError, Match, QueryPlan, make_engine

from .conftest import fill, source

DOCS = [
    source(1, "refund", "退款政策", "客户申请退款后 3 个工作日内原路退回。", "policy", ["退款"]),
    source(2, "returns-en", "Returns guide", "Customers returning goods get refunds.", "sop",
           ["returns"], "en"),
    source(3, "codes", "YF-S2 error codes", "E-102 means the roller brush is stuck.",
           "product", ["YF-S2"], "en"),
    source(4, "callback", "投诉回访规范", "处理完毕后 48 小时内完成回访，退款另行处理。", "sop",
           ["投诉"]),
]


def plan(*words: str, phrase=(), spread=False) -> QueryPlan:
    return QueryPlan([[(1.0, [Match((w,))])] for w in words], [], list(phrase),
                     spread=spread)


def slugs(snapshot, result) -> list[str]:
    return [snapshot.stored(ref)["slug"] for _score, ref in result[1]]


@pytest.fixture
def filled(engine, build):
    with engine.writing() as session:
        for doc in DOCS:
            session.add(build(doc))
    return engine


def test_an_empty_index_has_nothing(engine):
    snapshot = engine.snapshot()
    assert snapshot.doc_count() == 0 and snapshot.state() == {}
    assert snapshot.fingerprint() == (0, 0)
    assert snapshot.run(plan("退款")) == (0, [])


def test_state_and_fingerprint_follow_adds_replaces_and_deletes(filled, build):
    snapshot = filled.snapshot()
    assert snapshot.state() == {1: 1001, 2: 1002, 3: 1003, 4: 1004}
    assert snapshot.state([2, 9]) == {2: 1002}
    assert snapshot.fingerprint() == (4, 4010)
    with filled.writing() as session:
        session.replace(build(source(1, "refund", "退款政策", "改写：原路退回", rev=2001)))
        session.delete(3)
        session.merge = False  # a save: the old copy stays in its segment, marked deleted
    snapshot = filled.snapshot()
    assert snapshot.has_deletions()
    assert snapshot.state() == {1: 2001, 2: 1002, 4: 1004}
    assert snapshot.fingerprint() == (3, 2001 + 1002 + 1004)
    assert slugs(snapshot, snapshot.run(plan("申请"))) == []
    assert slugs(snapshot, snapshot.run(plan("原路"))) == ["refund"]


def test_a_discarded_session_keeps_the_generation(filled, build):
    before = filled.snapshot()
    with filled.writing() as session:
        assert session.state([1]) == {1: 1001}
        session.discard()
    assert filled.snapshot() is before


def test_a_failing_session_changes_nothing(filled, build):
    with pytest.raises(ZeroDivisionError), filled.writing() as session:
        session.delete(1)
        raise ZeroDivisionError
    assert filled.snapshot().state()[1] == 1001


def test_clear_keeps_only_what_the_session_added(filled, build):
    with filled.writing(clear=True) as session:
        session.add_many(iter(DOCS[:2]), build, 2)
    assert filled.snapshot().state() == {1: 1001, 2: 1002}


def test_run_ranks_filters_sorts_and_cuts(filled):
    snapshot = filled.snapshot()
    total, best = snapshot.run(plan("退款"))
    assert total == 2 and slugs(snapshot, (total, best)) == ["refund", "callback"]
    assert best[0][0] > best[1][0] > 0
    assert slugs(snapshot, snapshot.run(plan("退款"), {"category": "sop"})) == ["callback"]
    assert slugs(snapshot, snapshot.run(plan("退款"), {"tag": "投诉"})) == ["callback"]
    assert snapshot.run(plan("退款"), {"language": "en"}) == (0, [])
    assert slugs(snapshot, snapshot.run(plan("退款"), sort="updated")) == ["callback", "refund"]
    total, best = snapshot.run(plan("退款"), top=1)
    assert total == 2 and len(best) == 1


def test_units_combine_and_ish_with_codes_synonyms_and_phrases(filled):
    snapshot = filled.snapshot()
    code = QueryPlan([[(1.0, [Match(("e", "102"), "e102")])]])
    assert slugs(snapshot, snapshot.run(code)) == ["codes"]
    either = QueryPlan([[(1.0, [Match(("refund",))]), (0.8, {"退款"})]])
    assert set(slugs(snapshot, snapshot.run(either))) == {"refund", "returns-en", "callback"}
    two = snapshot.run(plan("退款", "投诉"))
    assert slugs(snapshot, two)[0] == "callback" and two[0] == 2  # one of two may be missing
    three = snapshot.run(plan("退款", "投诉", "原路"))
    assert three[0] == 2 and set(slugs(snapshot, three)) == {"callback", "refund"}
    assert snapshot.run(plan("roller", "brush", phrase=["roller", "brush"]))[0] == 1


def test_a_long_query_spread_over_articles_answers_with_the_best_covered(filled):
    snapshot = filled.snapshot()
    # Each word in a different document, none with two of the three: not an empty page.
    found = snapshot.run(plan("原路", "投诉", "roller", spread=True))
    assert found[0] == 3 and set(slugs(snapshot, found)) == {"refund", "callback", "codes"}
    assert slugs(snapshot, snapshot.run(plan("原路", "投诉", "roller", spread=True),
                                        {"category": "sop"})) == ["callback"]
    # Where some document has all but one, documents with fewer still do not answer.
    assert snapshot.run(plan("退款", "原路", "roller", spread=True))[0] == 1
    assert snapshot.run(plan("原路", "投诉", "roller", spread=True),
                        {"language": "xx"}) == (0, [])
    # Without ``spread`` (last-resort fragments) all but one are still needed.
    assert snapshot.run(plan("原路", "投诉", "roller")) == (0, [])


def test_a_unit_scores_its_best_alternative_plus_a_fifth_of_the_others(filled):
    snapshot = filled.snapshot()
    ref = snapshot.ref_of(4)  # callback: 退款 and 投诉 both occur
    alone = snapshot.alternatives([(1.0, {"退款"})], "text")[ref]
    other = snapshot.alternatives([(0.5, {"投诉"})], "text")[ref]
    both = snapshot.alternatives([(1.0, {"退款"}), (0.5, {"投诉"})], "text")[ref]
    assert both == pytest.approx(max(alone, other) + 0.2 * min(alone, other))
    summed = snapshot.alternatives([(1.0, {"退款", "投诉"})], "text")[ref]  # one alternative
    assert summed == pytest.approx(alone + 2 * other)


def test_the_boost_multiplies_matched_documents_only(filled):
    snapshot = filled.snapshot()
    plain = {ref: score for score, ref in snapshot.run(plan("退款"))[1]}
    boosted = plan("退款")
    boosted.boost = {4: 1.2, 3: 1.2}  # callback matches; codes does not
    total, best = snapshot.run(boosted)
    assert total == 2 and snapshot.ref_of(3) not in {ref for _s, ref in best}
    callback = snapshot.ref_of(4)
    assert {ref: s for s, ref in best}[callback] == pytest.approx(1.2 * plain[callback])
    assert snapshot.ref_of(99) is None


def test_the_title_bonus_goes_to_documents_with_every_unit(filled):
    snapshot = filled.snapshot()
    # 退款 is in refund's title, but only callback has 投诉 too: no title bonus for refund
    total, best = snapshot.run(plan("退款", "投诉"))
    scores = {snapshot.stored(ref)["slug"]: s for s, ref in best}
    body_only = QueryPlan([[(1.0, [Match(("退款",))])], [(1.0, [Match(("投诉",))])]])
    assert scores["callback"] > scores["refund"] and total == 2
    assert snapshot.run(body_only)[0] == 2


def test_stored_fields_are_the_snippets_source(filled):
    snapshot = filled.snapshot()
    ref = snapshot.run(plan("退款"))[1][0][1]
    fields = snapshot.stored(ref)
    assert fields["title"] == "退款政策" and "原路退回" in fields["body"]
    assert len(fields["folded"]) == len(fields["body"])
    assert {f["slug"] for f in snapshot.all_stored()} == {d.slug for d in DOCS}


def test_vocabulary_look_ups(filled):
    snapshot = filled.snapshot()
    assert snapshot.doc_frequency("text", "退款") == 2
    assert snapshot.prefix_terms("words", "ret", 8, 400) == ["returning", "returns"]
    assert "refunds" in snapshot.near_terms("words", "refunds", 1)
    assert "refunds" in snapshot.near_terms("words", "refunts", 1)
    assert snapshot.prefix_terms("text", "退", 8, 400)[0] == "退款"
    titled = [snapshot.stored(ref)["slug"] for ref in snapshot.refs_with("title", "退款")]
    assert titled == ["refund"] and snapshot.refs_with("title", "nowhere") == []


def test_refs_with_come_in_article_order_whatever_the_segments(engine, build):
    """Refs follow the segment layout; what the product takes the first few of must not."""
    with engine.writing() as session:
        for n in (7, 5):
            session.add(build(source(n, f"a{n}", f"回充故障{n}", "正文")))
    with engine.writing() as session:
        session.add(build(source(6, "a6", "回充故障6", "正文")))
        session.merge = False
    snapshot = engine.snapshot()
    assert snapshot.segment_count() == 2
    assert [snapshot.stored(ref)["slug"] for ref in snapshot.refs_with("title", "回充")] == \
        ["a5", "a6", "a7"]


def test_small_segments_are_merged(filled, build):
    for n in range(12):
        with filled.writing() as session:
            session.add(build(source(10 + n, f"s{n}", f"分段{n}", "正文")))
            session.merge = False
    before = filled.snapshot().segment_count()
    assert before == 13
    filled.merge_small_segments()
    assert filled.snapshot().segment_count() < before and filled.snapshot().doc_count() == 16


def test_a_lock_held_by_a_live_writer_is_waited_for_then_named(filled, analyzer):
    other = make_engine(filled.name, filled.path, analyzer)
    with filled.writing() as held:
        held.discard()
        with pytest.raises(IndexBusyError) as caught, other.writing(timeout=0.3):
            pass
        assert f"pid {os.getpid()}" in str(caught.value)
    got = threading.Event()

    def later():
        with other.writing(timeout=5) as session:
            session.discard()
            got.set()

    with filled.writing() as held:
        held.discard()
        thread = threading.Thread(target=later)
        thread.start()
    thread.join(10)
    assert got.is_set()  # taken once the first writer let go


def test_untagged_documents_beside_tagged_ones_score_in_the_tags_field(engine, build):
    """Whoosh reports a stored zero length as None (an untagged article in a segment with
    tagged ones); the tags bonus must read it as 0."""
    with engine.writing(clear=True) as session:
        session.add_many(iter([source(1, "plain", "退款", "申请退款"),
                               source(2, "tagged", "发票抬头", "重开", tags=["发票"])]),
                         build, 2)
    snapshot = engine.snapshot()
    assert slugs(snapshot, snapshot.run(plan("发票"))) == ["tagged"]
    assert slugs(snapshot, snapshot.run(plan("退款"))) == ["plain"]


def test_threads_reading_at_once_each_get_correct_answers(engine, build, corpus_sources):
    """A threaded server's requests search at the same moment: Whoosh's readers keep a file
    position per open file, so each thread must read through a searcher of its own."""
    fill(engine, build, corpus_sources)
    words = ["客户", "退款", "投诉", "工单", "处理", "服务", "custom", "call"]
    expected = {}
    for word in words:
        snapshot = engine.snapshot()
        expected[word] = [(snapshot.stored(ref)["slug"], round(score, 6))
                          for score, ref in snapshot.run(plan(word), top=40)[1]]
    errors, wrong = [], []

    def worker(n: int):
        try:
            for i in range(12):
                word = words[(n + i) % len(words)]
                snapshot = engine.snapshot()
                got = [(snapshot.stored(ref)["slug"], round(score, 6))
                       for score, ref in snapshot.run(plan(word), top=40)[1]]
                if got != expected[word]:
                    wrong.append(word)
        except Exception as exc:  # what a 500 would have been
            errors.append(repr(exc))

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as a loaded server does, and more
    try:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
    finally:
        sys.setswitchinterval(switch)
    assert errors == [] and wrong == []
    assert all(expected.values())


def test_warming_a_snapshot_changes_no_result(filled):
    """A server warms each worker's snapshot at start (``SearchState.warm``); the ranking
    must be the one an unwarmed snapshot gives."""
    cold = filled.snapshot()
    expected = cold.run(plan("退款"), top=10)
    cold.forget("scorer")
    cold.warm()
    assert cold.run(plan("退款"), top=10) == expected


def test_articles_about_the_named_product_share_its_score_and_the_rest_decides(engine, build):
    with engine.writing() as session:
        overview = "净水器外观。净水器参数。净水器安装。净水器保养。净水器漏水请报修。"
        session.add(build(source(11, "overview", "净水器产品介绍", overview, "product",
                                 ["净水器"])))
        session.add(build(source(12, "leaks", "CJ-W5 常见问题",
                                 "底座漏水：检查接头。", "product",
                                 ["CJ-W5"])))
        session.add(build(source(13, "mention", "上门维修规范", "净水器漏水时安排上门。", "sop",
                                 ["维修"])))
        for doc in DOCS:  # other subjects: the two words are rare, as in a real base
            session.add(build(doc))
    snapshot = engine.snapshot()
    product = [(1.0, [Match(("净水器",))]), (0.5, {"cjw5"})]
    units = [product, [(1.0, [Match(("漏水",))])]]
    # Said five times and in the title, the product wins the overview the first place...
    assert slugs(snapshot, snapshot.run(QueryPlan(units)))[0] == "overview"
    # ...unless it only sets the context: then the leak article answers; an article that
    # merely mentions the product keeps its body score and stays below both.
    settled = slugs(snapshot, snapshot.run(QueryPlan(units, context=frozenset({0}))))
    assert settled == ["leaks", "overview", "mention"]
    # When no article has both, the product is not settled: the titles decide as before.
    other = [product, [(1.0, [Match(("退款",))])]]
    assert (slugs(snapshot, snapshot.run(QueryPlan(other, context=frozenset({0}))))
            == slugs(snapshot, snapshot.run(QueryPlan(other))))


def test_with_three_units_the_title_bonus_goes_to_every_full_answer(engine, build):
    with engine.writing() as session:
        session.add(build(source(21, "answer", "退款到账", "退款三个工作日到账。退款原路返回。",
                                 "policy", ["退款"])))
        session.add(build(source(22, "other", "其他事项", "退款和到账情况另行说明。说明见附件。",
                                 "sop")))
        for doc in DOCS:
            session.add(build(doc))
    snapshot = engine.snapshot()
    # Only "other" has the generic third word; "answer" misses it but is titled with the
    # question: both are full answers (all but one of three units), both get the bonus.
    assert slugs(snapshot, snapshot.run(plan("退款", "到账", "说明")))[:2] == ["answer", "other"]
