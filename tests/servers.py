"""Real servers for tests: the portal under gunicorn, Redis, and a fresh PostgreSQL database.

Each runs on loopback on a port free at run time and is stopped by the test that started it.
Missing software is installed the way ``.ci/with-postgres`` does it (apt), so a clean machine
runs these tests without a manual step.
"""
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def apt_install(binary: str, package: str) -> str:
    """Path of ``binary``, installing Debian's ``package`` first when it is missing."""
    found = shutil.which(binary)
    if found:
        return found
    subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, capture_output=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which(binary) or f"/usr/bin/{binary}"


def wait_for(check, seconds: float, what: str, proc=None) -> None:
    """Poll ``check()`` until it is true; fail with ``what`` when ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {proc.returncode}")
        with contextlib.suppress(OSError, requests.RequestException):
            if check():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what}: not ready after {seconds} s")


@contextlib.contextmanager
def redis_server():
    """A throwaway ``redis-server`` (no persistence); yields its ``redis://`` URL."""
    binary = apt_install("redis-server", "redis-server")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)

    def answers():
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")

    try:
        wait_for(answers, 20, "redis-server", proc)
        yield type("Redis", (), {"url": f"redis://127.0.0.1:{port}/0", "proc": proc})
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextlib.contextmanager
def fresh_database(tmp_path: Path):
    """A database URL of its own for one server test: a new PostgreSQL database in the
    cluster ``KB_TEST_DATABASE_URL`` points at (``.ci/with-postgres``), else a SQLite file."""
    base = os.environ.get("KB_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'kb.sqlite3'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"kb_srv_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql", database="postgres")
    dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Portal:
    """The portal set up as ``make run`` does (``flask kb init``), served by gunicorn."""

    def __init__(self, data_dir: Path, database_url: str, **env):
        self.data_dir = data_dir
        self.env = {**os.environ, "KB_DATA_DIR": str(data_dir), "DATABASE_URL": database_url,
                    "FLASK_APP": "wsgi", "KB_LOG_LEVEL": "WARNING", **env}
        self.env.pop("KB_TEST_DATABASE_URL", None)
        self.proc = None
        self.url = ""
        self.cli_app = None

    def flask(self, *args: str, stdin: str | None = None) -> str:
        """Run ``flask kb ARGS`` on this portal's data — in this process (a command-line
        process would spend seconds importing the app for every command)."""
        if self.cli_app is None:
            from kb_portal import create_app
            from kb_portal.config import TestConfig

            config = TestConfig(self.data_dir)
            config.SQLALCHEMY_DATABASE_URI = self.env["DATABASE_URL"]
            self.cli_app = create_app(config)
        result = self.cli_app.test_cli_runner().invoke(args=["kb", *args], input=stdin)
        assert result.exit_code == 0, f"flask kb {' '.join(args)}:\n{result.output}"
        return result.output

    def dispose_cli(self) -> None:
        """Close the set-up app's connections (before the database is dropped)."""
        if self.cli_app is not None:
            from kb_portal.extensions import db

            with self.cli_app.app_context():
                db.engine.dispose()
            self.cli_app = None

    def start(self, workers: int = 2, threads: int = 1) -> "Portal":
        """Serve on a free port: sync workers, or gthread ones when ``threads`` > 1."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        worker = ["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []
        self.log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
             str(workers), *worker, "--timeout", "60", "wsgi:app"], cwd=ROOT, env=self.env,
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: requests.get(self.url + "/login", timeout=2).status_code == 200, 60,
                 "gunicorn", self.proc)
        return self

    def server_log(self) -> str:
        return (self.data_dir / "server.log").read_text(errors="replace")

    def stop(self) -> None:
        self.dispose_cli()
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.log.close()
            self.proc = None
