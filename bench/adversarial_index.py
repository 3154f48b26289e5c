"""The search index's adversarial cases for ``bench/adversarial.py`` (issue 11 points 8, 9):
crash leftovers, a stale lock and a damaged segment, against the live server it starts.

    .venv/bin/python -m bench.adversarial --cases kills stale_lock damaged_segment

* ``kills`` — a generated corpus (``bench/corpus.py``, 400 articles) is imported, then
  ``flask kb reindex`` and ``flask kb import`` (of 320 new articles) are killed with
  SIGKILL once their indexing helpers run, ``--rounds // 20`` times each (at least once).
  Helpers alive 5 s later count as ``orphans`` (and are killed, to leave the machine clean);
  the next ``flask kb reindex`` must succeed without a traceback (a ``FAILED:`` note
  otherwise: the index would stay behind); the server is searched meanwhile (5xx, hangs).
* ``stale_lock`` — a process holds the index lock as a dead writer's leftover would
  (:data:`HOLDER`); the next ``flask kb reindex`` must break it (log line) and succeed.
* ``damaged_segment`` — 4 KB of random bytes over the biggest segment's file table, then a
  save (an import of one file) makes the workers open a new generation; searches are sent
  until they answer with results again. The portal answers 503 while it rebuilds by design:
  those are noted apart (``503 while repairing: n``), any other answer ≥ 500 counts as 5xx.
"""
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CORPUS = 400

# A process holding the index lock as a dead writer's leftover helper would: it records the
# dead writer as the lock's owner and itself as that writer's helper (tests/search/test_crash.py
# uses it too).
HOLDER = """
import fcntl, json, os, sys, time
index, dead = sys.argv[1], json.loads(sys.argv[2])
fd = os.open(os.path.join(index, "MAIN_WRITELOCK"), os.O_CREAT | os.O_WRONLY)
fcntl.flock(fd, fcntl.LOCK_EX)  # what a helper forked by a writer holds
sys.path.insert(0, {root!r})
from kb_portal.children import ProcessId
record = {{"owner": dead, "since": time.time(), "helpers": [ProcessId.of().as_dict()]}}
with open(os.path.join(index, "kb_writer.json"), "w") as fh:
    json.dump(record, fh)
print("holding", flush=True)
time.sleep(300)
"""


def _flask(ctx, *args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "flask", "--app", "wsgi", "kb", *args], cwd=ROOT,
                          env={**ctx.env, **env}, capture_output=True, text=True)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] not in "ZX"


def _search(ctx, session, query: str = "退款"):
    return ctx.send(lambda: session.get(f"{ctx.url}/api/v1/search",
                                        params={"q": query}, timeout=120))


def _corpus(ctx) -> Path:
    from bench.corpus import generate

    folder = Path(ctx.data_dir) / "adversarial-corpus"
    if not folder.is_dir():
        generate(CORPUS, folder)
        result = _flask(ctx, "import", str(folder), KB_BULK_PROCS="2")
        if result.returncode:
            raise RuntimeError(f"import of the corpus failed: {result.stderr[-1000:]}")
    return folder


def _kill_while_indexing(ctx, *args) -> None:
    owner = Path(ctx.data_dir) / "index" / "kb_writer.json"
    proc = subprocess.Popen([PY, "-m", "flask", "--app", "wsgi", "kb", *args], cwd=ROOT,
                            env={**ctx.env, "KB_BULK_PROCS": "2"}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    helpers, deadline = [], time.monotonic() + 300
    while not helpers and time.monotonic() < deadline and proc.poll() is None:
        try:
            record = json.loads(owner.read_text())
            if record["owner"]["pid"] == proc.pid:
                helpers = [h["pid"] for h in record["helpers"]]
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.01)
    if not helpers:
        proc.kill()
        proc.wait()
        ctx.note(f"kill: {' '.join(args)[:40]} never started its helpers")
        return
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(5)
    left = [pid for pid in helpers if _alive(pid)]
    ctx.counts.orphans += len(left)
    for pid in left:  # leave the machine clean whatever the result
        os.kill(pid, signal.SIGKILL)
    again = _flask(ctx, "reindex")
    if again.returncode or "Traceback" in again.stderr:
        ctx.note(f"FAILED: the reindex after a killed {args[0]}: {again.stderr[-200:]}")


def kills(ctx) -> None:
    """kill -9 of reindex and import while their helpers index (see the module docstring)."""
    from bench.corpus import generate

    session = ctx.session("t1")
    _corpus(ctx)
    for n in range(max(1, ctx.args.rounds // 20)):
        _kill_while_indexing(ctx, "reindex")
        _search(ctx, session)
        more = Path(ctx.data_dir) / f"adversarial-more-{n}"
        generate(CORPUS + 320, more, seed=100 + n)
        for path in sorted(more.glob("*.md"))[:CORPUS]:  # keep 320 new slugs only
            path.unlink()
        _kill_while_indexing(ctx, "import", str(more))
        _search(ctx, session)


def stale_lock(ctx) -> None:
    """A dead writer's leftover keeps the lock: the next reindex breaks it and succeeds."""
    from kb_portal.children import ProcessId

    gone = subprocess.Popen(["sleep", "60"])
    dead = ProcessId.of(gone.pid).as_dict()
    gone.kill()
    gone.wait()
    holder = subprocess.Popen([PY, "-c", HOLDER.format(root=str(ROOT)),
                               str(Path(ctx.data_dir) / "index"), json.dumps(dead)],
                              stdout=subprocess.PIPE, text=True)
    try:
        holder.stdout.readline()
        result = _flask(ctx, "reindex", KB_LOG_LEVEL="INFO")
        if result.returncode or "broke a stale write lock" not in result.stderr:
            ctx.note(f"FAILED: stale lock: reindex {result.returncode}: "
                     f"{result.stderr[-200:]}")
        else:
            ctx.note("stale lock: broken (logged), reindex succeeded")
    finally:
        holder.kill()
        holder.wait()


def damaged_segment(ctx) -> None:
    """Random bytes in a segment: searches answer (503 while repairing), then results again."""
    session = ctx.session("t1")
    _corpus(ctx)
    index = Path(ctx.data_dir) / "index"
    segment = max(index.glob("*.seg"), key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    data[-4096:] = random.Random(4).randbytes(4096)  # the file table every reader needs
    segment.write_bytes(bytes(data))
    one = Path(ctx.data_dir) / "adversarial-one"
    one.mkdir(exist_ok=True)
    (one / "adversarial-fresh.md").write_text(
        "---\ntitle: 损坏之后的新文章\ncategory: sop\n---\n新的正文\n", encoding="utf-8")
    _flask(ctx, "import", str(one))  # a save: the workers open a new generation
    unavailable, started = 0, time.monotonic()
    while time.monotonic() - started < 300:
        t0 = time.perf_counter()
        response = session.get(f"{ctx.url}/api/v1/search", params={"q": "退款"}, timeout=120)
        ctx.counts.requests += 1
        ctx.counts.hangs += time.perf_counter() - t0 > 5.0
        if response.status_code == 503:
            unavailable += 1
        elif response.status_code >= 500:
            ctx.counts.fivexx += 1
        elif response.status_code == 200 and response.json().get("total"):
            break
        time.sleep(0.1)
    else:
        ctx.note("FAILED: damaged segment: no results within 300 s")
    ctx.note(f"damaged segment: 503 while repairing: {unavailable}, results again after "
             f"{time.monotonic() - started:.1f} s")
