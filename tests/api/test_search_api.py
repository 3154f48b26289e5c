"""GET /api/v1/search: session or bearer token, one JSON shape, 400 for bad parameters."""
import pytest

from kb_portal.accounts.services import create_token, revoke_tokens
from tests import factories

from ..search.hostile import HOSTILE


@pytest.fixture
def article(app):
    return factories.article("refund-flow", "退款流程", "客户可以申请退款。", category="policy")


def test_search_with_a_session(as_role, article):
    data = as_role("agent").get("/api/v1/search?q=退款").get_json()
    assert data["total"] == 1 and data["query"] == "退款" and data["did_you_mean"] is None
    hit = data["results"][0]
    assert {"slug", "title", "category", "score", "snippet"} <= set(hit)
    assert hit["slug"] == "refund-flow" and "<mark>退款</mark>" in hit["snippet"]


def test_search_with_a_bearer_token(app, client, users, article):
    token = create_token(users["agent"], "script")
    response = client.get("/api/v1/search?q=退款",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["total"] == 1
    assert "Set-Cookie" not in response.headers  # token requests start no session


def test_no_credentials_or_a_bad_token_is_401(app, client, users, article):
    assert client.get("/api/v1/search?q=退款").status_code == 401
    response = client.get("/api/v1/search?q=x", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and "error" in response.get_json()


def test_a_revoked_token_is_refused(app, client, users, article):
    token = create_token(users["agent"])
    revoke_tokens(users["agent"])
    response = client.get("/api/v1/search?q=退款", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


@pytest.mark.parametrize("query", ["limit=abc", "page=-1", "page=0", "limit=0", "limit=51",
                                   "page=x", "sort=bogus", "limit=1.5"])
def test_bad_parameters_are_400_with_a_json_error(as_role, article, query):
    response = as_role("agent").get(f"/api/v1/search?q=退款&{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["message"]


def test_filters_limit_and_page(as_role, app):
    for n in range(5):
        factories.article(f"a{n}", f"退款 {n}", "退款", category="sop" if n % 2 else "policy")
    client = as_role("agent")
    data = client.get("/api/v1/search?q=退款&category=sop&limit=1&page=2").get_json()
    assert data["total"] == 2 and len(data["results"]) == 1 and data["page"] == 2


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_on_the_api(module_agent, text):
    response = module_agent.get("/api/v1/search", query_string={"q": text})
    assert response.status_code == 200
    assert isinstance(response.get_json()["results"], list)
