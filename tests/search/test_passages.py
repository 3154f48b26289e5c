"""Land on the answer: each result names the section of its best passage, carries that
passage's answer card, and its link opens the article at that section."""
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from kb_portal.search.documents import plain_text
from kb_portal.search.engine.combine import BoundedCache
from kb_portal.search.passages import heading_lines
from tests import factories

from .helpers import run

REFUND = """退款政策适用于官方渠道的订单。

## 退款情形

| 情形 | 退款金额 |
|---|---|
| 拒收 | 仓库收到退回件后按到账时限退款 |

## 到账时限

!!! answer
    仓库收货后 3 个工作日内原路退回。

1. 质检通过即发起退款。
2. 微信、支付宝一般当天到账。

### 银行卡

银行卡视发卡行还需 1–5 个工作日。

## 话术示例

坐席：退款会原路退回。
"""


@pytest.fixture
def refund(app):
    return factories.article("refund-policy", "退款政策", REFUND, category="policy",
                             answer="质检通过后三个工作日内原路退回。")


def test_headings_are_found_as_lines_of_the_plain_text():
    text = plain_text("intro\n\n## **重要** 事项\n正文\n\n## [链接](x) 标题\n\n### 第三\n末尾")
    found = heading_lines(text, ["重要 事项", "链接 标题", "第三"])
    assert [k for _s, _e, k in found] == [0, 1, 2]
    assert [text[s:e].strip() for s, e, _k in found] == ["重要 事项", "链接 标题", "第三"]
    # A heading the text lost does not stop the ones after it from being found.
    assert [k for *_r, k in heading_lines(text, ["不存在", "链接 标题", "第三"])] == [1, 2]


def test_heading_positions_are_kept_by_revision():
    text = plain_text("intro\n\n## 事项\n正文")
    cache = BoundedCache(10)
    kept = heading_lines(text, ["事项"], cache, 7)
    assert kept == heading_lines(text, ["事项"]) and heading_lines(text, ["事项"], cache, 7) is kept


def test_the_section_whose_heading_names_the_rarer_query_word_wins(refund):
    (hit,) = run("退款到账").results
    assert (hit.section, hit.section_id) == ("到账时限", "到账时限")
    assert hit.answer == {"text": "仓库收货后 3 个工作日内原路退回。", "section_id": "到账时限",
                          "section": "到账时限"}


def test_a_subsection_match_names_the_subsection_and_takes_its_parents_card(refund):
    (hit,) = run("发卡行").results
    assert hit.section == "银行卡"
    assert hit.answer["section_id"] == "到账时限"


def test_a_match_above_every_heading_has_no_section_and_the_articles_card(refund):
    (hit,) = run("官方渠道").results
    assert (hit.section, hit.section_id) == ("", "")
    assert hit.answer == {"text": "质检通过后三个工作日内原路退回。", "section_id": "",
                          "section": ""}


def test_api_results_carry_the_section_and_card_and_the_link_lands_on_it(refund, as_role):
    client = as_role("agent")
    data = client.get("/api/v1/search?q=退款到账").get_json()
    first = data["results"][0]
    assert first["section_id"] == "到账时限" and first["answer"]["text"].startswith("仓库收货后")
    page = client.get("/search?q=退款到账").get_data(as_text=True)
    assert "› 到账时限" in page and "section=%E5%88%B0%E8%B4%A6%E6%97%B6%E9%99%90" in page
    assert 'data-copy-text="仓库收货后 3 个工作日内原路退回。"' in page
    response = client.get("/search/open", query_string={
        "slug": "refund-policy", "q": "退款到账", "rank": 1, "section": "到账时限"})
    location = urlsplit(response.headers["Location"])
    assert location.path == "/a/refund-policy" and unquote(location.fragment) == "到账时限"
    assert parse_qs(location.query)["q"] == ["退款到账"]
