"""Adversarial cases for the search index against a live server: crash leftovers and damage.

    .venv/bin/python bench/adversarial_index.py [--articles 600] [--rounds 3]

On a fresh data dir under ``bench/out/`` with a generated corpus (``bench/corpus.py``), served
by gunicorn (2 sync workers, as ``make run``):

1. **kill -9 during indexing** (``--rounds`` times each): ``flask kb reindex`` and ``flask kb
   import`` of new files are killed with SIGKILL once their indexing helpers run; then counts
   the helpers still alive 5 s later (orphans), whether the next ``flask kb reindex`` succeeds
   without a traceback, and whether the server kept answering meanwhile.
2. **a stale lock**: a process holding the index lock as a dead writer's leftover would (see
   tests/search/test_crash.py) — does the next ``flask kb reindex`` break it and succeed?
3. **a damaged segment**: 4 KB of random bytes written into the biggest segment, then a save
   (an import of one file) makes the workers open a new generation; searches are sent until
   they answer with results again: 5xx answers, answers over 5 s (hangs), 503 answers, and the
   time until results are back.

Prints the counters as JSON (races and lost edits are ``bench/adversarial.py``'s); the same
keys as that script: ``5xx``, ``hangs``, ``orphans``, plus this script's own.
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search_bench import api_get, start_server  # noqa: E402

OUT = ROOT / "bench" / "out"
PY = sys.executable
HANG = 5.0


def flask(env, *args, check=True, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([PY, "-m", "flask", "--app", "wsgi", "kb", *args], cwd=ROOT,
                            env=env, capture_output=True, text=True, **kwargs)
    if check and result.returncode:
        raise RuntimeError(f"flask kb {args}: {result.stderr[-2000:]}")
    return result


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] not in "ZX"


def kill_while_indexing(env, args) -> dict:
    """Start ``flask kb ARGS``, SIGKILL it once its helpers are recorded; count orphans."""
    owner = Path(env["KB_DATA_DIR"]) / "index" / "kb_writer.json"
    proc = subprocess.Popen([PY, "-m", "flask", "--app", "wsgi", "kb", *args], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    helpers, deadline = [], time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            record = json.loads(owner.read_text())
            if record["owner"]["pid"] == proc.pid and record["helpers"]:
                helpers = [h["pid"] for h in record["helpers"]]
                break
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.01)
    if not helpers:
        proc.kill()
        proc.wait()
        return {"killed": False}
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(5)
    orphans = [pid for pid in helpers if alive(pid)]
    for pid in orphans:  # leave the machine clean whatever the result
        os.kill(pid, signal.SIGKILL)
    again = flask(env, "reindex", check=False)
    return {"killed": True, "orphans": len(orphans),
            "next_reindex_ok": again.returncode == 0 and "Traceback" not in again.stderr}


def searches_until_results(port: int, token: str, query: str, limit_s: float = 300) -> dict:
    import http.client

    counts = {"requests": 0, "5xx": 0, "503": 0, "hangs": 0, "seconds_to_results": None}
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        t0 = time.monotonic()
        try:
            status, data = api_get(conn, token, query)
        except OSError:
            status, data = 599, {}
        conn.close()
        counts["requests"] += 1
        counts["hangs"] += time.monotonic() - t0 > HANG
        counts["503"] += status == 503
        counts["5xx"] += status >= 500 and status != 503
        if status == 200 and data.get("total"):
            counts["seconds_to_results"] = round(time.monotonic() - started, 2)
            break
        time.sleep(0.1)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from bench.corpus import generate

    corpus = OUT / f"corpus-{args.articles}"
    if not corpus.is_dir() or len(list(corpus.glob("*.md"))) != args.articles:
        generate(args.articles, corpus)
    data = OUT / "adversarial-index"
    subprocess.run(["rm", "-rf", str(data)], check=True)
    env = {**os.environ, "KB_DATA_DIR": str(data), "KB_LOG_LEVEL": "WARNING",
           "KB_BULK_PROCS": "2", "FLASK_APP": "wsgi"}
    env.pop("DATABASE_URL", None)
    flask(env, "init")
    flask(env, "import", str(corpus))
    flask(env, "create-user", "bench", "--role", "agent", "--password-stdin",
          input="bench-password-123\n")
    token = flask(env, "token", "create", "bench").stdout.strip()
    proc, port = start_server(env, workers=2)
    report: dict = {"articles": args.articles, "orphans": 0, "5xx": 0, "hangs": 0}
    try:
        searches_until_results(port, token, "退款")
        for n in range(args.rounds):
            report[f"kill_reindex_{n}"] = r = kill_while_indexing(env, ("reindex",))
            report["orphans"] += r.get("orphans", 0)
            extra = OUT / f"adversarial-extra-{n}"
            extra.mkdir(exist_ok=True)
            generate(320, extra, seed=100 + n)  # the same slugs, new text: 320 updates
            report[f"kill_import_{n}"] = r = kill_while_indexing(env, ("import", str(extra)))
            report["orphans"] += r.get("orphans", 0)
            after = searches_until_results(port, token, "退款", 60)
            report["5xx"] += after["5xx"]
            report["hangs"] += after["hangs"]
        report["stale_lock"] = stale_lock(env)
        report["damaged_segment"] = r = damaged_segment(env, port, token, corpus)
        report["5xx"] += r["5xx"]
        report["hangs"] += r["hangs"]
    finally:
        proc.terminate()
        proc.wait(30)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    (OUT / "adversarial-index.json").write_text(json.dumps(report, indent=2))


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


def stale_lock(env) -> dict:
    gone = subprocess.Popen(["sleep", "60"])
    from kb_portal.children import ProcessId

    dead = ProcessId.of(gone.pid).as_dict()
    gone.kill()
    gone.wait()
    index = str(Path(env["KB_DATA_DIR"]) / "index")
    holder = subprocess.Popen([PY, "-c", HOLDER.format(root=str(ROOT)), index,
                               json.dumps(dead)], stdout=subprocess.PIPE, text=True)
    holder.stdout.readline()
    result = flask({**env, "KB_LOG_LEVEL": "INFO"}, "reindex", check=False)
    broken = holder.wait(60) == -signal.SIGKILL
    return {"reindex_ok": result.returncode == 0, "holder_killed": broken,
            "logged": "broke a stale write lock" in result.stderr}


def damaged_segment(env, port: int, token: str, corpus: Path) -> dict:
    index = Path(env["KB_DATA_DIR"]) / "index"
    segment = max(index.glob("*.seg"), key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    start = len(data) - 4096  # the segment's file table: every reader trips over it
    data[start:start + 4096] = random.Random(4).randbytes(4096)
    segment.write_bytes(bytes(data))
    one = OUT / "adversarial-one"
    one.mkdir(exist_ok=True)
    (one / "adversarial-fresh.md").write_text(
        "---\ntitle: 损坏之后的新文章\ncategory: sop\n---\n新的正文\n", encoding="utf-8")
    flask(env, "import", str(one), check=False)  # a save: a new generation for the workers
    return searches_until_results(port, token, "退款")


if __name__ == "__main__":
    main()
