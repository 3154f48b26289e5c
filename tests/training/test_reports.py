"""Quiz and item statistics against a hand-computed example; CSV exports."""
import csv
import io
import math
import textwrap

import pytest

from kb_portal.training import reports, services
from tests import factories

from .conftest import make_quiz

# Three one-point true/false questions (all "true"), four people:
#        q1 q2 q3  total  percent
#   A     1  1  1    3    100
#   B     1  1  0    2     66.7
#   C     1  0  0    1     33.3
#   D     0  0  1    1     33.3
# facility: q1 3/4, q2 2/4, q3 2/4
# discrimination (mark vs rest of attempt):
#   q1: marks 1,1,1,0 rest 2,1,0,1 → covariance 0 → r = 0
#   q2: marks 1,1,0,0 rest 2,1,1,1 → Σdm·dr = .5, Σdm² = 1, Σdr² = .75 → r = .5/√.75 = .57735
#   q3: marks 1,0,0,1 rest 2,2,1,0 → Σdm·dr = −.5, Σdm² = 1, Σdr² = 2.75 → r = −.30151
MARKS = {"a": (1, 1, 1), "b": (1, 1, 0), "c": (1, 0, 0), "d": (0, 0, 1)}
QUIZ = textwrap.dedent("""\
    title: 统计
    slug: stats
    pass_mark: 60
    questions:
""") + "".join(f"  - {{id: q{n}, type: true_false, prompt: 第{n}题, answer: true, "
               f"article: complaint-intake#受理原则}}\n" for n in (1, 2, 3))


@pytest.fixture
def graded(articles):
    quiz = make_quiz(QUIZ)
    for name, marks in MARKS.items():
        user = factories.user(name)
        attempt = services.start_attempt(quiz, user)
        services.save_answers(attempt, {r.slot: "true" if marks[r.slot] else "false"
                                        for r in attempt.responses})
        services.submit_attempt(attempt)
    return reports.quiz_report(quiz)


def test_pearson_basics():
    assert reports.pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1)
    assert reports.pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1)
    assert reports.pearson([1, 1, 1], [1, 2, 3]) is None  # no spread: undefined, not 0
    assert reports.pearson([1], [1]) is None


def test_quiz_statistics_match_the_hand_computed_example(graded):
    assert len(graded.attempts) == 4
    assert graded.pass_rate == 0.5
    assert graded.mean_percent == pytest.approx((100 + 200 / 3 + 100 / 3 + 100 / 3) / 4)
    assert [b["count"] for b in graded.bins] == [0, 0, 0, 2, 0, 0, 1, 0, 0, 1]
    items = {i.question.key: i for i in graded.items}
    assert [items[k].facility for k in ("q1", "q2", "q3")] == [0.75, 0.5, 0.5]
    assert items["q1"].discrimination == pytest.approx(0, abs=1e-12)
    assert items["q2"].discrimination == pytest.approx(0.5 / math.sqrt(0.75))
    assert items["q3"].discrimination == pytest.approx(-0.5 / math.sqrt(2.75))
    assert items["q1"].flags == ["low-discrimination"]
    assert items["q2"].flags == []
    assert items["q3"].flags == ["low-discrimination"]


def test_low_facility_is_flagged():
    stat = reports.ItemStat(question=None, attempts=10, facility=0.29, discrimination=0.5)
    assert stat.flags == ["low-facility"]


def test_articles_to_improve_come_from_the_most_missed_questions(graded):
    (entry,) = graded.articles_to_improve()
    assert entry["ref"] == "complaint-intake#受理原则"
    assert entry["miss_rate"] == 0.5
    assert [q.key for q in entry["questions"]] == ["q2", "q3", "q1"]


def test_quiz_report_page_draws_the_chart_and_flags(graded, as_role):
    html = as_role("trainer").get("/training/reports/quizzes/stats").get_data(as_text=True)
    assert "<svg" in html and "<rect" in html
    assert html.count("low discrimination") == 2
    stats = html[html.index('id="item-stats"'):]
    assert "0.58" in stats and "-0.30" in stats and "75%" in stats


def test_csv_exports(graded, as_role, app):
    app.config["KB_TIMEZONE"] = "Asia/Shanghai"
    client = as_role("trainer")
    text = client.get("/training/reports/attempts.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert sorted(r["username"] for r in rows) == ["a", "b", "c", "d"]
    assert all(r["started_at"].endswith("+08:00") for r in rows)  # local, and says so
    assert {r["username"]: r["percent"] for r in rows}["b"] == "66.7"
    progress = client.get("/training/reports/progress.csv").get_data(as_text=True)
    assert progress.lstrip("\ufeff").startswith("track,username,name,step")
