"""Hostile quiz files, rows stored before validation, drafts reached through training
(issue 11 points 7 and 10) and the package's conventions (issue 12)."""
import io
import math

import pytest

from kb_portal.extensions import db
from kb_portal.training import services, tracks
from kb_portal.training.bank_models import Question
from kb_portal.training.errors import TrainingError
from kb_portal.training.files import TrackFile, parse_quiz
from kb_portal.training.importer import apply_track_file
from kb_portal.training.models import Attempt, Track
from tests import factories
from tests.conftest import csrf_token

from .test_views import form_for, start

ONE_QUESTION = ("title: T\nquestions:\n"
                "  - {{id: q1, type: true_false, prompt: P, answer: true{extra}}}\n")


@pytest.mark.parametrize("points", [".inf", "-.inf", ".nan", "1e400", "0", "-1", "true",
                                    "'many'", "{a: 1}", "[1, 2]", "100000"])
def test_points_must_be_a_finite_positive_number(points):
    with pytest.raises(TrainingError, match="points must be a number"):
        parse_quiz(ONE_QUESTION.format(extra=f", points: {points}"), "t")


def test_deep_mappings_and_lists_give_a_clear_message_not_a_crash():
    deep = "{a: " * 10 + "1" + "}" * 10
    for field in ("prompt", "explanation", "article", "type"):
        with pytest.raises(TrainingError, match=f"{field} must be text"):
            parse_quiz(ONE_QUESTION.format(extra=f", {field}: {deep}"), "t")
    with pytest.raises(TrainingError, match="must be text"):
        parse_quiz("title: T\nquestions:\n  - {id: q, type: single, prompt: P, "
                   f"choices: [{deep}, b], answer: b}}\n", "t")
    with pytest.raises(TrainingError, match="nested"):
        parse_quiz("title: T\nquestions: " + "[" * 5000 + "]" * 5000 + "\n", "t")


@pytest.mark.parametrize("payload", [
    ONE_QUESTION.format(extra=", points: .inf"),
    ONE_QUESTION.format(extra=", points: .nan"),
    "::q1:: P {TRUE}\n// points: 1e400\n",
    ONE_QUESTION.format(extra=", prompt: " + "{a: " * 80 + "1" + "}" * 80),
])
def test_the_upload_page_refuses_hostile_files_with_a_message(payload, as_role):
    client = as_role("trainer")
    suffix = "gift" if payload.startswith("::") else "yaml"
    response = client.post("/training/manage", data={
        "csrf_token": csrf_token(client, "/training/manage"),
        "file": (io.BytesIO(payload.encode()), f"bad.{suffix}")},
        content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert "was not imported" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0


def test_an_attempt_stored_with_infinite_points_still_has_a_result_page(quiz, users, as_role):
    """Rows from before the check: a question with ``.inf`` points and an attempt at it."""
    client = as_role("agent")
    attempt_id, html = start(client, quiz)
    attempt = db.session.get(Attempt, attempt_id)
    for response in attempt.responses:
        response.points = math.inf
        response.question.points = math.inf
    attempt.max_score = math.inf
    db.session.commit()
    submitted = client.post(f"/training/attempt/{attempt_id}/submit", data=form_for(html, True))
    result = client.get(submitted.headers["Location"])
    assert result.status_code == 200
    db.session.refresh(attempt)
    assert math.isfinite(attempt.max_score) and attempt.percent == 100
    # An attempt graded before the fix (infinite total, no percentage) shows "—", not a 500.
    attempt.score, attempt.max_score, attempt.percent = math.inf, math.inf, None
    db.session.commit()
    page = client.get(f"/training/attempt/{attempt_id}/result")
    assert page.status_code == 200 and "—" in page.get_data(as_text=True)
    fresh = services.start_attempt(quiz, users["trainer"])
    assert all(r.points == 1 for r in fresh.responses)


@pytest.fixture
def draft(app):
    return factories.article("secret-plan", "未发布的新政策草稿", "## 要点\n草稿", status="draft")


def test_a_question_linked_to_a_draft_shows_no_title_to_agents(quiz, draft, as_role):
    question = next(q for q in quiz.fixed_questions if q.key == "intake-ack")
    question.article = draft
    quiz.article_slugs = ["secret-plan", "complaint-intake"]
    db.session.commit()
    client = as_role("agent")
    page = client.get(f"/training/quiz/{quiz.slug}").get_data(as_text=True)
    assert "secret-plan" not in page and "未发布" not in page
    assert "客户投诉受理与记录规范" in page  # "Study first" lists titles, not slugs
    attempt_id, html = start(client, quiz)
    submitted = client.post(f"/training/attempt/{attempt_id}/submit", data=form_for(html, False))
    result = client.get(submitted.headers["Location"]).get_data(as_text=True)
    assert "secret-plan" not in result and "未发布" not in result
    trainer_view = as_role("trainer").get(f"/training/attempt/{attempt_id}/result")
    assert "未发布的新政策草稿" in trainer_view.get_data(as_text=True)


def test_a_step_linked_to_a_draft_neither_shows_nor_blocks(quiz, draft, articles, users,
                                                           as_role):
    apply_track_file(TrackFile(slug="t", title="入职", steps=[("read", "secret-plan"),
                                                             ("read", "complaint-intake")]))
    db.session.commit()
    (assignment,) = tracks.assign_track(db.session.scalar(db.select(Track)), [users["agent"]])
    db.session.commit()
    client = as_role("agent")
    page = client.get("/training/").get_data(as_text=True)
    assert "secret-plan" not in page and "未发布" not in page
    client.get("/a/complaint-intake")
    client.post("/training/read/complaint-intake",
                data={"csrf_token": csrf_token(client, "/a/complaint-intake")})
    progress = tracks.progress(assignment)
    assert progress.complete and (progress.done, progress.total) == (1, 1)
    assert client.get(f"/training/certificate/{assignment.id}").status_code == 200
    factories.article("secret-plan", "新政策", "## 要点\n已发布", status="published")
    assert not tracks.progress(assignment).complete  # published: an ordinary step again


def test_the_track_builder_refuses_a_draft(articles, draft, as_role):
    client = as_role("trainer")
    token = csrf_token(client, "/training/manage/tracks/new")
    client.post("/training/manage/tracks/new", data={"csrf_token": token, "slug": "t1",
                                                     "title": "T1", "due_days": "7"})
    page = client.post("/training/manage/tracks/t1/steps", follow_redirects=True, data={
        "csrf_token": token, "action": "add", "target": "read:secret-plan"})
    assert "not published" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(Track)).steps == []


def test_each_area_has_its_blueprint_registered_by_init_app(app):
    assert {"training", "training_manage", "training_tracks", "training_reports"} <= \
        set(app.blueprints)


def test_services_flush_and_leave_the_commit_to_the_caller(quiz, users):
    """One transaction per request: a view that rolls back after a service leaves nothing."""
    services.start_attempt(quiz, users["agent"])
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 0
