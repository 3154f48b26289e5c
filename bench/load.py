"""Load figures: 50 agents + 5 trainers for 3 minutes with Locust, on the 10,000-article corpus.

    .venv/bin/python bench/load.py embedded [--worker-class sync|gthread] [--duration 180]
    .venv/bin/python bench/load.py cluster  [--worker-class sync|gthread] [--duration 180]

``embedded``: the default set-up (SQLite, local index) served by gunicorn with ``WORKERS=4``.
``cluster``: PostgreSQL + Redis + two servers (2 workers each, own index) behind nginx
(``ops/cluster.py``). Loopback only; the run stops by itself after ``--duration`` seconds.

Agents (``bench/locustfile.py``) type a question in prefixes (each a live search), open the best
hit and read (2–8 s); trainers open one of their own articles, save a change and publish it
(5–15 s). Afterwards every acknowledged save is looked up in the database and every last
publication in every server's index (lost edits). Printed: a summary table (requests/s, search
p50/p95/p99, 5xx, mixed-up responses, lost edits), also appended to ``bench/out/load.jsonl``.
Data dirs and the corpus are kept under ``bench/out/`` and reused by the next run.
"""
import argparse
import csv
import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

from bench.webflow import ARTICLES_PER_TRAINER  # noqa: E402
from ops.cluster import (  # noqa: E402
    PY,
    Nginx,
    Portal,
    Postgres,
    Redis,
    cluster_env,
)

AGENTS, TRAINERS = 50, 5
SETUP = """
import sys
from bench.webflow import load_display_name
from kb_portal import create_app
from kb_portal.accounts import services
from kb_portal.extensions import db
app = create_app()
with app.app_context():
    password = sys.argv[1]
    for role, count in (("agent", {agents}), ("trainer", {trainers})):
        for n in range(1, count + 1):
            name = f"load-{{role}}-{{n}}"
            user = services.find_user(name)
            if user is None:
                services.create_user(name, password, role, load_display_name(name))
            else:
                services.set_password(user, password)
            db.session.commit()
"""


def prepare(portal: Portal, corpus: Path, password: str, marker: Path) -> None:
    """Schema (upgraded on a database kept from an earlier run), the corpus and the trainers'
    own articles (once per database), the accounts."""
    portal.flask("init")
    if not marker.exists():
        portal.flask("import", str(corpus))
        mine = OUT / "load-trainer-articles"
        mine.mkdir(parents=True, exist_ok=True)
        for t in range(1, TRAINERS + 1):
            for i in range(ARTICLES_PER_TRAINER):
                slug = f"load-edit-{t}-{i}"
                (mine / f"{slug}.md").write_text(
                    f"---\ntitle: 负载编辑 {slug}\ncategory: sop\nowner: load-trainer-{t}\n---\n"
                    "## 步骤\n初稿。\n", encoding="utf-8")
        portal.flask("import", str(mine))
        marker.write_text("imported\n")
    code = SETUP.format(agents=AGENTS, trainers=TRAINERS)
    done = subprocess.run([PY, "-c", code, password], cwd=ROOT, env=portal.process_env(),
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])


def corpus_dir(count: int) -> Path:
    folder = OUT / (f"corpus-{count // 1000}k" if count % 1000 == 0 else f"corpus-{count}")
    if not folder.is_dir() or len(list(folder.glob("*.md"))) < count:
        from bench.corpus import generate

        generate(count, folder)
    return folder


def start_embedded(args, password):
    portal = Portal("embedded", OUT / f"load-embedded-{args.articles}",
                    {"KB_LOG_LEVEL": "WARNING"}, workers=4, worker_class=args.worker_class,
                    threads=args.threads)
    prepare(portal, corpus_dir(args.articles), password, portal.data_dir / ".load-imported")
    portal.start(wait=600)
    return portal.url, [portal], [portal]


def start_cluster(args, password):
    started = []  # stopped, newest first, when the start fails (a PostgreSQL left running
    try:          # blocked the next run)
        pg = Postgres(Path(f"/tmp/kb-load-pg-{args.articles}")).start()
        started.append(pg)
        redis = Redis(OUT / "load-redis").start()
        started.append(redis)
        env = cluster_env(pg.url, redis.url, secrets.token_urlsafe(32), OUT / "load-uploads")
        servers = [Portal(f"load-{n}", OUT / f"load-cluster-{args.articles}-{n}", env,
                          workers=2, worker_class=args.worker_class, threads=args.threads)
                   for n in "ab"]
        prepare(servers[0], corpus_dir(args.articles), password, pg.folder / ".load-imported")
        for server in servers:
            server.start(wait=600)
            started.append(server)
        nginx = Nginx(OUT / "load-nginx", [s.port for s in servers]).start()
    except BaseException:
        for service in reversed(started):
            service.stop()
        raise
    return f"http://127.0.0.1:{nginx.port}", servers, [*servers, nginx, redis, pg]


