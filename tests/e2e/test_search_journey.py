"""Can an agent mid-call type a Chinese query, see highlighted results while typing, and open
the top hit with the keyboard alone?"""
import re

import pytest

from .conftest import shot

pytestmark = pytest.mark.e2e


def test_agent_types_chinese_and_opens_the_top_hit_with_the_keyboard(page_as):
    page = page_as("agent")
    page.locator("h1, h2").first.click()  # focus elsewhere; "/" brings it back
    page.keyboard.press("/")  # focuses the page's main search box from anywhere
    assert page.evaluate("document.activeElement.id") == "home-search"
    page.keyboard.type("退款到账", delay=60)  # as typed: live results update while typing
    first = page.locator("#home-search-results .live-item").first
    first.wait_for()
    assert "退款" in first.locator("mark").first.inner_text()
    titles = page.locator("#home-search-results .live-title").all_inner_texts()
    assert "退款政策" in titles[:3]
    shot(page, "search-live-results")
    page.keyboard.press("ArrowDown")
    assert page.locator("#home-search-results .live-item.active").count() == 1
    expected = page.locator("#home-search-results .live-item.active .live-title").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/a/[^?]+\?.*"))
    assert page.locator("h1").inner_text() == expected
    hit = page.locator("#article-body mark.kb-hit").first
    hit.wait_for()
    assert "退款" in hit.inner_text() or "到账" in hit.inner_text()
    assert page.locator("#article-body .copy-section").count() > 0
    shot(page, "search-opened-article")


def test_full_results_page_works_and_traditional_finds_simplified(page_as, live_server):
    page = page_as("agent")
    page.goto(live_server.url + "/search?q=退貨時限")
    results = page.locator(".search-result")
    assert results.count() > 0
    assert "退换货时限" in page.locator(".search-result .result-title").all_inner_texts()[:3]
    assert page.locator(".search-result mark").count() > 0
    shot(page, "search-results-page")


@pytest.mark.parametrize("query", ["E-102", "refnud", "\"unbalanced (title:*"])
def test_odd_queries_show_a_page_not_an_error(page_as, live_server, query):
    page = page_as("agent")
    response = page.goto(live_server.url + "/search?q=" + query)
    assert response.status == 200
