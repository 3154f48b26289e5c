"""Live-call mode (issue 14), tried as an agent on a call would, in Debian's chromium: one
search box that keeps the query, no requests while an input method composes, landing on the
section that answers, answer cards and SOP checklists copied to the clipboard, zero results
that reach the trainers, the re-read banner, and a phone header that leaves room to read."""
import contextlib
import re
import time

import pytest
from playwright.sync_api import Error as PlaywrightError

from .conftest import shot

pytestmark = pytest.mark.e2e
CLIPBOARD = {"permissions": ["clipboard-read", "clipboard-write"]}
PHONE = {"width": 390, "height": 844}


def live_list(page, box_id: str):
    return page.locator(f"#{box_id}-results")


def type_query(page, box_id: str, text: str):
    """Type into a live box and wait until its list shows results for exactly ``text``."""
    page.locator(f"#{box_id}").fill("")
    page.keyboard.type(text, delay=40)
    page.wait_for_function(
        "([id, q]) => { const p = document.getElementById(id + '-results');"
        " return p.dataset.query === q && !p.hidden; }", arg=[box_id, text])
    return live_list(page, box_id)


def active_index(page, box_id: str) -> int:
    return page.evaluate(
        "id => [...document.querySelectorAll('#' + id + '-results .live-item')]"
        ".findIndex(i => i.classList.contains('active'))", box_id)


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def test_home_box_has_focus_live_results_arrows_and_esc_keeps_the_query(page_as):
    page = page_as("agent")
    page.wait_for_selector("form[data-live-search][data-ready]", state="attached")
    assert page.evaluate("document.activeElement.id") == "home-search"
    results = type_query(page, "home-search", "退款到账")
    assert results.locator(".live-item").count() >= 3
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert active_index(page, "home-search") == 0
    assert "到账时限" in results.locator(".live-item.active .live-section").inner_text()
    shot(page, "live-home-box-arrows")
    page.keyboard.press("Escape")  # closes the list, keeps the query
    assert results.is_hidden() and page.input_value("#home-search") == "退款到账"
    shot(page, "live-esc-keeps-query")
    page.keyboard.press("ArrowDown")  # the same results again, without retyping
    assert results.is_visible() and results.locator(".live-item").count() >= 3
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")  # a second Esc clears
    assert page.input_value("#home-search") == ""
    page.evaluate("document.addEventListener('submit', () => { window.submitted = true; }, true)")
    page.keyboard.press("Enter")  # an empty box submits nothing
    assert page.evaluate("window.submitted === undefined") and page.url.endswith("/")


def test_the_top_bar_box_on_an_article_is_the_same_component(page_as, live_server):
    """Mid-call the agent is on an article: "/" reaches the top bar's box, which behaves like
    the home page's (live list with sections, arrows, Esc keeps the query, Back restores it)."""
    page = page_as("agent")
    page.goto(live_server.url + "/a/complaint-intake")
    page.wait_for_selector("form[data-live-search][data-ready]", state="attached")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-box"
    results = type_query(page, "search-box", "退款到账")
    assert results.locator(".live-item").count() >= 3
    page.keyboard.press("ArrowDown")
    assert active_index(page, "search-box") == 0
    assert "到账时限" in results.locator(".live-item.active .live-section").inner_text()
    page.keyboard.press("Escape")
    assert results.is_hidden() and page.input_value("#search-box") == "退款到账"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/a/refund-policy\?.*"))
    page.go_back()
    page.wait_for_selector("#search-box-results .live-item")
    assert page.url.endswith("/a/complaint-intake")
    assert page.input_value("#search-box") == "退款到账"
    shot(page, "live-top-bar-box-on-article")


def test_back_and_reload_bring_back_the_query_and_the_list(page_as):
    page = page_as("agent")
    results = type_query(page, "home-search", "投诉升级")
    titles = results.locator(".live-title").all_inner_texts()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/a/[^?]+\?.*"))
    page.go_back()
    page.wait_for_selector("#home-search-results .live-item")
    assert page.input_value("#home-search") == "投诉升级"
    assert live_list(page, "home-search").locator(".live-title").all_inner_texts() == titles
    shot(page, "live-back-restores-list")
    page.reload()
    page.wait_for_selector("#home-search-results .live-item")
    assert page.input_value("#home-search") == "投诉升级"
    # The second result is one arrow away: the agent tries it without retyping.
    page.locator("#home-search").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = live_list(page, "home-search").locator(".live-item.active .live-link")
    href = second.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/a/[^?]+\?.*"))
    assert "slug=" in href and page.url != href


