"""The database connection's ground rules, and one write helper that needs no read first.

SQLite is the embedded default and serves several gunicorn workers (and threads) at once, so
every connection is set up for that (:func:`_sqlite_connection`):

* ``journal_mode=WAL`` — readers never block the writer nor the writer readers; without it a
  reader upgrading to a writer can deadlock against another and fail at once with "database is
  locked" (the search log lost rows that way).
* ``busy_timeout`` — a writer waits for the one before it (``KB_SQLITE_BUSY_MS``, default
  15 s) instead of failing; saves take the write lock as their first statement
  (``kb.services.lock_head``), so waiting is all a concurrent save ever has to do.
* the database file is created mode 0600 (it holds password hashes), like the secret key.

PostgreSQL needs nothing of this: its row locks and READ COMMITTED re-checks do the same job.
"""
import contextlib
import os
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url

from .extensions import db


def sqlite_path(uri: str) -> Path | None:
    """The file behind a SQLite URL (None for other databases and in-memory SQLite)."""
    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (SQLite would use 0644)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def init_app(app) -> None:
    """Apply the rules above to ``app``'s engine (called from ``create_app``)."""
    path = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
    if path is None:
        return
    create_private_file(path)  # SQLite gives its -wal and -shm files the same mode
    busy_ms = int(app.config.get("KB_SQLITE_BUSY_MS", 15000))
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _sqlite_connection(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms:d}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()


def upsert(model, values: dict, keys: tuple[str, ...], update: dict):
    """``INSERT … ON CONFLICT (keys) DO UPDATE SET update`` on SQLite and PostgreSQL alike.

    One statement, so two requests writing the same row at once cannot both try to insert it
    (a read-then-insert would fail one of them with a unique-constraint error). ``update``
    may be a dict, or ``lambda excluded: {...}`` for expressions over the proposed row.
    Returns the statement: add ``.returning(...)`` if needed and execute it in the session.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the portal runs on SQLite or PostgreSQL only
        raise RuntimeError(f"upsert is not implemented for {dialect}")
    statement = insert(model).values(**values)
    changes = update(statement.excluded) if callable(update) else update
    return statement.on_conflict_do_update(index_elements=list(keys), set_=changes)
