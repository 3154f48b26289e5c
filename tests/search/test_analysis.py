"""What does the one analyzer emit? (the same chain indexes and queries)"""
from kb_portal.search.analysis import analyze, index_terms, scan
from kb_portal.search.query import units_of
from kb_portal.textnorm import fold


def terms(text, index=True):
    return [p.text for p in analyze(text, index=index)]


def test_chinese_sentence_is_segmented_into_words():
    assert {"申请", "退款", "流程"} <= set(terms("申请退款流程"))


def test_traditional_is_folded_to_simplified_before_segmentation():
    assert terms("退貨申請", index=False) == terms("退货申请", index=False)


def test_full_width_and_case_are_folded():
    assert terms("ＲＥＦＵＮＤ") == terms("refund")


def test_english_words_are_stemmed():
    assert terms("refunds") == terms("refund") == ["refund"]
    assert terms("returned", index=False) == terms("returning", index=False)


def test_codes_keep_a_joined_form_and_their_parts():
    got = terms("E-102 YF-S2 400-820-6688")
    assert {"e102", "e", "102", "yfs2", "yf", "s2", "4008206688", "6688"} <= set(got)
    assert units_of("E-102")[0].joined == units_of("e102")[0].terms[0] == "e102"


def test_long_words_also_index_their_dictionary_subwords():
    assert "退款" in terms("退款单号")


def test_unknown_words_are_indexed_as_character_pairs():
    # 澄净 (a brand) is not in jieba's dictionary: single characters plus the pair.
    got = terms("澄净净水器")
    assert "澄净" in got


def test_english_stop_words_are_not_indexed():
    assert "the" not in terms("the refund")


def test_index_fast_path_matches_the_reference_scan():
    text = "退款政策 Refunds within 7 days; call 400-820-6688 or see YF-S2 E-102 的说明。"
    reference = sorted((p.text, p.pos) for p in scan(fold(text), True))
    assert sorted(index_terms(fold(text))) == reference
