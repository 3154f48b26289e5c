"""Browser journeys: a real gunicorn server, Debian's chromium driven by Playwright.

The server is set up exactly as ``make run`` does it (``flask kb init``, ``import``, ``demo``)
in a throwaway data dir, on a free loopback port. ``page_as(role)`` returns a logged-in page;
``shot(page, name)`` saves a screenshot under ``test-output/e2e/`` for reviewers.
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
ROLE_ACCOUNTS = {"admin": "admin", "trainer": "trainer", "trainer2": "trainer2",
                 "agent": "agent", "newhire": "newhire"}

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask(env, *args, stdin=None):
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "kb", *args],
                            cwd=ROOT, env=env, input=stdin, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"flask kb {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result


def _wait_until_up(url: str, proc, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start in time")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Start the portal like ``make run`` does; yield an object with ``url`` and ``accounts``."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    env = {**os.environ, "KB_DATA_DIR": str(data_dir), "FLASK_APP": "wsgi"}
    env.pop("DATABASE_URL", None)
    _flask(env, "init")
    _flask(env, "import", "articles", "quizzes")
    _flask(env, "demo")
    accounts = {}
    for line in (data_dir / "demo-accounts.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            username, _role, password = line.split("\t")
            accounts[username] = password
    port = _free_port()
    log = open(data_dir / "server.log", "w")  # noqa: SIM115 (closed at teardown)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--timeout", "60", "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc)
        yield type("LiveServer", (), {"url": url, "accounts": accounts, "data_dir": data_dir,
                                      "env": env})
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt).")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _left_login(url: str) -> bool:
    """True once the browser is on a page other than the login form."""
    return urlsplit(url).path.rstrip("/") != "/login"


def log_in(page, server, username: str, password: str | None = None) -> None:
    """Log in through the form and wait until the browser has left it: the navigation to
    the page after login, not merely any URL (``/login`` itself must not count)."""
    page.goto(server.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password or server.accounts[username])
    page.click("button[type=submit]")
    page.wait_for_url(_left_login)


@pytest.fixture
def page_as(browser, live_server):
    """``page_as("agent")`` → a Playwright page logged in as that demo account."""
    contexts = []

    def make(role: str, viewport=None, locale: str = "zh-CN", **options):
        """``options`` go to the browser context (``permissions``, ``has_touch`` …)."""
        context = browser.new_context(locale=locale,
                                      viewport=viewport or {"width": 1280, "height": 860},
                                      **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server, ROLE_ACCOUNTS[role])
        return page

    yield make
    for context in contexts:
        context.close()


def shot(page, name: str) -> Path:
    """Save a full-page screenshot for reviewers (test-output/e2e/<name>.png)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
