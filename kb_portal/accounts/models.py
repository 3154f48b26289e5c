"""User and API token models."""
import hashlib
import secrets
from datetime import UTC, datetime

from flask import current_app
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db

ROLES = ("agent", "trainer", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}


def utcnow() -> datetime:
    """Naive UTC 'now' (the database stores naive UTC timestamps)."""
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):
    """A person who logs in. Roles are ordered: admin ⊃ trainer ⊃ agent."""

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), unique=True, nullable=False)
    display_name = db.Column(db.String(120), nullable=False, default="")
    password_hash = db.Column(db.String(256), nullable=False)
    role = db.Column(db.String(16), nullable=False, default="agent")
    active = db.Column(db.Boolean, nullable=False, default=True)
    email = db.Column(db.String(254), nullable=True)  # for training reminders
    locale = db.Column(db.String(16), nullable=True)  # UI language preference; None = browser's
    start_date = db.Column(db.Date, nullable=True)  # hire date, used by onboarding assignments
    # Bumped on password change or deactivation so that existing sessions stop working.
    session_version = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_login_at = db.Column(db.DateTime, nullable=True)

    def set_password(self, password: str) -> None:
        method = current_app.config.get("KB_PASSWORD_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    # The login session this request belongs to (set by services.start_session or the user
    # loader); not a column: the same user is logged in on several devices.
    login_session_id = None

    def get_id(self) -> str:
        # What Flask-Login keeps in the session cookie and the remember-me cookie: the version
        # ends every session at once (password change, deactivation), the login session id
        # ends just this one (logout), even in a copy of the cookie taken before.
        return f"{self.id}:{self.session_version}:{self.login_session_id or ''}"

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    def has_role(self, role: str) -> bool:
        """True when this user's role is ``role`` or a higher one."""
        return ROLE_RANK.get(self.role, -1) >= ROLE_RANK[role]

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.username} ({self.role})>"


class LoginSession(db.Model):
    """One login on one device, from login until logout (or the remember-me lifetime).

    Cookies are signed, not stored, so without a server-side record a copy of a cookie taken
    before logout would keep working; the user loader accepts a cookie only while its row has
    not ended. Logging out ends this row alone: the user's other devices stay logged in.
    """

    id = db.Column(db.String(43), primary_key=True)  # random, secrets.token_urlsafe(32)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    ended_at = db.Column(db.DateTime, nullable=True)


class LoginFailure(db.Model):
    """Failed-login counts of the database throttle store (accounts/throttle_store.py).

    ``key`` is ``acct:<name typed>`` or ``addr:<client address>``; times are Unix seconds.
    """

    key = db.Column(db.String(120), primary_key=True)
    failures = db.Column(db.Integer, nullable=False, default=0)
    last_failure = db.Column(db.Float, nullable=False)
    expires = db.Column(db.Float, nullable=False)


class ApiToken(db.Model):
    """A bearer token for /api/v1. Only its SHA-256 digest is stored."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    name = db.Column(db.String(80), nullable=False, default="")
    token_hash = db.Column(db.String(64), unique=True, nullable=False)
    prefix = db.Column(db.String(12), nullable=False)  # shown in listings to tell tokens apart
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime, nullable=True)
    revoked_at = db.Column(db.DateTime, nullable=True)

    user = db.relationship("User")

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def generate(cls, user: "User", name: str = "") -> tuple["ApiToken", str]:
        """Create a token row; return it with the plain token, which is never stored."""
        plain = "kb_" + secrets.token_urlsafe(32)
        row = cls(user=user, name=name, token_hash=cls.digest(plain), prefix=plain[:10])
        return row, plain
