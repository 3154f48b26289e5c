"""GIFT as Moodle means it: every construct the portal supports or skips, Moodle's own
documentation examples (retold), grading with GIFT's weights, and export → import unchanged."""
import io

import pytest

from kb_portal.extensions import db
from kb_portal.importing import import_paths
from kb_portal.training.bank_models import Question, QuestionCategory
from kb_portal.training.gift import parse_gift
from kb_portal.training.gift_export import dump_gift
from kb_portal.training.question_types import get_type
from kb_portal.training.quiz_import import question_to_file
from kb_portal.training.rendering import question_html
from tests.conftest import csrf_token

BANK = r"""// A bank that uses every GIFT construct: some are imported, some skipped.
$CATEGORY: $course$/top/Support/Billing

// [id:refund-window] [tag:refunds] [tag:policy]
::Refund window::How many days does a customer have to ask for a refund? {
    =30 days #Right: the policy says 30.
    ~%50%15 days #Half right: that is the exchange window.
    ~7 days #No, that is the delivery promise.
####See the refund policy.}

::Escalate::Which cases go straight to a supervisor? {
    ~%50%A threat to call the regulator
    ~%50%A safety incident
    ~%-100%An invoice request
}

::Either::Pick the two channels we answer within an hour. {~%50%Phone ~%50%Chat ~Letter}

::Refunds go back::Refunds go back the way they came.{TRUE#No: they do.#Yes.}

$CATEGORY: Support/Billing/Codes

::Hotline::The hotline is {=12315 =%50%12315 hotline #Number only. =%0%*#See the article.} today.

::Match::Match each code to its meaning. {
    =E-101 -> Water tank empty
    =E-102 -> Brush stuck
    = -> Battery low
}

::Specials::[plain]Use \{braces\}, \~tilde, \=equals, \#hash and \: colon.\nSecond line. {=ok}

::Html::[html]<p onclick="steal()">Press <b>Save</b><script>alert(1)</script></p>{T}

::Markdown::[markdown]Press **Save** first. {F}

::When::When did we open?{#2019:1}

::Essay::Describe a difficult call.{}

Remember to stay polite.

::Cloze::Fill {1:SHORTANSWER:=yes} and {1:MC:=a~b}.
"""


def test_every_construct_is_read_as_moodle_reads_it():
    bank = parse_gift(BANK)
    got = {q.question.title: q for q in bank.questions}
    assert [s.title for s in bank.skipped] == ["When", "Essay", "Remember to stay polite.",
                                               "Cloze"]
    assert [s.line for s in bank.skipped] == [37, 39, 41, 43]
    assert "numerical" in bank.skipped[0].reason and "essay" in bank.skipped[1].reason
    assert "description" in bank.skipped[2].reason and "Cloze" in bank.skipped[3].reason

    refund = got["Refund window"]
    assert refund.category == "$course$/top/Support/Billing" and refund.line == 5
    assert refund.question.id == "refund-window"
    assert refund.question.tags == ["refunds", "policy"]
    assert refund.question.type == "single"
    assert refund.question.definition == {
        "choices": ["30 days", "15 days", "7 days"], "answer": "30 days",
        "partial": {"15 days": 50.0},
        "feedback": {"30 days": "Right: the policy says 30.",
                     "15 days": "Half right: that is the exchange window.",
                     "7 days": "No, that is the delivery promise."}}
    assert refund.question.explanation == "See the refund policy."
    assert refund.question.prompt_format == "plain"  # no tag: Moodle's auto-format, as text

    assert got["Escalate"].question.type == "multiple"
    # These weights are exactly the portal's rule without weights (+1/right, −1/wrong per
    # pick), so the question keeps the short form; the grading is the same (next test).
    assert got["Escalate"].question.definition == {
        "choices": ["A threat to call the regulator", "A safety incident",
                    "An invoice request"],
        "answer": ["A threat to call the regulator", "A safety incident"]}
    assert got["Either"].question.definition["weights"] == {"Phone": 50.0, "Chat": 50.0}
    assert got["Refunds go back"].question.definition == {
        "answer": True, "feedback": {"true": "Yes.", "false": "No: they do."}}
    hotline = got["Hotline"].question
    assert hotline.prompt == "The hotline is _____ today."
    assert hotline.definition["partial"] == {"12315 hotline": 50.0, "*": 0.0}
    assert got["Hotline"].category == "Support/Billing/Codes"
    assert got["Match"].question.definition["pairs"][-1] == ["", "Battery low"]
    assert got["Specials"].question.prompt == \
        "Use {braces}, ~tilde, =equals, #hash and : colon.\nSecond line."
    assert got["Html"].question.prompt_format == "html"
    assert got["Markdown"].question.prompt_format == "markdown"


def _grade(question, *picked):
    qtype = get_type(question.type)
    choices = question.definition.get("choices", [])
    if question.type == "multiple":
        return qtype.grade(question.definition, [choices.index(p) for p in picked])
    if question.type == "single":
        return qtype.grade(question.definition, choices.index(picked[0]))
    return qtype.grade(question.definition, picked[0])


