"""The learner's and trainer's pages, through the test client."""
import re

from kb_portal.extensions import db
from kb_portal.training import tracks
from kb_portal.training.files import TrackFile
from kb_portal.training.importer import apply_track_file
from kb_portal.training.models import Attempt, Track
from tests.conftest import csrf_token


def start(client, quiz) -> tuple[int, str]:
    token = csrf_token(client, f"/training/quiz/{quiz.slug}")
    response = client.post(f"/training/quiz/{quiz.slug}/start", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    attempt_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    return attempt_id, client.get(f"/training/attempt/{attempt_id}").get_data(as_text=True)


def form_for(html: str, right: bool) -> dict:
    """Answer the page's questions from what the page shows (and what the test knows)."""
    data = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)}
    for slot, value in re.findall(r'name="(q\d+)" value="(\d+)"\s*> 2小时内', html):
        data[slot] = value if right else str((int(value) + 1) % 3)
    for slot in re.findall(r'name="(q\d+)" value="true"', html):
        data[slot] = "true" if right else "false"
    for slot in re.findall(r'class="short-answer" name="(q\d+)"', html):
        data[slot] = "１２３１５" if right else "110"
    order = ["受理登记", "调查核实", "制定方案并答复", "回访"]
    for name, text in re.findall(r'<select name="(q\d+_\d+)"[^>]*>.*?</select> (\S+)</li>',
                                 html, re.S):
        data[name] = str(order.index(text)) if right else "0"
    return data


def test_the_quiz_page_never_contains_the_answers(quiz, as_role):
    client = as_role("agent")
    _attempt_id, html = start(client, quiz)
    assert "受理确认时限为" not in html            # explanation
    assert "12315" not in html                     # short-text accepted answers
    assert "complaint-intake#" not in html         # the article link comes after submission
    assert not re.search(r"data-(correct|answer|right)|checked|selected", html)
    assert html.count("2小时内") == 1  # the right choice is there once, like every choice
    # The ordering items are shown in an order that is not the answer.
    shown = re.findall(r"</select> (\S+)</li>", html)
    assert sorted(shown) == sorted(["受理登记", "调查核实", "制定方案并答复", "回访"])
    assert shown != ["受理登记", "调查核实", "制定方案并答复", "回访"]


def test_take_fail_follow_the_link_retake_and_pass(quiz, as_role):
    client = as_role("agent")
    attempt_id, html = start(client, quiz)
    response = client.post(f"/training/attempt/{attempt_id}/submit", data=form_for(html, False))
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not passed" in result and "受理确认时限为 <strong>2 小时</strong>" in result
    link = re.search(r'class="article-section-link" href="([^"]+)"', result).group(1)
    assert link == "/a/complaint-intake#%E5%8F%97%E7%90%86%E7%A1%AE%E8%AE%A4%E6%97%B6%E9%99%90"
    assert 'id="受理确认时限"' in client.get(link.split("#")[0]).get_data(as_text=True)

    attempt_id, html = start(client, quiz)
    response = client.post(f"/training/attempt/{attempt_id}/submit", data=form_for(html, True))
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Passed" in result and "(100%)" in result


def test_double_submit_over_http_grades_once(quiz, as_role):
    client = as_role("agent")
    attempt_id, html = start(client, quiz)
    data = form_for(html, True)
    first = client.post(f"/training/attempt/{attempt_id}/submit", data=data)
    second = client.post(f"/training/attempt/{attempt_id}/submit", data=form_for(html, False))
    assert first.status_code == second.status_code == 302
    attempt = db.session.get(Attempt, attempt_id)
    db.session.refresh(attempt)
    assert attempt.percent == 100


