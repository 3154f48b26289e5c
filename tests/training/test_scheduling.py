"""Open and close dates, and per-person exceptions: extra time, extra attempts, later close."""
from datetime import timedelta

import pytest

from kb_portal.accounts.models import utcnow
from kb_portal.extensions import db
from kb_portal.training import scheduling, services
from kb_portal.training.errors import TrainingError
from tests.conftest import csrf_token

from .conftest import make_quiz


def test_a_quiz_opens_and_closes(articles, users):
    now = utcnow()
    quiz = make_quiz()
    quiz.open_at, quiz.close_at = now + timedelta(days=1), now + timedelta(days=2)
    with pytest.raises(TrainingError, match="opens on"):
        services.start_attempt(quiz, users["agent"], now=now)
    attempt = services.start_attempt(quiz, users["agent"], now=now + timedelta(days=2, hours=-1))
    assert attempt.deadline == quiz.close_at  # no time limit: the close is the deadline
    services.submit_attempt(attempt, now=now + timedelta(days=2, hours=-1))
    with pytest.raises(TrainingError, match="closed on"):
        services.start_attempt(quiz, users["agent"], now=now + timedelta(days=3))


def test_exceptions_for_one_person(articles, users):
    now = utcnow()
    quiz = make_quiz(max_attempts=1, time_limit_minutes=10)
    quiz.close_at = now + timedelta(hours=1)
    agent, other = users["agent"], users["trainer"]
    scheduling.set_override(quiz, agent, extra_minutes=20, extra_attempts=1,
                            close_at=now + timedelta(days=1))
    first = services.start_attempt(quiz, agent, now=now)
    assert first.deadline == now + timedelta(minutes=30)
    services.submit_attempt(first, now=now)
    second = services.start_attempt(quiz, agent, now=now + timedelta(hours=2))  # later close
    services.submit_attempt(second, now=now + timedelta(hours=2))
    with pytest.raises(TrainingError, match="used all 2 attempts"):
        services.start_attempt(quiz, agent, now=now + timedelta(hours=3))
    with pytest.raises(TrainingError, match="closed on"):
        services.start_attempt(quiz, other, now=now + timedelta(hours=2))
    assert services.start_attempt(quiz, other, now=now).deadline == now + timedelta(minutes=10)
    scheduling.set_override(quiz, agent, 0, 0, None)  # all empty: removed
    assert scheduling.override_for(quiz, agent) is None
    with pytest.raises(TrainingError):
        scheduling.set_override(quiz, agent, -5, 0, None)


def test_trainer_sets_dates_and_an_exception_in_the_browser(quiz, users, as_role):
    client = as_role("trainer")
    url = f"/training/manage/quizzes/{quiz.slug}"
    token = csrf_token(client, url)
    client.post(url, data={"csrf_token": token, "slug": quiz.slug, "title": quiz.title,
                           "pass_mark": "80", "time_limit_minutes": "5", "max_attempts": "1",
                           "attempt_delay_minutes": "0", "review": "explanations",
                           "grading_method": "best", "open_at": "2020-01-01T09:00",
                           "close_at": "2020-01-02T09:00"})
    db.session.refresh(quiz)
    assert quiz.close_at is not None and quiz.close_at - quiz.open_at == timedelta(days=1)
    page = as_role("agent").get(f"/training/quiz/{quiz.slug}").get_data(as_text=True)
    assert "closed on" in page
    client.post(f"{url}/overrides", data={"csrf_token": token, "user_id": users["agent"].id,
                                          "extra_minutes": "15", "extra_attempts": "",
                                          "later_close": "2099-01-01T09:00"})
    override = scheduling.override_for(quiz, users["agent"])
    assert override.extra_minutes == 15
    page = as_role("agent").get(f"/training/quiz/{quiz.slug}").get_data(as_text=True)
    assert "closed on" not in page and "Start the quiz" in page


def test_dates_in_quiz_files_are_the_centres_wall_clock(app, articles):
    from kb_portal.training.files import dump_quiz, parse_quiz
    from kb_portal.training.quiz_import import quiz_to_file

    from .conftest import QUIZ_YAML

    app.config["KB_TIMEZONE"] = "Asia/Shanghai"
    text = QUIZ_YAML + "open_at: 2026-12-01 09:00\nclose_at: '2026-12-08T18:30'\n"
    quiz = make_quiz(text)
    assert quiz.open_at.isoformat() == "2026-12-01T01:00:00"  # stored in UTC
    doc = quiz_to_file(quiz)
    assert (doc.open_at, doc.close_at) == ("2026-12-01 09:00", "2026-12-08 18:30")
    assert parse_quiz(dump_quiz(doc), "x") == doc
    with pytest.raises(TrainingError, match="open_at must be a date"):
        parse_quiz(QUIZ_YAML + "open_at: next monday\n", "x")
