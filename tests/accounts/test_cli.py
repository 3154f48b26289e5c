"""The account commands of ``flask kb``."""
import os
import stat
from pathlib import Path

from kb_portal.accounts.services import find_user


def test_create_user_reads_the_password_from_stdin(runner, app):
    result = runner.invoke(args=["kb", "create-user", "wang", "--role", "trainer",
                                 "--password-stdin"], input="a good password\n")
    assert result.exit_code == 0, result.output
    assert result.output == ""  # quiet on success
    user = find_user("wang")
    assert user.role == "trainer" and user.check_password("a good password")


def test_create_user_refuses_a_taken_name_clearly(runner, app, users):
    result = runner.invoke(args=["kb", "create-user", "agent1", "--password-stdin"],
                           input="a good password\n")
    assert result.exit_code == 1 and "taken" in result.output


def test_set_password(runner, app, users):
    result = runner.invoke(args=["kb", "set-password", "agent1", "--password-stdin"],
                           input="another password\n")
    assert result.exit_code == 0
    assert find_user("agent1").check_password("another password")


def test_demo_creates_accounts_once_and_writes_a_private_file(runner, app):
    first = runner.invoke(args=["kb", "demo"])
    assert first.exit_code == 0
    for role in ("admin", "trainer", "agent"):
        assert role in first.output
    path = Path(app.config["KB_DATA_DIR"]) / "demo-accounts.txt"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    username, _role, password = path.read_text().splitlines()[1].split("\t")
    assert find_user(username).check_password(password)
    second = runner.invoke(args=["kb", "demo"])
    assert second.exit_code == 0 and second.output == ""


def test_tokens_are_printed_once_and_stored_hashed(runner, app, users):
    from kb_portal.accounts.models import ApiToken
    from kb_portal.extensions import db

    result = runner.invoke(args=["kb", "token", "create", "agent1"])
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("kb_") and "\n" not in token
    row = db.session.scalar(db.select(ApiToken))
    assert row.token_hash != token and row.token_hash == ApiToken.digest(token)
    assert runner.invoke(args=["kb", "token", "revoke", "agent1"]).exit_code == 0
    assert db.session.scalar(db.select(ApiToken)).revoked_at is not None
