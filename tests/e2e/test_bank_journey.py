"""A Moodle bank through the browser: a trainer imports GIFT on the upload page, builds a quiz
from the bank category with a random draw; the new hire takes it (warned about a blank, shown
their own answer and the feedback it earned); the trainer corrects a wrong key and regrades;
the new hire sees the new score."""
import re

import pytest

from .conftest import shot

pytestmark = pytest.mark.e2e

BANK = """// A small bank exported from Moodle (one key is wrong on purpose).
::Refund window::How many days does a customer have to ask for a refund? {
    =7 days #That is the delivery promise.
    ~30 days #Yes: thirty days from delivery.
    ~15 days #That is the exchange window.
}

::Original method::Refunds go back to the original payment method.{TRUE#Check the policy.#Right.}

::Hotline::The regulator's hotline number is {=12315}.

::Essay::Describe a difficult call.{}
"""
CATEGORY = "E2E 退款题库"


def _score(page) -> str:
    return page.locator("#result .score").inner_text()


def test_gift_bank_random_quiz_blank_warning_feedback_and_regrade(page_as, live_server,
                                                                  tmp_path):
    url = live_server.url
    trainer = page_as("trainer")
    # 1. Import the bank through the upload page (the essay is skipped and said so).
    trainer.goto(url + "/training/manage")
    bank = tmp_path / "moodle-refunds.gift"
    bank.write_text(BANK, encoding="utf-8")
    trainer.set_input_files("input[name=file]", str(bank))
    trainer.fill("input[name=category]", CATEGORY)
    trainer.locator("form[enctype] button[type=submit]").click()
    trainer.wait_for_url(re.compile(r".*/training/manage$"))
    flashes = trainer.locator(".flash").all_inner_texts()
    assert any(CATEGORY in f for f in flashes) and any("Essay" in f for f in flashes)
    shot(trainer, "bank-imported")

    # 2. A quiz that draws all three questions at random from that category.
    trainer.goto(url + "/training/manage/quizzes/new")
    trainer.fill("input[name=slug]", "e2e-refund-bank")
    trainer.fill("input[name=title]", "退款题库随机测验")
    trainer.fill("input[name=pass_mark]", "60")
    trainer.select_option("select[name=review]", "explanations")
    trainer.locator("form:has(input[name=slug]) button[type=submit]").click()
    trainer.wait_for_url(re.compile(r".*/quizzes/e2e-refund-bank$"))
    trainer.select_option("#add-random select[name=category_id]", label=CATEGORY)
    trainer.fill("#add-random input[name=count]", "3")
    trainer.locator("#add-random button[type=submit]").click()
    trainer.wait_for_url(re.compile(r".*/quizzes/e2e-refund-bank(#.*)?$"))
    assert trainer.locator("#quiz-slots tbody tr").count() == 1
    shot(trainer, "bank-quiz-random-draw")

    # 3. The new hire takes it: leaves the hotline blank, is warned, submits anyway.
    learner = page_as("newhire")
    learner.goto(url + "/training/quiz/e2e-refund-bank")
    learner.locator("form[action$='/start'] button").click()
    learner.wait_for_url(re.compile(r".*/training/attempt/\d+$"))
    learner.locator("label.choice", has_text="30 days").click()
    learner.locator("fieldset.question:has-text('original payment') input[value=true]").check()
    learner.locator("#submit-attempt").click()
    warning = learner.locator("#blank-warning")
    warning.wait_for(state="visible")
    assert "not answered" in warning.inner_text() or "没有作答" in warning.inner_text()
    shot(learner, "bank-blank-warning")
    learner.locator("#submit-anyway").click()
    learner.wait_for_url(re.compile(r".*/result$"))
    result_url = learner.url
    assert re.search(r"\b1 .*\b3\b.*33\.3%", _score(learner))
    refund = learner.locator("section.review", has_text="How many days")
    assert "30 days" in refund.locator(".given-answer").inner_text()
    assert "thirty days from delivery" in refund.locator(".answer-feedback").inner_text()
    shot(learner, "bank-result-before-regrade")

    # 4. The trainer corrects the key (30 days) and regrades, dry run first.
    trainer.goto(url + "/training/bank")
    trainer.locator("#bank-tree a", has_text=CATEGORY).click()
    trainer.locator("#bank-questions a", has_text="Refund window").click()
    trainer.fill("textarea[name=answer]", "30 days")
    trainer.locator("button[value=save]").click()
    trainer.wait_for_url(re.compile(r".*/training/bank.*"))
    trainer.goto(url + "/training/manage/grading/quizzes/e2e-refund-bank/regrade")
    plan = trainer.locator("#regrade-plan tbody tr")
    assert plan.count() == 1 and "+1" in plan.first.inner_text()
    shot(trainer, "bank-regrade-dry-run")
    trainer.locator("#apply-regrade").click()
    trainer.wait_for_url(re.compile(r".*/reports/quizzes/e2e-refund-bank$"))

    # 5. The new hire's result shows the new score.
    learner.goto(result_url)
    assert re.search(r"\b2 .*\b3\b.*66\.7%", _score(learner))
    shot(learner, "bank-result-after-regrade")
