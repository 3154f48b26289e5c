"""Trainers' daily work in a real browser (issue 17).

1. A Chinese title makes a valid address as it is typed; the draft is saved.
2. The trainer finds the draft again on My work (menu, with no URL typed).
3. A reviewer returns a policy from its diff page with a reason the author then sees, and
   approves another from the diff page.
4. Archiving a policy asks for confirmation and a reason, and needs a second person.
5. A browser set to zh-TW gets the Traditional Chinese interface, login page included.
"""
import re

import pytest
from playwright.sync_api import expect

from .conftest import log_in, shot

pytestmark = pytest.mark.e2e


def new_draft(page, server, title: str, category: str = "sop", body: str = "第一步：核对。",
              submit: bool = False) -> str:
    """Write a new article through the editor (address made from the title); its slug."""
    page.goto(server.url + "/kb/new")
    page.wait_for_selector("form[data-editor][data-ready='1']")
    page.fill("input[name=title]", title)
    page.wait_for_selector("input[name=slug][data-filled]")
    slug = page.input_value("input[name=slug]")
    page.select_option("select[name=category]", category)
    page.fill("textarea[name=body]", body)
    button = "button[name=submit_review]" if submit else "button[name=save]"
    with page.expect_navigation():
        page.click(button)
    assert page.url.endswith(f"/a/{slug}/edit"), page.url
    return slug


def test_a_chinese_title_makes_a_valid_address_as_it_is_typed(page_as, live_server):
    page = page_as("trainer")
    page.goto(live_server.url + "/kb/new")
    page.wait_for_selector("form[data-editor][data-ready='1']")
    page.type("input[name=title]", "发票重开")
    expect(page.locator("input[name=slug]")).to_have_value("fa-piao-chong-kai")
    assert page.locator("#slug-help").is_visible()  # the field's help text is shown
    shot(page, "trainer-slug-from-chinese-title")
    # An address typed by hand is checked as it is typed.
    page.fill("input[name=slug]", "Bad Address")
    page.wait_for_selector("#slug-status.field-error")
    page.fill("input[name=slug]", "")
    page.fill("input[name=title]", "Invoice Reissue")
    expect(page.locator("input[name=slug]")).to_have_value("invoice-reissue")


def test_a_trainer_finds_their_draft_on_my_work(page_as, live_server):
    page = page_as("trainer")
    slug = new_draft(page, live_server, "发票重开流程")
    assert slug == "fa-piao-chong-kai-liu-cheng"
    page.goto(live_server.url + "/")
    page.click("nav.mainnav a[href='/kb/my-work']")
    page.wait_for_url(re.compile(r".*/kb/my-work$"))
    drafts = page.locator("#drafts")
    assert drafts.locator(f"a[href='/a/{slug}/edit']").inner_text() == "发票重开流程"
    shot(page, "trainer-my-work-draft")
    with page.expect_navigation():
        drafts.locator(f"a[href='/a/{slug}/edit']").click()
    assert page.input_value("input[name=title]") == "发票重开流程"


def test_a_reviewer_returns_with_a_reason_and_approves_from_the_diff_page(
        page_as, live_server):
    author = page_as("trainer")
    returned = new_draft(author, live_server, "保修政策说明", "policy", submit=True)
    approved = new_draft(author, live_server, "退货运费政策", "policy", submit=True)

    reviewer = page_as("trainer2")
    reviewer.goto(live_server.url + "/kb/my-work")
    waiting = reviewer.locator("#to-review")
    with reviewer.expect_navigation():
        waiting.locator(f"a[href='/a/{returned}/diff']").click()
    assert reviewer.locator(".review-panel").is_visible()
    reviewer.click("#return-step summary")
    reviewer.fill("#return-note", "保修期限写错了，应为一年")
    shot(reviewer, "review-return-with-reason")
    with reviewer.expect_navigation():
        reviewer.click("#return-step button[type=submit]")
    assert reviewer.url.endswith("/kb/my-work")

    author.goto(live_server.url + "/kb/my-work")
    reason = author.locator("#returned")
    assert "保修期限写错了，应为一年" in reason.inner_text()
    shot(author, "review-author-sees-the-reason")

    reviewer.goto(live_server.url + f"/a/{approved}/diff")
    shot(reviewer, "review-diff-page-with-actions")
    with reviewer.expect_navigation():
        reviewer.click(".review-panel form[action$='/publish'] button")
    agent = page_as("agent")
    agent.goto(live_server.url + f"/a/{approved}")
    assert agent.locator("h1").inner_text() == "退货运费政策"


def test_archiving_a_policy_asks_for_a_reason_and_a_second_person(page_as, live_server):
    author = page_as("trainer")
    slug = new_draft(author, live_server, "旧版会员政策", "policy", submit=True)
    reviewer = page_as("trainer2")
    reviewer.goto(live_server.url + f"/a/{slug}/diff")
    with reviewer.expect_navigation():
        reviewer.click(".review-panel form[action$='/publish'] button")

    author.goto(live_server.url + f"/a/{slug}")
    archive = author.locator("#archive-step")
    assert not archive.locator("textarea").is_visible()  # one click never archives
    archive.locator("summary").click()
    assert "second person" in archive.inner_text() or "第二人" in archive.inner_text()
    archive.locator("textarea").fill("会员政策已改版")
    shot(author, "archive-confirmation")
    with author.expect_navigation():
        archive.locator("button[type=submit]").click()
    agent = page_as("agent")
    assert agent.goto(live_server.url + f"/a/{slug}").status == 200  # a request only

    reviewer.goto(live_server.url + f"/a/{slug}")
    assert "会员政策已改版" in reviewer.locator(".archive-request").inner_text()
    reviewer.locator("#archive-step summary").click()
    with reviewer.expect_navigation():
        reviewer.locator("#archive-step button[type=submit]").click()
    assert agent.goto(live_server.url + f"/a/{slug}").status == 404
    shot(reviewer, "archive-confirmed-by-a-second-trainer")


def test_a_taiwanese_browser_gets_the_traditional_interface(browser, live_server):
    context = browser.new_context(locale="zh-TW", viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server.url + "/login")
        assert page.locator("html").get_attribute("lang") == "zh-Hant"
        assert page.locator("button.primary").inner_text() == "登入"
        shot(page, "zh-hant-login")
        log_in(page, live_server, "trainer")
        nav = page.locator("nav.mainnav").inner_text()
        assert "內容健康" in nav and "我的工作" in nav and "登出" in nav
        shot(page, "zh-hant-home")
        # The switch in the menu changes the language at once.
        with page.expect_navigation():
            page.click("form.lang-switch button[value=en]")
        assert "Content health" in page.locator("nav.mainnav").inner_text()
    finally:
        context.close()
