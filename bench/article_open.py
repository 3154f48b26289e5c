"""How long a big article takes to open, warm (issue 17 point 5: a 1 MB article < 300 ms).

Starts gunicorn (``sync`` workers by default, as ``make run``) on a free loopback port with a
fresh data directory, saves and publishes a realistic article of ``--mb`` megabytes through the
editor (the demo articles' bodies repeated: headings, tables, lists, links between articles,
so the table of contents and link check have real work), then opens it as an agent and as a
trainer: the first GET after publishing, then ``--opens`` more ("warm"), each timed to the last
byte. Prints median, 90th percentile and maximum per role.

Then it opens the article in-process on the same database (wall and CPU time per open: CPU
time is far less disturbed by other work on a shared machine), and with ``--profile`` under
cProfile, printing where the time goes (template, table of contents, link check, database).

    .venv/bin/python -m bench.article_open                 # 1 MB, 20 warm opens per role
    .venv/bin/python -m bench.article_open --mb 2 --profile
"""
import argparse
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from . import webflow
from .adversarial_content import PASSWORD, free_port, start_server

ROOT = Path(__file__).resolve().parents[1]
SLUG = "big-article"
AGENT = "bench-agent"


def big_article(megabytes: float) -> str:
    """A realistic long article: the demo articles' bodies repeated to ``megabytes``."""
    bodies = [p.read_text(encoding="utf-8").split("---", 2)[2] for p in
              sorted((ROOT / "articles").glob("*.md"))]
    text, target = "", int(megabytes * 1024 * 1024)
    while len(text.encode()) < target:
        text += "\n\n".join(bodies)
    return text


def add_agent(data_dir: str) -> None:
    env = {**os.environ, "KB_DATA_DIR": data_dir, "FLASK_APP": "wsgi"}
    subprocess.run([sys.executable, "-m", "flask", "kb", "create-user", AGENT, "--role",
                    "agent", "--password-stdin"], input=PASSWORD + "\n", text=True, env=env,
                   cwd=ROOT, check=True, capture_output=True)


def publish_big_article(base: str, megabytes: float) -> requests.Session:
    """Save and publish the article as the trainer; returns the trainer's session."""
    trainer = requests.Session()
    assert webflow.login(trainer, base, "bench-trainer", PASSWORD).status_code == 302
    form = webflow.article_form("Big article", SLUG, big_article(megabytes), "bench-trainer")
    start = time.perf_counter()
    saved = webflow.create_article(trainer, base, form, timeout=300)
    print(f"save of a {megabytes:g} MB article: {saved.status_code} in "
          f"{time.perf_counter() - start:.2f} s")
    published = webflow.publish(trainer, base, SLUG, timeout=60)
    if saved.status_code != 302 or published.status_code != 302:
        raise RuntimeError(f"save {saved.status_code}, publish {published.status_code}")
    return trainer


def time_opens(session: requests.Session, base: str, opens: int) -> tuple[float, list[float], int]:
    """(first open, warm opens, page bytes), each to the response's last byte."""
    times, size = [], 0
    for _ in range(opens + 1):
        start = time.perf_counter()
        response = session.get(f"{base}/a/{SLUG}", timeout=60)
        size = len(response.content)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"open answered {response.status_code}")
    return times[0], times[1:], size


def report(role: str, first: float, warm: list[float], size: int) -> None:
    ms = sorted(t * 1000 for t in warm)
    p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    print(f"{role:8} page {size / 1024 / 1024:.2f} MB   first {first * 1000:6.0f} ms   warm "
          f"median {statistics.median(ms):6.0f} ms   p90 {p90:6.0f} ms   max {ms[-1]:6.0f} ms")


def in_process(data_dir: str, opens: int, with_profile: bool) -> None:
    """Open the article in-process on the same database as an agent: wall and CPU time per
    warm open (CPU time is far less disturbed by other work on a shared machine), then, with
    ``with_profile``, where the time goes under cProfile."""
    os.environ["KB_DATA_DIR"] = data_dir
    from kb_portal import create_app

    client = create_app().test_client()
    token = webflow.CSRF_META.search(client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"username": AGENT, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    client.get(f"/a/{SLUG}")
    walls, cpus = [], []
    for _ in range(opens):
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(f"/a/{SLUG}")
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    print(f"in-process (agent): warm median {statistics.median(walls) * 1000:.0f} ms wall, "
          f"{statistics.median(cpus) * 1000:.0f} ms CPU")
    if with_profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(5):
            client.get(f"/a/{SLUG}")
        profiler.disable()
        print("\nin-process profile of 5 warm opens as an agent (cumulative time):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--opens", type=int, default=20)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        port = free_port()
        server = start_server(data_dir, args.worker_class, port)
        base = f"http://127.0.0.1:{port}"
        try:
            add_agent(data_dir)
            trainer = publish_big_article(base, args.mb)
            agent = requests.Session()
            assert webflow.login(agent, base, AGENT, PASSWORD).status_code == 302
            report("agent", *time_opens(agent, base, args.opens))
            report("trainer", *time_opens(trainer, base, args.opens))
        finally:
            server.terminate()
            server.wait(30)
        in_process(data_dir, args.opens, args.profile)
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} "
          f"({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
