"""``flask kb restore SRC``: put back what ``flask kb backup`` wrote, then rebuild the index.

A restore goes into an *empty* instance (no users, no articles, no uploads: a new data dir, a
new database, or one that only ran ``flask kb init``); anything else is refused unless
``--force``, because restoring replaces every row and every uploaded file. The order keeps a
failure harmless: the uploads are copied beside the live folder first, then the database is
replaced in one step (SQLite's backup API; ``psql --single-transaction`` for PostgreSQL, so a
broken dump changes nothing), and only then is the copied folder swapped in. The schema is
upgraded afterwards, so a backup from an older release restores into a newer one. The search
index is derived data: the command rebuilds it (``flask kb reindex``).

Stop the portal's servers while restoring; it replaces the database under them.
"""
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import make_url

from .extensions import db

DUMP_FILES = {"sqlite": "kb.sqlite3", "postgresql": "kb.sql"}


class RestoreError(RuntimeError):
    """The restore was refused or failed; the message says why (nothing was changed unless it
    says so)."""


@dataclass
class Backup:
    folder: Path
    backend: str  # sqlite | postgresql
    database: Path
    uploads: list[Path]

    @classmethod
    def open(cls, folder: Path) -> "Backup":
        """Read a backup folder. :raise RestoreError: when it is not one."""
        found = {backend: folder / name for backend, name in DUMP_FILES.items()
                 if (folder / name).is_file()}
        if len(found) != 1:
            raise RestoreError(f"{folder} is not a backup folder of flask kb backup "
                               f"(expected one of {', '.join(DUMP_FILES.values())})")
        ((backend, database),) = found.items()
        upload_root = folder / "uploads"
        uploads = sorted(p for p in upload_root.rglob("*") if p.is_file()) \
            if upload_root.is_dir() else []
        return cls(folder, backend, database, uploads)


def _target_backend() -> str:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()


def what_is_there() -> list[str]:
    """What the target instance already holds (empty list: safe to restore into)."""
    found = []
    tables = set(inspect(db.engine).get_table_names())
    for name, label in (("user", "users"), ("article", "articles")):
        if name in tables:
            count = db.session.scalar(select(func.count()).select_from(table(name)))
            if count:
                found.append(f"{count} {label}")
    db.session.rollback()
    uploads = Path(current_app.config["KB_UPLOAD_DIR"])
    files = sum(1 for p in uploads.rglob("*") if p.is_file()) if uploads.is_dir() else 0
    if files:
        found.append(f"{files} uploaded files")
    return found


def restore_backup(folder: Path, force: bool = False, progress=None) -> dict:
    """Restore the backup in ``folder`` into this instance's database and upload folder.

    :raise RestoreError: when ``folder`` is no backup, the database kinds differ, the target is
        not empty (without ``force``), or a step fails.
    """
    backup = Backup.open(folder)
    if backup.backend != _target_backend():
        raise RestoreError(f"this backup holds a {backup.backend} database but DATABASE_URL "
                           f"is {_target_backend()}; restore into the same kind of database")
    present = what_is_there()
    if present and not force:
        raise RestoreError("the target is not empty (" + ", ".join(present) + "); restore into "
                           "a new data dir and database, or pass --force to replace it")
    staged = _stage_uploads(backup, progress)
    try:
        db.session.remove()
        db.engine.dispose()  # no pooled connection may hold a lock or an old file open
        (_restore_sqlite if backup.backend == "sqlite" else _restore_postgresql)(backup)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    _swap_uploads(staged)
    _upgrade_schema()
    return {"database": backup.database.name, "uploads": len(backup.uploads),
            "replaced": present}


def _stage_uploads(backup: Backup, progress) -> Path:
    """Copy the backup's uploads next to the live folder (same file system: the swap is a
    rename)."""
    live = Path(current_app.config["KB_UPLOAD_DIR"])
    staged = live.with_name(live.name + f".restoring-{os.getpid()}")
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    try:
        for i, path in enumerate(backup.uploads, 1):
            if progress:
                progress(i, len(backup.uploads), path)
            dest = staged / path.relative_to(backup.folder / "uploads")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
    except OSError as exc:
        shutil.rmtree(staged, ignore_errors=True)
        raise RestoreError(f"could not copy the uploads ({exc}); nothing was changed") from exc
    return staged


def _swap_uploads(staged: Path) -> None:
    live = Path(current_app.config["KB_UPLOAD_DIR"])
    old = live.with_name(live.name + f".replaced-{os.getpid()}")
    if live.exists():
        live.rename(old)
    staged.rename(live)
    shutil.rmtree(old, ignore_errors=True)


def _restore_sqlite(backup: Backup) -> None:
    source = sqlite3.connect(f"file:{backup.database}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise RestoreError(f"{backup.database} is damaged (integrity check failed); "
                               "nothing was changed")
        target = Path(make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():  # the database holds password hashes: owner-only
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600))
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)  # page by page under SQLite's lock: all or nothing
        finally:
            dest.close()
    except sqlite3.DatabaseError as exc:
        raise RestoreError(f"could not restore the SQLite database: {exc}") from exc
    finally:
        source.close()


def _restore_postgresql(backup: Backup) -> None:
    """Drop this schema's tables and load the dump, in one transaction."""
    if shutil.which("psql") is None:
        raise RestoreError("psql is not installed (Debian package postgresql-client)")
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    tables = inspect(db.engine).get_table_names()
    db.engine.dispose()
    drops = "".join(f'DROP TABLE IF EXISTS "{name}" CASCADE;' for name in tables)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    command = ["psql", "--quiet", "--no-psqlrc", "--single-transaction", "-v", "ON_ERROR_STOP=1",
               "--dbname", dsn]
    if drops:
        command += ["-c", drops]
    command += ["-f", str(backup.database)]
    result = subprocess.run(command, capture_output=True, check=False)  # noqa: S603
    if result.returncode:
        raise RestoreError("psql could not load the dump; nothing was changed: "
                           + result.stderr.decode(errors="replace").strip()[-2000:])


def _upgrade_schema() -> None:
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)

