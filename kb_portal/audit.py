"""The audit log: who did what, when (create, edit, publish, archive, restore, role changes).

Entries store a machine action name (``article.submit``) and a JSON detail; pages never show
those raw. Each feature describes its actions in a module-level ``AUDIT_ACTIONS`` mapping
(action → lazily translated sentence with ``%(detail key)s`` placeholders, or a function of
the detail) and lists that module in :data:`ACTION_MODULES`; :func:`describe` turns an entry
into a sentence in the reader's language. An action nobody describes is shown by its name,
which ``tests/i18n/test_no_english_left.py`` reports as untranslated.
"""
import json
from importlib import import_module

from flask import current_app
from flask_babel import lazy_gettext as _l

from .accounts.models import utcnow
from .extensions import db

# Modules with an AUDIT_ACTIONS mapping.
ACTION_MODULES = ("kb_portal.kb.history", "kb_portal.accounts.services",
                  "kb_portal.training.grading", "kb_portal.training.certificates")
TARGET_TYPES = {"article": _l("article"), "user": _l("user"), "category": _l("category"),
                "attachment": _l("file"), "kb": _l("knowledge base"), "quiz": _l("quiz"),
                "attempt": _l("quiz attempt"),
                "certificate": _l("certificate")}


class AuditEntry(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    actor_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    action = db.Column(db.String(40), nullable=False, index=True)
    target_type = db.Column(db.String(40), nullable=False)
    target_id = db.Column(db.Integer, nullable=True)
    target_label = db.Column(db.String(200), nullable=False, default="")
    detail_json = db.Column(db.Text, nullable=False, default="{}")

    actor = db.relationship("User")

    @property
    def detail(self) -> dict:
        return json.loads(self.detail_json or "{}")


def record(actor, action: str, target_type: str, target_id=None, label: str = "", **detail):
    """Add an audit entry to the current session (committed with the change it describes)."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=label[:200],
        detail_json=json.dumps(detail, ensure_ascii=False, default=str),
    )
    db.session.add(entry)
    return entry


class _Detail(dict):
    """Detail values for ``%``-formatting; a key an old entry lacks shows as ``?``."""

    def __missing__(self, key):
        return "?"


def init_app(app) -> None:
    """Collect the features' action descriptions onto the app."""
    actions = {}
    for name in ACTION_MODULES:
        actions.update(import_module(name).AUDIT_ACTIONS)
    app.extensions["kb_audit_actions"] = actions


def describe(entry: AuditEntry) -> str:
    """What the entry records, as a sentence in the interface language."""
    spec = current_app.extensions.get("kb_audit_actions", {}).get(entry.action)
    if spec is None:
        return entry.action
    detail = _Detail(entry.detail)
    return spec(detail) if callable(spec) else str(spec) % detail


def note_of(entry: AuditEntry) -> str:
    """The reason or note a person gave with the action (shown quoted after the sentence)."""
    return str(entry.detail.get("note") or "")


def target_type(entry: AuditEntry) -> str:
    return str(TARGET_TYPES.get(entry.target_type, entry.target_type))
