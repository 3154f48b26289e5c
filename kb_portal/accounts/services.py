"""Account operations shared by the web views and the CLI.

Functions here flush; the calling view or command commits once (``kb_portal.transaction``),
so a page that changes a role and a password stores both or neither.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from .. import audit
from ..extensions import db
from .models import ROLES, ApiToken, LoginSession, User, utcnow
from .passwords import check_new_password, equalise_timing
from .people import role_label

# How the audit log describes these actions (kb_portal.audit).
AUDIT_ACTIONS = {
    "user.create": lambda d: _("created the account (%(role)s)", role=role_label(d["role"])),
    "user.password": _l("set a new password"),
    "user.role": lambda d: _("changed the role from %(old)s to %(new)s",
                             old=role_label(d["old"]), new=role_label(d["new"])),
    "user.activate": _l("activated the account"),
    "user.deactivate": _l("deactivated the account"),
    "token.create": _l("created an API token (%(prefix)s…)"),
}

DEMO_ACCOUNTS = (
    ("admin", "admin", "Demo Admin 管理员"),
    ("trainer", "trainer", "Demo Trainer 培训师"),
    ("trainer2", "trainer", "Demo Reviewer 审核培训师"),
    ("agent", "agent", "Demo Agent 坐席"),
    ("newhire", "agent", "Demo New Hire 新员工"),
)


class AccountError(ValueError):
    """A user-facing problem with an account operation (the message is shown as is)."""


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with these credentials, or None (flushed).

    An unknown user name costs the same password-hash work as a known one, so the answer's
    timing does not tell which accounts exist.
    """
    user = find_user(username.strip())
    if user is None:
        equalise_timing(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def start_session(user: User) -> str:
    """Record a new login session for ``user`` and mark the user object with it (flushed);
    forget this user's ended and expired sessions on the way (so the table stays small)."""
    cutoff = utcnow() - session_lifetime()
    db.session.execute(LoginSession.__table__.delete().where(
        LoginSession.user_id == user.id,
        (LoginSession.ended_at.is_not(None)) | (LoginSession.created_at < cutoff)))
    sid = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=sid, user_id=user.id))
    db.session.flush()
    user.login_session_id = sid
    return sid


def end_session(session_id: str | None) -> None:
    """End one login session (logout): cookies naming it stop working at once (flushed)."""
    if session_id:
        db.session.execute(update(LoginSession).where(LoginSession.id == session_id)
                           .values(ended_at=utcnow()))


def end_all_sessions(user: User) -> None:
    """End every session of ``user`` (password change, deactivation); not committed."""
    user.session_version += 1
    db.session.execute(update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow()))


def session_lifetime() -> timedelta:
    """How long a login lasts at most, remembered or not (``KB_REMEMBER_DAYS``)."""
    return current_app.config["REMEMBER_COOKIE_DURATION"]


def user_for_session(cookie_id: str) -> User | None:
    """The user a session or remember-me cookie names, while that login is still valid."""
    try:
        uid_text, version_text, sid = cookie_id.split(":")
        uid, version = int(uid_text), int(version_text)
    except ValueError:
        return None  # also cookies from before login sessions were recorded: log in again
    row = db.session.execute(
        select(User, LoginSession.id).join(LoginSession, LoginSession.user_id == User.id)
        .where(User.id == uid, LoginSession.id == sid, LoginSession.ended_at.is_(None),
               LoginSession.created_at >= utcnow() - session_lifetime())).first()
    if row is None or not row.User.active or row.User.session_version != version:
        return None
    row.User.login_session_id = sid
    return row.User


def _check_password(password: str, username: str = "") -> None:
    problem = check_new_password(password, username)
    if problem:
        raise AccountError(problem)


