"""Service-level tests for each workflow rule (draft → review → published → archived)."""
import pytest
from sqlalchemy import select

from kb_portal.audit import AuditEntry
from kb_portal.extensions import db
from kb_portal.kb import workflow
from kb_portal.kb.models import Category
from kb_portal.kb.services import ConflictError, KbError
from kb_portal.kb.signals import article_changed, article_published

from .helpers import act, draft, edit


def actions(article):
    return [e.action for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.target_id == article.id).order_by(AuditEntry.id))]


def test_a_new_article_is_a_draft_agents_cannot_see(app, users, as_role):
    article = draft(users["trainer"])
    assert article.status == "draft" and not article.is_published
    assert article.head_revision.status == "draft"
    assert as_role("agent").get("/a/refund-rules").status_code == 404


def test_submit_then_publish_in_a_category_without_approval(app, users):
    trainer = users["trainer"]
    article = draft(trainer)
    act(workflow.submit_for_review, article, trainer, article.head_revision_id)
    assert article.status == "review" and article.head_revision.status == "review"
    act(workflow.publish, article, trainer, article.head_revision_id)
    assert article.is_published and article.published_revision_id == article.head_revision_id
    assert actions(article) == ["article.create", "article.submit", "article.publish"]


def test_a_draft_can_be_published_directly_when_no_approval_is_needed(app, users):
    article = draft(users["trainer"])
    act(workflow.publish, article, users["trainer"], article.head_revision_id)
    assert article.is_published


def test_policy_needs_review_first(app, users):
    article = draft(users["trainer"], category="policy")
    with pytest.raises(KbError, match="submit"):
        act(workflow.publish, article, users["trainer2"], article.head_revision_id)


def test_policy_author_cannot_approve_own_changes(app, users):
    author = users["trainer"]
    article = draft(author, category="policy")
    act(workflow.submit_for_review, article, author, article.head_revision_id)
    with pytest.raises(KbError, match="different trainer"):
        act(workflow.publish, article, author, article.head_revision_id)
    assert not article.is_published


def test_policy_is_published_by_a_second_trainer(app, users):
    article = draft(users["trainer"], category="policy")
    act(workflow.submit_for_review, article, users["trainer"], article.head_revision_id)
    act(workflow.publish, article, users["trainer2"], article.head_revision_id)
    assert article.is_published
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "article.publish")).one()
    assert entry.actor_id == users["trainer2"].id and entry.detail["approval"] is True


def test_an_admin_may_approve_even_own_policy_changes(app, users):
    article = draft(users["admin"], category="policy")
    act(workflow.submit_for_review, article, users["admin"], article.head_revision_id)
    act(workflow.publish, article, users["admin"], article.head_revision_id)
    assert article.is_published


def test_a_co_author_of_the_pending_changes_cannot_approve(app, users):
    t1, t2 = users["trainer"], users["trainer2"]
    article = draft(t1, category="policy")
    edit(article, t2, body="t2 wrote this too")
    act(workflow.submit_for_review, article, t1, article.head_revision_id)
    with pytest.raises(KbError):
        act(workflow.publish, article, t2, article.head_revision_id)
    with pytest.raises(KbError):
        act(workflow.publish, article, t1, article.head_revision_id)
    act(workflow.publish, article, users["admin"], article.head_revision_id)


def test_approval_is_configurable_per_category(app, users):
    db.session.scalar(select(Category).where(Category.key == "sop")).requires_approval = True
    db.session.scalar(select(Category).where(Category.key == "policy")).requires_approval = False
    db.session.commit()
    sop = draft(users["trainer"], slug="a-sop")
    with pytest.raises(KbError):
        act(workflow.publish, sop, users["trainer"], sop.head_revision_id)
    policy = draft(users["trainer"], slug="a-policy", category="policy")
    act(workflow.publish, policy, users["trainer"], policy.head_revision_id)
    assert policy.is_published


