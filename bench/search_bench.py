"""Search benchmark: import + index rate, search latency (in-process and over HTTP), save →
searchable, and process start → first answered search.

    .venv/bin/python bench/search_bench.py 10000 [--queries 300] [--keep]

Steps, each on a fresh data dir under ``bench/out/`` (git-ignored):

1. ``bench/corpus.py`` writes N synthetic articles (seeded), unless they exist.
2. ``flask kb init`` then ``flask kb import`` of the corpus, timed as one step (the importer
   commits, then the search index is reconciled with all new articles) → articles/s; then
   ``flask kb reindex`` alone → index-only articles/s.
3. In-process: unique generated queries through ``search()`` with snippets, the snapshot's
   term-expansion cache cleared before each query (so nothing is served from a cache).
4. gunicorn (2 workers, as ``make run``) on a free loopback port; one client with a kept-alive
   connection sends other unique queries to ``GET /api/v1/search`` with a bearer token.
5. Save → searchable: this process saves a new revision containing a fresh word (as the web
   worker handling the save would), then polls the HTTP API until the word is found.
6. Process start → first answered search: a new gunicorn (1 worker) is started and polled.
"""
import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
PY = sys.executable


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def flask(env, *args, stdin=None) -> subprocess.CompletedProcess:
    result = subprocess.run([PY, "-m", "flask", "--app", "wsgi", "kb", *args], cwd=ROOT,
                            env=env, input=stdin, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"flask kb {args}: {result.stderr[-2000:]}")
    return result


def make_queries(count: int, seed: int) -> list[str]:
    """Unique, realistic queries: Chinese words and pairs, traditional forms, English words,
    typos, prefixes and codes, drawn from the same pools as the corpus."""
    import jieba
    import opencc

    from bench.corpus import PRODUCTS, load_pools

    rng = random.Random(seed)
    pools = load_pools()
    zh_words = sorted({w for s in rng.sample(pools["zh"], 400) for w in jieba.cut(s)
                       if len(w) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in w)})
    en_words = sorted({w.lower().strip(".,;:()\"'") for s in pools["en"] for w in s.split()
                       if len(w) >= 4 and w.isalpha()})
    s2t = opencc.OpenCC("s2t")
    makers = [
        lambda: rng.choice(zh_words),
        lambda: " ".join(rng.sample(zh_words, 2)),
        lambda: rng.choice(zh_words) + rng.choice(zh_words),
        lambda: s2t.convert(" ".join(rng.sample(zh_words, 2))),
        lambda: " ".join(rng.sample(en_words, rng.randint(1, 3))),
        lambda: _typo(rng, rng.choice([w for w in en_words if len(w) >= 5])),
        lambda: rng.choice(en_words)[:rng.randint(2, 4)],
        lambda: rng.choice(zh_words)[:-1] if rng.random() < .5 else rng.choice(zh_words),
        lambda: f"E-{rng.randint(100, 199)}",
        lambda: f"{rng.choice(PRODUCTS)} {rng.choice(zh_words)}",
    ]
    queries, seen = [], set()
    while len(queries) < count:
        q = rng.choice(makers)()
        if q and q not in seen:
            seen.add(q)
            queries.append(q)
    return queries


def _typo(rng, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:] if rng.random() < .5 else \
        word[:i] + word[i + 1:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env, workers: int):
    port = free_port()
    log = open(Path(env["KB_DATA_DIR"]) / f"gunicorn-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([PY, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
                             str(workers), "--timeout", "120", "wsgi:app"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    return proc, port


def api_get(conn, token: str, query: str) -> tuple[int, dict]:
    path = "/api/v1/search?" + urllib.parse.urlencode({"q": query, "limit": 10})
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    body = response.read()
    return response.status, (json.loads(body) if response.status == 200 else {})


def wait_for_answer(port: int, token: str, query: str, deadline: float) -> float:
    """Poll until the API answers ``query`` with at least one result; return the time."""
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            status, data = api_get(conn, token, query)
            conn.close()
            if status == 200 and data.get("total"):
                return time.monotonic()
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"no answer for {query!r}")


def in_process(env, queries) -> dict:
    # The start-up reconcile in the foreground: measured searches must not share the CPU with
    # it, and this process must not exit half-way through its write (servers get threads).
    os.environ.update(env, KB_SEARCH_STARTUP="sync")
    from kb_portal import create_app
    from kb_portal.search.services import SearchParams, search
    from kb_portal.search.state import search_state

    app = create_app()
    timings = []
    with app.app_context():
        search(SearchParams(q="warm up"))
        snapshot = search_state().engine.snapshot()
        for q in queries:
            snapshot.forget("vocabulary")  # no term-expansion cache hits
            started = time.perf_counter()
            search(SearchParams(q=q, limit=10))
            timings.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(pct(timings, 50), 1), "p95_ms": round(pct(timings, 95), 1),
            "max_ms": round(max(timings), 1)}


