"""The ``flask kb`` command group. Each command is a few lines around a service function.

Commands are quiet on success apart from a one-line summary, show a progress bar on a terminal
for long work, print errors to stderr, and exit non-zero when anything failed.
"""
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

kb = AppGroup("kb", help="kb_portal administration: set-up, import/export, users.")

# Feature packages add their commands here (search: reindex, search …; training: …).
FEATURE_COMMAND_MODULES = ("kb_portal.search.commands", "kb_portal.training.commands")


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


@kb.command("init")
def init_command():
    """Create or upgrade the database schema and the index directory (safe to re-run)."""
    from flask_migrate import upgrade

    from .kb.services import ensure_default_categories

    upgrade(directory=current_app.extensions["migrate"].directory)
    ensure_default_categories()
    for hook in current_app.extensions.get("kb_init_hooks", []):
        hook()


@kb.command("demo")
def demo_command():
    """Create one demo account per role, only when no user exists; print the passwords once."""
    from .accounts.services import create_demo_accounts

    created = create_demo_accounts()
    if created is None:
        return
    path = Path(current_app.config["KB_DATA_DIR"]) / "demo-accounts.txt"
    click.echo(f"Demo accounts (shown once; also in {path}, mode 0600):")
    for username, role, password in created:
        click.echo(f"  {username:<10} {role:<8} {password}")
    for hook in current_app.extensions.get("kb_demo_hooks", []):
        hook()  # features set up demo data for the new accounts (training: the onboarding track)
    from .extensions import db

    db.session.commit()  # the command's one commit: hooks only flush


@kb.command("import")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def import_command(paths):
    """Import article (.md) and quiz (.yaml, .gift) files or folders; report rejected files."""
    from .importing import import_paths

    report = import_paths(paths or (Path("articles"), Path("quizzes")),
                          progress=progress_reporter("Importing"))
    for path, reason in report.errors:
        click.echo(f"rejected {path}: {reason}", err=True)
    for line in report.summaries:
        click.echo(line)
    if report.errors:
        sys.exit(1)


@kb.command("export")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
def export_command(target):
    """Write every article to TARGET/<slug>.md in the import format."""
    from .kb.importer import export_articles

    count = export_articles(target, progress=progress_reporter("Exporting"))
    click.echo(f"exported {count} articles to {target}")


@kb.command("backup")
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


@kb.command("restore")
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
    ctx.invoke(kb.get_command(ctx, "reindex"))


@kb.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["agent", "trainer", "admin"]), default="agent")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(username, role, display_name, password_stdin):
    """Create a user; the password comes from a prompt or --password-stdin."""
    from .accounts.services import AccountError, create_user

    password = _read_password(password_stdin)
    try:
        create_user(username, password, role, display_name)
    except AccountError as exc:
        fail(str(exc))


@kb.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password_command(username, password_stdin):
    """Set a user's password (ends their other sessions)."""
    from .accounts.services import AccountError, find_user, set_password

    user = find_user(username) or fail(f"no user {username!r}")
    try:
        set_password(user, _read_password(password_stdin))
    except AccountError as exc:
        fail(str(exc))


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@kb.group("token")
def token_group():
    """API tokens for /api/v1."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for.")
def token_create(username, name):
    """Create a token and print it alone on stdout (shown once; stored hashed)."""
    from .accounts.services import create_token, find_user

    user = find_user(username) or fail(f"no user {username!r}")
    click.echo(create_token(user, name))


@token_group.command("revoke")
@click.argument("username")
@click.option("--prefix", default=None, help="Revoke only the token starting with this.")
def token_revoke(username, prefix):
    """Revoke a user's API tokens (all, or the one with --prefix)."""
    from .accounts.services import find_user, revoke_tokens

    user = find_user(username) or fail(f"no user {username!r}")
    count = revoke_tokens(user, prefix)
    if prefix and not count:
        fail(f"no active token with prefix {prefix!r}")
    click.echo(f"revoked {count} token(s)")


def init_app(app) -> None:
    import importlib

    for module in FEATURE_COMMAND_MODULES:
        try:
            importlib.import_module(module).register(kb)
        except ModuleNotFoundError as exc:
            # A feature package that is not there yet is fine; a missing import inside it not.
            if not exc.name or not (module == exc.name or module.startswith(exc.name + ".")):
                raise
    app.cli.add_command(kb)
