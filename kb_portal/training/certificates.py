"""Certificates: issued for a completed track, verifiable by their code, revocable.

A certificate is issued the first time its learner (or a trainer) opens it for a complete
assignment, with a random code (``KB-XXXX-XXXX``, letters and digits that cannot be misread) and
the learner's name and track title as they were then. Anyone logged in can verify a code: who,
which track, when, and whether it was revoked (when, by whom, why). Revoking is a trainer's
act with a reason, audited. Functions flush; the view commits.
"""
import secrets

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..accounts.models import utcnow
from ..extensions import db
from .errors import TrainingError
from .models import Assignment, Certificate
from .tracks import progress

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
AUDIT_ACTIONS = {
    "training.certificate_revoke": _l("revoked the certificate %(code)s: “%(reason)s”"),
}


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"KB-{raw[:4]}-{raw[4:]}"


def normalise(code: str) -> str:
    """What people type (spaces, lower case, a missing prefix) → the stored form."""
    raw = "".join(c for c in code.upper() if c.isalnum())
    raw = raw[2:] if raw.startswith("KB") else raw
    return f"KB-{raw[:4]}-{raw[4:8]}" if len(raw) == 8 else code.strip().upper()


def certificate_for(assignment: Assignment) -> Certificate | None:
    """The assignment's certificate, issued now if the track is complete and it has none."""
    existing = db.session.scalar(select(Certificate).where(
        Certificate.assignment_id == assignment.id))
    if existing is not None:
        return existing
    state = progress(assignment)
    if not state.complete:
        return None
    done = [s.completed_at for s in state.steps if s.completed_at]
    certificate = Certificate(
        code=new_code(), assignment=assignment, user_name=assignment.user.name,
        track_title=assignment.track.title,
        completed_at=assignment.completed_at or max(done, default=None) or utcnow())
    db.session.add(certificate)
    db.session.flush()
    return certificate


def find(code: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.code == normalise(code)))


def revoke(certificate: Certificate, reason: str, actor) -> None:
    """:raise TrainingError: without a reason, or when it is revoked already."""
    if certificate.revoked_at is not None:
        raise TrainingError(_("This certificate was revoked already."))
    if not reason.strip():
        raise TrainingError(_("Say why the certificate is revoked."))
    certificate.revoked_at, certificate.revoked_by_id = utcnow(), actor.id
    certificate.revoke_reason = reason.strip()[:2000]
    audit.record(actor, "training.certificate_revoke", "certificate", certificate.id,
                 f"{certificate.code} {certificate.user_name}", code=certificate.code,
                 reason=certificate.revoke_reason)
    db.session.flush()
