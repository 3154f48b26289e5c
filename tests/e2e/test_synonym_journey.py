"""Can a trainer turn what agents searched into synonyms — accept a mined suggestion, dismiss
another — and do the Synonyms and Search analytics pages work on a laptop and a phone?"""
import re
import time

import pytest

from .conftest import shot

pytestmark = pytest.mark.e2e


def _search_then_open(page, server, failed: str, found: str) -> None:
    """An agent searches in the caller's words, finds nothing, rephrases, opens a result."""
    page.goto(server.url + "/search?q=" + failed)
    page.goto(server.url + "/search?q=" + found)
    page.locator(".search-result a").first.click()
    page.wait_for_url(re.compile(r".*/a/.*"))


def _search_until_found(page, server, query: str, within: float = 20.0) -> None:
    """Search until results show: the worker that stored a synonym edit uses it at once, the
    server's other worker within KB_SEARCH_SYNONYM_SECONDS (5 s), and either may answer."""
    deadline = time.monotonic() + within
    while True:
        page.goto(server.url + "/search?q=" + query)
        if page.locator(".search-result").count() or time.monotonic() > deadline:
            return


def _own_groups(page) -> list[str]:
    return [i.input_value() for i in page.locator("#own li input[name=terms]").all()]


def _suggestion_row(page, source: str):
    return page.locator("table.suggestions tr", has_text=source)


def test_trainer_accepts_and_dismisses_mined_suggestions(page_as, live_server):
    agent = page_as("agent")
    _search_then_open(agent, live_server, "银子回笼", "退款")
    _search_then_open(agent, live_server, "钞票打水漂", "赔偿")
    trainer = page_as("trainer")
    trainer.goto(live_server.url + "/search/synonyms")
    row = _suggestion_row(trainer, "银子回笼")
    assert "退款" in row.inner_text()
    shot(trainer, "synonyms-suggestions")
    row.locator("button[value=group]").click()
    trainer.wait_for_selector(".flash-success")
    assert _suggestion_row(trainer, "银子回笼").count() == 0
    assert "银子回笼, 退款" in _own_groups(trainer)
    _suggestion_row(trainer, "钞票打水漂").locator("button[value=dismissed]").click()
    trainer.wait_for_selector(".flash-success")
    assert _suggestion_row(trainer, "钞票打水漂").count() == 0
    assert not any("钞票打水漂" in g for g in _own_groups(trainer))
    _search_until_found(agent, live_server, "银子回笼")
    assert agent.locator(".search-result").count() > 0  # the accepted pair works
    assert "退款" in agent.locator(".search-result .result-title").first.inner_text()


def test_built_in_lexicon_and_delete_are_visible_and_usable(page_as, live_server):
    trainer = page_as("trainer")
    trainer.goto(live_server.url + "/search/synonyms?q=退钱#built-in")
    group = trainer.locator("table.lexicon tr").filter(
        has=trainer.locator("code", has_text=re.compile(r"^refunds\.refund$")))
    assert group.count() == 1 and "退钱" in group.inner_text()
    trainer.fill("#new-group", "柜员机, ATM")
    trainer.click("#own button.primary")
    trainer.wait_for_selector(".flash-success")
    delete = trainer.locator("#own li").filter(
        has=trainer.locator("input[value='柜员机, ATM']")).locator("button.danger")
    color = delete.evaluate("b => getComputedStyle(b).color")
    assert color != "rgb(223, 232, 247)"  # no longer the header's near-white on white
    shot(trainer, "synonyms-own-groups")
    trainer.fill("#new-group", "ATM, 柜员机")  # the same group again
    trainer.click("#own button.primary")
    assert "柜员机" in trainer.locator(".flash-error").inner_text()
    delete.click()
    trainer.wait_for_selector(".flash-success")
    assert not any("柜员机" in g for g in _own_groups(trainer))


def test_analytics_one_list_at_a_time_with_actions_and_on_a_phone(page_as, live_server):
    agent = page_as("agent")
    agent.goto(live_server.url + "/search?q=zqxjvbw")
    phone = page_as("trainer", viewport={"width": 390, "height": 844})
    phone.goto(live_server.url + "/search/analytics?view=zero")
    row = phone.locator("table.report tr", has_text="zqxjvbw")
    assert row.locator("a", has_text=re.compile("写文章|Write an article")).count() == 1
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling on a phone
    shot(phone, "search-analytics-phone")
    row.locator("a", has_text=re.compile("添加同义词|Add a synonym")).click()
    assert phone.locator("#new-group").input_value().startswith("zqxjvbw")
    shot(phone, "synonyms-phone")
