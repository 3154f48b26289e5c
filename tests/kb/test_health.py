"""Content health: review queue and "verified", votes, gaps, view counts, export, categories."""
import io
import zipfile
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from kb_portal.audit import AuditEntry
from kb_portal.extensions import db
from kb_portal.kb import feedback, health, workflow
from kb_portal.kb.files import parse_article
from kb_portal.kb.importer import import_article_files
from kb_portal.kb.models import Article, ArticleView, Category, Feedback
from kb_portal.kb.services import get_article
from tests import factories

from ..conftest import csrf_token
from .helpers import act, draft


def test_review_queue_lists_overdue_and_due_within_14_days_by_owner(app, users):
    today = date.today()
    factories.article("overdue", owner="trainer1", review_by=today - timedelta(days=1))
    factories.article("due", owner="trainer2", review_by=today + timedelta(days=14))
    factories.article("later", owner="trainer1", review_by=today + timedelta(days=15))
    factories.article("gone", owner="trainer1", review_by=today, status="archived")
    queue = health.review_queue()
    assert {k: [a.slug for a in v] for k, v in queue.items()} == {
        "trainer1": ["overdue"], "trainer2": ["due"]}


def test_verified_sets_a_new_review_date_and_records_who(app, users, as_role):
    article = factories.article("overdue", review_by=date.today() - timedelta(days=3))
    trainer = as_role("trainer")
    trainer.post("/a/overdue/verify", data={"csrf_token": csrf_token(trainer, "/a/overdue")})
    assert article.review_by == date.today() + timedelta(days=90)
    assert article.verified_by_id == users["trainer"].id and article.verified_at
    trainer.post("/a/overdue/verify", data={"csrf_token": csrf_token(trainer, "/a/overdue"),
                                            "days": "30"})
    assert article.review_by == date.today() + timedelta(days=30)
    assert health.review_queue() == {}
    assert db.session.scalar(select(func.count()).where(
        AuditEntry.action == "article.verify")) == 2


def test_one_vote_per_agent_changeable_with_comment(app, users, as_role):
    factories.article("refunds", "退款")
    agent = as_role("agent")
    for helpful, comment in (("yes", ""), ("no", "没有写到节假日怎么办")):
        agent.post("/a/refunds/feedback", data={
            "csrf_token": csrf_token(agent, "/a/refunds"), "helpful": helpful,
            "comment": comment})
    rows = db.session.scalars(select(Feedback)).all()
    assert len(rows) == 1 and rows[0].helpful is False and rows[0].comment.startswith("没有")
    page = agent.get("/a/refunds").get_data(as_text=True)
    assert "Change my vote" in page


def test_least_helpful_lists_worst_first_with_comments(app, users):
    good, bad = factories.article("good"), factories.article("bad")
    other = factories.user("agent2", "agent")
    act(feedback.vote, good, users["agent"], True)
    act(feedback.vote, good, other, False, "a bit long")
    act(feedback.vote, bad, users["agent"], False, "wrong phone number")
    act(feedback.vote, bad, other, False)
    ranked = feedback.least_helpful()
    assert [h.article.slug for h in ranked] == ["bad", "good"]
    assert [c.comment for c in ranked[0].comments] == ["wrong phone number"]
    assert (ranked[1].helpful, ranked[1].not_helpful) == (1, 1)


def test_views_count_once_per_agent_per_day(app, users, as_role):
    article = factories.article("refunds")
    agent, trainer = as_role("agent"), as_role("trainer")
    for client in (agent, agent, agent, trainer):
        client.get("/a/refunds")
    assert health.view_count(article) == 1  # the trainer's visit is upkeep, not use
    db.session.add(ArticleView(article_id=article.id, user_id=users["agent"].id,
                               day=date.today() - timedelta(days=40)))
    db.session.commit()
    assert health.view_count(article) == 2 and health.view_count(article, 30) == 1
    assert [(a.slug, n) for a, n in health.most_viewed()] == [("refunds", 1)]


