"""``flask kb remind``: a daily digest of due-soon and overdue track steps, by e-mail.

Each learner with open steps due within ``KB_REMIND_DAYS`` (or overdue) gets one message a day
listing them; each trainer gets one listing their learners' (the trainer who assigned the
track; tracks assigned from the command line go to every active trainer). A
:class:`.models.ReminderLog` row per person, day and kind is claimed before sending and
committed after, so the command can run from cron as often as liked: one message per person per
day, and a failed send is retried on the next run. Messages go out through
:class:`.mailer.Outbox` (``KB_SMTP_URL``, one connection per run; with none set they are
written to the log). The learner's home page shows the same facts
(:func:`notice_for`).
"""
import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..extensions import db
from .mailer import Outbox
from .models import Assignment, ReminderLog
from .tracks import progress

log = logging.getLogger(__name__)


@dataclass
class Due:
    user: User
    track: str
    due: date
    steps: list[str] = field(default_factory=list)
    overdue: bool = False


def due_items(today: date, horizon: int) -> list[tuple[Assignment, Due]]:
    """Unfinished assignments due within ``horizon`` days (or overdue), with their open steps."""
    out = []
    for assignment in db.session.scalars(select(Assignment).where(
            Assignment.completed_at.is_(None), Assignment.due_date.is_not(None),
            Assignment.due_date <= today + timedelta(days=horizon))).all():
        if not assignment.user.active:
            continue
        state = progress(assignment, today)
        steps = [s.step.title for s in state.steps if s.status in ("open", "overdue",
                                                                   "reopened")]
        if steps:
            out.append((assignment, Due(assignment.user, assignment.track.title,
                                        assignment.due_date, steps,
                                        assignment.due_date < today)))
    return out


def notice_for(user, today: date | None = None) -> dict:
    """What the learner's home page says: how many steps are overdue and due soon."""
    from ..localtime import local_today

    today = today or local_today()
    horizon = current_app.config.get("KB_REMIND_DAYS", 3)
    mine = [d for a, d in due_items(today, horizon) if a.user_id == user.id]
    return {"overdue": sum(len(d.steps) for d in mine if d.overdue),
            "soon": sum(len(d.steps) for d in mine if not d.overdue)}


def _lines(items: list[Due], with_names: bool) -> list[str]:
    lines = []
    for d in items:
        state = _("overdue since %(date)s", date=d.due.isoformat()) if d.overdue else \
            _("due %(date)s", date=d.due.isoformat())
        who = f"{d.user.name}: " if with_names else ""
        lines.append(f"{who}{d.track} ({state})")
        lines += [f"  - {step}" for step in d.steps]
    return lines


def _message(user: User, kind: str, items: list[Due]) -> EmailMessage:
    with force_locale(user.locale or "zh"):
        if kind == "learner":
            subject = _("Training: steps due soon or overdue")
            intro = _("Hello %(name)s, these onboarding steps are waiting for you:", name=user.name)
        else:
            subject = _("Training: your learners' steps due soon or overdue")
            intro = _("Hello %(name)s, these learners have steps due soon or overdue:",
                      name=user.name)
        body = "\n".join([intro, "", *_lines(items, kind == "trainer"), ""])
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["KB_MAIL_FROM"]
    message["To"] = user.email or f"{user.username}@invalid"
    message.set_content(body)
    return message


def _recipients(items: list[tuple[Assignment, Due]]) -> dict[tuple[int, str], list[Due]]:
    trainers = db.session.scalars(select(User).where(
        User.active.is_(True), User.role.in_(("trainer", "admin")))).all()
    out: dict[tuple[int, str], list[Due]] = {}
    for assignment, due in items:
        out.setdefault((assignment.user_id, "learner"), []).append(due)
        assigner = db.session.get(User, assignment.assigned_by_id) \
            if assignment.assigned_by_id else None
        for trainer in [assigner] if assigner and assigner.active else \
                [t for t in trainers if t.role == "trainer"]:
            out.setdefault((trainer.id, "trainer"), []).append(due)
    return out


def send_reminders(today: date, horizon: int, progress=None) -> dict[str, int]:
    """Send today's digests not sent yet; commits once per message (claim, send, commit).

    ``progress(number, total, user, kind, outcome)`` is called after each recipient (outcome
    ``sent``, ``logged``, ``already`` or ``failed``) so a long run shows how far it got.
    """
    counts = {"sent": 0, "logged": 0, "already": 0, "failed": 0}
    recipients = _recipients(due_items(today, horizon))
    with Outbox(current_app.config.get("KB_SMTP_URL"),
                current_app.config["KB_SMTP_TIMEOUT"]) as outbox:
        for number, ((user_id, kind), items) in enumerate(recipients.items(), 1):
            user = db.session.get(User, user_id)
            outcome = _deliver(outbox, user, kind, items, today)
            counts[outcome] += 1
            if progress is not None:
                progress(number, len(recipients), user, kind, outcome)
    return counts


def _deliver(outbox: Outbox, user: User, kind: str, items: list[Due], today: date) -> str:
    """Claim, send and commit one digest; its outcome (see :func:`send_reminders`)."""
    claim = ReminderLog(user_id=user.id, day=today, kind=kind)
    db.session.add(claim)
    try:
        db.session.flush()
    except IntegrityError:  # sent earlier today (or by a run going on right now)
        db.session.rollback()
        return "already"
    try:
        claim.delivery = outbox.send(_message(user, kind, items)) if user.email else \
            _no_address(user)
    except (OSError, smtplib.SMTPException) as exc:
        db.session.rollback()  # not claimed: the next run tries again
        log.warning("reminder to %s not sent: %s", user.username, exc)
        return "failed"
    db.session.commit()
    return "sent" if claim.delivery == "smtp" else "logged"


def _no_address(user: User) -> str:
    log.info("reminder for %s not e-mailed: no e-mail address (the home page shows it)",
             user.username)
    return "log"
