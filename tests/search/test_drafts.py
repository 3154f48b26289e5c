"""Can trainers find unpublished articles by searching, and are agents kept away from them?"""
from kb_portal.kb import workflow

from ..factories import article
from ..kb.helpers import act

BODY = "客户要求重新开具发票时，先核对抬头。"


def test_trainers_find_drafts_by_their_words_clearly_marked(app, users, as_role):
    article("invoice-reissue", "發票重開流程", BODY, status="draft")
    article("refund-rules", "退款规则", "七天内可退。")
    page = as_role("trainer").get("/search?q=发票 重开").get_data(as_text=True)
    section = page.split('class="card unpublished-results"')[1].split("</section>")[0]
    assert "發票重開流程" in section and "/a/invoice-reissue" in section
    assert "draft" in section  # the status badge
    assert "Not published — only trainers see these" in page
    assert "退款规则" not in section


def test_agents_never_see_unpublished_articles_in_search(app, users, as_role):
    article("invoice-reissue", "發票重開流程", BODY, status="draft")
    page = as_role("agent").get("/search?q=发票 重开").get_data(as_text=True)
    assert "發票重開流程" not in page and "unpublished-results" not in page
    api = as_role("agent").get("/api/v1/search?q=发票重开").get_json()
    assert api["total"] == 0


def test_archived_and_in_review_articles_are_found_too(app, users, as_role):
    doc = article("old-policy", "旧的保修政策", "保修一年。", category="policy")
    act(workflow.archive, doc, users["admin"], doc.head_revision_id, "已废止")
    page = as_role("trainer").get("/search?q=保修政策").get_data(as_text=True)
    section = page.split('class="card unpublished-results"')[1].split("</section>")[0]
    assert "旧的保修政策" in section and "archived" in section
