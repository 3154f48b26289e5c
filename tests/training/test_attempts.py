"""Attempts run on the server: order, deadline, saving, idempotent submit, limits, draws."""
import random
from datetime import timedelta

import pytest
from sqlalchemy.orm.attributes import set_committed_value

from kb_portal.accounts.models import utcnow
from kb_portal.extensions import db
from kb_portal.training import services
from kb_portal.training.errors import TrainingError
from kb_portal.training.models import Attempt

from .conftest import make_quiz


def right_answers(attempt) -> dict:
    """Raw form values that answer every question of ``attempt`` correctly."""
    from kb_portal.training.question_types import get_type

    raw = {}
    for r in attempt.responses:
        view = get_type(r.type).view(r.definition, r.layout)
        d = r.definition
        if r.type == "single":
            raw[r.slot] = next(str(p) for p, t in view["options"] if t == d["answer"])
        elif r.type == "short_text":
            raw[r.slot] = d["answer"][0]
        elif r.type == "true_false":
            raw[r.slot] = "true" if d["answer"] else "false"
        elif r.type == "ordering":
            raw[r.slot] = {str(p): d["choices"].index(t) for p, t in view["entries"]}
    return raw


def wrong_answers(attempt) -> dict:
    return {r.slot: {"single": "0", "short_text": "no idea", "true_false": "false",
                     "ordering": {}}[r.type] for r in attempt.responses
            if r.type != "single" or r.definition["choices"][r.layout["order"][0]]
            != r.definition["answer"]}


def test_start_fixes_order_layout_and_deadline_and_resumes(quiz, users):
    quiz.time_limit_minutes, quiz.shuffle_questions = 15, True
    now = utcnow()
    attempt = services.start_attempt(quiz, users["agent"], random.Random(1), now)
    assert attempt.number == 1 and attempt.deadline == now + timedelta(minutes=15)
    assert sorted(r.question.key for r in attempt.responses) == \
        ["hotline", "intake-ack", "refund-original", "steps"]
    assert attempt.max_score == 4
    again = services.start_attempt(quiz, users["agent"], random.Random(2))
    assert again.id == attempt.id  # a reload resumes, with the same order


def test_full_marks_and_pass(quiz, users):
    attempt = services.start_attempt(quiz, users["agent"])
    services.save_answers(attempt, right_answers(attempt))
    assert services.submit_attempt(attempt)
    assert (attempt.score, attempt.percent, attempt.passed) == (4, 100, True)


def test_a_late_submission_is_graded_on_what_was_saved_by_the_deadline(quiz, users):
    quiz.time_limit_minutes = 10
    start = utcnow() - timedelta(minutes=30)
    attempt = services.start_attempt(quiz, users["agent"], now=start)
    services.save_answers(attempt, wrong_answers(attempt), now=start + timedelta(minutes=5))
    with pytest.raises(TrainingError, match="Time is up"):
        services.save_answers(attempt, right_answers(attempt))
    assert attempt.in_progress  # refusing a save changes nothing; whoever notices grades
    services.finish_attempt(attempt, right_answers(attempt))  # the late form changes nothing
    assert not attempt.in_progress and attempt.late
    assert attempt.score == 0 and attempt.passed is False


def test_the_submit_button_after_the_deadline_ignores_the_form(quiz, users):
    quiz.time_limit_minutes = 10
    start = utcnow() - timedelta(minutes=11)
    attempt = services.start_attempt(quiz, users["agent"], now=start)
    assert services.finish_attempt(attempt, right_answers(attempt))
    assert attempt.late and attempt.score == 0


def test_expired_attempts_are_closed_when_noticed(quiz, users):
    quiz.time_limit_minutes = 5
    attempt = services.start_attempt(quiz, users["agent"], now=utcnow() - timedelta(hours=1))
    assert services.close_expired(quiz=quiz) == 1
    db.session.refresh(attempt)
    assert attempt.submitted_at is not None and attempt.late


def test_a_double_submit_grades_once(quiz, users):
    attempt = services.start_attempt(quiz, users["agent"])
    services.save_answers(attempt, right_answers(attempt))
    assert services.submit_attempt(attempt) is True
    first = (attempt.submitted_at, attempt.score)
    # A second request whose copy of the attempt still looks open (it loaded it before the
    # first one committed) must not grade again: the database decides.
    set_committed_value(attempt, "submitted_at", None)
    assert services.submit_attempt(attempt) is False
    assert (attempt.submitted_at, attempt.score) == first
    with pytest.raises(TrainingError, match="already been submitted"):
        services.save_answers(attempt, wrong_answers(attempt))


def test_the_attempt_limit_holds(articles, users):
    quiz = make_quiz(max_attempts=2)
    for _ in range(2):
        services.submit_attempt(services.start_attempt(quiz, users["agent"]))
    with pytest.raises(TrainingError, match="used all 2 attempts"):
        services.start_attempt(quiz, users["agent"])
    assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 2
    services.start_attempt(quiz, users["trainer"])  # the limit is per person


def test_the_delay_between_attempts_holds(articles, users):
    quiz = make_quiz(attempt_delay_minutes=30)
    now = utcnow()
    services.submit_attempt(services.start_attempt(quiz, users["agent"], now=now), now=now)
    with pytest.raises(TrainingError, match="in 30 minutes"):
        services.start_attempt(quiz, users["agent"], now=now + timedelta(seconds=1))
    later = services.start_attempt(quiz, users["agent"], now=now + timedelta(minutes=31))
    assert later.number == 2


def test_random_draw_comes_from_the_tagged_pool_and_retakes_differ(articles, users):
    quiz = make_quiz(draw=1, draw_tags=["时限"])
    attempt = services.start_attempt(quiz, users["agent"], random.Random(3))
    assert [r.question.key for r in attempt.responses] == ["intake-ack"]
    quiz = make_quiz(slug="all", draw=2, draw_tags=[])
    drawn = set()
    for seed in range(12):
        quiz_attempt = services.start_attempt(quiz, users["agent"], random.Random(seed))
        drawn.add(tuple(r.question.key for r in quiz_attempt.responses))
        services.submit_attempt(quiz_attempt)
    assert len(drawn) > 1 and all(len(keys) == 2 for keys in drawn)


def test_editing_a_question_mid_attempt_does_not_change_that_attempt(quiz, users):
    attempt = services.start_attempt(quiz, users["agent"])
    raw = right_answers(attempt)
    question = next(q for q in quiz.fixed_questions if q.key == "hotline")
    question.definition = {"answer": ["110"]}
    db.session.commit()
    services.save_answers(attempt, raw)
    services.submit_attempt(attempt)
    assert attempt.percent == 100
