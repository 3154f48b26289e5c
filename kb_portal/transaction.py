"""One transaction per request or CLI command.

Services change objects and ``flush``; they never commit. The view or command that called them
decides once: :func:`commit` when everything succeeded, :func:`rollback` on any error. This is
what keeps a page that calls three services from storing the first change while it reports that
the third failed (the admin user page once stored a role change next to "the password is too
short").

Work that must only happen once the change is durable — the signals the search index and
training listen to — is queued with :func:`after_commit` and runs right after a successful
:func:`commit`; a rollback drops it, so nothing reacts to a change that never happened.
"""
import logging
from collections.abc import Callable

from .extensions import db

log = logging.getLogger(__name__)
_QUEUE = "kb_after_commit"  # key in the session's own ``info`` dict: per session, per request


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` after the current transaction commits (dropped on rollback)."""
    db.session.info.setdefault(_QUEUE, []).append(callback)


def commit() -> None:
    """Commit the request's (or command's) work, then run the queued after-commit callbacks.

    :raise SQLAlchemyError: when the commit fails; the session is rolled back and the queued
        callbacks are dropped, so the caller only has to report the failure.
    """
    try:
        db.session.commit()
    except BaseException:
        rollback()
        raise
    for callback in db.session.info.pop(_QUEUE, []):
        callback()


def rollback() -> None:
    """Undo everything since the last commit and forget the queued callbacks."""
    db.session.info.pop(_QUEUE, None)
    db.session.rollback()
