"""Never empty while an answer exists: each fallback level, spoken-question wrappers,
cross-language through the lexicon, code tolerance and "did you mean"."""
import pytest

from kb_portal.search import fallback, feedback
from kb_portal.search.query import build
from kb_portal.search.state import search_state
from tests import factories

from .helpers import run, slugs


@pytest.fixture
def corpus(app):
    factories.article("invoice", "发票抬头修改", "发票抬头写错时可以申请重开发票。",
                      category="policy")
    factories.article("refund", "退款到账时限", "退款在仓库收货后三个工作日内原路退回。",
                      category="policy")
    factories.article("faults", "YF-S2 故障代码",
                      "E-108 充电异常：擦拭充电触片。E-109 主电机故障。", category="product",
                      tags=["YF-S2"])
    factories.article("overview", "YF-S2 扫地机器人介绍", "扫地机器人的价格与参数。",
                      category="product", tags=["YF-S2", "扫地机器人"])
    factories.article("filters", "CJ-W5 filter guide", "Replace the CJ-W5 filter every year.",
                      category="product", language="en")
    factories.article("recall", "Heater recall", "Some heaters are recalled: check the batch.",
                      category="product", language="en")
    factories.article("hotline", "台湾客服专线", "台湾客服专线 0800-021-688 每日服务。")


def test_a_word_the_index_never_saw_falls_back_to_its_sub_words(corpus):
    # jieba keeps 开发票 as one word; the articles only have 发票 and 开
    built = build("开发票抬头写错了能改吗", search_state().analyzer)
    assert built.units  # builds without an index
    assert slugs("开发票抬头写错了能改吗")[:1] == ["invoice"]


def test_then_to_homophones_of_a_mistyped_character(corpus):
    assert "退宽" not in fallback.subwords("退宽", search_state().analyzer.jieba.FREQ)
    assert slugs("退宽")[:1] == ["refund"]  # 宽 for 款: same pinyin


def test_then_to_character_pairs(corpus):
    # no dictionary word inside, no homophone: the pairs 抬头/头修 that occur still match
    assert "invoice" in slugs("抬头修理厂")


def test_the_fallbacks_score_below_the_word_itself(corpus):
    factories.article("exact", "开发票须知", "开发票的流程。")
    assert slugs("开发票")[0] == "exact"


def test_spoken_question_wrappers_never_decide_a_match(corpus):
    bare = slugs("退款")
    for spoken in ("退款怎么办", "退款能不能", "可不可以退款", "退款是不是", "请问退款呢",
                   "how do I refund"):
        assert slugs(spoken)[:1] == bare[:1], spoken
    assert slugs("怎么办") == slugs("能不能") == []  # a wrapper alone matches nothing


def test_sharing_words_or_characters_never_gives_an_empty_page(corpus):
    for q in ("发票抬头写错了能改吗", "抬头错了", "到账要几天", "扫地机不充电怎么办"):
        assert run(q).total > 0, q
    assert run("完全无关的天气预报").total == 0  # sharing nothing still finds nothing


def test_cross_language_through_the_lexicons_english_members(corpus):
    assert slugs("滤芯")[:1] == ["filters"]  # Chinese query, English article
    assert slugs("召回")[:1] == ["recall"]
    assert slugs("refund")[:1] == ["refund"]  # English query, Chinese article
    assert slugs("invoice title")[:1] == ["invoice"]


def test_a_product_word_finds_the_articles_of_its_model(corpus):
    # the fault article never says 扫地机; the overview, titled with it, names the model
    assert slugs("扫地机 充电异常")[:1] == ["faults"]


def _context(q: str) -> frozenset:
    state = search_state()
    state.maybe_sync()
    return build(q, state.analyzer, state.engine.snapshot(), state.synonyms.current()).plan.context


def test_a_product_word_sets_the_context_and_the_rest_of_the_question_decides(corpus):
    factories.article("care", "YF-S2 维护手册", "扫地机器人日常维护。" * 3 + "充电口保持干燥。",
                      category="product", tags=["YF-S2", "扫地机器人"])
    # 扫地机 names one model family; 充电 is rare: 扫地机 only sets the context, so the
    # article that says most about charging answers, not the one that names the robot most.
    assert _context("扫地机不充电") == {0}
    assert slugs("扫地机不充电")[:1] == ["faults"]


def test_a_product_word_is_no_context_beside_common_words_only(corpus):
    for n in range(4):
        factories.article(f"flow{n}", f"流程说明{n}", "按流程办理。")
    assert _context("扫地机 流程") == frozenset()  # 流程 says nothing about which article


def test_a_word_in_the_titles_of_two_models_is_no_product_word(corpus):
    factories.article("cj-faults", "CJ-W5 故障处理", "CJ-W5 滤芯报警。", category="product",
                      tags=["CJ-W5"])
    assert fallback.is_code("cjw5") and feedback.families({"yfs2", "s2", "cjw5", "w5"}) == 2
    assert feedback.families({"yfs2", "s2"}) == 1
    assert _context("故障 充电") == frozenset()  # a fault, not a product: it asks, not frames


