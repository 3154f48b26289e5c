"""Adversarial replay against live servers: races, lost edits, 5xx, hangs, orphans (issue 11).

Starts the portal under gunicorn — sync workers, gthread workers, or both, 2 workers each — on
a fresh data dir (SQLite, or a throwaway PostgreSQL with ``--postgres``), runs the chosen cases
against it with real HTTP clients, stops it, and prints one table of counts::

    .venv/bin/python -m bench.adversarial                          # every case, both kinds
    .venv/bin/python -m bench.adversarial --rounds 100 --editors 3 --cases races retries
    .venv/bin/python -m bench.adversarial --postgres --worker-class gthread

What is counted (every case adds to the same :class:`Counts`):

* ``races`` — rounds of simultaneous saves on one base; ``lost edits`` — an acknowledged save
  that is not the article's text afterwards, a refused save whose conflict page does not show
  the writer's own text, or a round without exactly one winner; ``duplicates`` — revisions a
  retried save added;
* ``5xx`` — any answer ≥ 500 (or no answer at all); ``hangs`` — requests slower than
  ``HANG_SECONDS``;
* ``orphans`` — processes still alive, after the server stopped, that carry this run's data dir
  in their environment (helpers that outlived their parent).

**Adding cases** (the ``render`` and ``engine`` work add theirs here): write a function
``case(ctx: Context) -> None`` — anywhere under ``bench/`` — that drives the server through
``ctx`` (``ctx.session(name)`` for a logged-in client, ``ctx.send(...)`` for every request so
5xx and hangs are counted, ``ctx.counts`` for the rest, ``ctx.engine`` to read the database,
``ctx.data_dir`` / ``ctx.env`` to run ``flask kb …`` against the same data), and add it to
:data:`CASES`. Orphans are counted for every case after the server stops.
"""
import argparse
import html
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from ops.cluster import Portal, Postgres

from . import adversarial_index as index_cases
from . import webflow
from .htmlforms import editor_form, new_article_form

HANG_SECONDS = 5.0
PASSWORD = "adversarial bench pw 7"
TRAINERS = ("t1", "t2", "t3", "t4")
SLUG = "race"
ARTICLE = "---\ntitle: 并发保存\nslug: race\ncategory: sop\n---\n第一版正文。\n"


@dataclass
class Counts:
    requests: int = 0
    races: int = 0
    lost_edits: int = 0
    duplicates: int = 0
    fivexx: int = 0
    hangs: int = 0
    orphans: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: "Counts") -> None:
        for f in fields(self):
            if f.name != "notes":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        self.notes += other.notes


def prepare(data_dir: Path, database_url: str, trainers=TRAINERS, password: str = PASSWORD,
            article: str = ARTICLE) -> None:
    """``flask kb init``, trainer accounts and one article, run in this process (a command-line
    process per step would spend seconds importing the app each time)."""
    from kb_portal import create_app
    from kb_portal.config import TestConfig
    from kb_portal.extensions import db

    config = TestConfig(data_dir)
    config.SQLALCHEMY_DATABASE_URI = database_url
    app = create_app(config)
    (data_dir / "article.md").write_text(article, encoding="utf-8")
    runner = app.test_cli_runner()
    steps = [(["init"], None), (["import", str(data_dir / "article.md")], None)]
    steps += [(["create-user", name, "--role", "trainer", "--password-stdin"], password + "\n")
              for name in trainers]
    for args, stdin in steps:
        result = runner.invoke(args=["kb", *args], input=stdin)
        if result.exit_code:
            raise RuntimeError(f"flask kb {' '.join(args)}: {result.output}")
    with app.app_context():
        db.engine.dispose()


