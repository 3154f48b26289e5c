"""Authoring journeys in a real browser (issue 4).

1. A trainer creates a policy from the SOP template with the live preview, saves with Ctrl+S
   and submits it for review; the unsaved-changes warning fires before that.
2. A second trainer approves and publishes it (the author cannot).
3. An agent finds it by searching for it.
4. The first trainer edits it and sees the word-level diff from the history page.
5. Two trainers edit at once: the second save shows the conflict page, nothing is lost, and
   the merged text saves.
The steps share one server and run in order (each test builds on the previous one).
"""
import re
from urllib.parse import quote

import pytest

from .conftest import shot

pytestmark = pytest.mark.e2e

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
SLUG = "holiday-refund"
TITLE = "节假日退款受理规范"
LINE = "节假日期间退款申请在3个工作日内处理。"


def open_editor(page, url):
    page.goto(url)
    page.wait_for_selector("form[data-editor][data-ready='1']")


def save_with_ctrl_s(page):
    """Press Ctrl+S in the text and wait for the form's round trip (the URL may not change)."""
    body(page).focus()
    with page.expect_navigation():
        page.keyboard.press("Control+s")


def body(page):
    return page.locator("textarea[name=body]")


def test_trainer_creates_from_template_with_preview_and_submits(page_as, live_server):
    page = page_as("trainer")
    open_editor(page, live_server.url + "/kb/new")
    with page.expect_navigation():  # the template button submits the form (keeps typed text)
        page.click("button[data-template='sop.zh-Hans']")
    page.wait_for_selector("form[data-editor][data-ready='1']")
    assert "## 目的" in body(page).input_value()
    page.fill("input[name=title]", TITLE)
    page.fill("input[name=slug]", SLUG)
    page.select_option("select[name=category]", "policy")
    page.fill("input[name=tags]", "退款, 节假日")
    text = body(page).input_value().replace("一句话说明本流程要解决的问题。", LINE)
    body(page).fill(text)
    # The preview is rendered by the server's article renderer (debounced).
    page.wait_for_selector(f"#preview p:has-text('{LINE}')")
    assert page.locator("#preview h2#目的").count() == 1
    # Tab indents inside the text instead of leaving it.
    body(page).focus()
    page.keyboard.press("Control+End")
    page.keyboard.press("Tab")
    assert body(page).input_value().endswith("  ")
    assert page.evaluate("document.activeElement.name") == "body"
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    # An uploaded image is inserted as Markdown and shows in the preview.
    page.set_input_files("#editor-upload", files=[
        {"name": "流程图.png", "mimeType": "image/png", "buffer": PNG}])
    page.wait_for_selector("#preview img[src^='/files/']")
    # A function predicate: a string expression is eval'd when polled, which the CSP refuses.
    page.wait_for_function(
        "() => { const img = document.querySelector('#preview img');"
        " return img !== null && img.naturalWidth === 1; }")
    assert "![流程图](/files/" in body(page).input_value()

    # Leaving with unsaved changes asks first; dismissing keeps the text.
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    with page.expect_event("dialog"):
        page.click("a.brand", no_wait_after=True)  # leaving for the home page
    assert dialogs == ["beforeunload"]
    assert LINE in body(page).input_value()
    page.remove_listener("dialog", dismiss)
    shot(page, "authoring-new-from-template")

    save_with_ctrl_s(page)
    assert re.match(rf".*/a/{SLUG}/edit$", page.url)
    page.click("#workflow form[action$='/submit'] button")
    page.wait_for_url(re.compile(rf".*/a/{SLUG}$"))
    assert page.locator("#trainer-bar .status-review").count() == 1
    # The author of a policy cannot publish it: no publish button, a reason instead.
    assert page.locator("#workflow form[action$='/publish']").count() == 0
    shot(page, "authoring-submitted")


def test_second_trainer_approves_and_publishes(page_as, live_server):
    page = page_as("trainer2")
    # The reviewer finds the new article on the content-health page and reads it first (its
    # diff page: a new article against nothing).
    page.goto(f"{live_server.url}/kb/health")
    shot(page, "authoring-health")
    page.click(f"#in-review a[href*='/a/{SLUG}/']")
    page.wait_for_url(re.compile(rf".*/a/{SLUG}/diff$"))
    assert LINE in page.locator("main").inner_text()
    page.goto(f"{live_server.url}/a/{SLUG}")
    page.check("#workflow form[action$='/publish'] input[name=requires_reread]")
    page.click("#workflow form[action$='/publish'] button")
    page.wait_for_url(re.compile(rf".*/a/{SLUG}$"))
    assert page.locator("#trainer-bar .status-published").count() == 1
    shot(page, "authoring-published")


def test_agent_finds_the_published_article(page_as, live_server):
    page = page_as("agent")
    response = page.goto(f"{live_server.url}/search?q={quote('节假日退款')}")
    assert response.status == 200
    # Result links go through a click-logging redirect: pick the result by its title.
    page.locator("main a", has_text=TITLE).first.click()
    page.wait_for_url(re.compile(rf".*/a/{SLUG}(\?.*)?$"))
    assert page.locator("h1").inner_text() == TITLE
    assert LINE in page.locator(".article-body").inner_text()
    assert page.locator("#trainer-bar").count() == 0
    shot(page, "authoring-agent-reads")


def test_trainer_edits_and_sees_the_diff_in_history(page_as, live_server):
    page = page_as("trainer")
    open_editor(page, f"{live_server.url}/a/{SLUG}/edit")
    body(page).fill(body(page).input_value().replace("3个工作日", "5个工作日"))
    page.fill("input[name=note]", "处理时限改为5个工作日")
    save_with_ctrl_s(page)
    assert page.locator(".flash-success").count() == 1
    page.goto(f"{live_server.url}/a/{SLUG}/history")
    page.click("#compare-form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/a/{SLUG}/diff\?.*"))
    assert page.locator("table.diff del").first.inner_text() == "3"
    assert page.locator("table.diff ins").first.inner_text() == "5"
    shot(page, "authoring-diff")
    # Agents still read the published text until the edit is published.
    agent = page_as("agent")
    agent.goto(f"{live_server.url}/a/{SLUG}")
    assert "3个工作日" in agent.locator(".article-body").inner_text()


def test_two_trainers_edit_at_once_and_the_second_sees_the_conflict(page_as, live_server):
    first, second = page_as("trainer"), page_as("trainer2")
    url = f"{live_server.url}/a/{SLUG}/edit"
    open_editor(first, url)
    open_editor(second, url)
    body(first).fill(body(first).input_value() + "\n\n第一位培训师补充的说明。\n")
    first.fill("input[name=note]", "first")
    body(second).fill("## 第二位培训师的开头\n\n" + body(second).input_value())
    second.fill("input[name=note]", "second")
    save_with_ctrl_s(first)
    assert first.locator(".flash-success").count() == 1
    save_with_ctrl_s(second)
    assert second.locator("#conflict-title").is_visible()
    merged = body(second).input_value()
    assert "第一位培训师补充的说明。" in merged and "## 第二位培训师的开头" in merged
    assert second.locator("table.diff").count() == 2  # their changes, your changes
    shot(second, "authoring-conflict")
    with second.expect_navigation():
        second.click("button[name=save]")
    assert second.locator(".flash-success").count() == 1
    second.goto(f"{live_server.url}/a/{SLUG}/history")
    notes = second.locator("table.history tbody tr td:nth-child(7)").all_inner_texts()
    assert notes[:2] == ["second", "first"]