def test_autosave_json_needs_the_csrf_header_and_resumes(quiz, as_role):
    client = as_role("agent")
    attempt_id, html = start(client, quiz)
    token = csrf_token(client, f"/training/attempt/{attempt_id}")
    slot = re.search(r'class="short-answer" name="(q\d+)"', html).group(1)
    body = {"fields": [[slot, "12315"]]}
    assert client.post(f"/training/attempt/{attempt_id}/save", json=body).status_code == 400
    response = client.post(f"/training/attempt/{attempt_id}/save", json=body,
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["saved"] >= 1
    resumed = client.get(f"/training/attempt/{attempt_id}").get_data(as_text=True)
    assert 'value="12315"' in resumed


def test_other_peoples_attempts_are_not_found(quiz, as_role):
    attempt_id, _html = start(as_role("agent"), quiz)
    other = as_role("admin")
    assert other.get(f"/training/attempt/{attempt_id}").status_code == 404


def test_over_the_limit_the_quiz_page_says_so(articles, as_role):
    from .conftest import make_quiz

    quiz = make_quiz(max_attempts=1)
    client = as_role("agent")
    attempt_id, html = start(client, quiz)
    client.post(f"/training/attempt/{attempt_id}/submit", data=form_for(html, False))
    page = client.get(f"/training/quiz/{quiz.slug}").get_data(as_text=True)
    assert "You have used all 1 attempts" in page and "Start a new attempt" not in page


def test_my_onboarding_on_home_read_button_and_certificate(quiz, articles, users, as_role):
    apply_track_file(TrackFile(slug="onboarding", title="新员工入职培训",
                               steps=[("read", "complaint-intake")]))
    db.session.commit()
    (assignment,) = tracks.assign_track(db.session.scalar(db.select(Track)), [users["agent"]])
    client = as_role("agent")
    home = client.get("/").get_data(as_text=True)
    assert "My onboarding" in home and 'aria-valuenow="0"' in home
    article = client.get("/a/complaint-intake").get_data(as_text=True)
    assert "I have read this" in article
    token = csrf_token(client, "/a/complaint-intake")
    client.post("/training/read/complaint-intake", data={"csrf_token": token})
    home = client.get("/").get_data(as_text=True)
    assert 'aria-valuenow="100"' in home
    assert "I have read this" not in client.get("/a/complaint-intake").get_data(as_text=True)
    certificate = client.get(f"/training/certificate/{assignment.id}").get_data(as_text=True)
    assert "Certificate of completion" in certificate and "新员工入职培训" in certificate


def test_trainer_edits_a_question_with_preview(quiz, as_role):
    client = as_role("trainer")
    url = f"/training/manage/questions/new?quiz={quiz.slug}"
    data = {"csrf_token": csrf_token(client, url), "key": "vip", "type": "single",
            "prompt": "VIP 客户的**回访**时限？", "choices": "1小时\n4小时", "answer": "4小时",
            "explanation": "见 [VIP](complaint-intake#受理原则)", "article": "complaint-intake",
            "tags": "vip", "points": "2", "action": "preview", "format": "markdown"}
    preview = client.post(url, data=data).get_data(as_text=True)
    assert "<strong>回访</strong>" in preview and 'href="/a/complaint-intake#' in preview
    bad = client.post(url, data={**data, "answer": "8小时"}).get_data(as_text=True)
    assert "not one of the choices" in bad
    response = client.post(url, data={**data, "action": "save"})
    assert response.status_code == 302
    assert [q.key for q in quiz.fixed_questions][-1] == "vip"
    export = client.get(f"/training/manage/quizzes/{quiz.slug}/export.gift")
    gift = export.get_data(as_text=True)
    assert "// [id:vip] [tag:vip]\n" in gift and "[markdown]VIP 客户的**回访**时限？ {" in gift


def test_track_builder_and_assignment_by_start_date(quiz, articles, users, as_role):
    from datetime import date

    client = as_role("trainer")
    token = csrf_token(client, "/training/manage/tracks/new")
    client.post("/training/manage/tracks/new", data={"csrf_token": token, "slug": "t1",
                                                     "title": "T1", "due_days": "7"})
    for target in ("read:complaint-intake", "quiz:complaint-process"):
        client.post("/training/manage/tracks/t1/steps",
                    data={"csrf_token": token, "action": "add", "target": target})
    track = db.session.scalar(db.select(Track).where(Track.slug == "t1"))
    client.post("/training/manage/tracks/t1/steps",
                data={"csrf_token": token, "action": "up", "step_id": track.steps[1].id})
    db.session.refresh(track)
    assert [s.kind for s in track.steps] == ["quiz", "read"]
    users["agent"].start_date = date(2026, 12, 7)
    db.session.commit()
    client.post("/training/manage/tracks/t1/assign",
                data={"csrf_token": token, "start_date": "2026-12-07"})
    page = client.get("/training/reports").get_data(as_text=True)
    assert users["agent"].name in page and "T1" in page


def test_an_attempt_keeps_the_prompt_it_started_with(quiz, as_role):
    client = as_role("agent")
    attempt_id, html = start(client, quiz)
    assert "受理投诉后，需要在多长时间内" in html
    question = next(q for q in quiz.fixed_questions if q.key == "intake-ack")
    question.prompt = "（已改写）受理后多久确认？"  # a trainer edits it meanwhile
    db.session.commit()
    again = client.get(f"/training/attempt/{attempt_id}").get_data(as_text=True)
    assert "受理投诉后，需要在多长时间内" in again and "已改写" not in again
    response = client.post(f"/training/attempt/{attempt_id}/submit", data=form_for(again, True))
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "受理投诉后，需要在多长时间内" in result and "已改写" not in result
    _next_id, fresh = start(client, quiz)
    assert "已改写" in fresh


def test_blanks_are_warned_about_and_need_a_second_click(quiz, as_role):
    client = as_role("agent")
    attempt_id, html = start(client, quiz)
    data = form_for(html, True)
    short = re.search(r'class="short-answer" name="(q\d+)"', html).group(1)
    data.pop(short)
    first = client.post(f"/training/attempt/{attempt_id}/submit", data=data)
    assert first.status_code == 302 and "blanks=" in first.headers["Location"]
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    number = int(short[1:]) + 1
    assert f"You have not answered question(s) {number}." in page
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.in_progress  # not graded, and the answers given were kept
    assert sum(r.answer is not None for r in attempt.responses) == 3
    second = client.post(f"/training/attempt/{attempt_id}/submit",
                         data={**data, "confirm_blanks": "1"})
    assert second.headers["Location"].endswith("/result")
    db.session.refresh(attempt)
    assert attempt.percent == 75


def test_an_attempt_started_by_mistake_can_be_withdrawn_and_does_not_count(articles, as_role):
    from .conftest import make_quiz

    quiz = make_quiz(max_attempts=1)
    client = as_role("agent")
    attempt_id, html = start(client, quiz)
    assert "I started this by mistake" in html
    token = csrf_token(client, f"/training/attempt/{attempt_id}")
    client.post(f"/training/attempt/{attempt_id}/withdraw", data={"csrf_token": token})
    assert db.session.get(Attempt, attempt_id) is None
    attempt_id, html = start(client, quiz)  # the one allowed attempt is still there
    client.post(f"/training/attempt/{attempt_id}/save", headers={"X-CSRFToken": token},
                json={"fields": [["q0", "0"]]})
    page = client.post(f"/training/attempt/{attempt_id}/withdraw", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "can no longer be withdrawn" in page
    assert db.session.get(Attempt, attempt_id) is not None


def test_scores_show_at_most_one_decimal_rounded_as_people_round(app):
    score = app.jinja_env.filters["score"]
    assert [score(v) for v in (11 / 3, 4.0, 0.25, 6.25, 0.35, 66.66666, 0, -0.04, 1e-9)] == \
        ["3.7", "4", "0.3", "6.3", "0.4", "66.7", "0", "0", "0"]
    assert score(None) == score(float("inf")) == score(float("nan")) == "—"
    assert score(1e300) == "1" + "0" * 300 and score(-2.5) == "-2.5"  # never an error


def test_the_result_shows_the_learners_own_answer_next_to_the_right_one(quiz, as_role):
    client = as_role("agent")
    attempt_id, html = start(client, quiz)
    response = client.post(f"/training/attempt/{attempt_id}/submit", data=form_for(html, False))
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Score: 0.3 of 4 (6.3%)" in result  # the ordering question's one item in place
    given = re.findall(r'<span class="given">([^<]*)</span>', result)
    assert given[0] in ("1小时内", "24小时内") and given[1:] == [
        "110", "1. 受理登记 · 1. 调查核实 · 1. 制定方案并答复 · 1. 回访", "False"]
    right = re.findall(r'<ul class="correct-answer">(.*?)</ul>', result)
    assert right[0] == "<li>2小时内</li>" and right[3] == "<li>True</li>"


def test_the_study_link_names_the_section_by_its_heading(app, as_role):
    from tests import factories

    from .conftest import make_quiz

    factories.article("refunds", "Refund policy", "## Refund window\nThirty days.\n")
    quiz = make_quiz("title: Refunds\nslug: refunds-quiz\nquestions:\n"
                     "  - {id: w, type: true_false, prompt: Thirty days?, answer: true,\n"
                     "     article: 'refunds#refund-window'}\n")
    client = as_role("agent")
    attempt_id, html = start(client, quiz)
    response = client.post(f"/training/attempt/{attempt_id}/submit", data=form_for(html, False))
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'class="article-section-link" href="([^"]+)">([^<]+)</a>', result)
    assert link.groups() == ("/a/refunds#refund-window", "Refund policy › Refund window")