def create_user(username: str, password: str, role: str = "agent", display_name: str = "",
                actor=None) -> User:
    """Create a user. :raise AccountError: on a taken name, bad role or short password."""
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AccountError(_l("A user name is 1–64 characters without spaces."))
    if role not in ROLES:
        raise AccountError(_l("Unknown role %(role)s; choose one of %(roles)s.", role=repr(role),
                              roles=", ".join(ROLES)))
    if find_user(username):
        raise AccountError(_l("The user name %(name)s is taken.", name=username))
    _check_password(password, username)
    user = User(username=username, role=role, display_name=display_name.strip())
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, username, role=role)
    return user


def set_password(user: User, password: str, actor=None) -> int:
    """Change a password; end all the user's sessions and revoke their API tokens (flushed).

    A password is changed when it may have leaked; a token made by whoever had it must stop
    working too (docs: README, "Accounts and sessions"). Returns the number of tokens revoked.
    """
    _check_password(password, user.username)
    user.set_password(password)
    end_all_sessions(user)
    revoked = revoke_tokens(user)
    audit.record(actor, "user.password", "user", user.id, user.username,
                 tokens_revoked=revoked)
    return revoked


def change_role(user: User, role: str, actor=None) -> None:
    if role not in ROLES:
        raise AccountError(_l("Unknown role %(role)s.", role=repr(role)))
    if user.role == role:
        return
    _guard_last_admin(user, role == "admin" and user.active)
    audit.record(actor, "user.role", "user", user.id, user.username, old=user.role, new=role)
    user.role = role
    db.session.flush()


def set_active(user: User, active: bool, actor=None) -> None:
    """Activate or deactivate; a deactivated user's sessions stop at their next request."""
    if user.active == active:
        return
    if not active:
        _guard_last_admin(user, False)
        end_all_sessions(user)
    user.active = active
    audit.record(actor, "user.activate" if active else "user.deactivate", "user", user.id,
                 user.username)
    db.session.flush()


def _guard_last_admin(user: User, stays_admin: bool) -> None:
    if user.role != "admin" or stays_admin:
        return
    admins = db.session.scalar(
        select(func.count()).select_from(User).where(User.role == "admin", User.active)
    )
    if admins <= 1:
        raise AccountError(_l("This is the last active admin; make another admin first."))


def create_token(user: User, name: str = "") -> str:
    """Create an API token for ``user`` and return the plain token (shown once)."""
    row, plain = ApiToken.generate(user, name)
    db.session.add(row)
    audit.record(None, "token.create", "user", user.id, user.username, prefix=row.prefix)
    db.session.flush()
    return plain


def revoke_tokens(user: User, prefix: str | None = None) -> int:
    """Revoke the user's tokens (all, or the one whose prefix is given); return how many."""
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if prefix:
        query = query.where(ApiToken.prefix == prefix)
    rows = db.session.scalars(query).all()
    for row in rows:
        row.revoked_at = utcnow()
    db.session.flush()
    return len(rows)


def active_token_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))


def user_for_token(plain: str) -> User | None:
    """The active user of an unrevoked token, or None; notes the use (flushed, the API
    commits)."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.digest(plain)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    # Recording every use would cost each API call a commit (a disk sync); a minute is
    # precise enough to tell live tokens from forgotten ones.
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
        db.session.flush()
    return row.user


def create_demo_accounts() -> list[tuple[str, str, str]] | None:
    """Create one demo account per role when no user exists at all (flushed).

    Returns ``[(username, role, password)]``, or None when users already exist. The passwords
    are also written to ``demo-accounts.txt`` (mode 0600) in the data dir.
    """
    if db.session.scalar(select(func.count()).select_from(User)):
        return None
    created = []
    for username, role, display in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(9)
        create_user(username, password, role, display)
        created.append((username, role, password))
    _write_demo_file(created)
    return created


def _write_demo_file(created) -> Path:
    path = Path(current_app.config["KB_DATA_DIR"]) / "demo-accounts.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("# kb_portal demo accounts (generated once; change these passwords)\n")
        for username, role, password in created:
            fh.write(f"{username}\t{role}\t{password}\n")
    return path