class Context:
    """What a case gets: the live server, logged-in clients, the database, the counters."""

    def __init__(self, portal: Portal, engine, args):
        self.portal, self.engine, self.args = portal, engine, args
        self.url, self.data_dir, self.env = portal.url, portal.data_dir, portal.process_env()
        self.counts = Counts()
        self._lock = threading.Lock()

    def session(self, username: str) -> requests.Session:
        session = requests.Session()
        response = self.send(lambda: webflow.login(session, self.url, username, PASSWORD,
                                                   timeout=60))
        if response is None or response.status_code != 302:
            raise RuntimeError(f"{username} could not log in")
        return session

    def send(self, call):
        """Run one request (``call()`` returns a response); count it, its 5xx and its hang."""
        start = time.perf_counter()
        try:
            response = call()
        except requests.RequestException as exc:
            response = None
            self.note(f"no answer: {exc.__class__.__name__}")
        seconds = time.perf_counter() - start
        with self._lock:
            self.counts.requests += 1
            self.counts.fivexx += response is None or response.status_code >= 500
            self.counts.hangs += seconds > HANG_SECONDS
        if seconds > HANG_SECONDS and response is not None:
            self.note(f"{seconds:.1f} s: {response.request.method} "
                      f"{response.request.path_url[:60]} → {response.status_code}")
        return response

    def note(self, message: str) -> None:
        with self._lock:
            if len(self.counts.notes) < 20:
                self.counts.notes.append(message)

    def head(self, slug: str = SLUG) -> tuple[int, str, int]:
        """(head revision id, its body, number of revisions) of ``slug``, from the database."""
        with self.engine.connect() as conn:
            head_id, body = conn.execute(text(
                "SELECT r.id, r.body FROM article a JOIN revision r ON r.id = a.head_revision_id"
                " WHERE a.slug = :slug"), {"slug": slug}).one()
            count = conn.execute(text(
                "SELECT count(*) FROM revision r JOIN article a ON a.id = r.article_id "
                "WHERE a.slug = :slug"), {"slug": slug}).scalar_one()
        return head_id, body, count

    def save_all_at_once(self, entries, slug: str = SLUG, path: str | None = None) -> list:
        """POST every (session, form) to the editor of ``slug`` (or to ``path``) at the same
        instant (a barrier)."""
        barrier = threading.Barrier(len(entries))
        responses = [None] * len(entries)
        url = self.url + (path or f"/a/{slug}/edit")

        def run(i, session, form):
            barrier.wait()
            responses[i] = self.send(lambda: session.post(
                url, data=form, allow_redirects=False, timeout=120))

        threads = [threading.Thread(target=run, args=(i, s, f))
                   for i, (s, f) in enumerate(entries)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        return responses


def races(ctx: Context) -> None:
    """Editors load the same revision and save at the same instant, round after round."""
    sessions = [ctx.session(name) for name in TRAINERS[:ctx.args.editors]]
    for n in range(ctx.args.rounds):
        _head, _body, before = ctx.head()
        entries = []
        for i, session in enumerate(sessions):
            form = editor_form(session, ctx.url, SLUG)
            form.update(body=f"第 {n} 轮，编辑 {i}：{time.time_ns()}\n", note=f"race {n}/{i}")
            entries.append((session, form))
        responses = ctx.save_all_at_once(entries)
        ctx.counts.races += 1
        _head, body, after = ctx.head()
        codes = [r.status_code if r is not None else None for r in responses]
        if codes.count(302) != 1 or after != before + 1:
            ctx.counts.lost_edits += 1
            ctx.note(f"race {n}: answers {codes}, revisions {before} → {after}")
        for (_session, form), response in zip(entries, responses, strict=True):
            if response is None:
                continue
            if response.status_code == 302 and body != form["body"]:
                ctx.counts.lost_edits += 1
                ctx.note(f"race {n}: an acknowledged save is not the current text")
            elif response.status_code == 409 and \
                    html.escape(form["body"].strip(), quote=False) not in response.text:
                ctx.counts.lost_edits += 1
                ctx.note(f"race {n}: a conflict page without the writer's text")


def retries(ctx: Context) -> None:
    """A save sent twice — one after the other, and both at once (a retry racing the
    original): the second must add nothing; likewise a new article's create."""
    session = ctx.session(TRAINERS[0])
    for n in range(max(1, ctx.args.rounds // 4)):
        for together in (False, True):
            form = editor_form(session, ctx.url, SLUG)
            form.update(body=f"重试 {n} {together}：{time.time_ns()}\n", note=f"retry {n}")
            _head, _body, before = ctx.head()
            if together:
                answers = ctx.save_all_at_once([(session, form), (session, dict(form))])
            else:
                answers = [ctx.send(lambda form=form: session.post(
                    f"{ctx.url}/a/{SLUG}/edit", data=form, allow_redirects=False,
                    timeout=120)) for _ in range(2)]
            _head, body, after = ctx.head()
            ctx.counts.duplicates += max(0, after - before - 1)
            if body != form["body"] or any(a is not None and a.status_code != 302
                                           for a in answers):
                ctx.counts.lost_edits += 1
                ctx.note(f"retry {n}: answers {[a and a.status_code for a in answers]}")
        created_twice(ctx, session, n)


def created_twice(ctx: Context, session, n: int) -> None:
    """A new article's create sent twice at once (its response lost, the browser retried):
    one article, both answers the editor of it."""
    title = f"重试新建 {n}：{time.time_ns()}"
    form = new_article_form(session, ctx.url)
    form.update(title=title, slug=f"retry-create-{time.time_ns()}", body="新文章正文。\n",
                note="retry create")
    answers = ctx.save_all_at_once([(session, form), (session, dict(form))], path="/kb/new")
    with ctx.engine.connect() as conn:
        made = conn.execute(text("SELECT count(*) FROM revision WHERE title = :t"),
                            {"t": title}).scalar_one()
    ctx.counts.duplicates += max(0, made - 1)
    codes = [a and a.status_code for a in answers]
    if made != 1 or codes != [302, 302]:  # a refused retry tells the writer a create failed
        ctx.counts.lost_edits += made == 0 or codes != [302, 302]
        ctx.note(f"retried create {n}: answers {codes}, articles {made}")


def bodies(ctx: Context) -> None:
    """The ``render`` work's pathological bodies (bench/adversarial_content.py): preview and
    save each once."""
    from .adversarial_content import BODIES

    session = ctx.session(TRAINERS[0])
    for n, body in enumerate(BODIES.values()):
        token = webflow.csrf_token(session, ctx.url, "/kb/new", timeout=60)
        ctx.send(lambda body=body, token=token: session.post(
            ctx.url + "/kb/preview", files={"body": (None, body), "csrf_token": (None, token)},
            timeout=120))
        form = webflow.article_form(f"adversarial {n}", f"adversarial-{n}", body, TRAINERS[0])
        ctx.send(lambda form=form: webflow.create_article(session, ctx.url, form, timeout=120))


CASES = {"races": races, "retries": retries, "bodies": bodies, "kills": index_cases.kills,
         "stale_lock": index_cases.stale_lock, "damaged_segment": index_cases.damaged_segment}


def orphans(data_dir: Path) -> list[int]:
    """Live processes whose environment names ``data_dir`` as their ``KB_DATA_DIR``."""
    needle = f"KB_DATA_DIR={data_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue  # gone, or not ours to read
    return found


def new_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the PostgreSQL server of ``server_url``; return its URL."""
    from sqlalchemy.engine import make_url

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def run_kind(worker_class: str, args, database_url: str, base: Path) -> Counts:
    data_dir = base / worker_class
    data_dir.mkdir()
    prepare(data_dir, database_url)
    portal = Portal(worker_class, data_dir, {"DATABASE_URL": database_url,
                                             "KB_LOG_LEVEL": "WARNING"},
                    worker_class=worker_class, threads=8 if worker_class == "gthread" else 1)
    engine = create_engine(database_url)
    portal.start()
    ctx = Context(portal, engine, args)
    try:
        for name in args.cases:
            started, before = time.perf_counter(), (ctx.counts.requests, ctx.counts.fivexx,
                                                    ctx.counts.hangs)
            CASES[name](ctx)
            print(f"  {worker_class:7} {name:8} {time.perf_counter() - started:6.1f} s: "
                  f"{ctx.counts.requests - before[0]} requests, "
                  f"{ctx.counts.fivexx - before[1]} 5xx, {ctx.counts.hangs - before[2]} hangs",
                  flush=True)
    finally:
        portal.stop()
        engine.dispose()
    time.sleep(1)  # let a dying helper go before it is counted
    ctx.counts.orphans += len(orphans(data_dir))
    log = (data_dir / "gunicorn.log").read_text(errors="replace")
    if "Traceback" in log:
        ctx.note(f"{worker_class}: tracebacks in the server log ({log.count('Traceback')})")
    return ctx.counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker-class", nargs="+", choices=["sync", "gthread"],
                        default=["sync", "gthread"])
    parser.add_argument("--cases", nargs="+", choices=sorted(CASES), default=list(CASES))
    parser.add_argument("--rounds", type=int, default=40, help="race rounds per worker kind")
    parser.add_argument("--editors", type=int, default=2, choices=range(2, len(TRAINERS) + 1))
    parser.add_argument("--postgres", action="store_true",
                        help="a throwaway PostgreSQL (apt-installed when missing)")
    args = parser.parse_args()
    total = Counts()
    with tempfile.TemporaryDirectory(prefix="kb-adversarial.") as tmp:
        base = Path(tmp)
        postgres = Postgres(Path(tempfile.mkdtemp(prefix="kb-pg."))).start() \
            if args.postgres else None
        try:
            for kind in args.worker_class:
                url = f"sqlite:///{base / kind / 'kb.sqlite3'}"
                if postgres is not None:
                    url = new_database(postgres.url, f"kb_{kind}")
                counts = run_kind(kind, args, url, base)
                total.add(counts)
        finally:
            if postgres is not None:
                postgres.stop("immediate")
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\n{database}, {', '.join(args.worker_class)} (2 workers each), cases: "
          f"{', '.join(args.cases)}; {args.rounds} race rounds × {args.editors} editors")
    print(f"requests {total.requests}  races {total.races}  lost edits {total.lost_edits}  "
          f"duplicates {total.duplicates}  5xx {total.fivexx}  hangs>{HANG_SECONDS:g}s "
          f"{total.hangs}  orphans {total.orphans}")
    for line in total.notes:
        print("  note:", line)


if __name__ == "__main__":
    main()
