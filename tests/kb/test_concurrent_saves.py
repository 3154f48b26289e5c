"""Simultaneous saves against real servers: gunicorn with sync and with gthread workers, real
HTTP clients released together by a barrier, on SQLite (``make test``) and on PostgreSQL
(``make test-postgres``: the database is the one ``.ci/with-postgres`` started).

Asserted for every race: exactly one save wins (302), every other one gets the conflict page
(409) that shows its own text; never a 5xx; the winner's text is the article's text; one new
revision per race. A save retried with the same editing session (its response was lost)
creates no second revision, even when the retry races the original. Few rounds here — many
in ``bench/adversarial.py``.
"""
import contextlib
import html
import os
import threading

import pytest
import requests
from sqlalchemy import create_engine, text

from bench import webflow
from bench.htmlforms import editor_form
from kb_portal import create_app
from kb_portal.config import TestConfig
from kb_portal.extensions import db
from ops.cluster import Portal

from ..conftest import PASSWORD, new_postgres_database

TRAINERS = ("t1", "t2", "t3")
SLUG = "race"
ARTICLE = """---
title: 并发保存
slug: race
category: sop
---
第一版正文。
"""
ROUNDS = 3


@contextlib.contextmanager
def own_database(data_dir):
    """A database for this module's servers: a new one on the suite's PostgreSQL server
    (``make test-postgres``), else a SQLite file."""
    base = os.environ.get("KB_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        yield f"sqlite:///{data_dir / 'kb.sqlite3'}"
        return
    with new_postgres_database(base) as url:
        yield url


def set_up(data_dir, database_url) -> None:
    """``flask kb init``, three trainers and one article — in this process (a command-line
    process per step would spend seconds importing the app each time)."""
    config = TestConfig(data_dir)
    config.SQLALCHEMY_DATABASE_URI = database_url
    app = create_app(config)
    (data_dir / "race.md").write_text(ARTICLE, encoding="utf-8")
    runner = app.test_cli_runner()
    steps = [(["init"], None), (["import", str(data_dir / "race.md")], None)]
    steps += [(["create-user", name, "--role", "trainer", "--password-stdin"], PASSWORD + "\n")
              for name in TRAINERS]
    for args, stdin in steps:
        result = runner.invoke(args=["kb", *args], input=stdin)
        assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module", params=[("sync", 1), ("gthread", 8)], ids=lambda p: p[0])
def portal(request, tmp_path_factory):
    worker_class, threads = request.param
    data_dir = tmp_path_factory.mktemp(f"races-{worker_class}")
    with own_database(data_dir) as database_url:
        set_up(data_dir, database_url)
        server = Portal(worker_class, data_dir, {"DATABASE_URL": database_url,
                                                 "KB_LOG_LEVEL": "WARNING"},
                        worker_class=worker_class, threads=threads)
        server.engine = create_engine(database_url)
        server.start()
        try:
            yield server
        finally:
            server.stop()
            server.engine.dispose()


def server_log(portal) -> str:
    return (portal.data_dir / "gunicorn.log").read_text(errors="replace")


def head_body_and_count(portal) -> tuple[str, int]:
    with portal.engine.connect() as conn:
        body = conn.execute(text(
            "SELECT r.body FROM article a JOIN revision r ON r.id = a.head_revision_id "
            "WHERE a.slug = :slug"), {"slug": SLUG}).scalar_one()
        count = conn.execute(text(
            "SELECT count(*) FROM revision r JOIN article a ON a.id = r.article_id "
            "WHERE a.slug = :slug"), {"slug": SLUG}).scalar_one()
    return body, count


def logged_in(portal, names) -> list[requests.Session]:
    sessions = []
    for name in names:
        session = requests.Session()
        assert webflow.login(session, portal.url, name, PASSWORD).status_code == 302
        sessions.append(session)
    return sessions


def race(portal, entries) -> list:
    """POST every (session, form) at the same instant; return the responses in order."""
    barrier = threading.Barrier(len(entries))
    responses = [None] * len(entries)

    def run(i, session, form):
        barrier.wait()
        responses[i] = session.post(f"{portal.url}/a/{SLUG}/edit", data=form,
                                    allow_redirects=False, timeout=120)

    threads = [threading.Thread(target=run, args=(i, s, f)) for i, (s, f) in enumerate(entries)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(150)
    return responses


@pytest.mark.parametrize("editors", [2, 3])
def test_simultaneous_saves_one_wins_the_others_see_the_conflict(portal, editors):
    sessions = logged_in(portal, TRAINERS[:editors])
    for round_ in range(ROUNDS):
        _body, before = head_body_and_count(portal)
        entries = []
        for i, session in enumerate(sessions):
            form = editor_form(session, portal.url, SLUG)
            form["body"] = f"第 {round_} 轮，编辑 {i} 的版本。\n"
            form["note"] = f"round {round_} editor {i}"
            entries.append((session, form))
        responses = race(portal, entries)
        codes = [r.status_code for r in responses]
        assert not [c for c in codes if c >= 500], (codes, server_log(portal)[-3000:])
        assert codes.count(302) == 1 and codes.count(409) == editors - 1, codes
        body, after = head_body_and_count(portal)
        assert after == before + 1
        for (_session, form), response in zip(entries, responses, strict=True):
            if response.status_code == 302:
                assert body == form["body"]  # the acknowledged save is the current text
            else:  # the conflict page shows the loser their own text, nothing is lost
                assert html.escape(form["body"].strip(), quote=False) in response.text
    assert "Traceback" not in server_log(portal)


def test_a_retried_save_creates_no_second_revision(portal):
    (session,) = logged_in(portal, TRAINERS[:1])
    form = editor_form(session, portal.url, SLUG)
    form["body"] = "重试的保存。\n"
    form["note"] = "retry"
    _body, before = head_body_and_count(portal)
    first, again = [session.post(f"{portal.url}/a/{SLUG}/edit", data=form,  # the first's
                                 allow_redirects=False, timeout=60)       # response "lost"
                    for _ in range(2)]
    assert (first.status_code, again.status_code) == (302, 302)
    assert head_body_and_count(portal) == (form["body"], before + 1)

    form = editor_form(session, portal.url, SLUG)
    form["body"] = "重试与原请求同时到达。\n"
    form["note"] = "retry race"
    responses = race(portal, [(session, form), (session, dict(form))])
    assert [r.status_code for r in responses] == [302, 302]
    assert head_body_and_count(portal) == (form["body"], before + 2)


def test_failed_logins_are_counted_across_workers(portal):
    sessions = [requests.Session() for _ in range(6)]
    barrier = threading.Barrier(len(sessions))

    def wrong(session):
        barrier.wait()
        webflow.login(session, portal.url, "t3", "wrong password", timeout=60)

    threads = [threading.Thread(target=wrong, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with portal.engine.begin() as conn:
        count = conn.execute(text("SELECT failures FROM login_failure WHERE key = 'acct:t3'"))
        assert count.scalar_one() == 6  # every worker's failures, none lost
        conn.execute(text("UPDATE login_failure SET failures = 12 WHERE key = 'acct:t3'"))
    refused = webflow.login(requests.Session(), portal.url, "t3", PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
