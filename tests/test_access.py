"""Does every route enforce the role it declares, for every role?

Walks the app's URL map: anonymous visitors are sent to the login page (except public views),
users below the declared role get 403, users at or above it get through.
"""
import pytest

from kb_portal.accounts.access import declared_access
from kb_portal.accounts.models import ROLE_RANK

from . import factories
from .conftest import csrf_token, login

ROLES = ("agent", "trainer", "admin")


@pytest.fixture
def sample_values(app, users):
    """Values for URL variables, pointing at objects that exist."""
    factories.article("complaint-intake", "投诉受理", "## 受理\n正文", tags=["投诉"])
    # POSTs without form data may still change things: point them at a user nobody logs in as.
    victim = factories.user("victim", "agent")
    training = factories.training_samples(victim)
    return {"slug": "complaint-intake", "key": "sop", "tag": "投诉", "user_id": victim.id,
            **training}


def _url(rule, values) -> str:
    args = {}
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__
        args[name] = values.get(name, 1 if converter == "IntegerConverter" else "x")
    return rule.build(args, append_unknown=False)[1]


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method, declared_access(view)


def _request(client, method, url, token):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": token},
                       headers={"X-CSRFToken": token})


def test_every_view_declares_access(app):
    assert all(access for _rule, _method, access in _routes(app))


def test_route_role_matrix(app, users, sample_values):
    problems = []
    for rule, method, access in _routes(app):
        url = _url(rule, sample_values)
        anon = app.test_client()
        response = _request(anon, method, url, csrf_token(anon, "/login"))
        if access == "public":
            if response.status_code >= 500 or response.status_code in (401, 403):
                problems.append(f"anonymous {method} {url}: {response.status_code}")
        elif not (response.status_code in (302, 401) and
                  ("/login" in response.headers.get("Location", "") or url.startswith("/api/"))):
            problems.append(f"anonymous {method} {url}: {response.status_code}, expected login")
        for role in ROLES:
            client = app.test_client()
            assert login(client, users[role].username).status_code == 302
            token = csrf_token(client, "/account")
            response = _request(client, method, url, token)
            allowed = access == "public" or ROLE_RANK[role] >= ROLE_RANK[access]
            code = response.status_code
            if allowed and (code in (401, 403) or code >= 500 or
                            "/login?next=" in response.headers.get("Location", "")):
                problems.append(f"{role} {method} {url}: {code}, expected access")
            if not allowed and code != 403:
                problems.append(f"{role} {method} {url}: {code}, expected 403")
    assert not problems, "\n".join(problems)


def test_pages_carry_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    script_src = csp.split("script-src")[1].split(";")[0]
    assert "'self'" in script_src and "unsafe-inline" not in script_src
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