@pytest.mark.parametrize("typed, shown, slug", [
    ("yf-s3", "yf-s2", "faults"), ("E-1O9", "e-109", "faults"), ("cjw6", "cjw5", "filters"),
    ("0800-021-668", "0800-021-688", "hotline")])
def test_a_code_one_character_off_finds_the_nearest_code(corpus, typed, shown, slug):
    result = run(typed)
    assert result.did_you_mean == shown
    assert slug in [h.slug for h in result.results]


def test_an_exact_code_is_not_corrected(corpus):
    result = run("E-109")
    assert result.did_you_mean is None and result.results[0].slug == "faults"


def test_did_you_mean_for_latin_words_weighs_distance_then_frequency(corpus):
    factories.article("read", "Reading list", "read read read real real " * 20, language="en")
    assert run("recal").did_you_mean == "recall"  # not the frequent "read" or "real"
    assert run("heatr").did_you_mean == "heater"


def test_edit_distance_counts_a_swap_as_one():
    assert fallback.edit_distance("refnud", "refund") == 1
    assert fallback.edit_distance("e1o9", "e109") == 1
    assert fallback.edit_distance("abc", "xyz", limit=1) == 2  # stops early, above the limit
    assert fallback.respell("yf-s3", "yfs2") == "yf-s2"


def test_a_member_may_begin_with_a_wrapper_word(app):
    # "not" alone never decides a match, but "not charging" is a lexicon member (充电异常)
    state = search_state()
    built = build("robot vacuum not charging", state.analyzer, None, state.synonyms.current())
    assert "not charging" in [u.raw for u in built.units if u.kind == "phrase"]
    assert not [u for u in built.units if u.raw == "not"]


def test_a_common_word_decides_before_a_question_word(app):
    factories.article("k1", "说明一", "款。")
    factories.article("k2", "说明二", "怎么办才好。")
    assert slugs("怎么办 款") == ["k1"]  # the wrapper only adds score


def test_a_member_that_is_one_common_word_is_as_common_as_the_word(app):
    # 客户 is a lexicon member (customer) and in every article: like the word alone, it adds
    # score but does not let every article answer "客户 撤诉".
    for n in range(20):
        factories.article(f"c{n}", f"客户须知{n}", f"客户第{n}条须知。")
    factories.article("withdraw", "撤诉登记", "客户撤诉时登记原因。")
    assert slugs("客户 撤诉") == ["withdraw"]


def test_cantonese_question_words_never_decide(app):
    state = search_state()
    built = build("保養期幾耐", state.analyzer, None, state.synonyms.current())
    assert [u.raw for u in built.units if u.optional] == ["几耐"]


def _hours_corpus(english_articles: int) -> None:
    for n in range(6):
        factories.article(f"zh{n}", f"服务时间{n}", f"热线每天服务十二小时，含夜班，第{n}号规定。")
    factories.article("night", "夜班交接", "夜班坐席每班八小时，交班时写明未结工单。")
    for n in range(english_articles):
        factories.article(f"en{n}", f"Opening times {n}", "The hotline answers twelve hours "
                          "a day in two shifts; refunds take 48 hours; hours vary on holidays.",
                          language="en")


def test_a_word_in_the_language_of_few_articles_is_as_common_as_its_synonyms(app):
    # "hour" is in one article because one article is in English; its Chinese spelling 小时
    # is in almost all: the English article must not win on the one common word.
    _hours_corpus(english_articles=1)
    assert slugs("night shift hours")[:1] == ["night"]


def _weight_of(q: str, term: str) -> float:
    state = search_state()
    state.maybe_sync()
    built = build(q, state.analyzer, state.engine.snapshot(), state.synonyms.current())
    return next(w for alts in built.plan.required for w, what in alts
                if isinstance(what, list) and [tuple(m.terms) for m in what] == [(term,)])


def test_only_words_in_the_minority_script_are_scored_as_their_group(app):
    _hours_corpus(english_articles=1)
    assert _weight_of("hours", "hour") < 0.5  # rare only for being English
    assert _weight_of("小时", "小时") == 1.0  # Chinese words keep their own frequency


def test_in_a_mostly_english_index_english_words_keep_their_weight(app):
    _hours_corpus(english_articles=10)
    assert _weight_of("hours", "hour") == 1.0


def test_frequencies_above_the_article_count_give_no_negative_weight():
    # until a merge, an article saved over and over is counted once per copy
    from types import SimpleNamespace

    from kb_portal.search.query import _as_common_as_its_group

    vocab = SimpleNamespace(doc_count=2, frequency=lambda unit: unit.df)
    own = [SimpleNamespace(df=5)]
    alts, more = [(1.0, own)], [(0.6, [SimpleNamespace(df=1)])]
    _as_common_as_its_group(alts, more, own, vocab)
    assert alts[0][0] == 1.0 and 0 < more[0][0] < 0.6
