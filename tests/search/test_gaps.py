"""Zero results that help: what other agents opened, the closest categories, and "Tell the
trainers" reports that reach the content-health page, counted and dismissible."""
import pytest

from kb_portal.extensions import db
from kb_portal.search import gaps
from kb_portal.search.models import GapReport, SearchEvent
from tests import factories

from ..conftest import csrf_token


@pytest.fixture
def opened(app, users):
    """Agents searched in their own words and opened the return-shipping policy."""
    # Written in other words than the agents' (and than the lexicon's), so their searches
    # find nothing.
    article = factories.article("return-shipping", "责任划分规则", "质量问题由公司承担。",
                                category="policy")
    heater = factories.article("heater-recall", "电暖器召回", "召回登记。", category="product")
    for query, target in (("退货运费谁出", article), ("退货的运费", article),
                          ("退货运费", article), ("电暖器召回", heater)):
        db.session.add(SearchEvent(user_id=users["agent"].id, query=query, raw_query=query,
                                   hits=0, clicked_article_id=target.id))
    db.session.commit()
    return article


def test_similar_searches_lead_to_what_agents_opened_and_its_category(opened):
    found = gaps.similar_opened("寄回去的退货运费")
    assert [(a.slug, n) for a, n in found] == [("return-shipping", 3)]
    assert [c.key for c in gaps.closest_categories(found)] == ["policy"]
    assert [a.slug for a, _n in gaps.similar_opened("电暖器")] == ["heater-recall"]
    assert gaps.similar_opened("空调漏水") == []  # shares nothing with anything opened
    assert [c.key for c in gaps.closest_categories([])] == ["product", "policy", "sop"]


def test_zero_result_page_offers_suggestions_and_the_report_form(opened, as_role):
    page = as_role("agent").get("/search?q=退货运费几天").get_data(as_text=True)
    assert 'id="zero-results"' in page
    assert "责任划分规则" in page and 'action="/search/report"' in page
    assert "/c/policy" in page


def test_reports_are_counted_per_query_shown_to_trainers_and_dismissed(app, as_role, users):
    agent = as_role("agent")
    for note in ("客户问电暖器召回怎么登记", ""):
        response = agent.post("/search/report", data={
            "q": "电暖器 召回 登记", "note": note, "csrf_token": csrf_token(agent, "/search")})
        assert response.status_code == 302 and "reported=1" in response.headers["Location"]
    agent.post("/search/report", data={"q": "  ", "csrf_token": csrf_token(agent, "/search")})
    assert db.session.query(GapReport).count() == 2

    trainer = as_role("trainer")
    health = trainer.get("/kb/health").get_data(as_text=True)
    assert 'id="gap-reports"' in health and "电暖器 召回 登记" in health
    assert "客户问电暖器召回怎么登记" in health
    (reported,) = gaps.open_reports()
    assert reported.count == 2
    response = trainer.post("/search/reports/dismiss", data={
        "q": reported.query, "csrf_token": csrf_token(trainer, "/kb/health")})
    assert response.status_code == 302
    assert gaps.open_reports() == []
    assert "电暖器 召回 登记" not in trainer.get("/kb/health").get_data(as_text=True)
    assert agent.post("/search/reports/dismiss", data={
        "q": "x", "csrf_token": csrf_token(agent, "/search")}).status_code == 403


def test_content_health_lists_searched_articles_without_an_answer_card(app, users, as_role):
    bare = factories.article("bare", "没有卡片", "正文")
    carded = factories.article("carded", "有卡片", "正文", answer="一句话答案。")
    blocks = factories.article("blocks", "有段落卡片", "## 一\n\n!!! answer\n    段落答案。")
    for article in (bare, bare, carded, blocks):
        db.session.add(SearchEvent(user_id=users["agent"].id, query="x", hits=1,
                                   clicked_article_id=article.id))
    db.session.commit()
    assert [(a.slug, n) for a, n in gaps.searched_without_card()] == [("bare", 2)]
    page = as_role("trainer").get("/kb/health").get_data(as_text=True)
    listed = page.split('id="no-answer-card"', 1)[1].split("</ul>", 1)[0]
    assert "/a/bare/edit" in listed and "没有卡片" in listed
    assert "/a/carded/edit" not in listed and "/a/blocks/edit" not in listed