def test_no_request_while_pinyin_is_composed_and_one_when_committed(page_as):
    page = page_as("agent")
    page.wait_for_selector("form[data-live-search][data-ready]", state="attached")
    sent = []
    page.on("request", lambda r: "/api/v1/search" in r.url and sent.append(r.url))
    page.locator("#home-search").focus()
    states = page.evaluate("""() => {
      const box = document.getElementById('home-search');
      const form = box.form;
      const seen = [];
      box.dispatchEvent(new CompositionEvent('compositionstart', {data: ''}));
      for (const typed of ["t", "tu", "tui", "tui'", "tui'k", "tui'ku", "tui'kua", "tui'kuan"]) {
        box.value = typed;
        box.dispatchEvent(new CompositionEvent('compositionupdate', {data: typed}));
        box.dispatchEvent(new InputEvent('input', {data: typed, bubbles: true, isComposing: true,
                                                   inputType: 'insertCompositionText'}));
        seen.push(form.dataset.state);  // a request would be waiting or loading by now
      }
      box.value = '退款';
      box.dispatchEvent(new InputEvent('input', {data: '退款', bubbles: true, isComposing: true,
                                                 inputType: 'insertCompositionText'}));
      seen.push(form.dataset.state);
      box.dispatchEvent(new CompositionEvent('compositionend', {data: '退款'}));
      return seen;
    }""")
    assert states == ["idle"] * 9, "a search was scheduled while the word was being composed"
    page.wait_for_function(
        "() => document.getElementById('home-search-results').dataset.query === '退款'")
    assert len(sent) == 1 and "q=%E9%80%80%E6%AC%BE" in sent[0]
    assert page.locator("#home-search-results .live-empty").count() == 0
    shot(page, "live-ime-committed")


def test_no_no_match_flash_for_a_query_that_is_still_being_typed(page_as):
    """The answer for "qzxv" (nothing) arrives after the agent typed one more letter: it must
    not flash "no match"; only the query they stopped at may say so."""
    page = page_as("agent")
    page.wait_for_selector("form[data-live-search][data-ready]", state="attached")
    page.evaluate("""() => {
      window.emptyFor = [];
      const panel = document.getElementById('home-search-results');
      new MutationObserver(() => {
        if (!panel.hidden && panel.querySelector('.live-empty')) {
          window.emptyFor.push(panel.dataset.query);
        }
      }).observe(panel, {childList: true, subtree: true, attributes: true});
    }""")
    held = []

    def wait_held(count: int) -> None:
        """Until ``count`` requests are held (each evaluate lets the route handler run)."""
        deadline = time.monotonic() + 10
        while len(held) < count and time.monotonic() < deadline:
            page.evaluate("0")
        assert len(held) >= count, "the live box sent no request"

    page.route("**/api/v1/search?*", lambda route: held.append(route))
    page.keyboard.type("qzxv", delay=20)
    wait_held(1)
    stale = held[0].fetch()  # the server's real answer: nothing matches "qzxv"
    assert stale.json()["total"] == 0
    page.keyboard.type("w")
    # Delivered at once, while the agent's next letter waits for the typing pause (when the box
    # already dropped that request, there is nothing to show for it either).
    with contextlib.suppress(PlaywrightError):
        held[0].fulfill(response=stale)
    wait_held(2)
    assert "q=qzxvw&" in held[1].request.url
    held[1].continue_()
    page.wait_for_function("() => window.emptyFor.length > 0")
    assert set(page.evaluate("window.emptyFor")) == {"qzxvw"}
    page.unroute("**/api/v1/search?*")


