"""The password policy (issue 11, point 13): a length cap, no common passwords, not the name;
and one transaction per page (issue 12): nothing of a refused change is stored."""
import pytest

from kb_portal import transaction
from kb_portal.accounts import services
from kb_portal.accounts.models import User
from kb_portal.accounts.passwords import MAX_LENGTH
from kb_portal.extensions import db

from ..conftest import PASSWORD, csrf_token


@pytest.mark.parametrize("password, reason", [
    ("short", "at least 8"),
    ("x" * (MAX_LENGTH + 1), f"at most {MAX_LENGTH}"),
    ("password123", "most common"),
    ("Qwertyuiop", "most common"),  # compared without case
    ("iloveyou!", "most common"),
    ("li.na.2026", "user name"),
])
def test_weak_or_absurd_passwords_are_refused_with_the_reason(app, password, reason):
    with pytest.raises(services.AccountError, match=reason):
        services.create_user("li.na.2026", password)


def test_a_long_passphrase_is_fine(app):
    assert services.create_user("li.na", "x" * MAX_LENGTH).check_password("x" * MAX_LENGTH)


def test_the_password_page_refuses_a_common_password(as_role, users):
    client = as_role("agent")
    client.post("/account/password", data={
        "csrf_token": csrf_token(client, "/account"), "current": PASSWORD,
        "new": "password123", "confirm": "password123"}, follow_redirects=True)
    assert users["agent"].check_password(PASSWORD)


def test_the_admin_user_page_stores_nothing_when_the_password_is_refused(app, users, as_role):
    """The role change and the password are one change: a short password refuses both."""
    admin = as_role("admin")
    victim = users["agent"]
    page = admin.post(f"/admin/users/{victim.id}", data={
        "csrf_token": csrf_token(admin, "/admin/users"), "role": "trainer", "active": "y",
        "new_password": "short"}, follow_redirects=True)
    assert "at least 8" in page.get_data(as_text=True)
    transaction.rollback()  # forget this test's copies: read what the database holds
    stored = db.session.get(User, victim.id)
    assert stored.role == "agent" and stored.check_password(PASSWORD)
