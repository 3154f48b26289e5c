"""Live search in the real browser: time from the agent's last keystroke to the live result
list painted, typing pause included (issue 14; bar p50 ≤ 250 ms, p95 ≤ 400 ms).

    .venv/bin/python bench/live_bench.py [--rounds 2] [--delay 90] [--extra 0] [--reuse]

A portal is set up as ``make run`` does (``flask kb init``, ``import articles``, ``demo``) in a
fresh data dir under ``bench/out/`` (``--extra N`` adds N synthetic articles from
``bench/corpus.py``), served by gunicorn with 2 workers on a free loopback port. Debian's
chromium (Playwright) logs in as the demo agent and, for every query of
``bench/relevance_queries.py``, clears the home page's search box and types the query with
``--delay`` ms between keys, as an agent does. In the page, the time of the last ``input``
event is taken, and the list counts as painted in the first task after the animation frame
that follows the list being filled for exactly that query (so the 150 ms typing pause, the
request, the server and rendering are all inside the figure). Prints p50/p95/max and the
machine's load average, for bench/RESULTS.md.
"""
import argparse
import os
import shutil
import statistics
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search_bench import OUT, flask, pct, start_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
# Runs in the page before its scripts: the last keystroke and the paint of each filled list.
PROBE = """
window.__live = {lastInput: 0, painted: {}};
document.addEventListener('input', () => { window.__live.lastInput = performance.now(); }, true);
new MutationObserver(records => {
  for (const r of records) {
    const q = r.target.dataset.query;
    if (r.attributeName !== 'data-query' && r.attributeName !== 'hidden') continue;
    if (r.target.hidden || q === undefined) continue;
    const typedAt = window.__live.lastInput;
    requestAnimationFrame(() => setTimeout(() => {
      if (!(q in window.__live.painted)) window.__live.painted[q] = performance.now() - typedAt;
    }, 0));
  }
}).observe(document, {attributes: true, subtree: true,
                      attributeFilter: ['data-query', 'hidden']});
"""


def set_up(extra: int, reuse: bool) -> tuple[dict, Path]:
    data = OUT / f"live-{extra}"
    env = {**os.environ, "KB_DATA_DIR": str(data), "FLASK_APP": "wsgi", "KB_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    if reuse and (data / "demo-accounts.txt").exists():
        return env, data
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    flask(env, "init")
    sources = ["articles"]
    if extra:
        from bench.corpus import generate
        generate(extra, data / "corpus")
        sources.append(str(data / "corpus"))
    flask(env, "import", *sources)
    flask(env, "demo")
    return env, data


def wait_up(port: int) -> str:
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url + "/login", timeout=2):
                return url
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def measure(url: str, password: str, queries: list[str], rounds: int, delay: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860}) \
            .new_page()
        page.add_init_script(PROBE)
        page.goto(url + "/login")
        page.fill("input[name=username]", "agent")
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_selector("#home-search")
        box = page.locator("#home-search")
        for _round in range(rounds):
            for query in queries:
                box.fill("")
                page.evaluate("() => { window.__live.painted = {}; }")
                box.focus()
                page.keyboard.type(query, delay=delay)
                handle = page.wait_for_function(
                    "q => window.__live.painted[q]", arg=query, timeout=30_000)
                times.append(handle.json_value())
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="passes over the queries")
    parser.add_argument("--delay", type=int, default=90, help="ms between keystrokes")
    parser.add_argument("--extra", type=int, default=0, help="synthetic articles to add")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse bench/out/live-<extra>/ from an earlier run (no re-import)")
    args = parser.parse_args()
    from bench.relevance_queries import QUERIES

    queries = [q for _kind, q, _answers in QUERIES]
    env, data = set_up(args.extra, args.reuse)
    password = next(line.split("\t")[2] for line in
                    (data / "demo-accounts.txt").read_text().splitlines()
                    if line.startswith("agent\t"))
    proc, port = start_server(env, 2)
    try:
        url = wait_up(port)
        measure(url, password, queries[:5], 1, args.delay)  # warm up workers and browser
        times = measure(url, password, queries, args.rounds, args.delay)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    load = os.getloadavg()
    print(f"{len(times)} searches ({len(queries)} queries x {args.rounds}), "
          f"{args.delay} ms between keys, "
          f"{len(list((ROOT / 'articles').glob('*.md'))) + args.extra} articles")
    print(f"last keystroke → list painted: p50 {pct(times, 50):.0f} ms, "
          f"p95 {pct(times, 95):.0f} ms, max {max(times):.0f} ms, "
          f"mean {statistics.mean(times):.0f} ms")
    print(f"load average during the run: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
          f"({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
