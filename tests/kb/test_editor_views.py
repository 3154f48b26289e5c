"""The editor pages through the test client: templates, preview, save, conflict page."""
import re

from kb_portal.kb.services import get_article

from ..conftest import csrf_token
from .helpers import act, draft, edit


def form_data(client, url: str, **changes) -> dict:
    """The editor form's current values on ``url`` (as a browser would send them)."""
    html = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, url)}
    for name in ("title", "slug", "tags", "summary", "note", "review_by", "base_revision_id"):
        match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or \
            re.search(rf'value="([^"]*)"[^>]*name="{name}"', html)
        data[name] = match.group(1) if match else ""
    for name in ("category", "language", "owner"):
        select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
        chosen = re.search(r'<option selected value="([^"]*)"', select) or \
            re.search(r'<option value="([^"]*)" selected', select) or \
            re.search(r'<option value="([^"]*)"', select)
        data[name] = chosen.group(1)
    body = re.search(r'<textarea[^>]*name="body"[^>]*>\n?(.*?)</textarea>', html, re.S).group(1)
    data["body"] = (body.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"')
                    .replace("&#39;", "'").replace("&amp;", "&"))
    data.update(changes)
    return data


def test_new_article_from_the_sop_template(app, users, as_role):
    trainer = as_role("trainer")
    html = trainer.get("/kb/new?template=sop.zh-Hans").get_data(as_text=True)
    assert "## 目的" in html and "## 升级处理" in html and "## 记录要求" in html
    data = form_data(trainer, "/kb/new?template=sop.zh-Hans", title="换货流程", slug="exchange")
    assert data["owner"] == "trainer1" and data["category"] == "sop"
    response = trainer.post("/kb/new", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/a/exchange/edit")
    article = get_article("exchange")
    assert article.status == "draft" and "## 目的" in article.head_revision.body


def test_save_and_submit_for_review_in_one_go(app, users, as_role):
    trainer = as_role("trainer")
    data = form_data(trainer, "/kb/new", title="T", slug="t-one", body="x", submit_review="1")
    trainer.post("/kb/new", data=data)
    assert get_article("t-one").status == "review"


def test_edit_saves_a_new_revision_and_keeps_editing(app, users, as_role):
    article = draft(users["trainer"])
    trainer = as_role("trainer")
    data = form_data(trainer, "/a/refund-rules/edit", body="新的正文")
    response = trainer.post("/a/refund-rules/edit", data=data, follow_redirects=True)
    assert "revision 2" in response.get_data(as_text=True)
    assert article.head_revision.body == "新的正文"


def test_missing_required_note_keeps_the_text_in_the_form(app, users, as_role):
    from kb_portal.kb import workflow
    article = draft(users["trainer"])
    act(workflow.publish, article, users["trainer"], article.head_revision_id)
    trainer = as_role("trainer")
    data = form_data(trainer, "/a/refund-rules/edit", body="unsaved words", note="")
    response = trainer.post("/a/refund-rules/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "change note is required" in page
    assert "unsaved words" in page


def test_two_browsers_second_save_gets_the_conflict_page(app, users, as_role):
    draft(users["trainer"], body="第一行\n第二行\n第三行")
    first, second = as_role("trainer"), as_role("trainer2")
    data1 = form_data(first, "/a/refund-rules/edit", body="第一行改了\n第二行\n第三行")
    data2 = form_data(second, "/a/refund-rules/edit", body="第一行\n第二行\n第三行改了")
    assert first.post("/a/refund-rules/edit", data=data1).status_code == 302
    response = second.post("/a/refund-rules/edit", data=data2)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this article" in page
    assert "第一行改了\n第二行\n第三行改了" in page  # non-overlapping changes merged
    article = get_article("refund-rules")
    assert article.revisions.count() == 2  # nothing overwritten
    # the merged form carries the new base: saving it again works
    merged = form_data(second, "/a/refund-rules/edit")
    assert merged["base_revision_id"] == str(article.head_revision_id)


def test_overlapping_conflict_shows_markers_and_refuses_to_save_them(app, users, as_role):
    article = draft(users["trainer"], body="同一行")
    first, second = as_role("trainer"), as_role("trainer2")
    data1 = form_data(first, "/a/refund-rules/edit", body="甲的版本")
    data2 = form_data(second, "/a/refund-rules/edit", body="乙的版本")
    first.post("/a/refund-rules/edit", data=data1)
    page = second.post("/a/refund-rules/edit", data=data2).get_data(as_text=True)
    assert "&lt;&lt;&lt;&lt;&lt;&lt;&lt; your version" in page and "甲的版本" in page
    body = "<<<<<<< your version\n乙的版本\n=======\n甲的版本\n>>>>>>> revision 2 by trainer1"
    data2.update(body=body, base_revision_id=str(article.head_revision_id))
    response = second.post("/a/refund-rules/edit", data=data2)
    assert "Resolve the conflict blocks" in response.get_data(as_text=True)
    data2["body"] = "甲和乙的版本"
    assert second.post("/a/refund-rules/edit", data=data2).status_code == 302
    assert article.head_revision.body == "甲和乙的版本"


def test_preview_uses_the_article_renderer_and_reports_broken_links(app, users, as_role):
    trainer = as_role("trainer")
    token = csrf_token(trainer, "/kb/new")
    response = trainer.post("/kb/preview", data={"body": "## 标题\n[x](nowhere) <script>",
                                                 "csrf_token": token})
    data = response.get_json()
    assert '<h2 id="标题">' in data["html"] and "&lt;script&gt;" in data["html"]
    assert "broken" in data["html"] and data["broken"] == ["nowhere"]
    assert trainer.post("/kb/preview", data={"body": "x"}).status_code == 400  # CSRF


def test_preview_shows_a_sections_answer_card_as_agents_will_see_it(app, users, as_role):
    trainer = as_role("trainer")
    body = "## 到账时限\n\n!!! answer\n    银行卡另需 1–5 个工作日。\n\n细节。"
    token = csrf_token(trainer, "/kb/new")
    data = trainer.post("/kb/preview", data={"body": body, "csrf_token": token}).get_json()
    card = re.search(r'<div class="admonition answer">(.*?)</div>', data["html"], re.S)
    assert card and "银行卡另需 1–5 个工作日。" in card.group(1)
    assert "细节" not in card.group(1)


def test_history_diff_and_restore_pages(app, users, as_role):
    article = draft(users["trainer"], body="客户投诉必须在24小时内受理")
    edit(article, users["trainer"], body="客户投诉必须在48小时内受理")
    trainer = as_role("trainer")
    history = trainer.get("/a/refund-rules/history").get_data(as_text=True)
    assert history.index('id="rev-2"') < history.index('id="rev-1"')  # newest first
    diff = trainer.get("/a/refund-rules/diff?from=1&to=2").get_data(as_text=True)
    assert "<del>24</del>" in diff and "<ins>48</ins>" in diff
    inline = trainer.get("/a/refund-rules/diff?from=1&to=2&mode=inline").get_data(as_text=True)
    assert "diff-inline" in inline
    token = csrf_token(trainer, "/a/refund-rules/history")
    trainer.post("/a/refund-rules/restore/1", data={
        "csrf_token": token, "base_revision_id": article.head_revision_id})
    assert article.head_revision.number == 3 and "24" in article.head_revision.body
    assert trainer.get("/a/refund-rules/r/1").status_code == 200


def test_workflow_buttons_publish_a_policy_with_a_second_trainer(app, users, as_role):
    article = draft(users["trainer"], category="policy")
    author, reviewer = as_role("trainer"), as_role("trainer2")
    token = csrf_token(author, "/a/refund-rules")
    author.post("/a/refund-rules/submit", data={"csrf_token": token,
                                                 "revision_id": article.head_revision_id})
    assert article.status == "review"
    page = author.post("/a/refund-rules/publish", data={
        "csrf_token": token, "revision_id": article.head_revision_id},
        follow_redirects=True).get_data(as_text=True)
    assert "different trainer" in page and not article.is_published
    page = reviewer.get("/a/refund-rules").get_data(as_text=True)
    assert "Approve and publish" in page
    token = csrf_token(reviewer, "/a/refund-rules")
    reviewer.post("/a/refund-rules/publish", data={"csrf_token": token,
                                                    "revision_id": article.head_revision_id})
    assert article.is_published


def test_a_stale_publish_click_is_refused(app, users, as_role):
    article = draft(users["trainer"])
    seen = article.head_revision_id
    edit(article, users["trainer2"], body="something newer")
    trainer = as_role("trainer")
    token = csrf_token(trainer, "/a/refund-rules")
    page = trainer.post("/a/refund-rules/publish", data={"csrf_token": token, "revision_id": seen},
                        follow_redirects=True).get_data(as_text=True)
    assert "Someone changed the article" in page and not article.is_published


def test_editing_via_a_former_slug_redirects(app, users, as_role):
    article = draft(users["trainer"], slug="before")
    edit(article, users["trainer"], slug="after")
    response = as_role("trainer").get("/a/before/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith("/a/after/edit")


def test_a_nul_character_in_the_form_is_dropped_not_a_500(app, users, as_role):
    # PostgreSQL text cannot hold U+0000 (a DataError, answered 500); text pasted from some
    # programs carries it. Every request parameter drops it (kb_portal/request_text.py).
    draft(users["trainer"])
    trainer = as_role("trainer")
    data = form_data(trainer, "/a/refund-rules/edit", body="新\x00正文", note="改\x00")
    response = trainer.post("/a/refund-rules/edit", data=data)
    assert response.status_code == 302
    revision = get_article("refund-rules").head_revision
    assert revision.body == "新正文" and revision.note == "改"
