"""The several-servers layout on one machine: PostgreSQL, Redis, N portal servers, nginx.

Used by ``make serve-cluster`` / ``make stop-cluster`` (``python -m ops.cluster start|stop``),
by the two-server integration test (``tests/cluster``) and by the load and fault scripts in
``bench/``. Everything listens on loopback only and lives under one state folder; each process
is started by this module and stopped by its own id (never by name).

PostgreSQL and Redis come from Debian (installed with apt when missing, as ``.ci/with-postgres``
does); PostgreSQL listens on a Unix socket in the state folder only.
"""
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def apt_install(binary: str, package: str) -> None:
    """Install a Debian package when ``binary`` is not on the PATH (or in PostgreSQL's dir)."""
    if shutil.which(binary) or list(Path("/usr/lib/postgresql").glob(f"*/bin/{binary}")):
        return
    print(f"installing {package} (apt)…", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                   stdout=subprocess.DEVNULL)


def _stop_pid(pid: int, grace: float = 10.0) -> None:
    """SIGTERM the process group led by ``pid``, SIGKILL it after ``grace`` seconds."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


@dataclass
class Postgres:
    """A throwaway PostgreSQL cluster in ``folder`` (socket only, no TCP)."""

    folder: Path
    database: str = "kb"

    @property
    def bin(self) -> Path:
        return Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])

    def _run(self, *args, check=True):
        runas = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        return subprocess.run([*runas, *args], check=check, capture_output=True, text=True)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://kb@/{self.database}?host={self.folder}"

    def start(self) -> "Postgres":
        apt_install("pg_ctl", "postgresql")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)
        if os.getuid() == 0:
            shutil.chown(self.folder, "postgres")
        if not (self.folder / "data").exists():
            self._run(str(self.bin / "initdb"), "-D", str(self.folder / "data"), "-U", "kb",
                      "--auth=trust", "-E", "UTF8")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-l",
                  str(self.folder / "log"), "-w", "-o",
                  f"-c listen_addresses='' -k {self.folder} -c max_connections=200", "start")
        self._run(str(self.bin / "createdb"), "-h", str(self.folder), "-U", "kb", self.database,
                  check=False)  # exists already on a restart
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", mode, "-w",
                  "stop", check=False)


@dataclass
class Redis:
    """A Redis server on a free loopback port that keeps nothing on disk."""

    folder: Path
    port: int = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "Redis":
        apt_install("redis-server", "redis-server")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        subprocess.run(["redis-server", "--bind", "127.0.0.1", "--port", str(self.port),
                        "--save", "", "--appendonly", "no", "--dir", str(self.folder),
                        "--daemonize", "yes", "--pidfile", str(self.folder / "redis.pid"),
                        "--logfile", str(self.folder / "log")], check=True)
        _wait(lambda: subprocess.run(["redis-cli", "-p", str(self.port), "ping"],
                                     capture_output=True).returncode == 0, 10, "redis")
        return self

    def stop(self) -> None:
        pidfile = self.folder / "redis.pid"
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pidfile.read_text()), signal.SIGTERM)
            _wait(lambda: not pidfile.exists(), 10, "redis to stop")


@dataclass
class Portal:
    """One app server: gunicorn with its own data dir (and so its own index)."""

    name: str
    data_dir: Path
    env: dict
    port: int = 0
    workers: int = 2
    worker_class: str = "sync"
    threads: int = 1
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def process_env(self) -> dict:
        return {**os.environ, **self.env, "KB_DATA_DIR": str(self.data_dir)}

    def flask(self, *args, stdin: str | None = None) -> str:
        """Run ``flask kb ARGS`` with this server's settings; return its stdout."""
        result = subprocess.run([PY, "-m", "flask", "--app", "wsgi", "kb", *args], cwd=ROOT,
                                env=self.process_env(), input=stdin, capture_output=True,
                                text=True)
        if result.returncode:
            raise RuntimeError(f"flask kb {' '.join(args)}: {result.stderr[-2000:]}")
        return result.stdout

    def start(self, wait: float = 120) -> "Portal":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        log = open(self.data_dir / "gunicorn.log", "ab")  # noqa: SIM115 (the child keeps it)
        command = [PY, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers",
                   str(self.workers), "--timeout", "60", "--graceful-timeout", "5",
                   "--worker-class", self.worker_class, "--threads", str(self.threads),
                   "--pid", str(self.data_dir / "gunicorn.pid"), "wsgi:app"]
        self.proc = subprocess.Popen(command, cwd=ROOT, env=self.process_env(), stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        _wait(self.ready, wait, f"server {self.name} on port {self.port}", self.proc)
        return self

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/login", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        """The gunicorn workers' process ids (children of the master)."""
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True,
                             text=True).stdout
        return [int(pid) for pid in out.split()]

    def stop(self) -> None:
        if self.proc is not None:
            _stop_pid(self.proc.pid)
            self.proc.wait(timeout=15)

    def kill9(self) -> None:
        """``kill -9`` the whole server: master and workers, no clean-up."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=15)


NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 16m;
    upstream kb_portal {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://kb_portal;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream error timeout;
            proxy_read_timeout 90s;
        }}
    }}
}}
"""


