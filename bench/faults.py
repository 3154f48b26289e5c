"""Faults, scripted and repeatable, against the two-server cluster (demo content).

    .venv/bin/python bench/faults.py [--only NAME …]

Starts PostgreSQL, Redis, two portal servers and nginx (``ops/cluster.py``, loopback only),
with the shared upload folder on a 1 MiB tmpfs (mounted here; needs root), then in turn:

* ``worker``: ``kill -9`` of one gunicorn worker of server A while two trainers save on A;
* ``server``: ``kill -9`` of all of server A while trainers save through nginx; B must keep
  serving; A, started again, must catch up;
* ``postgres``: PostgreSQL stopped for 20 s while agents use pages and the API: 503 (page and
  JSON), never 500, and recovery without restarting the servers;
* ``redis``: Redis stopped: logins still work, the rate limits fall back to per-process memory;
* ``index``: server B's index directory deleted while agents search on B;
* ``disk``: an upload onto the full disk: a clear error, nothing half-written.

After the save faults, every acknowledged save must be in the database and the last one in
each running server's index. Prints one row per fault (a summary table at the end).
"""
import argparse
import collections
import io
import json
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

from bench import webflow  # noqa: E402
from ops.cluster import PY, Nginx, Portal, Postgres, Redis, cluster_env  # noqa: E402

PASSWORD = secrets.token_urlsafe(12)
ACCOUNTS = (("fault-admin", "admin"), ("fault-trainer-1", "trainer"),
            ("fault-trainer-2", "trainer"), ("fault-agent", "agent"))
SETUP = """
import sys
from kb_portal import create_app
from kb_portal.accounts import services
from kb_portal.extensions import db
app = create_app()
with app.app_context():
    for name, role in {accounts!r}:
        services.create_user(name, sys.argv[1], role, name)
        db.session.commit()
"""


class Cluster:
    def __init__(self, base: Path):
        self.base = base
        self.pg = Postgres(Path(tempfile.mkdtemp(prefix="kb-faults-pg."))).start()
        self.redis = Redis(base / "redis").start()
        self.uploads = base / "uploads"
        self.uploads.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(self.uploads)],
                       check=True)
        env = cluster_env(self.pg.url, self.redis.url, secrets.token_urlsafe(32), self.uploads)
        self.a, self.b = (Portal(f"server-{n}", base / f"server-{n}", env) for n in "ab")
        self.a.flask("init")
        self.a.flask("import", "articles")
        subprocess.run([PY, "-c", SETUP.format(accounts=ACCOUNTS), PASSWORD], cwd=ROOT,
                       env=self.a.process_env(), check=True, capture_output=True)
        for n in (1, 2):
            self.a.flask("import", str(self._own_article(n)))
        self.a.start()
        self.b.start()
        self.nginx = Nginx(base / "nginx", [self.a.port, self.b.port]).start()
        self.url = f"http://127.0.0.1:{self.nginx.port}"
        self.token = self.a.flask("token", "create", "fault-agent").strip()

    def _own_article(self, n: int) -> Path:
        path = self.base / f"fault-edit-{n}.md"
        path.write_text(f"---\ntitle: 故障编辑 {n}\ncategory: sop\nowner: fault-trainer-{n}\n---\n"
                        "## 步骤\n初稿。\n", encoding="utf-8")
        return path

    def stop(self):
        for thing in (self.nginx, self.a, self.b, self.redis):
            thing.stop()
        self.pg.stop()
        subprocess.run(["umount", str(self.uploads)], check=False)
        shutil.rmtree(self.pg.folder, ignore_errors=True)


def login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    response = webflow.login(session, base, username, PASSWORD)
    if response.status_code != 302:
        raise RuntimeError(f"{username} could not log in on {base}: {response.status_code}")
    return session


