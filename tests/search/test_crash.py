"""Crash leftovers (issue 11 point 8): ``kill -9`` of a real ``flask kb reindex`` while its
helper processes index leaves no orphan and no lock behind; a lock kept by a leftover of a dead
writer is broken, with a log line; the background repair logs why it could not run.
(A live holder is waited for and named, never broken: ``test_reconcile.py``.)"""
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bench.adversarial_index import HOLDER
from kb_portal.children import ProcessId
from kb_portal.extensions import db
from kb_portal.kb.importer import import_article_files
from kb_portal.kb.signals import article_changed
from kb_portal.search.engine import make_engine
from kb_portal.search.reconcile import check, reconcile
from kb_portal.search.state import search_state
from tests import factories

from ..conftest import running_app, separate_app

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = 330  # above the parallel-indexing threshold (300)


def wait_for(condition, seconds: float = 60, what: str = "condition"):
    """Poll ``condition`` until it is true (a wait for a state, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rfind(")") + 2:].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def flask_kb(app, *args, **env) -> subprocess.Popen:
    """``flask kb ARGS`` in a new process on ``app``'s data dir and database."""
    full_env = {**os.environ, "KB_DATA_DIR": app.config["KB_DATA_DIR"],
                "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                "KB_SEARCH_STARTUP": "off", "KB_LOG_LEVEL": "INFO", **env}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "kb", *args],
                            cwd=ROOT, env=full_env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="module")
def big_app(tmp_path_factory, schema_template):
    """An app with enough published articles for indexing to use helper processes."""
    folder = tmp_path_factory.mktemp("articles")
    for n in range(ARTICLES):
        (folder / f"crash-{n:03d}.md").write_text(
            f"---\ntitle: 崩溃测试第{n}篇\ncategory: sop\n---\n"
            + f"## 步骤\n\n客户申请退款时核对订单 ORD-{n:05d}，再登记工单。\n" * 6,
            encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("crash") / "data"
    with separate_app(data_dir, schema_template, KB_BULK_PROCS=2) as app:
        with article_changed.muted():  # the commands below build the index
            report = import_article_files(sorted(folder.glob("*.md")))
        assert report.created == ARTICLES
        yield app


def test_kill_9_of_reindex_leaves_no_helper_and_the_next_write_takes_over(big_app):
    index = Path(big_app.config["KB_INDEX_DIR"])
    proc = flask_kb(big_app, "reindex", KB_BULK_PROCS="2")
    owner = index / "kb_writer.json"

    def indexing_with_helpers():
        try:
            record = json.loads(owner.read_text())
        except (OSError, ValueError):
            return None
        return record["helpers"] if record["owner"]["pid"] == proc.pid else None

    helpers = wait_for(indexing_with_helpers, what="reindex to start its helpers")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    leftovers = [ProcessId.from_dict(h) for h in helpers]
    try:
        wait_for(lambda: not any(h.alive() for h in leftovers), 30, "the helpers to die")
    finally:
        for helper in leftovers:  # should the test fail, leave no orphan on the machine
            helper.kill()
    assert children_of(proc.pid) == []

    again = flask_kb(big_app, "reindex", KB_BULK_PROCS="2")
    output, _ = again.communicate(timeout=300)
    assert again.returncode == 0, output
    assert f"indexed {ARTICLES} published articles" in output
    assert f"pid {proc.pid}" in output and "died while holding the write lock" in output
    assert "Traceback" not in output and not owner.exists()


def test_a_lock_kept_by_a_dead_writers_leftover_is_broken_with_a_log_line(big_app, caplog):
    caplog.set_level(logging.INFO, logger="kb_portal")
    index = big_app.config["KB_INDEX_DIR"]
    gone = subprocess.Popen(["sleep", "60"])
    dead = ProcessId.of(gone.pid).as_dict()  # a writer that was killed
    gone.kill()
    gone.wait()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER.format(root=str(ROOT)), index, json.dumps(dead)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        result = big_app.test_cli_runner().invoke(args=["kb", "reindex"])
        assert result.exit_code == 0, result.output
        assert f"indexed {ARTICLES} published articles" in result.output
        assert "broke a stale write lock" in caplog.text and f"pid {gone.pid}" in caplog.text
        assert holder.wait(30) == -signal.SIGKILL
    finally:
        if holder.poll() is None:
            holder.kill()


def test_the_background_repair_logs_why_it_could_not_run(tmp_path, caplog, schema_template):
    caplog.set_level(logging.INFO, logger="kb_portal")
    with running_app(tmp_path / "data", schema_template, KB_SEARCH_LOCK_TIMEOUT=0.2) as app:
        state = search_state(app)
        with article_changed.muted():
            factories.article("behind", "落后", "后台修复")
        other = make_engine(state.settings.engine, state.settings.index_dir, state.analyzer)
        with other.writing() as held:
            held.discard()
            state.in_background = True  # as on a server
            try:
                state.force_check()
                state.maybe_sync()
                for thread in [t for t in threading.enumerate() if t.name == "kb-search-sync"]:
                    thread.join(30)
            finally:
                state.in_background = False
        assert "could not bring the index up to date" in caplog.text
        assert f"pid {os.getpid()}" in caplog.text
        db.session.rollback()


@pytest.mark.parametrize("stage", ["rendering", "indexing"])
def test_kill_9_of_import_leaves_no_helper_and_a_reindex_repairs(big_app, tmp_path, stage):
    """``flask kb import`` forks twice: a pool parses and renders the files, then the index's
    helpers index them. Killed in either stage, no child of it survives and the index lock
    is free for the next write."""
    folder = tmp_path / "more"
    folder.mkdir()
    for n in range(ARTICLES):
        (folder / f"more-{n:03d}.md").write_text(
            f"---\ntitle: 导入中断第{n}篇\ncategory: sop\n---\n"
            + f"## 步骤\n\n核对订单 NEW-{n:05d} 后登记。\n" * 6, encoding="utf-8")
    owner = Path(big_app.config["KB_INDEX_DIR"]) / "kb_writer.json"
    proc = flask_kb(big_app, "import", str(folder), KB_BULK_PROCS="2")
    children: set[int] = set()

    def indexing() -> bool:
        try:
            record = json.loads(owner.read_text())
        except (OSError, ValueError):
            return False
        return record["owner"]["pid"] == proc.pid and bool(record["helpers"])

    def reached() -> bool:
        found = children_of(proc.pid)
        children.update(found)
        return indexing() if stage == "indexing" else len(found) >= 2 and not indexing()

    wait_for(reached, what=f"the import to reach {stage}")
    leftovers = [ProcessId.of(pid) for pid in children]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    try:
        wait_for(lambda: not any(h.alive() for h in leftovers), 30, "the helpers to die")
    finally:
        for helper in leftovers:  # should the test fail, leave no orphan on the machine
            helper.kill()
    db.session.rollback()  # see what the import committed
    state = search_state(big_app)
    with state.engine.writing(timeout=5) as session:  # the lock is free
        session.discard()
    reconcile(state)
    assert not check(state)
