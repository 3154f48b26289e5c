"""Simultaneous saves against real servers: gunicorn with sync and with gthread workers, real
HTTP clients released together by a barrier, on SQLite (``make test``) and on PostgreSQL
(``make test-postgres``: the database is the one ``.ci/with-postgres`` started).

Asserted for every race: exactly one save wins (302), every other one gets the conflict page
(409) that shows its own text; never a 5xx; the winner's text is the article's text; one new
revision per race. A save retried with the same editing session (its response was lost)
creates no second revision, even when the retry races the original (a new article's create
likewise makes one article). Few rounds here — many in ``bench/adversarial.py``, whose harness
these tests share.
"""
import html
import threading

import pytest
import requests
from sqlalchemy import create_engine, text

from bench import webflow
from bench.adversarial import PASSWORD, SLUG, TRAINERS, Context, prepare
from bench.htmlforms import editor_form, new_article_form
from ops.cluster import Portal

from ..conftest import own_database

ROUNDS = 3


@pytest.fixture(scope="module", params=[("sync", 1), ("gthread", 8)], ids=lambda p: p[0])
def ctx(request, tmp_path_factory):
    worker_class, threads = request.param
    data_dir = tmp_path_factory.mktemp(f"races-{worker_class}")
    with own_database(data_dir) as database_url:
        prepare(data_dir, database_url)
        portal = Portal(worker_class, data_dir, {"DATABASE_URL": database_url,
                                                 "KB_LOG_LEVEL": "WARNING"},
                        worker_class=worker_class, threads=threads)
        engine = create_engine(database_url)
        portal.start()
        try:
            yield Context(portal, engine, None)
        finally:
            portal.stop()
            engine.dispose()


def server_log(ctx) -> str:
    return (ctx.data_dir / "gunicorn.log").read_text(errors="replace")


@pytest.mark.parametrize("editors", [2, 3])
def test_simultaneous_saves_one_wins_the_others_see_the_conflict(ctx, editors):
    sessions = [ctx.session(name) for name in TRAINERS[:editors]]
    for round_ in range(ROUNDS):
        _head, _body, before = ctx.head()
        entries = []
        for i, session in enumerate(sessions):
            form = editor_form(session, ctx.url, SLUG)
            form["body"] = f"第 {round_} 轮，编辑 {i} 的版本。\n"
            form["note"] = f"round {round_} editor {i}"
            entries.append((session, form))
        responses = ctx.save_all_at_once(entries)
        codes = [r.status_code if r is not None else None for r in responses]
        assert ctx.counts.fivexx == 0, (codes, server_log(ctx)[-3000:])
        assert codes.count(302) == 1 and codes.count(409) == editors - 1, codes
        _head, body, after = ctx.head()
        assert after == before + 1
        for (_session, form), response in zip(entries, responses, strict=True):
            if response.status_code == 302:
                assert body == form["body"]  # the acknowledged save is the current text
            else:  # the conflict page shows the loser their own text, nothing is lost
                assert html.escape(form["body"].strip(), quote=False) in response.text
    assert "Traceback" not in server_log(ctx)


def test_a_retried_save_creates_no_second_revision(ctx):
    session = ctx.session(TRAINERS[0])
    form = editor_form(session, ctx.url, SLUG)
    form["body"] = "重试的保存。\n"
    form["note"] = "retry"
    _head, _body, before = ctx.head()
    first, again = [session.post(f"{ctx.url}/a/{SLUG}/edit", data=form,  # the first's
                                 allow_redirects=False, timeout=60)    # response "lost"
                    for _ in range(2)]
    assert (first.status_code, again.status_code) == (302, 302)
    assert ctx.head()[1:] == (form["body"], before + 1)

    form = editor_form(session, ctx.url, SLUG)
    form["body"] = "重试与原请求同时到达。\n"
    form["note"] = "retry race"
    responses = ctx.save_all_at_once([(session, form), (session, dict(form))])
    assert [r.status_code for r in responses] == [302, 302]
    assert ctx.head()[1:] == (form["body"], before + 2)


def test_a_retried_create_makes_one_article(ctx):
    """A new article sent twice at once (the first answer lost): the retry waits for the
    original's INSERT, finds the address taken — by its own create — and answers with it."""
    session = ctx.session(TRAINERS[1])
    form = new_article_form(session, ctx.url)
    form.update(title="重试的新文章", slug="retried-create", body="正文。\n", note="new")
    responses = ctx.save_all_at_once([(session, form), (session, dict(form))], path="/kb/new")
    assert [r.status_code for r in responses] == [302, 302], server_log(ctx)[-3000:]
    assert {r.headers["Location"] for r in responses} == {"/a/retried-create/edit"}
    with ctx.engine.connect() as conn:
        made = conn.execute(text("SELECT count(*) FROM revision WHERE title = '重试的新文章'"))
        assert made.scalar_one() == 1


def test_failed_logins_are_counted_across_workers(ctx):
    sessions = [requests.Session() for _ in range(6)]
    barrier = threading.Barrier(len(sessions))
    answers = []

    def wrong(session):
        barrier.wait()
        answers.append(webflow.login(session, ctx.url, "t3", "wrong password",
                                     timeout=60).status_code)

    threads = [threading.Thread(target=wrong, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with ctx.engine.begin() as conn:
        count = conn.execute(text("SELECT failures FROM login_failure WHERE key = 'acct:t3'"))
        assert count.scalar_one() == 6, (answers, server_log(ctx)[-3000:])  # none lost
        conn.execute(text("UPDATE login_failure SET failures = 12 WHERE key = 'acct:t3'"))
    refused = webflow.login(requests.Session(), ctx.url, "t3", PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