class Saver(threading.Thread):
    """A trainer saving their article again and again; remembers what was acknowledged."""

    def __init__(self, base: str, n: int):
        super().__init__(daemon=True)
        self.base, self.slug, self.user = base, f"fault-edit-{n}", f"fault-trainer-{n}"
        self.session = login(base, self.user)
        self.acknowledged, self.statuses = [], collections.Counter()
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            marker = "fault" + secrets.token_hex(5)
            try:
                token, head = webflow.open_editor(self.session, self.base, self.slug, timeout=30)
                form = webflow.article_form(f"故障编辑 {self.slug}", self.slug,
                                            f"## 步骤\n{marker}", owner=self.user,
                                            note=f"fault test {marker}")
                saved = webflow.save_article(self.session, self.base, self.slug, form, token,
                                             head, timeout=30)
                self.statuses[saved.status_code] += 1
                if saved.status_code == 302:
                    self.acknowledged.append(marker)
                    published = webflow.publish(self.session, self.base, self.slug, timeout=30)
                    self.statuses[f"publish {published.status_code}"] += 1
            except (requests.RequestException, RuntimeError) as exc:
                self.statuses[type(exc).__name__] += 1
                time.sleep(0.2)


def check_saves(cluster: Cluster, savers: list[Saver], servers: list[Portal]) -> dict:
    """Acknowledged saves missing from the database; last saves missing from the indexes."""
    from sqlalchemy import create_engine, text

    engine = create_engine(cluster.pg.url)
    with engine.connect() as conn:
        bodies = dict(conn.execute(text(
            "select a.slug, string_agg(r.body, ' ') from revision r join article a "
            "on a.id = r.article_id where a.slug like 'fault-edit-%' group by a.slug")).all())
    engine.dispose()
    lost = sum(1 for s in savers for m in s.acknowledged if m not in bodies.get(s.slug, ""))
    missing = 0
    for server in servers:
        for saver in savers:
            if saver.acknowledged and not found(server.url, cluster.token,
                                                saver.acknowledged[-1], saver.slug, 20):
                missing += 1
    return {"acknowledged saves": sum(len(s.acknowledged) for s in savers),
            "lost in database": lost, "last save missing from an index": missing}


def found(base: str, token: str, query: str, slug: str, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            data = requests.get(base + "/api/v1/search", params={"q": query}, timeout=10,
                                headers={"Authorization": f"Bearer {token}"}).json()
            if slug in [h["slug"] for h in data["results"]]:
                return True
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.3)
    return False


def saves_during(cluster, base, fault, before=3.0, after=6.0):
    savers = [Saver(base, n) for n in (1, 2)]
    for saver in savers:
        saver.start()
    time.sleep(before)
    fault()
    time.sleep(after)
    for saver in savers:
        saver.stopping.set()
    for saver in savers:
        saver.join(60)
    statuses = sum((s.statuses for s in savers), collections.Counter())
    return savers, statuses


def fault_worker(cluster: Cluster) -> dict:
    victim = cluster.a.worker_pids()[0]
    savers, statuses = saves_during(
        cluster, cluster.a.url, lambda: subprocess.run(["kill", "-9", str(victim)], check=True))
    return {"killed worker": victim, "responses": dict(statuses),
            **check_saves(cluster, savers, [cluster.a, cluster.b])}


def fault_server(cluster: Cluster) -> dict:
    agent = login(cluster.url, "fault-agent")
    savers, statuses = saves_during(cluster, cluster.url, cluster.a.kill9)
    served = collections.Counter(agent.get(cluster.b.url + "/api/v1/search",
                                           params={"q": "退款"}, timeout=30).status_code
                                 for _ in range(10))
    result = {"responses through nginx": dict(statuses), "server B after": dict(served),
              **check_saves(cluster, savers, [cluster.b])}
    cluster.a.start()
    result["A caught up after restart"] = all(
        found(cluster.a.url, cluster.token, s.acknowledged[-1], s.slug, 60)
        for s in savers if s.acknowledged)
    return result


def fault_postgres(cluster: Cluster) -> dict:
    agent = login(cluster.url, "fault-agent")
    api = {"Authorization": f"Bearer {cluster.token}"}
    cluster.pg.stop(mode="fast")
    stopped = time.monotonic()
    pages, apis, shapes = collections.Counter(), collections.Counter(), set()
    while time.monotonic() < stopped + 20:
        page = agent.get(cluster.url + "/", timeout=30)
        pages[page.status_code] += 1
        shapes.add("page says 503" if "503" in page.text else "page without 503")
        answer = requests.get(cluster.url + "/api/v1/search", params={"q": "退款"},
                              headers=api, timeout=30)
        apis[answer.status_code] += 1
        if answer.status_code == 503:
            shapes.add(f"json {answer.json()['error']['status']}")
        time.sleep(0.5)
    cluster.pg.start()
    back = time.monotonic()
    while agent.get(cluster.url + "/", timeout=30).status_code != 200:
        time.sleep(0.2)
    return {"pages while down": dict(pages), "API while down": dict(apis),
            "answers": sorted(shapes), "seconds to recover after start": round(
                time.monotonic() - back, 1), "servers restarted": "no"}


