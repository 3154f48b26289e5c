"""Settings read from the environment (DESIGN.md §4).

Every setting here is documented in README.md; ``tests/test_docs.py`` checks that.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path


def _data_dir() -> Path:
    return Path(os.environ.get("KB_DATA_DIR", "instance")).resolve()


def load_or_create_secret(data_dir: Path) -> str:
    """Return the session secret stored in the data dir, generating it on first use.

    The secret lives outside the repository (the data dir is git-ignored) and is created with
    mode 0600 so that other local users cannot read it.
    """
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret)
    return secret


def _bulk_procs(value: str | None) -> int:
    """Processes for bulk work (rendering a big import, indexing 300+ articles): the CPUs, at
    most 4, unless set; ``1`` keeps everything in one process."""
    try:
        wanted = int(value) if value else (os.cpu_count() or 1)
    except ValueError:
        raise ValueError(f"KB_BULK_PROCS must be a whole number, not {value!r}") from None
    return max(1, min(wanted, 4))


def _positive(name: str, value: str | None, default: float) -> float:
    """``value`` (a setting's text) as a positive finite number; ``default`` when unset."""
    try:
        number = float(value) if value else default
    except ValueError:
        number = -1
    if not number > 0 or number == float("inf"):
        raise ValueError(f"{name} must be a positive number, not {value!r}")
    return number


class Config:
    """Production defaults; every value can be overridden from the environment."""

    def __init__(self):
        data_dir = _data_dir()
        self.KB_DATA_DIR = str(data_dir)
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{data_dir / 'kb.sqlite3'}"
        )
        self.KB_INDEX_DIR = os.environ.get("KB_INDEX_DIR", str(data_dir / "index"))
        self.KB_UPLOAD_DIR = os.environ.get("KB_UPLOAD_DIR", str(data_dir / "uploads"))
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or load_or_create_secret(data_dir)
        self.RATELIMIT_STORAGE_URI = os.environ.get("KB_RATELIMIT_STORAGE_URI", "memory://")
        # Redis down: count in each process's memory (with a warning in the log) until it is
        # back, rather than refusing every login and API call.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        # per API token (or per user for the browser's live search); Flask-Limiter's syntax
        self.KB_API_RATE_LIMIT = os.environ.get("KB_API_RATE_LIMIT", "300 per minute")
        self.KB_UPLOAD_MAX_BYTES = int(os.environ.get("KB_UPLOAD_MAX_BYTES", 5 * 1024 * 1024))
        self.MAX_CONTENT_LENGTH = self.KB_UPLOAD_MAX_BYTES + 1024 * 1024
        # Articles: the largest body accepted (editor, preview, import); renders get
        # KB_RENDER_BUDGET_SECONDS per started megabyte (docs/authoring.md, "Limits").
        self.KB_ARTICLE_MAX_BYTES = int(_positive(
            "KB_ARTICLE_MAX_BYTES", os.environ.get("KB_ARTICLE_MAX_BYTES"), 4 * 1024 * 1024))
        self.KB_RENDER_BUDGET_SECONDS = _positive(
            "KB_RENDER_BUDGET_SECONDS", os.environ.get("KB_RENDER_BUDGET_SECONDS"), 4.0)
        self.KB_RENDER_HELPERS = int(_positive(
            "KB_RENDER_HELPERS", os.environ.get("KB_RENDER_HELPERS"), 2))
        self.KB_SECURE_COOKIES = os.environ.get("KB_SECURE_COOKIES", "0") == "1"
        self.SESSION_COOKIE_SECURE = self.KB_SECURE_COOKIES
        self.REMEMBER_COOKIE_SECURE = self.KB_SECURE_COOKIES
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.BABEL_DEFAULT_LOCALE = "en"
        self.KB_ARTICLE_DIRS = ["articles"]
        self.KB_LOG_LEVEL = os.environ.get("KB_LOG_LEVEL", "INFO")
        self.KB_BULK_PROCS = _bulk_procs(os.environ.get("KB_BULK_PROCS"))
        self.KB_TIMEZONE = os.environ.get("KB_TIMEZONE", "")  # "": the server's own zone
        # Training reminders (flask kb remind): SMTP server, sender, "due soon" horizon.
        self.KB_SMTP_URL = os.environ.get("KB_SMTP_URL", "")  # "": messages go to the log
        self.KB_MAIL_FROM = os.environ.get("KB_MAIL_FROM", "kb-portal@localhost")
        self.KB_SMTP_TIMEOUT = _positive("KB_SMTP_TIMEOUT", os.environ.get("KB_SMTP_TIMEOUT"), 30)
        self.KB_REMIND_DAYS = int(_positive("KB_REMIND_DAYS",
                                            os.environ.get("KB_REMIND_DAYS"), 3))
        # reverse proxies in front of the portal whose X-Forwarded-* headers are believed
        self.KB_TRUSTED_PROXIES = int(os.environ.get("KB_TRUSTED_PROXIES", "0"))
        # the longest a login lasts (remember-me cookie, and the server-side login session)
        self.KB_REMEMBER_DAYS = int(os.environ.get("KB_REMEMBER_DAYS", "30"))
        self.REMEMBER_COOKIE_DURATION = timedelta(days=self.KB_REMEMBER_DAYS)
        # SQLite: how long a writer waits for the one before it (database.py)
        self.KB_SQLITE_BUSY_MS = int(os.environ.get("KB_SQLITE_BUSY_MS", "15000"))


class TestConfig(Config):
    """Settings for the test suite: a throwaway data dir, fast hashing, no rate limits."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, data_dir: Path):
        os.environ["KB_DATA_DIR"] = str(data_dir)
        super().__init__()
        # Tests run on a throwaway SQLite file unless KB_TEST_DATABASE_URL names another database.
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "KB_TEST_DATABASE_URL", f"sqlite:///{data_dir / 'kb.sqlite3'}"
        )
        self.KB_INDEX_DIR = str(data_dir / "index")
        self.KB_UPLOAD_DIR = str(data_dir / "uploads")
        self.TESTING = True
        self.WTF_CSRF_ENABLED = True
        self.RATELIMIT_ENABLED = False
        self.KB_PASSWORD_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 (a hash method name)
