"""The ``flask kb`` command group and the app-wide commands (init, demo, import, backup).

Each feature package keeps its own commands in ``<package>/commands.py`` with a
``register(group)`` function, which its ``init_app`` calls with :func:`command_group`. A command
is a few lines around service functions and commits once at its end (or rolls back).

Commands are quiet on success apart from a one-line summary, show a progress bar on a terminal
for long work, print errors to stderr, and exit non-zero when anything failed.
"""
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from . import transaction


def command_group(app) -> AppGroup:
    """The app's ``flask kb`` group (one per app: two apps never share commands)."""
    group = app.cli.commands.get("kb")
    if group is None:
        group = AppGroup("kb", help="kb_portal administration: set-up, import/export, users.")
        app.cli.add_command(group)
    return group


def progress_reporter(label: str):
    """Return a ``progress(i, total, item)`` callback drawing a bar when stderr is a TTY."""
    if not sys.stderr.isatty():
        return None
    state = {}

    def progress(i, total, _item):
        if "bar" not in state:
            state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
            state["bar"].__enter__()
        state["bar"].update(1)
        if i == total:
            state["bar"].__exit__(None, None, None)

    return progress


def fail(message: str, code: int = 1):
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.command("init")
@with_appcontext
def init_command():
    """Create or upgrade the database schema and the index directory (safe to re-run)."""
    from flask_migrate import upgrade

    from .kb.services import ensure_default_categories

    upgrade(directory=current_app.extensions["migrate"].directory)
    ensure_default_categories()
    transaction.commit()
    for hook in current_app.extensions.get("kb_init_hooks", []):
        hook()


@click.command("demo")
@with_appcontext
def demo_command():
    """Create one demo account per role, only when no user exists; print the passwords once."""
    from .accounts.services import create_demo_accounts

    created = create_demo_accounts()
    if created is None:
        return
    for hook in current_app.extensions.get("kb_demo_hooks", []):
        hook()  # features set up demo data for the new accounts (training: the onboarding track)
    transaction.commit()
    path = Path(current_app.config["KB_DATA_DIR"]) / "demo-accounts.txt"
    click.echo(f"Demo accounts (shown once; also in {path}, mode 0600):")
    for username, role, password in created:
        click.echo(f"  {username:<10} {role:<8} {password}")


@click.command("import")
@with_appcontext
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def import_command(paths):
    """Import article (.md) and quiz (.yaml, .gift) files or folders; report rejected files."""
    from .importing import import_paths

    report = import_paths(paths or (Path("articles"), Path("quizzes")),
                          progress=progress_reporter("Importing"))
    transaction.commit()
    for path, reason in report.errors:
        click.echo(f"rejected {path}: {reason}", err=True)
    for line in report.summaries:
        click.echo(line)
    if report.errors:
        sys.exit(1)


@click.command("backup")
@with_appcontext
@click.argument("parent", type=click.Path(file_okay=False, path_type=Path))
def backup_command(parent):
    """Copy the database, uploads and a Markdown export into PARENT/kb-backup-<time>/."""
    from .backup import BackupError, make_backup

    try:
        target, summary = make_backup(parent, progress=progress_reporter("Copying uploads"))
    except BackupError as exc:
        fail(str(exc))
    click.echo(f"backup in {target}: database {summary['database']}, "
               f"{summary['uploads']} uploads, {summary['articles']} articles")


@click.command("restore")
@with_appcontext
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database and uploads that hold data.")
@click.pass_context
def restore_command(ctx, source, force):
    """Restore a backup folder of `flask kb backup` into this (empty) instance; rebuild the
    search index."""
    from .restore import RestoreError, restore_backup

    try:
        summary = restore_backup(source, force, progress=progress_reporter("Copying uploads"))
    except RestoreError as exc:
        fail(str(exc))
    replaced = f" (replaced {', '.join(summary['replaced'])})" if summary["replaced"] else ""
    click.echo(f"restored {source}: database {summary['database']}, "
               f"{summary['uploads']} uploads{replaced}")
    ctx.invoke(command_group(current_app).get_command(ctx, "reindex"))


def init_app(app) -> None:
    """The app-wide ``flask kb`` commands; each feature adds its own from its ``init_app``."""
    group = command_group(app)
    for command in (init_command, demo_command, import_command, backup_command,
                    restore_command):
        group.add_command(command)
