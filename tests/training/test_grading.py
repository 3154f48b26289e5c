"""Grading like Moodle: grading methods, grade bands, regrade after a key change (dry run and
apply, audited), a trainer's mark with a reason (audited, kept by regrades), close answers."""
import re

import pytest

from kb_portal.audit import AuditEntry
from kb_portal.extensions import db
from kb_portal.training import grading, regrade, services, tracks
from kb_portal.training.bank_models import Question
from kb_portal.training.errors import TrainingError
from kb_portal.training.files import TrackFile
from kb_portal.training.importer import apply_track_file
from kb_portal.training.models import Track
from tests.conftest import csrf_token

from .conftest import make_quiz
from .test_attempts import right_answers


def _take(quiz, user, right: bool):
    attempt = services.start_attempt(quiz, user)
    answers = right_answers(attempt)
    if not right:
        answers = {slot: value for slot, value in answers.items()
                   if attempt.responses[slot].type != "short_text"}
        answers.update({r.slot: "12351" for r in attempt.responses if r.type == "short_text"})
    services.save_answers(attempt, answers)
    services.submit_attempt(attempt)
    db.session.commit()
    return attempt


@pytest.mark.parametrize("method, grade", [("best", 100), ("first", 75), ("last", 75),
                                           ("average", 87.5)])
def test_grading_methods(articles, users, method, grade):
    quiz = make_quiz(grading_method=method)
    for right in (False, True, False):
        _take(quiz, users["agent"], right)
    assert grading.quiz_grade(quiz, users["agent"]) == pytest.approx(
        grade if method != "average" else (75 + 100 + 75) / 3)


def test_the_track_step_follows_the_grading_method(articles, users):
    quiz = make_quiz(grading_method="last", pass_mark=80)
    apply_track_file(TrackFile(slug="t", title="T", steps=[("quiz", quiz.slug)]))
    (assignment,) = tracks.assign_track(db.session.scalar(db.select(Track)), [users["agent"]])
    _take(quiz, users["agent"], True)
    assert tracks.progress(assignment).complete
    _take(quiz, users["agent"], False)  # the last attempt is what counts: not passed any more
    assert not tracks.progress(assignment).complete


def test_overall_feedback_by_grade_band(articles, users, as_role):
    quiz = make_quiz(feedback=[{"min": 90, "text": "**Ready** for calls."},
                               {"min": 0, "text": "Read the intake article again."}])
    attempt = _take(quiz, users["agent"], False)
    assert grading.feedback_band(quiz, attempt.percent) == "Read the intake article again."
    page = as_role("agent").get(f"/training/attempt/{attempt.id}/result").get_data(as_text=True)
    assert "Read the intake article again." in page
    assert grading.feedback_band(quiz, 95) == "**Ready** for calls."


def test_a_typo_of_an_accepted_answer_is_flagged_for_review(quiz, users):
    attempt = _take(quiz, users["agent"], False)  # "12351" for "12315": 2 edits in 5 chars
    short = next(r for r in attempt.responses if r.type == "short_text")
    assert short.fraction == 0 and short.needs_review is False  # 2 > 5 // 4
    other = services.start_attempt(quiz, users["trainer"])
    answers = right_answers(other)
    answers.update({r.slot: "12316" for r in other.responses if r.type == "short_text"})
    services.save_answers(other, answers)
    services.submit_attempt(other)
    assert next(r for r in other.responses if r.type == "short_text").needs_review


