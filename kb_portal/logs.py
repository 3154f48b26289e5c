"""The one logging set-up: every message of the portal, Alembic and the libraries in one format
on stderr, whether the app runs under gunicorn, ``flask kb …`` or the tests.

The format follows gunicorn's (``[time] [pid] [LEVEL]``) so that ``make run`` prints one kind
of line. Alembic's ``alembic.ini`` has no logging section of its own any more (its
``fileConfig`` used to add a second handler and a second format). Library chatter (Alembic's
"Context impl", SQLAlchemy) stays at WARNING unless ``KB_LOG_LEVEL`` is ``DEBUG``.
"""
import logging
import sys

FORMAT = "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"
QUIET = ("alembic", "flask_migrate", "sqlalchemy", "jieba")


class _PortalHandler(logging.StreamHandler):
    """Our handler, recognisable so that a second app in the process does not add another."""


def configure(level: str = "INFO") -> None:
    """Send every log record through one handler in :data:`FORMAT` (idempotent).

    A process that set up logging itself before the app was made (a test runner capturing
    logs, a program embedding the app) keeps its handlers and levels, as with
    ``logging.basicConfig``.
    """
    root = logging.getLogger()
    ours = any(isinstance(h, _PortalHandler) for h in root.handlers)
    if root.handlers and not ours:
        return
    if not ours:
        handler = _PortalHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT, DATE_FORMAT))
        root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