def test_moving_a_policy_to_another_category_still_needs_approval(app, users):
    article = draft(users["trainer"], category="policy")
    act(workflow.submit_for_review, article, users["trainer"], article.head_revision_id)
    act(workflow.publish, article, users["trainer2"], article.head_revision_id)
    edit(article, users["trainer"], category_key="sop", note="move")
    with pytest.raises(KbError):
        act(workflow.publish, article, users["trainer"], article.head_revision_id)


def test_editing_a_published_article_keeps_agents_on_the_published_text(app, users, as_role):
    trainer = users["trainer"]
    article = draft(trainer, body="旧的内容")
    act(workflow.publish, article, trainer, article.head_revision_id)
    published_id = article.published_revision_id
    edit(article, trainer, body="新的内容", note="update")
    assert article.published_revision_id == published_id
    assert article.head_revision.status == "draft" and article.status == "published"
    agent = as_role("agent")
    page = agent.get("/a/refund-rules").get_data(as_text=True)
    assert "旧的内容" in page and "新的内容" not in page
    act(workflow.publish, article, trainer, article.head_revision_id)
    assert "新的内容" in agent.get("/a/refund-rules").get_data(as_text=True)


def test_acting_on_a_revision_that_is_no_longer_the_head_is_a_conflict(app, users):
    article = draft(users["trainer"])
    seen = article.head_revision_id
    edit(article, users["trainer2"], body="moved on")
    with pytest.raises(ConflictError):
        act(workflow.publish, article, users["trainer"], seen)
    with pytest.raises(ConflictError):
        act(workflow.submit_for_review, article, users["trainer"], None)


def test_return_to_draft_takes_the_head_out_of_review(app, users):
    article = draft(users["trainer"], category="policy")
    act(workflow.submit_for_review, article, users["trainer"], article.head_revision_id)
    act(workflow.return_to_draft, article, users["trainer2"], article.head_revision_id,
        "fix step 2")
    assert article.status == "draft" and article.head_revision.status == "draft"
    with pytest.raises(KbError):
        act(workflow.return_to_draft, article, users["trainer2"], article.head_revision_id)


def test_nothing_to_publish_or_submit_without_pending_changes(app, users):
    article = draft(users["trainer"])
    act(workflow.publish, article, users["trainer"], article.head_revision_id)
    with pytest.raises(KbError):
        act(workflow.publish, article, users["trainer"], article.head_revision_id)
    with pytest.raises(KbError):
        act(workflow.submit_for_review, article, users["trainer"], article.head_revision_id)


def test_archive_hides_and_unarchive_restores_the_published_text(app, users, as_role):
    trainer = users["trainer"]
    article = draft(trainer)
    act(workflow.publish, article, trainer, article.head_revision_id)
    act(workflow.archive, article, trainer, article.head_revision_id, "replaced")
    assert as_role("agent").get("/a/refund-rules").status_code == 404
    with pytest.raises(KbError):
        act(workflow.publish, article, trainer, article.head_revision_id)
    act(workflow.unarchive, article, trainer, article.head_revision_id)
    assert article.is_published
    assert as_role("agent").get("/a/refund-rules").status_code == 200
    assert actions(article)[-2:] == ["article.archive", "article.unarchive"]


def test_unarchiving_a_never_published_article_gives_a_draft(app, users):
    article = draft(users["trainer"])
    act(workflow.archive, article, users["trainer"], article.head_revision_id, "not needed")
    act(workflow.unarchive, article, users["trainer"], article.head_revision_id)
    assert article.status == "draft"


def test_signals_after_publish_carry_requires_reread(app, users):
    article = draft(users["trainer"])
    seen = []

    def on_published(_sender, **kw):
        seen.append(("published", kw["article_ids"], kw["requires_reread"]))

    def on_changed(_sender, **kw):
        seen.append(("changed", kw["article_ids"]))

    with article_published.connected_to(on_published), article_changed.connected_to(on_changed):
        act(workflow.publish, article, users["trainer"], article.head_revision_id,
                         requires_reread=True)
    assert seen == [("changed", [article.id]), ("published", [article.id], True)]
