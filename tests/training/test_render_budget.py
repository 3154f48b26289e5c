"""Quiz Markdown takes the articles' bounded path (issue 11, left over from issue 17): checked
within the render budget when saved or imported, rendered within it (and remembered) when
shown, and a stored text that still fails is shown as text, never as a 500."""
import json

from kb_portal.extensions import db
from kb_portal.importing import import_paths
from kb_portal.training.bank_models import Question
from kb_portal.training.models import Quiz
from tests.conftest import csrf_token

from .test_views import start

# 20 KB of reference-link openers: bounded scans keep it near-linear, yet ~10 times over a
# 0.05 s budget (a run of bare "[" is now answered by one str.find: ~40 ms, too close)
SLOW = "[a][" * 5_000
TIGHT_BUDGET = 0.05


def quiz_file(prompt: str) -> str:
    return "\n".join([
        "title: Slow quiz", "slug: slow-quiz", "questions:",
        "  - id: fine", "    type: true_false", "    prompt: Refunds go back the way they came.",
        "    answer: true",
        "  - id: slow", "    type: true_false", f"    prompt: {json.dumps(prompt)}",
        "    answer: false", ""])


def test_a_quiz_file_with_a_prompt_over_budget_is_refused_with_the_reason(app, tmp_path):
    app.config["KB_RENDER_BUDGET_SECONDS"] = TIGHT_BUDGET
    path = tmp_path / "slow-quiz.yaml"
    path.write_text(quiz_file(SLOW), encoding="utf-8")
    report = import_paths([path])
    [(where, reason)] = report.errors
    assert where == str(path)
    assert reason.startswith("question 2 (slow): prompt: This text takes too long")
    assert db.session.scalar(db.select(Quiz).where(Quiz.slug == "slow-quiz")) is None
    app.config["KB_RENDER_BUDGET_SECONDS"] = 4.0
    path.write_text(quiz_file("Refunds need a receipt."), encoding="utf-8")
    assert import_paths([path]).errors == []


def test_a_gift_question_over_budget_is_skipped_and_the_others_imported(app, tmp_path):
    app.config["KB_RENDER_BUDGET_SECONDS"] = TIGHT_BUDGET
    path = tmp_path / "bank.gift"
    path.write_text("::Fine::[markdown]Press **Save** first. {T}\n\n"
                    f"::Slow::[markdown]{SLOW} {{F}}\n", encoding="utf-8")
    report = import_paths([path])
    assert [q.title for q in db.session.scalars(db.select(Question))] == ["Fine"]
    [(where, reason)] = report.errors
    assert where == f"{path}:3" and "“Slow” skipped" in reason and "too long" in reason


def test_the_question_editor_refuses_a_prompt_over_budget_and_keeps_it(quiz, as_role, app):
    app.config["KB_RENDER_BUDGET_SECONDS"] = TIGHT_BUDGET
    client = as_role("trainer")
    url = f"/training/manage/questions/new?quiz={quiz.slug}"
    before = db.session.scalar(db.select(db.func.count()).select_from(Question))
    data = {"csrf_token": csrf_token(client, url), "key": "slow", "type": "true_false",
            "prompt": SLOW, "answer": "true", "points": "1", "action": "save",
            "format": "markdown"}
    page = client.post(url, data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "This text takes too long" in html and SLOW in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == before


def test_quiz_pages_remember_each_text_and_show_a_failing_one_as_text(quiz, as_role, app):
    # A prompt stored before texts were checked, on a machine far slower than at save time.
    question = next(q for q in quiz.fixed_questions if q.key == "refund-original")
    question.prompt = "退款一律**原路**退回。" + SLOW
    db.session.commit()
    app.config["KB_RENDER_BUDGET_SECONDS"] = TIGHT_BUDGET
    _attempt, html = start(as_role("agent"), quiz)
    assert "退款一律**原路**退回。[a][[a][" in html  # as text: readable, not a 500
    cache = app.extensions["kb_html_cache"]
    assert cache.get("受理投诉后，需要在多长时间内向客户确认已受理？") == \
        "<p>受理投诉后，需要在多长时间内向客户确认已受理？</p>"
    assert cache.get(question.prompt) is None  # a failure is not remembered
