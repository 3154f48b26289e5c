"""Onboarding tracks: assignment, read and quiz steps, progress, overdue, re-read reopening."""
from datetime import date, timedelta

import pytest

from kb_portal.extensions import db
from kb_portal.kb import queries
from kb_portal.kb.signals import article_published
from kb_portal.training import services, tracks
from kb_portal.training.bank_models import Question
from kb_portal.training.errors import TrainingError
from kb_portal.training.files import TrackFile
from kb_portal.training.importer import apply_track_file
from kb_portal.training.models import Track
from tests import factories

from .test_attempts import right_answers


@pytest.fixture
def track(quiz, articles):
    apply_track_file(TrackFile(slug="onboarding", title="新员工入职培训", due_days=14, steps=[
        ("read", "complaint-intake"), ("quiz", "complaint-process"),
        ("read", "complaint-escalation")]))
    db.session.commit()
    return db.session.scalar(db.select(Track))


def read(user, slug):
    article = queries.find_by_slug(slug)[0]
    queries.record_view(article, user)
    return tracks.acknowledge_article(user, article)


def pass_quiz(quiz, user):
    attempt = services.start_attempt(quiz, user)
    services.save_answers(attempt, right_answers(attempt))
    services.submit_attempt(attempt)
    assert attempt.passed


def test_steps_complete_by_reading_and_passing(track, quiz, users):
    agent = users["agent"]
    (assignment,) = tracks.assign_track(track, [agent])
    assert assignment.due_date == date.today() + timedelta(days=14)
    progress = tracks.progress(assignment)
    assert (progress.done, progress.total, progress.next_step.step.kind) == (0, 3, "read")
    assert read(agent, "complaint-intake") == 1
    pass_quiz(quiz, agent)
    progress = tracks.progress(assignment)
    assert (progress.done, progress.percent) == (2, 67)
    assert progress.next_step.step.article.slug == "complaint-escalation"
    read(agent, "complaint-escalation")
    assert tracks.progress(assignment).complete and assignment.completed_at is not None


def test_acknowledging_an_article_never_opened_is_refused(track, users):
    tracks.assign_track(track, [users["agent"]])
    article = queries.find_by_slug("complaint-intake")[0]
    with pytest.raises(TrainingError, match="Open the article"):
        tracks.acknowledge_article(users["agent"], article)


def test_assignment_counts_work_done_before_it(track, quiz, users):
    pass_quiz(quiz, users["agent"])
    (assignment,) = tracks.assign_track(track, [users["agent"]])
    assert [s.status for s in tracks.progress(assignment).steps] == ["open", "done", "open"]


def test_overdue_steps_are_marked(track, users):
    (assignment,) = tracks.assign_track(track, [users["agent"]],
                                        due_date=date.today() - timedelta(days=1))
    read(users["agent"], "complaint-intake")
    progress = tracks.progress(assignment)
    assert [s.status for s in progress.steps] == ["done", "overdue", "overdue"]
    assert progress.overdue


def test_assign_to_everyone_with_a_start_date(track, users):
    monday = date(2026, 12, 7)
    hires = [factories.user(f"hire{i}") for i in range(2)]
    for hire in hires:
        hire.start_date = monday
    factories.user("other").start_date = monday + timedelta(days=7)
    db.session.commit()
    created = tracks.assign_by_start_date(track, monday)
    assert sorted(a.user.username for a in created) == ["hire0", "hire1"]
    assert created[0].due_date == monday + timedelta(days=14)
    assert tracks.assign_by_start_date(track, monday) == []  # assigning twice changes nothing


def test_requires_reread_reopens_the_step_and_flags_linked_questions(track, quiz, users):
    agent = users["agent"]
    (assignment,) = tracks.assign_track(track, [agent])
    read(agent, "complaint-intake")
    intake = queries.find_by_slug("complaint-intake")[0]
    article_published.send(None, article_ids=[intake.id])  # an ordinary publish
    assert tracks.progress(assignment).steps[0].status == "done"

    article_published.send(None, article_ids=[intake.id], requires_reread=True)
    progress = tracks.progress(assignment)
    assert progress.steps[0].status == "reopened"
    assert tracks.needs_ack(agent, intake)
    flagged = db.session.scalars(db.select(Question.key).where(Question.needs_review)).all()
    assert sorted(flagged) == ["intake-ack", "steps"]
    read(agent, "complaint-intake")  # reading it again closes the step again
    assert tracks.progress(assignment).steps[0].status == "done"
