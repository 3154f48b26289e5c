"""Review where the diff is, returns with a reason, archiving with a reason and the approval
rule, and the trainer's "My work" page."""
import re

import pytest

from kb_portal.extensions import db
from kb_portal.kb import workflow
from kb_portal.kb.services import KbError

from ..conftest import csrf_token
from .helpers import act, draft


def archive(article, actor, note):
    """Archive (or ask to) on the head the page shows, committing as the view does."""
    return act(workflow.archive, article, actor, article.head_revision_id, note)


def _post(client, url, data, origin="/"):
    return client.post(url, data={"csrf_token": csrf_token(client, origin), **data},
                       follow_redirects=True)


def test_the_diff_page_of_a_revision_in_review_carries_approve_and_return(app, users, as_role):
    article = draft(users["trainer"], category="policy")
    act(workflow.submit_for_review, article, users["trainer"], article.head_revision_id)
    reviewer = as_role("trainer2")
    page = reviewer.get("/a/refund-rules/diff").get_data(as_text=True)
    assert "Approve and publish" in page and "Return to the author" in page
    assert "第一步" in page  # a new article is compared with nothing: its whole text shows
    response = _post(reviewer, "/a/refund-rules/publish",
                     {"revision_id": article.head_revision_id, "next": "/kb/my-work"})
    assert response.request.path == "/kb/my-work"
    db.session.refresh(article)
    assert article.is_published


def test_the_author_sees_no_approve_button_on_their_own_policy(app, users, as_role):
    article = draft(users["trainer"], category="policy")
    act(workflow.submit_for_review, article, users["trainer"], article.head_revision_id)
    page = as_role("trainer").get("/a/refund-rules/diff").get_data(as_text=True)
    assert "Approve and publish" not in page
    assert "needs approval by a different trainer" in page


def test_returning_needs_a_reason_which_the_author_sees_and_history_keeps(app, users, as_role):
    article = draft(users["trainer"], category="policy")
    act(workflow.submit_for_review, article, users["trainer"], article.head_revision_id)
    with pytest.raises(KbError, match="why"):  # a blank reason (the revision is right)
        act(workflow.return_to_draft, article, users["trainer2"], article.head_revision_id,
            "  ")
    reviewer = as_role("trainer2")
    page = _post(reviewer, "/a/refund-rules/return",
                 {"revision_id": article.head_revision_id, "note": "第二步写错了"}).get_data(
                     as_text=True)
    assert "the author sees your reason" in page
    author = as_role("trainer")
    mine = author.get("/kb/my-work").get_data(as_text=True)
    returned = mine.split('id="returned"')[1].split("</section>")[0]
    assert "退款规则" in returned and "第二步写错了" in returned and "Trainer2" in returned
    assert "第二步写错了" in author.get("/a/refund-rules/edit").get_data(as_text=True)
    history = author.get("/a/refund-rules/history").get_data(as_text=True)
    assert "returned revision 1 to draft" in history and "第二步写错了" in history
    # Submitting again ends the "returned" state.
    act(workflow.submit_for_review, article, users["trainer"], article.head_revision_id)
    assert "第二步写错了" not in author.get("/kb/my-work").get_data(as_text=True)


