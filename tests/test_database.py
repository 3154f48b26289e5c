"""The database's ground rules (kb_portal/database.py, issue 11 point 13): the SQLite file is
private, every connection runs in WAL mode with a busy timeout, a reader holding a
transaction open no longer makes a search-log write fail with "database is locked", and a
write that still meets the lock (a writer longer than the timeout) is retried."""
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text

from kb_portal import create_app
from kb_portal.config import TestConfig
from kb_portal.database import sqlite_path
from kb_portal.extensions import db
from kb_portal.search import searchlog, services
from kb_portal.search.models import SearchEvent

from .conftest import running_app

SQLITE_ONLY = pytest.mark.skipif(
    not TestConfig(Path("/tmp/kb-probe")).SQLALCHEMY_DATABASE_URI.startswith("sqlite"),
    reason="SQLite only (the suite runs on PostgreSQL)")


@SQLITE_ONLY
def test_the_database_file_is_created_private(tmp_path):
    app = create_app(TestConfig(tmp_path / "fresh"))
    path = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # password hashes live in it
    with app.app_context():
        db.create_all()
        db.session.commit()
        db.session.remove()
    for extra in (path, Path(f"{path}-wal")):
        if extra.exists():
            assert stat.S_IMODE(extra.stat().st_mode) == 0o600


@SQLITE_ONLY
def test_every_connection_is_in_wal_mode_with_a_busy_timeout(app):
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 15000


@SQLITE_ONLY
def test_a_search_is_logged_while_another_process_holds_a_read_transaction(app, users):
    """In the old rollback-journal mode a reader blocked every commit: the log write waited
    the timeout out and the row was dropped. In WAL mode readers never block the writer."""
    reader = sqlite3.connect(sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"]))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM search_event").fetchone()  # holds its snapshot
    try:
        searchlog.record_search(users["agent"].id, "退款流程", 3, 12.0, "page")
    finally:
        reader.rollback()
        reader.close()
    assert db.session.scalar(select(func.count()).select_from(SearchEvent)) == 1


@SQLITE_ONLY
def test_a_search_log_write_that_finds_the_database_locked_is_retried(tmp_path,
                                                                      schema_template):
    """Another writer holds the lock past the busy timeout: the first write fails with
    "database is locked" — the writer lets go when it does — and the retry stores the row."""
    with running_app(tmp_path / "data", schema_template, KB_SQLITE_BUSY_MS=50) as app:
        holder = sqlite3.connect(sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"]),
                                 isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")  # the write lock
        failures = []

        def let_go(context):
            failures.append(str(context.original_exception))
            if holder.in_transaction:
                holder.execute("COMMIT")

        event.listen(db.engine, "handle_error", let_go)
        try:
            with app.test_request_context("/search?q=退款流程"):
                services.log_search(None, services.SearchParams(q="退款流程"),
                                    services.SearchResult("退款流程", 3, []), "page")
        finally:
            event.remove(db.engine, "handle_error", let_go)
            holder.close()
        assert failures and "locked" in failures[0]  # the first try did meet the lock
        assert db.session.scalar(select(func.count()).select_from(SearchEvent)) == 1


def test_an_error_page_survives_a_broken_transaction(app, users):
    """A request whose flush failed leaves the session needing a rollback; the 500 page must
    still be the portal's page (it reads the user from the database), not a bare error."""
    from kb_portal.accounts.access import public
    from kb_portal.accounts.models import User

    from .conftest import login

    @public
    def broken():
        db.session.add(User(username=users["agent"].username, password_hash="x"))
        db.session.flush()  # IntegrityError: the user name is taken

    app.add_url_rule("/test-broken-transaction", "test_broken", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as production does
    client = app.test_client()
    login(client, "agent1")
    response = client.get("/test-broken-transaction")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in page and "Agent1" in page