def test_gaps_broken_links_unviewed_and_stuck_reviews(app, users):
    factories.article("linker", body="[ok](target) [gone](missing-page)")
    target = factories.article("target")
    db.session.add(ArticleView(article_id=target.id, user_id=users["agent"].id,
                               day=date.today()))
    linker = db.session.scalar(select(Article).where(Article.slug == "linker"))
    db.session.add(ArticleView(article_id=linker.id, user_id=users["trainer"].id,
                               day=date.today()))  # only a trainer looked: still unread
    db.session.commit()
    assert [(a.slug, s) for a, s in health.broken_links()] == [("linker", ["missing-page"])]
    assert [a.slug for a in health.never_viewed()] == ["linker"]
    stuck = draft(users["trainer"], slug="stuck")
    act(workflow.submit_for_review, stuck, users["trainer"], stuck.head_revision_id)
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "article.submit")).one()
    assert [r.stuck for r in health.in_review()] == [False]
    entry.created_at -= timedelta(days=8)
    db.session.commit()
    assert [(r.article.slug, r.stuck) for r in health.in_review()] == [("stuck", True)]


def test_health_page_shows_every_section(app, users, as_role):
    factories.article("overdue", owner="trainer1", review_by=date.today(),
                      body="[x](missing)")
    act(feedback.vote, get_article("overdue"), users["agent"], False, "过时了")
    page = as_role("trainer").get("/kb/health").get_data(as_text=True)
    for marker in ('id="review-queue"', 'id="least-helpful"', 'id="gaps"', "过时了",
                   "<code>missing</code>", 'id="in-review"', 'id="views"'):
        assert marker in page
    assert as_role("agent").get("/kb/health").status_code == 403
    home = as_role("trainer").get("/").get_data(as_text=True)
    assert "1 article due for review" in home


def test_admin_exports_the_whole_kb_as_a_zip_in_the_import_format(app, users, as_role):
    factories.article("refunds", "退款", "## 步骤\n正文", tags=["退款"])
    draft(users["trainer"], slug="a-draft")
    response = as_role("admin").get("/admin/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = sorted(archive.namelist())
        doc = parse_article(archive.read("articles/refunds.md").decode(), "refunds")
    assert names == ["articles/a-draft.md", "articles/refunds.md"]
    assert doc.title == "退款" and doc.tags == ["退款"] and "## 步骤" in doc.body
    assert as_role("trainer").get("/admin/export.zip").status_code == 403


def test_admin_sets_approval_and_note_policy_per_category(app, users, as_role):
    admin = as_role("admin")
    sop = db.session.scalar(select(Category).where(Category.key == "sop"))
    admin.post("/admin/categories/sop", data={
        f"c{sop.id}-csrf_token": csrf_token(admin, "/admin/categories"),
        f"c{sop.id}-name_en": "SOP",
        f"c{sop.id}-name_zh": "流程", f"c{sop.id}-requires_approval": "y",
        f"c{sop.id}-note_required": "always"})
    assert sop.requires_approval and sop.note_required == "always" and sop.name_zh == "流程"
    admin.post("/admin/categories", data={
        "new-csrf_token": csrf_token(admin, "/admin/categories"), "new-key": "billing",
        "new-name_en": "Billing", "new-name_zh": "账单", "new-note_required": "never"})
    billing = db.session.scalar(select(Category).where(Category.key == "billing"))
    assert billing and not billing.requires_approval and billing.note_required == "never"


def test_export_of_web_edited_articles_reimports_without_new_revisions(app, users, as_role):
    article = draft(users["trainer"], body="网页编辑的正文\n")
    act(workflow.publish, article, users["trainer"], article.head_revision_id)
    response = as_role("admin").get("/admin/export.zip")
    target = app.config["KB_DATA_DIR"] + "/reimport"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        archive.extractall(target)
    report = import_article_files(sorted(Path(target, "articles").glob("*.md")))
    assert (report.unchanged, report.updated, report.errors) == (1, 0, [])
    assert article.revisions.count() == 1