def save_to_searchable(env, port: int, token: str, rounds: int = 10) -> dict:
    os.environ.update(env, KB_SEARCH_STARTUP="sync")  # as in in_process()
    from kb_portal import create_app, transaction
    from kb_portal.extensions import db
    from kb_portal.kb.models import Article
    from kb_portal.kb.services import add_revision, notify, publish_revision

    app = create_app()
    results = []
    with app.app_context():
        for n in range(rounds):
            article = db.session.scalar(db.select(Article).where(
                Article.status == "published").offset(n * 7).limit(1))
            rev = article.current
            word = f"zqx{random.randint(10**8, 10**9)}"
            started = time.monotonic()
            new = add_revision(article, title=rev.title, body=rev.body + f"\n\n{word}",
                               category_key=rev.category_key, tags=rev.tags,
                               language=rev.language, summary=rev.summary, status="published")
            publish_revision(article, new)
            notify([article.id], [article.id])
            transaction.commit()  # as a save's request ends: the index hears of it
            found = wait_for_answer(port, token, word, time.monotonic() + 30)
            results.append((found - started) * 1000)
    return {"median_ms": round(statistics.median(results), 1),
            "max_ms": round(max(results), 1)}


class Report(dict):
    """A dict written to ``path`` after every entry, so a failed step loses nothing."""

    def __init__(self, data, path: Path):
        super().__init__(data)
        self.path = path

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.path.write_text(json.dumps(self, ensure_ascii=False, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true",
                        help="search measurements only, on the data dir of an earlier run")
    parser.add_argument("--skip-reindex", action="store_true",
                        help="do not time `flask kb reindex` separately (saves time at 50k)")
    args = parser.parse_args()
    n = args.count
    corpus = OUT / f"corpus-{n}"
    if not corpus.is_dir() or len(list(corpus.glob("*.md"))) != n:
        from bench.corpus import generate

        generate(n, corpus, args.seed)
    data = OUT / f"data-{n}"
    env = {**os.environ, "KB_DATA_DIR": str(data), "KB_LOG_LEVEL": "WARNING",
           "FLASK_APP": "wsgi"}
    env.pop("DATABASE_URL", None)
    suffix = "-reuse" if args.reuse else ""
    report = Report({"articles": n, "cpus": os.cpu_count()}, OUT / f"result-{n}{suffix}.json")
    if not args.reuse:
        subprocess.run(["rm", "-rf", str(data)], check=True)
        flask(env, "init")
        started = time.monotonic()
        flask(env, "import", str(corpus))
        elapsed = time.monotonic() - started
        report["import_and_index_s"] = round(elapsed, 1)
        report["import_and_index_per_s"] = round(n / elapsed, 1)
    if not args.skip_reindex and not args.reuse:
        started = time.monotonic()
        flask(env, "reindex")
        report["reindex_per_s"] = round(n / (time.monotonic() - started), 1)
    report["index_mb"] = round(sum(p.stat().st_size for p in (data / "index").iterdir())
                               / 2**20, 1)
    queries = make_queries(args.queries * 2, args.seed)
    report["in_process"] = in_process(env, queries[:args.queries])
    if not args.reuse:
        flask(env, "create-user", "bench", "--role", "agent", "--password-stdin",
              stdin="bench-password-123\n")
    token = flask(env, "token", "create", "bench").stdout.strip()
    proc, port = start_server(env, workers=2)
    try:
        wait_for_answer(port, token, "退款", time.monotonic() + 120)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        timings = []
        for q in queries[args.queries:]:
            t0 = time.perf_counter()
            status, _ = api_get(conn, token, q)
            timings.append((time.perf_counter() - t0) * 1000)
            assert status == 200, (q, status)
        report["http_one_client"] = {"p50_ms": round(pct(timings, 50), 1),
                                     "p95_ms": round(pct(timings, 95), 1),
                                     "max_ms": round(max(timings), 1)}
        report["save_to_searchable"] = save_to_searchable(env, port, token)
    finally:
        proc.terminate()
        proc.wait(30)
    env_cold = {**env, "KB_SEARCH_STARTUP": "background"}
    started = time.monotonic()
    proc, port = start_server(env_cold, workers=1)
    try:
        report["start_to_first_answer_s"] = round(
            wait_for_answer(port, token, "投诉 处理", started + 60) - started, 2)
    finally:
        proc.terminate()
        proc.wait(30)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