@dataclass
class Nginx:
    """nginx from Debian as the one entrance, round-robin over the servers."""

    folder: Path
    upstream_ports: list[int]
    port: int = 0
    proc: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> "Nginx":
        apt_install("nginx", "nginx")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;"
                            for p in self.upstream_ports)
        conf = self.folder / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=self.folder, servers=servers, port=self.port))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        command = [nginx, "-c", str(conf), "-e", str(self.folder / "error.log")]
        self.proc = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        _wait(lambda: _port_open(self.port), 10, "nginx", self.proc)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            _stop_pid(self.proc.pid)


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _wait(condition, seconds: float, what: str, proc=None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode}")
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def cluster_env(database_url: str, redis_url: str, secret_key: str, upload_dir: Path) -> dict:
    """What every server of one cluster shares (README, "Production deployment")."""
    return {"DATABASE_URL": database_url, "KB_RATELIMIT_STORAGE_URI": redis_url,
            "SECRET_KEY": secret_key, "KB_UPLOAD_DIR": str(upload_dir),
            "KB_SEARCH_SYNC_SECONDS": "1",
            "KB_SEARCH_STARTUP": "background", "KB_LOG_LEVEL": "WARNING"}


def start_servers(base: Path, env: dict, count: int = 2, **options) -> list[Portal]:
    """``flask kb init`` once, then ``count`` servers each with its own data dir."""
    servers = [Portal(f"server-{chr(97 + i)}", base / f"server-{chr(97 + i)}", env, **options)
               for i in range(count)]
    servers[0].flask("init")
    for server in servers:
        server.start()
    return servers


# ``make serve-cluster`` / ``make stop-cluster``: the layout for a person to try ------------

STATE = ROOT / "instance-cluster" / "state.json"


def serve(port: int, servers: int = 2) -> None:
    """Start PostgreSQL, Redis, ``servers`` portal servers with the demo content, and nginx on
    ``port``; record what runs in ``instance-cluster/state.json`` for :func:`stop`."""
    if STATE.exists():
        raise SystemExit(f"a cluster is running (see {STATE}); make stop-cluster first")
    base = STATE.parent
    base.mkdir(parents=True, exist_ok=True)
    import tempfile

    pg = Postgres(Path(tempfile.mkdtemp(prefix="kb-cluster-pg."))).start()
    redis = Redis(base / "redis").start()
    state = {"postgres": str(pg.folder), "redis": str(redis.folder), "servers": []}
    env = cluster_env(pg.url, redis.url, secrets.token_urlsafe(48), base / "uploads")
    env["KB_TRUSTED_PROXIES"] = "1"  # nginx sets X-Forwarded-For; ProxyFix trusts one hop
    first = Portal("server-a", base / "server-a", env)
    first.flask("init")
    first.flask("import", "articles", "quizzes")
    accounts = first.flask("demo")
    portals = start_servers(base, env, servers)
    state["servers"] = [{"name": p.name, "port": p.port, "pid": p.proc.pid} for p in portals]
    nginx = Nginx(base / "nginx", [p.port for p in portals], port).start()
    state["nginx"] = {"port": nginx.port, "pid": nginx.proc.pid}
    STATE.write_text(json.dumps(state, indent=2))
    print(f"kb_portal cluster on http://127.0.0.1:{nginx.port}/  (nginx → "
          + ", ".join(f"{p.name} :{p.port}" for p in portals) + ")")
    print(accounts)
    print("make stop-cluster ends it.")


def stop() -> None:
    """Stop what :func:`serve` started (by the ids it recorded) and remove its folders."""
    if not STATE.exists():
        print("no cluster is running")
        return
    state = json.loads(STATE.read_text())
    if "nginx" in state:
        _stop_pid(state["nginx"]["pid"])
    for server in state["servers"]:
        _stop_pid(server["pid"])
    Redis(Path(state["redis"])).stop()
    pg = Postgres(Path(state["postgres"]))
    pg.stop()
    shutil.rmtree(pg.folder, ignore_errors=True)
    shutil.rmtree(STATE.parent, ignore_errors=True)
    print("cluster stopped")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="The several-servers layout on this machine.")
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (loopback)")
    parser.add_argument("--servers", type=int, default=2)
    args = parser.parse_args()
    if args.action == "start":
        serve(args.port, args.servers)
    else:
        stop()


if __name__ == "__main__":
    main()
