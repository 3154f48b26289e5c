"""``flask kb create-user``, ``set-password`` and ``token create|revoke``.

Each command calls the services (which flush) and commits once at its end.
"""
import sys

import click
from flask.cli import AppGroup, with_appcontext

from .. import transaction


def register(group) -> None:
    """Add the account commands to the ``flask kb`` group."""
    group.add_command(create_user_command)
    group.add_command(set_password_command)
    group.add_command(token_group)


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice(["agent", "trainer", "admin"]), default="agent")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(username, role, display_name, password_stdin):
    """Create a user; the password comes from a prompt or --password-stdin."""
    from ..cli import fail
    from .services import AccountError, create_user

    password = _read_password(password_stdin)
    try:
        create_user(username, password, role, display_name)
        transaction.commit()
    except AccountError as exc:
        transaction.rollback()
        fail(str(exc))


@click.command("set-password")
@with_appcontext
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password_command(username, password_stdin):
    """Set a user's password (ends their sessions and revokes their API tokens)."""
    from ..cli import fail
    from .services import AccountError, find_user, set_password

    user = find_user(username) or fail(f"no user {username!r}")
    try:
        revoked = set_password(user, _read_password(password_stdin))
        transaction.commit()
    except AccountError as exc:
        transaction.rollback()
        fail(str(exc))
    if revoked:
        click.echo(f"revoked {revoked} API token(s) of {user.username}")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group("token", cls=AppGroup)
def token_group():
    """API tokens for /api/v1."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for.")
def token_create(username, name):
    """Create a token and print it alone on stdout (shown once; stored hashed)."""
    from ..cli import fail
    from .services import create_token, find_user

    user = find_user(username) or fail(f"no user {username!r}")
    token = create_token(user, name)
    transaction.commit()
    click.echo(token)


@token_group.command("revoke")
@click.argument("username")
@click.option("--prefix", default=None, help="Revoke only the token starting with this.")
def token_revoke(username, prefix):
    """Revoke a user's API tokens (all, or the one with --prefix)."""
    from ..cli import fail
    from .services import find_user, revoke_tokens

    user = find_user(username) or fail(f"no user {username!r}")
    count = revoke_tokens(user, prefix)
    if prefix and not count:
        transaction.rollback()
        fail(f"no active token with prefix {prefix!r}")
    transaction.commit()
    click.echo(f"revoked {count} token(s)")