def fault_redis(cluster: Cluster) -> dict:
    cluster.redis.stop()
    logins = collections.Counter()
    for _ in range(3):
        session = requests.Session()
        logins[webflow.login(session, cluster.url, "fault-agent", PASSWORD).status_code] += 1
    wrong = collections.Counter(
        webflow.login(requests.Session(), cluster.url, "fault-agent", "wrong").status_code
        for _ in range(5))
    api = collections.Counter(requests.get(
        cluster.url + "/api/v1/search", params={"q": "退款"}, timeout=30,
        headers={"Authorization": f"Bearer {cluster.token}"}).status_code for _ in range(5))
    logs = "".join((s.data_dir / "gunicorn.log").read_text(errors="replace")
                   for s in (cluster.a, cluster.b))
    warned = bool(re.search(r"(?i)fall(ing)? ?back|unreachable|storage", logs))
    cluster.redis.start()
    return {"good logins": dict(logins), "wrong passwords": dict(wrong), "API": dict(api),
            "warning in the log": warned}


def fault_index(cluster: Cluster) -> dict:
    agent = login(cluster.b.url, "fault-agent")
    index = cluster.b.data_dir / "index"
    statuses, totals = collections.Counter(), []
    shutil.rmtree(index)
    deleted = time.monotonic()
    while time.monotonic() < deleted + 15:
        answer = agent.get(cluster.b.url + "/api/v1/search", params={"q": "退款"}, timeout=30)
        statuses[answer.status_code] += 1
        if answer.ok:
            totals.append(answer.json()["total"])
        time.sleep(0.3)
    return {"searches on B": dict(statuses), "first total": totals[:1],
            "last total": totals[-1:], "index dir back": index.is_dir(),
            "searchable again": bool(totals and totals[-1] > 0)}


def fault_disk(cluster: Cluster) -> dict:
    trainer = login(cluster.a.url, "fault-trainer-1")
    filler = cluster.uploads / "filler"
    with open(filler, "wb") as fh:  # fill the 1 MiB disk but 64 KiB
        fh.write(b"\0" * (shutil.disk_usage(cluster.uploads).free - 64 * 1024))
    before = sorted(p.name for p in cluster.uploads.iterdir())
    token = webflow.csrf_token(trainer, cluster.a.url, "/kb/new")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"%" * 300_000
    answer = trainer.post(cluster.a.url + "/kb/uploads", files={
        "file": ("manual.pdf", io.BytesIO(pdf))}, data={"csrf_token": token}, timeout=30)
    after = sorted(p.name for p in cluster.uploads.iterdir())
    filler.unlink()
    again = trainer.post(cluster.a.url + "/kb/uploads", files={
        "file": ("manual.pdf", io.BytesIO(pdf))}, data={"csrf_token": token}, timeout=30)
    return {"upload on a full disk": answer.status_code,
            "message": answer.json().get("error"), "files left behind": len(after) - len(before),
            "after freeing space": again.status_code,
            "disk": "tmpfs, size=1m (mounted by this script)"}


FAULTS = {"worker": fault_worker, "server": fault_server, "postgres": fault_postgres,
          "redis": fault_redis, "index": fault_index, "disk": fault_disk}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", choices=list(FAULTS), default=list(FAULTS))
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="kb-faults.", dir=OUT if OUT.is_dir() else None))
    cluster = Cluster(base)
    results = {}
    try:
        for name in args.only:
            started = time.monotonic()
            results[name] = FAULTS[name](cluster)
            results[name]["seconds"] = round(time.monotonic() - started, 1)
            print(f"{name:<9} {json.dumps(results[name], ensure_ascii=False)}", flush=True)
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "faults.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(results, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
