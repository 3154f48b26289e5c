"""Hypothesis: the query builder and search take any Unicode an agent (or a script) can send.

Properties, on a small real index: building never raises and stays bounded; a search answers
with its own query echoed, at most ``limit`` hits, only published articles; full-width Latin
letters and digits find exactly what their half-width forms find (the analyzer folds NFKC);
leading blanks change nothing.
"""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb_portal.search import query as query_builder
from kb_portal.search.services import SearchParams, search
from kb_portal.search.state import search_state
from tests import factories

from .hostile import HOSTILE

SETTINGS = settings(max_examples=120, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
WORDS = ["退款", "发票", "投诉", "refund", "invoice", "E-102", "YF-S2", "到账", "AND", "OR",
         "title:", "*", "~2", "扫地机", "充电", "complaint", "账户", "密码"]
# Every Unicode category, including controls and private use, plus the words that match.
any_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(WORDS + HOSTILE), st.text(max_size=8)), max_size=12)
    .map(" ".join),
)
ascii_query = st.lists(st.sampled_from(["refund", "invoice", "e-102", "yf-s2", "reset",
                                        "password", "2024", "wifi"]), min_size=1, max_size=4) \
    .map(" ".join)


@pytest.fixture
def corpus(app):
    factories.article("refund-policy", "退款政策 Refund policy", "退款3个工作日到账 refund",
                      category="policy", tags=["退款", "refund"])
    factories.article("invoice-reissue", "发票重开", "发票抬头写错可以重开 invoice", tags=["发票"])
    factories.article("robot-e102", "扫地机 E-102 不充电", "E-102 表示充电触点脏 reset",
                      category="product", language="zh-Hans")
    factories.article("wifi-reset", "Reset the Wi-Fi password", "Hold the button 10 s. wifi",
                      language="en", category="product")
    factories.article("draft-refund", "退款草稿", "refund invoice 发票 退款", status="draft")
    return {"refund-policy", "invoice-reissue", "robot-e102", "wifi-reset"}


def _build(text: str):
    state = search_state()
    return query_builder.build(text, state.analyzer, state.engine.snapshot(),
                               state.synonyms.current())


@SETTINGS
@given(text=any_text)
def test_building_never_raises_and_stays_bounded(app, corpus, text):
    built = _build(text)
    assert len(built.units) <= query_builder.MAX_UNITS
    assert _build(text).units == built.units  # deterministic


@SETTINGS
@given(text=any_text, limit=st.integers(1, 5))
def test_a_search_echoes_its_query_and_returns_only_published_articles(app, corpus, text,
                                                                      limit):
    result = search(SearchParams(q=text, limit=limit))
    assert result.query == text
    assert 0 <= len(result.results) <= min(limit, result.total)
    assert {hit.slug for hit in result.results} <= corpus


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c
                   for c in text)


@SETTINGS
@given(text=ascii_query)
def test_full_width_input_finds_what_half_width_finds(app, corpus, text):
    half = search(SearchParams(q=text))
    full = search(SearchParams(q=_full_width(text)))
    assert [h.slug for h in full.results] == [h.slug for h in half.results]


@SETTINGS
@given(text=any_text, blanks=st.text(alphabet=" \t\u3000", min_size=1, max_size=3))
def test_leading_blanks_change_nothing(app, corpus, text, blanks):
    assert [h.slug for h in search(SearchParams(q=blanks + text)).results] == \
        [h.slug for h in search(SearchParams(q=text)).results]
