"""Is /api/v1/openapi.json a complete, valid description, served only to callers who may use
the API, and does the API limit each token's rate?"""
import re

import pytest

from kb_portal import create_app
from kb_portal.accounts.services import create_token
from kb_portal.config import TestConfig
from kb_portal.extensions import db
from tests import factories


def _openapi_path(rule: str) -> str:
    """``/api/v1/articles/<path:slug>`` → ``/articles/{slug}``."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.removeprefix("/api/v1"))


def test_every_api_route_is_described(app, as_role):
    spec = as_role("agent").get("/api/v1/openapi.json").get_json()
    described = {(path, method.upper()) for path, item in spec["paths"].items()
                 for method in item}
    routes = {(_openapi_path(rule.rule), method)
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes, "no /api/v1 routes found"
    assert routes - described == set(), "routes missing from openapi.json"
    assert described - routes == set(), "openapi.json describes routes that do not exist"


def test_every_operation_documents_its_parameters_and_errors(as_role):
    spec = as_role("agent").get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            assert {"200", "401", "429"} <= set(operation["responses"]), f"{method} {path}"
            for name in re.findall(r"{(\w+)}", path):
                assert any(p["name"] == name and p["in"] == "path"
                           for p in operation.get("parameters", [])), f"{path}: {name}"


def test_the_document_is_for_logged_in_users_and_token_holders(app, client, users):
    assert client.get("/api/v1/openapi.json").status_code == 401
    token = create_token(users["agent"])
    response = client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["info"]["title"]


@pytest.fixture(params=["memory", "redis-down"])
def limited_app(request, tmp_path):
    """An app with a 3-per-minute API limit, counting in memory, or in a Redis that is not
    running (nothing listens on the port): the limit must then fall back to memory."""
    config = TestConfig(tmp_path / "limited")
    config.RATELIMIT_ENABLED = True
    config.KB_API_RATE_LIMIT = "3 per minute"
    if request.param == "redis-down":
        from ops.cluster import free_port

        config.RATELIMIT_STORAGE_URI = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(config)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()


def test_each_token_has_its_own_rate_limit_with_retry_after(limited_app):
    client = limited_app.test_client()
    one = {"Authorization": f"Bearer {create_token(factories.user('a1'))}"}
    two = {"Authorization": f"Bearer {create_token(factories.user('a2'))}"}
    statuses = [client.get("/api/v1/articles", headers=one).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/articles", headers=one)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 61  # the window, rounded up
    error = refused.get_json()["error"]
    assert error["status"] == 429 and "Retry after" in error["message"]
    assert client.get("/api/v1/articles", headers=two).status_code == 200  # not shared
