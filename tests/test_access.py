"""Does every route enforce the role it declares, for every role?

Walks the app's URL map: anonymous visitors are sent to the login page (except public views),
users below the declared role get 403, users at or above it get through.
"""

from kb_portal.accounts.models import ROLE_RANK

from .conftest import csrf_token, login, route_url, routes

ROLES = ("agent", "trainer", "admin")


def _request(client, method, url, token):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": token},
                       headers={"X-CSRFToken": token})


def test_every_view_declares_access(app):
    assert all(access for _rule, _method, access in routes(app))


def test_route_role_matrix(app, users, sample_values):
    problems = []
    for rule, method, access in routes(app):
        url = route_url(rule, sample_values)
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
