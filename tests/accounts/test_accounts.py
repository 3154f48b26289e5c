"""Logging in and out, passwords, roles and deactivation, through the web pages."""
from kb_portal.accounts import services
from kb_portal.accounts.models import User
from kb_portal.audit import AuditEntry
from kb_portal.extensions import db

from ..conftest import PASSWORD, csrf_token, login


def test_pages_need_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login?next=%2F" in response.headers["Location"]


def test_login_with_wrong_password_is_refused(client, users):
    response = login(client, "agent1", "wrong password")
    assert response.status_code == 200
    assert "Wrong user name or password" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_without_csrf_token_is_refused(client, users):
    response = client.post("/login", data={"username": "agent1", "password": PASSWORD})
    assert response.status_code == 400


def test_login_follows_next_but_never_off_site(client, users):
    token = csrf_token(client)
    data = {"username": "agent1", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login?next=/account", data=data).headers["Location"] == "/account"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    token = csrf_token(client)
    data["csrf_token"] = token
    response = client.post("/login?next=//evil.example/x", data=data)
    assert response.headers["Location"] == "/"


def test_remember_me_sets_a_lasting_cookie(client, users):
    response = login(client, "agent1", remember=True)
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))


def test_logout_ends_the_session(as_role):
    client = as_role("agent")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert client.get("/").status_code == 302


def test_change_own_password_logs_out_other_sessions(app, as_role, users):
    mine, other = as_role("agent"), as_role("agent")
    response = mine.post("/account/password", data={
        "csrf_token": csrf_token(mine, "/account"), "current": PASSWORD,
        "new": "a new long password", "confirm": "a new long password"})
    assert response.status_code == 302
    assert mine.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert users["agent"].check_password("a new long password")


def test_change_password_needs_the_current_one(as_role, users):
    client = as_role("agent")
    client.post("/account/password", data={
        "csrf_token": csrf_token(client, "/account"), "current": "nope",
        "new": "a new long password", "confirm": "a new long password"})
    assert users["agent"].check_password(PASSWORD)


def test_deactivating_a_user_stops_their_session_at_once(as_role, users):
    agent, admin = as_role("agent"), as_role("admin")
    assert agent.get("/").status_code == 200
    response = admin.post(f"/admin/users/{users['agent'].id}", data={
        "csrf_token": csrf_token(admin, "/account"), "role": "agent"})  # 'active' unticked
    assert response.status_code == 302
    assert agent.get("/").status_code == 302
    assert login(agent.application.test_client(), "agent1").status_code == 200  # refused


def test_admin_creates_a_user_changes_role_and_resets_password(as_role):
    admin = as_role("admin")
    token = csrf_token(admin, "/admin/users")
    admin.post("/admin/users", data={"csrf_token": token, "username": "li.na",
                                     "display_name": "李娜", "role": "agent",
                                     "password": "first password"})
    user = services.find_user("li.na")
    assert user and user.role == "agent"
    admin.post(f"/admin/users/{user.id}", data={"csrf_token": token, "role": "trainer",
                                                "active": "y", "new_password": "second password"})
    db.session.refresh(user)
    assert user.role == "trainer" and user.check_password("second password")
    actions = [e.action for e in db.session.scalars(db.select(AuditEntry))]
    assert {"user.create", "user.role", "user.password"} <= set(actions)


def test_the_last_admin_cannot_be_demoted(app, users):
    try:
        services.change_role(users["admin"], "agent")
    except services.AccountError as exc:
        assert "last active admin" in str(exc)
    else:
        raise AssertionError("demoted the last admin")


def test_passwords_are_hashed_with_a_kdf(app):
    from flask import current_app
    current_app.config["KB_PASSWORD_METHOD"] = "scrypt"
    user = services.create_user("kdf", "long enough pw", "agent")
    assert user.password_hash.startswith("scrypt:") and "long enough pw" not in user.password_hash


def test_interface_language_follows_preference_then_browser(as_role, users):
    client = as_role("agent")
    assert "Recently updated" in client.get("/", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    chinese = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "最近更新" in chinese
    client.post("/account/preferences", data={"csrf_token": csrf_token(client, "/account"),
                                              "locale": "en"})
    assert db.session.get(User, users["agent"].id).locale == "en"
    english = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Recently updated" in english
