"""How people are shown: by display name, wherever a page names someone.

Articles keep their owner as a user name (the file format does, so imports work before the
accounts exist); pages show that person's display name instead, falling back to the user name
when there is no such account.
"""
from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from .models import User

ROLE_LABELS = {"agent": _l("agent"), "trainer": _l("trainer"), "admin": _l("admin")}


def display_name(username: str | None) -> str:
    """The display name of the account ``username`` (read once per request for all users)."""
    if not username:
        return ""
    names = g.get("kb_display_names") if has_app_context() else None
    if names is None:
        names = dict(db.session.execute(select(User.username, User.display_name)).all())
        if has_app_context():
            g.kb_display_names = names
    return names.get(username) or username


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))