def test_regrade_after_a_key_correction_dry_run_then_apply(quiz, users, as_role):
    attempt = _take(quiz, users["agent"], True)
    question = next(q for q in quiz.fixed_questions if q.key == "intake-ack")
    slot = next(r.slot for r in attempt.responses if r.question_id == question.id)
    # The trainer finds the key was wrong: 24 hours, not 2 (a new version of the question).
    client = as_role("trainer")
    url = f"/training/manage/questions/{question.id}?quiz={quiz.slug}"
    page = client.get(url).get_data(as_text=True)
    form = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', page))
    form.update({"answer": "24小时内", "choices": "1小时内\n2小时内\n24小时内",
                 "prompt": question.prompt, "type": "single", "format": "markdown",
                 "action": "save", "explanation": question.explanation})
    assert client.post(url, data=form).status_code == 302
    db.session.refresh(question)
    assert question.version == 2

    dry = client.get(f"/training/manage/grading/quizzes/{quiz.slug}/regrade")
    assert dry.status_code == 200 and "+" not in re.search(
        r'class="difference">([^<]*)<', dry.get_data(as_text=True)).group(1)
    db.session.refresh(attempt)
    assert attempt.percent == 100  # the dry run wrote nothing
    (change,) = regrade.plan(quiz)
    assert (change.before, change.after, change.difference) == (4, 3, -1)

    reviewed = re.search(r'name="plan" value="(\w+)"', dry.get_data(as_text=True)).group(1)
    url = f"/training/manage/grading/quizzes/{quiz.slug}/regrade"
    token = csrf_token(client, "/training/manage")
    # Another trainer corrects a second key meanwhile: the reviewed plan is stale.
    other = next(q for q in quiz.fixed_questions if q.key == "refund-original")
    other.definition, other.version = {"answer": False}, other.version + 1
    db.session.commit()
    stale = client.post(url, data={"csrf_token": token, "plan": reviewed},
                        follow_redirects=True).get_data(as_text=True)
    assert "The regrade changed since you looked at it" in stale
    db.session.refresh(attempt)
    assert attempt.score == 4  # nothing applied
    other.definition, other.version = {"answer": True}, other.version + 1
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    client.post(url, data={"csrf_token": token,
                           "plan": re.search(r'name="plan" value="(\w+)"', page).group(1)})
    db.session.refresh(attempt)
    assert attempt.score == 3 and attempt.percent == 75
    response = attempt.responses[slot]
    assert response.question_version == 2 and response.fraction == 0
    assert "受理投诉后" in response.shown_prompt  # what the learner read is kept
    entry = db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "training.regrade"))
    assert entry.detail["changes"] == [{"attempt": attempt.id, "user": "agent1",
                                        "before": 4.0, "after": 3.0}]
    assert regrade.plan(quiz) == []  # nothing left to regrade
    learner = as_role("agent").get(f"/training/attempt/{attempt.id}/result")
    assert "3 of 4 (75%)" in learner.get_data(as_text=True)


def test_a_reworded_choice_keeps_its_position_and_a_type_change_is_not_regraded(quiz, users):
    attempt = _take(quiz, users["agent"], True)
    single = next(q for q in quiz.fixed_questions if q.key == "intake-ack")
    single.definition = {"choices": ["1 小时内", "2 小时内", "24 小时内"],
                         "answer": "2 小时内"}
    single.version += 1
    tf = next(q for q in quiz.fixed_questions if q.key == "refund-original")
    tf.type, tf.definition = "short_text", {"answer": ["是"]}
    tf.version += 1
    db.session.commit()
    (change,) = regrade.plan(quiz)
    assert change.slots == [] and [n for n, _r in change.not_regraded] == \
        [next(r.slot + 1 for r in attempt.responses if r.question_id == tf.id)]
    assert "type changed" in change.not_regraded[0][1]


