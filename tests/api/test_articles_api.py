"""GET /api/v1/articles, /articles/{slug} and /me/training: what an agent desktop reads."""
from datetime import timedelta

import pytest

from kb_portal.accounts.models import utcnow
from kb_portal.accounts.services import create_token
from kb_portal.extensions import db
from kb_portal.kb.models import ArticleSlug
from tests import factories


@pytest.fixture
def agent_api(client, users):
    token = create_token(users["agent"], "desktop")
    headers = {"Authorization": f"Bearer {token}"}

    def get(path, **params):
        return client.get(path, query_string=params, headers=headers)

    return get


def test_an_article_by_slug_has_html_markdown_and_its_table_of_contents(agent_api):
    factories.article("refund-policy", "退款政策", "## 到账时限\n3 个**工作日**。\n\n"
                      "见 [投诉](complaint-intake)。", category="policy", tags=["退款"],
                      summary="退款多久到账")
    response = agent_api("/api/v1/articles/refund-policy")
    assert response.status_code == 200
    data = response.get_json()
    assert data["slug"] == "refund-policy" and data["title"] == "退款政策"
    assert data["category"] == "policy" and data["tags"] == ["退款"]
    assert data["summary"] == "退款多久到账" and data["revision"] == 1
    assert "<strong>工作日</strong>" in data["html"]
    assert "3 个**工作日**" in data["markdown"]
    assert 'class="kb-link broken"' in data["html"]  # the linked article does not exist
    assert data["toc"] == [{"level": 2, "id": "到账时限", "name": "到账时限"}]
    assert data["url"] == "/a/refund-policy" and data["updated"].endswith("Z")


REFUND_BODY = ("## 退款情形\n\n!!! answer\n    质量问题全额退，运费由我们承担。\n\n正文。\n\n"
               "## 到账时限\n\n### 银行卡\n\n!!! answer\n    银行卡另需 1–5 个工作日。\n\n细节。\n")


def test_an_article_carries_its_answer_cards_as_the_document_promises(app, client, users):
    """The CRM sidebar shows the answer without parsing HTML: the article's own card in
    ``answer``, every card (the article's first, then the sections' in page order) in
    ``answers``; an article without cards has ``null`` and ``[]``. Each response is checked
    against the OpenAPI document (the Article and AnswerCard schemas)."""
    import schemathesis

    factories.article("refund-policy", "退款政策", REFUND_BODY, category="policy",
                      answer="仓库收货后 3 个工作日内原路退回。")
    factories.article("no-cards", "没有答案卡", "## 一节\n只有正文。")
    token = create_token(users["agent"], "crm")
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=headers)
    operation = schema["/articles/{slug}"]["GET"]

    def get(slug):
        case = operation.Case(path_parameters={"slug": slug})
        response = case.call(headers=headers)
        case.validate_response(response, headers=headers)  # raises when it breaks the document
        return response.json()

    data = get("refund-policy")
    assert data["answer"] == {"text": "仓库收货后 3 个工作日内原路退回。", "section_id": "",
                              "section": ""}
    assert data["answers"] == [
        data["answer"],
        {"text": "质量问题全额退，运费由我们承担。", "section_id": "退款情形",
         "section": "退款情形"},
        {"text": "银行卡另需 1–5 个工作日。", "section_id": "银行卡", "section": "银行卡"},
    ]
    bare = get("no-cards")
    assert bare["answer"] is None and bare["answers"] == []


def test_a_former_slug_finds_the_renamed_article(agent_api):
    article = factories.article("new-name", "新名字", "正文")
    db.session.add(ArticleSlug(slug="old-name", article_id=article.id))
    db.session.commit()
    data = agent_api("/api/v1/articles/old-name").get_json()
    assert data["slug"] == "new-name"


def test_agents_get_404_for_drafts_and_unknown_slugs_trainers_see_drafts(agent_api, app,
                                                                          users, client):
    factories.article("secret-draft", "草稿", "还没发布", status="draft")
    for slug in ("secret-draft", "no-such-article", "x\x00y"):
        response = agent_api(f"/api/v1/articles/{slug}")
        assert response.status_code == 404
        assert response.get_json()["error"]["status"] == 404
    token = create_token(users["trainer"])
    response = client.get("/api/v1/articles/secret-draft",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["status"] == "draft"


def test_the_list_filters_by_category_tag_and_time_and_pages(agent_api):
    for n in range(5):
        factories.article(f"a{n}", f"文章 {n}", "正文", category="sop" if n % 2 else "policy",
                          tags=["退款"] if n < 2 else [])
    factories.article("draft", "草稿", "x", status="draft")
    everything = agent_api("/api/v1/articles").get_json()
    assert everything["total"] == 5 and "draft" not in {a["slug"] for a in
                                                         everything["articles"]}
    assert {a["slug"] for a in agent_api("/api/v1/articles", category="sop")
            .get_json()["articles"]} == {"a1", "a3"}
    assert {a["slug"] for a in agent_api("/api/v1/articles", tag="退款")
            .get_json()["articles"]} == {"a0", "a1"}
    page = agent_api("/api/v1/articles", per_page=2, page=3).get_json()
    assert page["pages"] == 3 and len(page["articles"]) == 1 and page["total"] == 5
    future = (utcnow() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert agent_api("/api/v1/articles", updated_since=future).get_json()["total"] == 0
    past = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    assert agent_api("/api/v1/articles", updated_since=past).get_json()["total"] == 5


@pytest.mark.parametrize("params", [
    {"page": "0"}, {"page": "+1"}, {"page": "١"}, {"page": "1_0"}, {"per_page": "101"},
    {"per_page": "x"}, {"updated_since": "yesterday"}, {"updated_since": "2026-13-01T00:00:00Z"},
    {"updated_since": "2026-05-01"}, {"updated_since": ""}, {"page": ""}, {"tag": "a\x01b"},
    {"category": "c" * 41},
])
def test_bad_list_parameters_are_400_naming_the_parameter(agent_api, params):
    response = agent_api("/api/v1/articles", **params)
    assert response.status_code == 400
    assert next(iter(params)) in response.get_json()["error"]["message"]


def test_extreme_times_are_accepted(agent_api):
    factories.article("a", "文章", "x")
    assert agent_api("/api/v1/articles",
                     updated_since="0001-01-01T00:00:00+01:00").get_json()["total"] == 1
    assert agent_api("/api/v1/articles",
                     updated_since="9999-12-31T23:59:59-01:00").get_json()["total"] == 0


def test_my_training_progress(app, client, users):
    victim = factories.user("newbie", "agent")
    factories.article("complaint-intake", "投诉受理", "## 受理\n正文")
    factories.training_samples(victim)
    token = create_token(victim)
    data = client.get("/api/v1/me/training",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    assert data["user"] == {"username": "newbie", "name": "Newbie", "role": "agent"}
    (assignment,) = data["assignments"]
    assert assignment["track"]["slug"] == "onboarding"
    assert assignment["done"] == 0 and assignment["total"] == 2
    assert [s["kind"] for s in assignment["steps"]] == ["read", "quiz"]
    assert assignment["steps"][0]["target"] == "complaint-intake"
    other = client.get("/api/v1/me/training",
                       headers={"Authorization": f"Bearer {create_token(users['agent'])}"})
    assert other.get_json()["assignments"] == []
