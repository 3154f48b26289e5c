"""The responses report (page and CSV), first-attempt-only statistics, answer frequencies."""
import csv
import io

from kb_portal.training import reports, responses_report

from .test_grading import _take


def test_responses_page_csv_and_first_attempts_only(quiz, users, as_role):
    _take(quiz, users["agent"], False)
    _take(quiz, users["agent"], True)
    _take(quiz, users["trainer"], True)
    assert len(reports.quiz_report(quiz).attempts) == 3
    assert len(reports.quiz_report(quiz, first_only=True).attempts) == 2
    client = as_role("trainer")
    page = client.get(f"/training/reports/quizzes/{quiz.slug}/responses").get_data(as_text=True)
    assert page.count("12351") == 1 and "Agent1" in page
    response = client.get(f"/training/reports/quizzes/{quiz.slug}/responses.csv?first=1")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 8 and {r["username"] for r in rows} == {"agent1", "trainer1"}
    assert {r["answer"] for r in rows if r["question"] == "hotline"} == {"12351", "12315"}
    stats = client.get(f"/training/reports/quizzes/{quiz.slug}?first=1").get_data(as_text=True)
    assert 'id="attempt-count">2<' in stats and "First attempts only" not in stats


def test_answer_frequency_for_choice_questions(quiz, users):
    for right in (True, True, False):
        _take(quiz, users["agent"], right)
    (single,) = [f for f in responses_report.frequencies(quiz) if f.question.type == "single"]
    assert single.responses == 3 and single.counts["2小时内"] == 3
    assert single.right == {"2小时内"} and single.share("2小时内") == 1.0
    assert set(single.counts) == {"1小时内", "2小时内", "24小时内"}
    (tf,) = [f for f in responses_report.frequencies(quiz) if f.question.type == "true_false"]
    assert tf.counts == {"True": 3, "False": 0}