def test_the_opened_article_is_scrolled_to_the_best_section_below_the_header(page_as):
    page = page_as("agent")
    type_query(page, "home-search", "退款到账")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/a/refund-policy\?.*#.+"))
    page.wait_for_selector("#article-body[data-ready]", state="attached")
    heading = page.locator("#article-body [id='到账时限']")
    assert "best-section-head" in heading.get_attribute("class")
    header = page.evaluate("document.querySelector('.topbar').getBoundingClientRect().bottom")
    top = heading.bounding_box()["y"]
    assert header <= top <= header + 40, (header, top)  # under the sticky header, not hidden
    assert page.locator("#article-body .best-section mark.kb-hit").count() > 0
    shot(page, "live-landed-on-best-section")


def test_answer_card_in_the_results_and_its_copy_button(page_as):
    page = page_as("agent", **CLIPBOARD)
    results = type_query(page, "home-search", "退款催办")
    first = results.locator(".live-item").first
    card = first.locator(".live-answer")
    assert "退款超时催办" in card.locator(".answer-label").inner_text()
    text = card.locator(".answer-text").inner_text()
    assert text.startswith("已发起未到账的")
    card.locator(".copy-answer").click()
    page.wait_for_function("() => document.querySelector('.live-answer .copy-answer').classList"
                           ".contains('done')")
    assert clipboard(page) == text
    shot(page, "live-answer-card-copied")


def test_sop_checklist_ticked_by_keyboard_survives_reload_and_summary_is_copied(
        page_as, live_server):
    page = page_as("agent", **CLIPBOARD)
    page.goto(live_server.url + "/a/complaint-intake")
    page.wait_for_selector("#checklist[data-ready]")
    revision = page.get_attribute("article[data-article-slug]", "data-revision")
    sent = []  # nothing reaches the server while the agent ticks and copies
    page.on("request", lambda r: sent.append(r.url))
    page.keyboard.press("c")  # to the first open step
    page.keyboard.press(" ")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press(" ")
    steps = page.locator("#article-body li.check-step")
    assert [steps.nth(i).get_attribute("aria-checked") for i in range(3)] == \
        ["true", "false", "true"]
    page.wait_for_function(
        "() => document.querySelector('.checklist-time').textContent !== '00:00'")
    shot(page, "live-sop-checklist")
    page.reload()
    page.wait_for_selector("#checklist[data-ready]")
    assert page.locator("#article-body li.check-step.ticked").count() == 2
    page.locator("#checklist button.primary").click()
    page.wait_for_selector("#checklist button.primary.done")
    summary = clipboard(page)
    assert "客户投诉受理与记录规范" in summary and "/a/complaint-intake" in summary
    assert "[x] 1. 核实身份" in summary and "[ ] 2. 倾听并复述问题" in summary
    assert "[x] 3. 询问客户诉求" in summary and "已完成 2 / 6 步" in summary
    assert re.search(rf"/a/complaint-intake · \S+ {revision}\n", summary), summary
    assert any(u.endswith("/a/complaint-intake") for u in sent)  # the reload was seen
    others = [u for u in sent if not u.endswith("/a/complaint-intake") and "/static/" not in u]
    assert others == [], "the checklist sent its state to the server"


def test_section_copy_keeps_list_numbers_and_table_columns(page_as, live_server):
    page = page_as("agent", **CLIPBOARD)
    page.goto(live_server.url + "/a/refund-policy")
    page.wait_for_selector("#article-body[data-ready]", state="attached")
    page.locator("#article-body [id='到账时限'] .copy-section").click()
    page.wait_for_selector("#article-body [id='到账时限'] .copy-section.done")
    text = clipboard(page)
    assert "\n1. 仓库签收退回商品后" in text and "\n4. 不接受退到他人账户" in text
    page.locator("#article-body [id='退款情形'] .copy-section").click()
    page.wait_for_selector("#article-body [id='退款情形'] .copy-section.done")
    assert "情形\t条件\t退款金额" in clipboard(page)
    # A section's answer card on the page: labelled in the interface language, copied alone.
    card = page.locator("#article-body .admonition.answer").first
    assert card.evaluate("c => getComputedStyle(c, '::before').content") == '"答案"'
    card.locator(".copy-answer").click()
    page.wait_for_selector("#article-body .admonition.answer .copy-answer.done")
    assert clipboard(page).startswith("已发起未到账的，把退款流水号告诉客户")


