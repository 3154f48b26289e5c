"""The audit log: who did what, when (create, edit, publish, archive, restore, role changes)."""
import json

from .accounts.models import utcnow
from .extensions import db


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