def test_grades_follow_the_gift_weights():
    got = {q.question.title: q.question for q in parse_gift(BANK).questions}
    refund, escalate, either = got["Refund window"], got["Escalate"], got["Either"]
    assert _grade(refund, "30 days") == 1.0  # the one '=' answer is fully right
    assert _grade(refund, "15 days") == 0.5
    assert _grade(escalate, "A threat to call the regulator", "A safety incident") == 1.0
    assert _grade(escalate, "A safety incident", "An invoice request") == 0.0  # floored
    assert _grade(either, "Phone", "Letter") == 0.5
    weights = parse_gift("Q {~%33.3%A ~%66.7%B ~%-100%C}").questions[0].question
    assert _grade(weights, "B") == pytest.approx(0.667)
    hotline = got["Hotline"]
    assert [_grade(hotline, a) for a in ("１２３１５", "12315 Hotline", "no idea")] == \
        [1.0, 0.5, 0.0]
    assert get_type("short_text").feedback(hotline.definition, "no idea") == \
        ["See the article."]
    assert get_type("true_false").feedback(got["Refunds go back"].definition, False) == \
        ["No: they do."]


def test_moodle_documentation_examples():
    """Moodle's GIFT page examples, retold in our own words."""
    text = "\n\n".join([
        "Who wrote the call script? {~Ann ~Bo =nobody}",
        "The script is {~read =followed ~ignored} on every call.",
        "The first greeting is polite.{TRUE}",
        "The hold music plays forever.{F}",
        "Who answers the chat? {=the agent =an agent}",
        "Match the team to its floor. {=Sales -> 2 =Support -> 3 =Billing -> 4}",
        "::Q7:: Between green and blue is { =cyan # right ~red # no ~pink # no }",
        "Two plus {=two =2} is four.",
        "Our office is in {~Paris ~%25%Lyon ~%50%Nice =Shanghai}.",
        "Which two teams sit on floor 3? { ~%-100%Nobody ~%50%Support ~%50%Billing }",
        "Rate this? {#3:2}",
    ])
    bank = parse_gift(text)
    assert [q.question.type for q in bank.questions] == [
        "single", "single", "true_false", "true_false", "short_text", "matching", "single",
        "short_text", "single", "multiple"]
    assert bank.questions[1].question.prompt == "The script is _____ on every call."
    assert bank.questions[8].question.definition["partial"] == {"Lyon": 25.0, "Nice": 50.0}
    assert [s.reason for s in bank.skipped] == ["numerical questions are not supported"]


def test_html_is_sanitised_markdown_rendered_plain_escaped(app):  # Markdown: budget + cache
    got = {q.question.title: q.question for q in parse_gift(BANK).questions}
    html = question_html(got["Html"].prompt, "html")
    assert "<b>Save</b>" in html and "script" not in html and "onclick" not in html
    assert "<strong>Save</strong>" in question_html(got["Markdown"].prompt, "markdown")
    assert "&lt;b&gt;" in question_html("<b>x</b>", "plain")


def test_export_writes_what_import_reads(app):
    bank = parse_gift(BANK)
    text = dump_gift((item.category, item.question) for item in bank.questions)
    again = parse_gift(text)
    assert [(i.category, i.question) for i in again.questions] == \
        [(i.category, i.question) for i in bank.questions]


def test_a_bank_file_imports_into_categories_and_reimports_unchanged(app, tmp_path):
    path = tmp_path / "bank.gift"
    path.write_text(BANK, encoding="utf-8")
    report = import_paths([path])
    assert report.summaries == ["quizzes and tracks: 1 created, 0 updated, 0 unchanged, "
                                "0 rejected, 4 questions skipped"]
    assert (f"{path}:37", "question “When” skipped: numerical questions are not supported") \
        in report.errors
    codes = db.session.scalar(db.select(QuestionCategory).where(
        QuestionCategory.name == "Codes"))
    assert codes.path == "Support/Billing/Codes"
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 9
    again = import_paths([path])
    assert again.summaries[0].startswith("quizzes and tracks: 0 created, 0 updated, 1 unch")

    # An exported bank imports into a fresh category tree unchanged.
    questions = db.session.scalars(db.select(Question).order_by(Question.id)).all()
    exported = dump_gift((q.category.path, question_to_file(q)) for q in questions)
    assert [q.question for q in parse_gift(exported).questions] == \
        [question_to_file(q) for q in questions]


def test_the_upload_page_imports_a_bank_and_lists_what_it_skipped(app, as_role):
    client = as_role("trainer")
    response = client.post("/training/manage", follow_redirects=True, data={
        "csrf_token": csrf_token(client, "/training/manage"), "category": "Imported",
        "file": (io.BytesIO(BANK.encode()), "moodle.gift")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "Skipped line 39 (Essay)" in page and "Skipped line 37 (When)" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 9
    bank_page = client.get("/training/bank").get_data(as_text=True)
    assert "Billing" in bank_page and "Codes" in bank_page


def test_quizzes_tracks_and_bank_export_into_a_fresh_instance_unchanged(app, quiz, runner,
                                                                        tmp_path):
    from kb_portal.kb.services import ensure_default_categories

    from .conftest import articles as make_articles

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bank.gift").write_text(BANK, encoding="utf-8")
    assert runner.invoke(args=["kb", "import", str(tmp_path / "in")]).exit_code == 1  # skips
    first = runner.invoke(args=["kb", "export-quizzes", str(tmp_path / "one"), "--gift"])
    assert first.exit_code == 0, first.output
    db.session.remove()
    db.drop_all()  # a fresh instance: the same articles, nothing else
    db.create_all()
    ensure_default_categories()
    make_articles.__wrapped__(app)
    result = runner.invoke(args=["kb", "import", str(tmp_path / "one")])
    assert result.exit_code == 0, result.output
    runner.invoke(args=["kb", "export-quizzes", str(tmp_path / "two"), "--gift"])
    for path in sorted((tmp_path / "one").rglob("*.*")):
        twin = tmp_path / "two" / path.relative_to(tmp_path / "one")
        assert twin.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), path.name