def test_a_zero_result_report_reaches_the_trainers_content_gaps(page_as, live_server):
    agent = page_as("agent")
    agent.goto(live_server.url + "/search?q=zqxwv%20blender")
    assert agent.locator("#zero-results").is_visible()
    assert agent.locator("#zero-results .category-tiles a").count() >= 3
    agent.fill("#gap-note", "客户问的是破壁机，我们没有这个产品的文章")
    shot(agent, "live-zero-results")
    agent.click("#gap-report button[type=submit]")
    agent.wait_for_selector("#gap-reported")
    trainer = page_as("trainer")
    trainer.goto(live_server.url + "/kb/health")
    row = trainer.locator("table.gap-reports tr", has_text="zqxwv blender")
    assert row.locator("td").nth(1).inner_text() == "1"
    assert "破壁机" in row.inner_text()
    shot(trainer, "live-gap-report-on-content-health")
    row.locator("button[type=submit]").click()
    trainer.wait_for_url(re.compile(r".*/kb/health#gaps$"))
    assert trainer.locator("table.gap-reports tr", has_text="zqxwv blender").count() == 0


def test_reread_banner_for_who_read_the_old_text_and_not_for_who_never_read_it(
        page_as, live_server):
    url = live_server.url + "/a/weekly-report"
    agent = page_as("agent")
    agent.goto(url)
    assert agent.locator("#reread-banner").count() == 0
    trainer = page_as("trainer")
    trainer.goto(url + "/edit")
    trainer.wait_for_selector("form[data-editor][data-ready]", state="attached")
    body = trainer.locator("textarea[name=body]")
    body.fill(body.input_value() + "\n\n周报中的投诉热点须附工单号。\n")
    trainer.fill("input[name=note]", "投诉热点须附工单号")
    trainer.click("button[name=save]")
    trainer.wait_for_url(re.compile(r".*/a/weekly-report/edit$"))
    trainer.goto(url)
    trainer.check("#workflow form[action$='/publish'] input[name=requires_reread]")
    trainer.click("#workflow form[action$='/publish'] button")
    trainer.wait_for_url(re.compile(r".*/a/weekly-report$"))

    agent.goto(live_server.url + "/")
    assert "客服周报编写规范" in agent.locator("#changed-since").inner_text()
    agent.goto(url)
    banner = agent.locator("#reread-banner")
    assert "投诉热点须附工单号" in banner.inner_text()
    shot(agent, "live-reread-banner")
    banner.locator("a").click()
    agent.wait_for_url(re.compile(r".*/a/weekly-report/changes\?from=\d+$"))
    assert "须附工单号" in agent.locator("table.diff").inner_text()

    newcomer = page_as("newhire")
    newcomer.goto(url)
    assert newcomer.locator("#reread-banner").count() == 0
    assert newcomer.locator("#changed-since").count() == 0


@pytest.mark.parametrize("role", ["agent", "trainer"])
def test_phone_header_is_at_most_64px_with_a_menu_and_touch_hints(page_as, live_server, role):
    page = page_as(role, viewport=PHONE, is_mobile=True, has_touch=True)
    page.wait_for_selector("form[data-live-search][data-ready]", state="attached")
    assert page.evaluate("document.querySelector('.topbar').offsetHeight") <= 64
    assert "/" not in page.get_attribute("#search-box", "placeholder")
    nav = page.locator("#mainnav")
    assert nav.is_hidden()
    page.click("#menu-toggle")
    assert nav.is_visible() and nav.locator("a").count() >= 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, f"live-phone-menu-{role}")
    page.click("#menu-toggle")
    assert nav.is_hidden()
    shot(page, f"live-phone-home-{role}")
    page.goto(live_server.url + "/a/complaint-intake")
    page.wait_for_selector("#checklist[data-ready]")
    assert "C" not in page.locator("#checklist button").first.inner_text()  # no key hints
    page.locator("#article-body li.check-step").first.tap()
    assert page.locator("#article-body li.check-step.ticked").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, f"live-phone-checklist-{role}")
    page.goto(live_server.url + "/search?q=退款到账")  # the full results page fits too
    assert page.locator(".search-page .live-section").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, f"live-phone-results-{role}")
