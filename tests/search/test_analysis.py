"""What does the one analyzer emit? (the same chain indexes and queries)"""
from kb_portal.search.analysis import Analyzer
from kb_portal.search.query import units_of
from kb_portal.textnorm import fold


def terms(analyzer, text, index=True):
    return [p.text for p in analyzer.analyze(text, index=index)]


def test_chinese_sentence_is_segmented_into_words(analyzer):
    assert {"申请", "退款", "流程"} <= set(terms(analyzer, "申请退款流程"))


def test_traditional_is_folded_to_simplified_before_segmentation(analyzer):
    assert terms(analyzer, "退貨申請", index=False) == terms(analyzer, "退货申请", index=False)


def test_full_width_and_case_are_folded(analyzer):
    assert terms(analyzer, "ＲＥＦＵＮＤ") == terms(analyzer, "refund")


def test_english_words_are_stemmed(analyzer):
    assert terms(analyzer, "refunds") == terms(analyzer, "refund") == ["refund"]
    assert terms(analyzer, "returned", index=False) == terms(analyzer, "returning", index=False)


def test_codes_keep_a_joined_form_and_their_parts(analyzer):
    got = terms(analyzer, "E-102 YF-S2 400-820-6688")
    assert {"e102", "e", "102", "yfs2", "yf", "s2", "4008206688", "6688"} <= set(got)
    assert units_of("E-102", analyzer)[0].joined == "e102"
    assert units_of("e102", analyzer)[0].terms[0] == "e102"


def test_long_words_also_index_their_dictionary_subwords(analyzer):
    assert "退款" in terms(analyzer, "退款单号")


def test_unknown_words_are_indexed_as_character_pairs(analyzer):
    # 澄净 (a brand) is not in jieba's dictionary: single characters plus the pair.
    assert "澄净" in terms(analyzer, "澄净净水器")


def test_english_stop_words_are_not_indexed(analyzer):
    assert "the" not in terms(analyzer, "the refund")


def test_index_fast_path_matches_the_reference_scan(analyzer):
    text = "退款政策 Refunds within 7 days; call 400-820-6688 or see YF-S2 E-102 的说明。"
    reference = sorted((p.text, p.pos) for p in analyzer.scan(fold(text), True))
    assert sorted(analyzer.index_terms(fold(text))) == reference
    assert sorted(analyzer.terms(text)) == sorted(t for t, _pos in reference)


def test_site_words_belong_to_one_analyzer(tmp_path, analyzer):
    words = tmp_path / "words.txt"
    words.write_text("澄净净水器\n", encoding="utf-8")
    site = Analyzer(str(tmp_path / "cache"), str(words))
    assert "澄净净水器" in terms(site, "澄净净水器", index=False)
    assert "澄净净水器" not in terms(analyzer, "澄净净水器", index=False)
    assert "澄净净水器" not in Analyzer(str(tmp_path / "cache")).segment("澄净净水器")