def run_locust(host: str, password: str, duration: int, prefix: Path, queries: Path) -> None:
    journal = prefix.with_suffix(".journal")
    journal.unlink(missing_ok=True)
    env = {**os.environ, "LOAD_QUERIES": str(queries), "LOAD_PASSWORD": password,
           "LOAD_JOURNAL": str(journal), "PYTHONPATH": str(ROOT)}
    subprocess.run([PY, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
                    "--headless", "-u", str(AGENTS + TRAINERS), "-r", "5", "-t", f"{duration}s",
                    "--host", host, "--csv", str(prefix), "--only-summary", "--stop-timeout",
                    "15", "--loglevel", "WARNING"], cwd=ROOT, env=env, check=False)


def lost_edits(servers: list[Portal], journal: Path) -> dict:
    """Acknowledged saves missing from the database, and last publications missing from any
    server's index (searched for by their unique marker)."""
    import requests
    from sqlalchemy import create_engine, text

    records = [json.loads(line) for line in journal.read_text().splitlines()] \
        if journal.exists() else []
    saved = [r for r in records if r["event"] == "saved"]
    last_published = {r["slug"]: r["marker"] for r in records if r["event"] == "published"}
    url = servers[0].env.get("DATABASE_URL") or \
        f"sqlite:///{servers[0].data_dir / 'kb.sqlite3'}"
    engine = create_engine(url)
    with engine.connect() as conn:
        bodies = {}
        for slug, body in conn.execute(text(
                "select a.slug, r.body from revision r join article a on a.id = r.article_id "
                "where a.slug like 'load-edit-%'")):
            bodies[slug] = bodies.get(slug, "") + body
    engine.dispose()
    missing_db = [r for r in saved if r["marker"] not in bodies.get(r["slug"], "")]
    token = servers[0].flask("token", "create", "load-agent-1", "--name", "load check").strip()
    missing_index = []
    deadline = time.monotonic() + 15  # each server checks the database every second or five
    for server in servers:
        for slug, marker in last_published.items():
            while True:
                data = requests.get(server.url + "/api/v1/search", params={"q": marker},
                                    headers={"Authorization": f"Bearer {token}"},
                                    timeout=30).json()
                if [h["slug"] for h in data["results"]][:1] == [slug]:
                    break
                if time.monotonic() > deadline:
                    missing_index.append((server.name, slug, marker))
                    break
                time.sleep(0.5)
    return {"saves": len(saved), "published": len(last_published),
            "lost_in_db": len(missing_db), "missing_in_index": len(missing_index)}


def summarise(prefix: Path) -> dict:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))  # noqa: SIM115
    failures = list(csv.DictReader(open(f"{prefix}_failures.csv", encoding="utf-8")))  # noqa: SIM115
    total = next(r for r in rows if r["Name"] == "Aggregated")
    search = next((r for r in rows if r["Name"] == "search"), {})

    def count(pattern):
        return sum(int(f["Occurrences"]) for f in failures if re.search(pattern, f["Error"]))

    return {
        "requests": int(total["Request Count"]), "req_per_s": round(float(total["Requests/s"]), 1),
        "search_requests": int(search.get("Request Count", 0)),
        "search_p50_ms": search.get("50%"), "search_p95_ms": search.get("95%"),
        "search_p99_ms": search.get("99%"),
        "5xx": count(r"\b5\d\d\b"), "mixed_up": count(r"mixed-up"),
        "other_failures": int(total["Failure Count"]) - count(r"\b5\d\d\b") - count("mixed-up"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=("embedded", "cluster"))
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=int, default=0, help="gthread: threads per worker")
    parser.add_argument("--duration", type=int, default=180)
    parser.add_argument("--articles", type=int, default=10000)
    args = parser.parse_args()
    args.threads = args.threads or (4 if args.worker_class == "gthread" else 1)
    OUT.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    from bench.search_bench import make_queries

    queries = OUT / "load-queries.json"
    queries.write_text(json.dumps(make_queries(400, 11), ensure_ascii=False))
    start = start_embedded if args.target == "embedded" else start_cluster
    host, servers, to_stop = start(args, password)
    label = f"{args.target}-{args.worker_class}"
    prefix = OUT / f"load-{label}"
    load_before = os.getloadavg()[0]
    try:
        run_locust(host, password, args.duration, prefix, queries)
        result = {"run": label, "duration_s": args.duration, "articles": args.articles,
                  "loadavg_before": round(load_before, 1),
                  "loadavg_after": round(os.getloadavg()[0], 1),
                  **summarise(prefix), **lost_edits(servers, prefix.with_suffix(".journal"))}
    finally:
        for thing in reversed(to_stop):
            thing.stop()
    with open(OUT / "load.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(result) + "\n")
    width = max(len(k) for k in result)
    print("\n".join(f"{k:<{width}}  {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