def test_my_work_lists_drafts_reviews_waiting_and_due_items_with_a_menu_count(
        app, users, as_role):
    from datetime import timedelta

    from kb_portal.localtime import local_today

    draft(users["trainer"], slug="my-draft", title="我的草稿")
    theirs = draft(users["trainer2"], slug="their-policy", title="他人的政策", category="policy")
    act(workflow.submit_for_review, theirs, users["trainer2"], theirs.head_revision_id)
    due = draft(users["trainer"], slug="due-soon", title="快到期", review_by=local_today())
    act(workflow.publish, due, users["trainer"], due.head_revision_id)
    page = as_role("trainer").get("/kb/my-work").get_data(as_text=True)
    sections = {name: page.split(f'id="{name}"')[1].split("</section>")[0]
                for name in ("drafts", "to-review", "due", "in-review")}
    assert "我的草稿" in sections["drafts"] and "他人的政策" not in sections["drafts"]
    assert "他人的政策" in sections["to-review"] and "/a/their-policy/diff" in sections["to-review"]
    assert "快到期" in sections["due"]
    menu = re.search(r'href="/kb/my-work">[^<]*<span class="count-badge"[^>]*>(\d+)<', page)
    assert menu and menu.group(1) == "2"  # one review waiting + one due
    other = as_role("trainer2").get("/kb/my-work").get_data(as_text=True)
    assert "他人的政策" in other.split('id="in-review"')[1].split("</section>")[0]
    assert "他人的政策" not in other.split('id="to-review"')[1].split("</section>")[0]
    assert due.review_by < local_today() + timedelta(days=14)
    assert as_role("agent").get("/kb/my-work").status_code == 403


def test_archiving_a_policy_needs_a_reason_and_a_second_person(app, users, as_role):
    article = draft(users["trainer"], category="policy")
    act(workflow.submit_for_review, article, users["trainer"], article.head_revision_id)
    act(workflow.publish, article, users["trainer2"], article.head_revision_id)
    with pytest.raises(KbError):
        archive(article, users["trainer"], "")
    assert archive(article, users["trainer"], "政策已废止") is False
    assert article.is_published  # only a request: agents still read it
    waiting = as_role("trainer2").get("/kb/my-work").get_data(as_text=True)
    assert "政策已废止" in waiting.split('id="to-archive"')[1].split("</section>")[0]
    assert as_role("agent").get("/a/refund-rules").status_code == 200
    with pytest.raises(KbError):  # the requester cannot confirm their own request
        archive(article, users["trainer"], "政策已废止")
    page = as_role("trainer2").get("/a/refund-rules").get_data(as_text=True)
    assert "asked to archive this article" in page and "政策已废止" in page
    assert archive(article, users["trainer2"], "政策已废止") is True
    assert as_role("agent").get("/a/refund-rules").status_code == 404
    archived = as_role("trainer").get("/a/refund-rules").get_data(as_text=True)
    assert "Archived by Trainer2" in archived and "政策已废止" in archived
    assert "Unarchive" in archived
    act(workflow.unarchive, article, users["trainer"],
        article.head_revision_id)  # one click brings it back
    assert article.is_published and article.archive_reason == ""


def test_an_archive_request_can_be_declined_and_admins_archive_at_once(app, users, as_role):
    article = draft(users["trainer"], category="policy")
    act(workflow.submit_for_review, article, users["trainer"], article.head_revision_id)
    act(workflow.publish, article, users["admin"], article.head_revision_id)
    archive(article, users["trainer"], "过时")
    response = _post(as_role("trainer2"), "/a/refund-rules/keep",
                     {"revision_id": article.head_revision_id, "note": "仍然有效"})
    assert "The article stays" in response.get_data(as_text=True)
    db.session.refresh(article)
    assert article.archive_requested_by_id is None and article.is_published
    assert archive(article, users["admin"], "过时") is True


def test_archiving_without_approval_is_at_once_and_the_form_asks_for_a_reason(
        app, users, as_role):
    article = draft(users["trainer"])  # an SOP: no approval needed
    trainer = as_role("trainer")
    page = trainer.get("/a/refund-rules").get_data(as_text=True)
    assert re.search(r'<textarea id="archive-note" name="note"[^>]*required', page)
    refused = _post(trainer, "/a/refund-rules/archive",
                    {"revision_id": article.head_revision_id, "note": ""})
    assert "Say why the article is archived" in refused.get_data(as_text=True)
    _post(trainer, "/a/refund-rules/archive",
          {"revision_id": article.head_revision_id, "note": "合并到另一篇"})
    db.session.refresh(article)
    assert article.status == "archived" and article.archive_reason == "合并到另一篇"