def test_a_trainers_mark_is_audited_shown_and_kept_by_regrades(quiz, users, as_role):
    attempt = _take(quiz, users["agent"], False)
    short = next(r for r in attempt.responses if r.type == "short_text")
    client = as_role("trainer")
    url = f"/training/manage/grading/attempts/{attempt.id}/{short.slot}/override"
    token = csrf_token(client, f"/training/attempt/{attempt.id}/result")
    client.post(url, data={"csrf_token": token, "mark": "5", "comment": "x"})
    client.post(url, data={"csrf_token": token, "mark": "1", "comment": ""})
    db.session.refresh(short)
    assert short.override_fraction is None  # out of range, then no reason: refused
    client.post(url, data={"csrf_token": token, "mark": "0.5", "comment": "写成 12351，意思对"})
    db.session.refresh(attempt)
    assert attempt.score == 3.5
    entry = db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "training.override"))
    assert entry.detail == {"question": short.slot + 1, "before": "0", "after": "0.5",
                            "comment": "写成 12351，意思对"}
    page = as_role("agent").get(f"/training/attempt/{attempt.id}/result").get_data(as_text=True)
    assert "写成 12351，意思对" in page and "3.5 of 4" in page
    question = db.session.get(Question, short.question_id)
    question.definition = {"answer": ["12315", "12351"]}
    question.version += 1
    db.session.commit()
    regrade.apply(quiz, users["trainer"])
    db.session.refresh(attempt)
    assert short.fraction == 1 and short.final_fraction == 0.5 and attempt.score == 3.5
    with pytest.raises(TrainingError):
        grading.override(short, -1, "no", users["trainer"])


def test_an_attempt_in_progress_is_named_and_regraded_once_submitted(quiz, users, as_role):
    """An attempt started before the key change keeps the version it shows until submitted
    (graded against it); the regrade page names it, and the next regrade corrects it."""
    submitted = _take(quiz, users["trainer2"], True)
    open_attempt = services.start_attempt(quiz, users["agent"])
    db.session.commit()
    question = next(q for q in quiz.fixed_questions if q.key == "refund-original")
    question.definition, question.version = {"answer": False}, question.version + 1
    db.session.commit()
    assert regrade.waiting(quiz) == [open_attempt]
    assert [c.attempt for c in regrade.plan(quiz)] == [submitted]
    client = as_role("trainer")
    page = client.get(f"/training/manage/grading/quizzes/{quiz.slug}/regrade")
    html = page.get_data(as_text=True)
    waiting = re.search(r'id="regrade-waiting">(.*?)</p>', html, re.S)
    assert "Agent1 (#1)" in waiting.group(1)
    applied = client.post(f"/training/manage/grading/quizzes/{quiz.slug}/regrade",
                          follow_redirects=True, data={
                              "csrf_token": csrf_token(client, "/training/manage"),
                              "plan": re.search(r'name="plan" value="(\w+)"', html).group(1)})
    assert "1 attempts still in progress show an earlier version" in \
        applied.get_data(as_text=True)

    services.save_answers(open_attempt, right_answers(open_attempt))  # "true": the old key
    services.submit_attempt(open_attempt)
    db.session.commit()
    assert open_attempt.score == 4 and regrade.waiting(quiz) == []
    (change,) = regrade.plan(quiz)
    assert change.attempt == open_attempt and change.difference == -1
    regrade.apply(quiz, users["trainer"])
    assert open_attempt.score == 3


def test_the_pass_mark_and_bands_compare_the_figure_the_learner_is_shown(quiz, users, as_role):
    """3 of 4 plus a mark of 0.19999 (rounded weights such as GIFT's 33.333% give such
    marks): 79.99975% is shown as 80% and must pass a pass mark of 80% and reach its band."""
    quiz.feedback_bands = [{"min": 80, "text": "Ready."}, {"min": 0, "text": "Not yet."}]
    attempt = _take(quiz, users["agent"], False)  # the short answer is wrong: 3 of 4
    short = next(r for r in attempt.responses if r.type == "short_text")
    grading.override(short, 0.19999, "号码写错一位，思路正确", users["trainer"])
    db.session.commit()
    assert attempt.percent == pytest.approx(79.99975) and attempt.passed
    assert grading.has_passed(quiz, users["agent"])
    assert grading.feedback_band(quiz, attempt.percent) == "Ready."
    assert not grading.reaches(79.949, 80) and grading.reaches(79.95, 80)
    page = as_role("agent").get(f"/training/attempt/{attempt.id}/result").get_data(as_text=True)
    assert "(80%)" in page and "Passed" in page and "Not passed" not in page
