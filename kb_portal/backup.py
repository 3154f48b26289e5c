"""``flask kb backup``: a consistent copy of everything that is not derived data.

A backup folder holds the database (SQLite: a snapshot taken with SQLite's online backup API,
safe while the portal runs; PostgreSQL: ``pg_dump`` output), the uploads, and a readable
Markdown export of the articles. The search index is left out on purpose: it is rebuilt from
the database (``flask kb reindex``). ``flask kb restore`` (:mod:`kb_portal.restore`) puts a
backup back.
"""
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import make_url

from .kb.importer import export_articles


class BackupError(RuntimeError):
    """The backup could not be made; the message says why."""


def _backup_database(target: Path) -> Path:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
        out = target / "kb.sqlite3"
        os.close(os.open(out, os.O_WRONLY | os.O_CREAT, 0o600))  # it holds password hashes
        dest = sqlite3.connect(out)
        with dest:
            source.backup(dest)
        source.close()
        dest.close()
        return out
    if url.get_backend_name() == "postgresql":
        if shutil.which("pg_dump") is None:
            raise BackupError("pg_dump is not installed (Debian package postgresql-client)")
        out = target / "kb.sql"
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with open(out, "wb") as fh:
            result = subprocess.run(["pg_dump", "--no-owner", dsn], stdout=fh,  # noqa: S603,S607
                                    stderr=subprocess.PIPE, check=False)
        if result.returncode:
            raise BackupError(f"pg_dump failed: {result.stderr.decode(errors='replace')}")
        return out
    raise BackupError(f"no backup method for the {url.get_backend_name()} database")


def make_backup(parent: Path, progress=None) -> tuple[Path, dict]:
    """Write a new timestamped backup folder under ``parent``; return it and what it holds."""
    target = parent / datetime.now().strftime("kb-backup-%Y%m%d-%H%M%S")
    target.mkdir(parents=True, exist_ok=False, mode=0o700)  # database dumps: owner only
    database = _backup_database(target)
    uploads = Path(current_app.config["KB_UPLOAD_DIR"])
    files = sorted(p for p in uploads.rglob("*") if p.is_file()) if uploads.exists() else []
    for i, path in enumerate(files, 1):
        if progress:
            progress(i, len(files), path)
        dest = target / "uploads" / path.relative_to(uploads)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
    articles = export_articles(target / "articles")
    return target, {"database": database.name, "uploads": len(files), "articles": articles}
