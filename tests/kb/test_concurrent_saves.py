"""Simultaneous saves against real servers: gunicorn with sync and with gthread workers, real
HTTP clients released together by a barrier, on SQLite (``make test``) and on PostgreSQL
(``make test-postgres``: the database is the one ``.ci/with-postgres`` started).

Asserted for every race: exactly one save wins (302), every other one gets the conflict page
(409) that shows its own text; never a 5xx; the winner's text is the article's text; one new
revision per race. A save retried with the same editing session (its response was lost)
creates no second revision, even when the retry races the original. Few rounds here — many
in ``bench/adversarial.py``.
"""
import html
import threading

import pytest
from sqlalchemy import create_engine, text

from tests.clients import Browser
from tests.servers import Portal, fresh_database

PASSWORD = "correct horse battery"
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


@pytest.fixture(scope="module", params=[("sync", 1), ("gthread", 8)], ids=lambda p: p[0])
def portal(request, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp(f"races-{request.param[0]}")
    with fresh_database(data_dir) as database_url:
        server = Portal(data_dir, database_url)
        server.flask("init")
        for name in TRAINERS:
            server.flask("create-user", name, "--role", "trainer", "--password-stdin",
                         stdin=PASSWORD + "\n")
        (data_dir / "race.md").write_text(ARTICLE, encoding="utf-8")
        server.flask("import", str(data_dir / "race.md"))
        server.engine = create_engine(database_url)
        server.start(workers=2, threads=request.param[1])
        try:
            yield server
        finally:
            server.stop()
            server.engine.dispose()


def head_body_and_count(portal) -> tuple[str, int]:
    with portal.engine.connect() as conn:
        body = conn.execute(text(
            "SELECT r.body FROM article a JOIN revision r ON r.id = a.head_revision_id "
            "WHERE a.slug = :slug"), {"slug": SLUG}).scalar_one()
        count = conn.execute(text(
            "SELECT count(*) FROM revision r JOIN article a ON a.id = r.article_id "
            "WHERE a.slug = :slug"), {"slug": SLUG}).scalar_one()
    return body, count


def logged_in(portal, names) -> list[Browser]:
    browsers = []
    for name in names:
        browser = Browser(portal.url)
        assert browser.login(name, PASSWORD).status_code == 302
        browsers.append(browser)
    return browsers


def race(forms_and_browsers) -> list:
    """POST every (browser, form) at the same instant; return the responses in order."""
    barrier = threading.Barrier(len(forms_and_browsers))
    responses = [None] * len(forms_and_browsers)

    def run(i, browser, form):
        barrier.wait()
        responses[i] = browser.post(f"/a/{SLUG}/edit", form)

    threads = [threading.Thread(target=run, args=(i, b, f))
               for i, (b, f) in enumerate(forms_and_browsers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return responses


@pytest.mark.parametrize("editors", [2, 3])
def test_simultaneous_saves_one_wins_the_others_see_the_conflict(portal, editors):
    browsers = logged_in(portal, TRAINERS[:editors])
    for round_ in range(ROUNDS):
        _body, before = head_body_and_count(portal)
        entries = []
        for i, browser in enumerate(browsers):
            form = browser.editor_form(SLUG)
            form["body"] = f"第 {round_} 轮，编辑 {i} 的版本。\n"
            form["note"] = f"round {round_} editor {i}"
            entries.append((browser, form))
        responses = race(entries)
        codes = [r.status_code for r in responses]
        assert not [c for c in codes if c >= 500], (codes, portal.server_log()[-3000:])
        assert codes.count(302) == 1 and codes.count(409) == editors - 1, codes
        body, after = head_body_and_count(portal)
        assert after == before + 1
        for (_browser, form), response in zip(entries, responses, strict=True):
            if response.status_code == 302:
                assert body == form["body"]  # the acknowledged save is the current text
            else:  # the conflict page shows the loser their own text, nothing is lost
                assert html.escape(form["body"].strip(), quote=False) in response.text
    assert "Traceback" not in portal.server_log()


def test_a_retried_save_creates_no_second_revision(portal):
    (browser,) = logged_in(portal, TRAINERS[:1])
    form = browser.editor_form(SLUG)
    form["body"] = "重试的保存。\n"
    form["note"] = "retry"
    _body, before = head_body_and_count(portal)
    first = browser.post(f"/a/{SLUG}/edit", form)
    again = browser.post(f"/a/{SLUG}/edit", form)  # the response of the first was "lost"
    assert (first.status_code, again.status_code) == (302, 302)
    assert head_body_and_count(portal) == (form["body"], before + 1)

    form = browser.editor_form(SLUG)
    form["body"] = "重试与原请求同时到达。\n"
    form["note"] = "retry race"
    responses = race([(browser, form), (browser, dict(form))])
    assert [r.status_code for r in responses] == [302, 302]
    assert head_body_and_count(portal) == (form["body"], before + 2)


def test_failed_logins_are_counted_across_workers(portal):
    browsers = [Browser(portal.url) for _ in range(6)]
    barrier = threading.Barrier(len(browsers))

    def wrong(browser):
        barrier.wait()
        browser.login("t3", "wrong password")

    threads = [threading.Thread(target=wrong, args=(b,)) for b in browsers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with portal.engine.begin() as conn:
        count = conn.execute(text("SELECT failures FROM login_failure WHERE key = 'acct:t3'"))
        assert count.scalar_one() == 6  # every worker's failures, none lost
        conn.execute(text("UPDATE login_failure SET failures = 12 WHERE key = 'acct:t3'"))
    refused = Browser(portal.url).login("t3", PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
