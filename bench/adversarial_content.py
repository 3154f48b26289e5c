"""Pathological article bodies against a live server (issue 11 points 2–4, issue 17 point 5).

Starts gunicorn (``--worker-class sync`` or ``gthread``) on a free loopback port with a fresh
data directory, logs in as a trainer, then previews and saves each body of :data:`BODIES` and
counts 5xx answers and requests slower than :data:`HANG_SECONDS`. Prints one line per case
and the totals. (How fast a big article opens is ``bench/article_open.py``.)

    .venv/bin/python -m bench.adversarial_content --worker-class gthread
    .venv/bin/python -m bench.adversarial_content --worker-class sync

(``bench/adversarial.py`` of the ``races`` work is the place these cases are meant to join.)
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from . import webflow

ROOT = Path(__file__).resolve().parents[1]
HANG_SECONDS = 5.0
PASSWORD = "adversarial bench pw 7"
BODIES = {
    "table rule flood (cubic index regex)": "  \n" * 800,
    "list markers x600 on one line": "- " * 600 + "x",
    "numbered markers x600": "1. " * 600,
    "quote markers x1200": "> " * 1200 + "x",
    "indented list 400 levels": "\n".join("    " * i + "- x" for i in range(400)),
    "20 KB of [": "[" * 20_000,
    "20 KB of ![": "![" * 10_000,
    "[a]( x5000": "[a](" * 5000,
    "[a][ x5000": "[a][" * 5000,
    "nested emphasis": "*a " * 2000 + "x" + " a*" * 2000,
    "wide table": "|" + "a|" * 5000 + "\n|" + "-|" * 5000 + "\n",
    "1.6 MB of [a](": "[a](" * 400_000,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: str, worker_class: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "KB_DATA_DIR": data_dir, "KB_SEARCH_STARTUP": "sync",
           "FLASK_APP": "wsgi"}
    flask = [sys.executable, "-m", "flask"]
    subprocess.run([*flask, "kb", "init"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*flask, "kb", "create-user", "bench-trainer", "--role", "trainer",
                    "--password-stdin"], input=PASSWORD + "\n", text=True, env=env, cwd=ROOT,
                   check=True, capture_output=True)
    args = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
            "--worker-class", worker_class, "--timeout", "60", "wsgi:app"]
    if worker_class == "gthread":
        args += ["--threads", "8"]
    server = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=5)
            return server
        except requests.RequestException:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("the server did not start")


def timed(call):
    start = time.perf_counter()
    try:
        response = call()
        status = response.status_code
    except requests.Timeout:
        status = "timeout"
    return status, time.perf_counter() - start


def run(base: str) -> dict:
    session = requests.Session()
    assert webflow.login(session, base, "bench-trainer", PASSWORD).status_code == 302
    totals = {"5xx": 0, "hangs": 0, "cases": 0}
    for n, (name, body) in enumerate(BODIES.items()):
        token = webflow.csrf_token(session, base, "/kb/new")
        preview = timed(lambda body=body, token=token: session.post(
            base + "/kb/preview", files={"body": (None, body), "csrf_token": (None, token)},
            timeout=60))
        form = webflow.article_form(f"adversarial {n}", f"adversarial-{n}", body,
                                    "bench-trainer")
        save = timed(lambda form=form: webflow.create_article(session, base, form, timeout=60))
        for status, seconds in (preview, save):
            totals["cases"] += 1
            totals["5xx"] += status == "timeout" or int(status) >= 500
            totals["hangs"] += seconds > HANG_SECONDS
        print(f"{name:40} preview {preview[0]} {preview[1]:6.2f} s   save {save[0]} "
              f"{save[1]:6.2f} s", flush=True)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="gthread")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        server = start_server(data_dir, args.worker_class, port)  # stopped there if it fails
        try:
            totals = run(f"http://127.0.0.1:{port}")
        finally:
            server.terminate()
            server.wait(30)
    print(f"{args.worker_class}: {totals['cases']} requests, {totals['5xx']} 5xx, "
          f"{totals['hangs']} over {HANG_SECONDS:g} s")


if __name__ == "__main__":
    main()
