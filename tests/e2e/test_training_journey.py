"""Does a new hire get through onboarding in a real browser, and can a trainer follow them?

The demo new hire opens "My onboarding", reads the first article and confirms it, takes the
first quiz of the track, fails (missing questions), follows a missed question's link to the
exact article section, retakes and passes, and sees the progress bar move. A trainer then sees
that trainee's progress and the quiz's item statistics.
"""
import re
from pathlib import Path

import pytest
import yaml

from .conftest import shot

pytestmark = pytest.mark.e2e
QUIZZES = Path(__file__).resolve().parents[2] / "quizzes"


def _key(text: str) -> str:
    """Compare prompts as shown (rendered Markdown) with prompts as written."""
    return re.sub(r"[\s*_`#>\[\]()]", "", text)[:14]


def _questions(slug: str) -> dict:
    data = yaml.safe_load((QUIZZES / f"{slug}.yaml").read_text(encoding="utf-8"))
    return {_key(q["prompt"]): q for q in data["questions"]}


def _label(fieldset, text: str):
    labels = fieldset.locator("label.choice")
    for i in range(labels.count()):
        if labels.nth(i).inner_text().strip() == text:
            return labels.nth(i)
    raise AssertionError(f"no choice {text!r}")


def _answer(fieldset, q: dict, right: bool) -> None:
    kind, answer = q["type"], q.get("answer")
    if kind == "single":
        wrong = next(c for c in q["choices"] if c != answer)
        _label(fieldset, str(answer if right else wrong)).click()
    elif kind == "multiple" and right:
        for choice in answer:
            _label(fieldset, str(choice)).click()
    elif kind == "true_false":
        fieldset.locator(f'input[value="{"true" if answer == right else "false"}"]').check()
    elif kind == "short_text":
        first = answer[0] if isinstance(answer, list) else answer
        fieldset.locator("input.short-answer").fill(str(first) if right else "不知道")
    elif kind == "ordering" and right:
        items = fieldset.locator("ul.ordering li")
        for i in range(items.count()):
            text = items.nth(i).inner_text().strip()
            items.nth(i).locator("select").select_option(str(q["choices"].index(text)))
    elif kind == "matching" and right:
        pairs = {str(a): str(b) for a, b in q["pairs"]}
        rows = fieldset.locator("table.matching tr")
        for i in range(rows.count()):
            left = rows.nth(i).locator("td").first.inner_text().strip()
            rows.nth(i).locator("select").select_option(label=pairs[left])


def _take(page, slug: str, wrong: int) -> None:
    """Start an attempt and answer it: the first ``wrong`` questions wrongly, the rest right."""
    page.locator("form[action$='/start'] button").click()
    page.wait_for_url(re.compile(r".*/training/attempt/\d+$"))
    questions = _questions(slug)
    fieldsets = page.locator("fieldset.question")
    for i in range(fieldsets.count()):
        fieldset = fieldsets.nth(i)
        q = questions[_key(fieldset.locator(".prompt").inner_text())]
        _answer(fieldset, q, right=i >= wrong)
    page.locator("#submit-attempt").click()
    # Unplaced ordering items are blanks: then the page asks before submitting.
    page.wait_for_function("() => location.pathname.endsWith('/result') || "
                           "document.getElementById('blank-warning')?.hidden === false")
    if not page.url.endswith("/result"):
        page.locator("#submit-anyway").click()
    page.wait_for_url(re.compile(r".*/result$"))


def _progress(page, live_server) -> int:
    page.goto(live_server.url + "/")
    return int(page.locator("#my-onboarding [role=progressbar]").first
               .get_attribute("aria-valuenow"))


def test_new_hire_onboarding_journey_and_trainer_follow_up(page_as, live_server):
    page = page_as("newhire")
    assert _progress(page, live_server) == 0
    shot(page, "training-home-newhire")

    # Read the first article: the next step links to it; confirm with "I have read this".
    page.locator("#my-onboarding .next-step a").click()
    page.wait_for_url(re.compile(r".*/a/new-hire-guide$"))
    page.locator(".ack-form button").click()
    page.wait_for_url(re.compile(r".*/training/$"))
    after_reading = _progress(page, live_server)
    assert after_reading > 0

    # The first quiz of the track: fail it, follow a missed question to its section.
    page.goto(live_server.url + "/training/")
    page.locator(".steps a[href$='/training/quiz/service-rules']").first.click()
    _take(page, "service-rules", wrong=3)
    assert page.locator("#result.result-fail").count() == 1
    shot(page, "training-result-failed")
    link = page.locator(".review-missed .article-section-link[href*='#']").first
    link.click()
    page.wait_for_url(re.compile(r".*/a/.+#.+"))
    anchor = page.evaluate("decodeURIComponent(location.hash.slice(1))")
    assert page.locator(f'[id="{anchor}"]').count() == 1
    shot(page, "training-article-section")

    # Retake and pass; the progress bar moves on.
    page.goto(live_server.url + "/training/quiz/service-rules")
    _take(page, "service-rules", wrong=0)
    assert page.locator("#result.result-pass").count() == 1
    assert _progress(page, live_server) > after_reading
    shot(page, "training-home-after-quiz")

    # A trainer sees the trainee's progress and the quiz's item statistics.
    trainer = page_as("trainer")
    trainer.goto(live_server.url + "/training/reports")
    row = trainer.locator("#trainees tr", has_text="Demo New Hire").first
    row.locator("a").first.click()
    trainer.wait_for_url(re.compile(r".*/training/reports/users/\d+$"))
    # This quiz's two attempts (the session's other journeys may add attempts at other quizzes:
    # the bank journey's new hire is the same account).
    assert trainer.locator("#user-attempts tbody tr", has_text="服务规范基础测验").count() == 2
    shot(trainer, "training-trainee-report")
    trainer.goto(live_server.url + "/training/reports/quizzes/service-rules")
    assert trainer.locator("#attempt-count").inner_text().strip() == "2"
    assert trainer.locator("#item-stats tbody tr").count() >= 8
    assert trainer.locator("svg.chart rect").count() == 10
    shot(trainer, "training-quiz-statistics")
