"""Login sessions (issue 11, point 11): logout ends a copied cookie, not the other devices;
logins last KB_REMEMBER_DAYS at most; a password change revokes API tokens."""
from datetime import timedelta

from sqlalchemy import update

from kb_portal import transaction
from kb_portal.accounts import services
from kb_portal.accounts.models import LoginSession
from kb_portal.config import Config
from kb_portal.extensions import db

from ..conftest import PASSWORD, csrf_token, login


def copy_cookies(source, target, *names):
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        target.set_cookie(name, cookie.value)


def logout(client):
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})


def test_a_session_cookie_copied_before_logout_stops_working(app, users):
    mine, thief = app.test_client(), app.test_client()
    login(mine, "agent1")
    copy_cookies(mine, thief, "session")
    assert thief.get("/").status_code == 200  # the copy works while the login lasts
    logout(mine)
    assert thief.get("/").status_code == 302  # and not a moment after logout


def test_a_remember_cookie_copied_before_logout_stops_working(app, users):
    mine, thief = app.test_client(), app.test_client()
    login(mine, "agent1", remember=True)
    copy_cookies(mine, thief, "remember_token")
    assert thief.get("/").status_code == 200  # logged in by the remember-me cookie alone
    logout(mine)
    thief.delete_cookie("session")
    assert thief.get("/").status_code == 302


def test_logging_out_leaves_the_users_other_devices_logged_in(as_role):
    desk, phone = as_role("agent"), as_role("agent")
    logout(desk)
    assert desk.get("/").status_code == 302
    assert phone.get("/").status_code == 200


def test_a_login_ends_after_the_remember_days(app, users):
    client = app.test_client()
    login(client, "agent1", remember=True)
    assert client.get("/").status_code == 200
    db.session.execute(update(LoginSession).values(
        created_at=LoginSession.created_at - timedelta(days=31)))
    transaction.commit()
    assert client.get("/").status_code == 302


def test_the_remember_cookie_lasts_thirty_days_unless_set(app, users, monkeypatch):
    response = login(app.test_client(), "agent1", remember=True)
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    assert "Max-Age=2592000" in cookie or "Expires=" in cookie
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    monkeypatch.setenv("KB_REMEMBER_DAYS", "7")
    assert timedelta(days=7) == Config().REMEMBER_COOKIE_DURATION


def test_a_password_change_revokes_the_users_api_tokens(app, users, as_role):
    token = services.create_token(users["agent"], "crm")
    transaction.commit()
    assert services.user_for_token(token) is not None
    client = as_role("agent")
    assert "revokes your 1 API token" in client.get("/account").get_data(as_text=True)
    response = client.post("/account/password", data={
        "csrf_token": csrf_token(client, "/account"), "current": PASSWORD,
        "new": "a brand new passphrase", "confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert services.user_for_token(token) is None
    assert client.get("/").status_code == 200  # this browser stays logged in
