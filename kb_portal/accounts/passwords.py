"""The password policy: long enough, not absurdly long, not a well-known password.

* At least ``MIN_LENGTH`` characters and at most ``MAX_LENGTH`` (a cap keeps a megabyte
  "password" from tying up a worker in the key-derivation function; 128 is far beyond any
  passphrase a person types).
* Not one of the most common passwords (``common-passwords.txt.gz``: the 8,359 entries of
  8+ characters from the list Django ships; origin and licence in ``common-passwords.NOTICE``),
  compared case-insensitively, and not the user name itself.

Length rules alone let ``password123`` and ``qwertyuiop`` through; these are the first ones an
attacker tries against every account.
"""
import gzip
from functools import cached_property
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 8
MAX_LENGTH = 128
LIST_PATH = Path(__file__).with_name("common-passwords.txt.gz")


class PasswordPolicy:
    """Per app (``app.extensions["kb_passwords"]``): the list is read on first use."""

    def __init__(self, method: str):
        self.method = method

    @cached_property
    def common(self) -> frozenset[str]:
        with gzip.open(LIST_PATH, "rt", encoding="utf-8") as fh:
            return frozenset(line.strip() for line in fh if line.strip())

    @cached_property
    def dummy_hash(self) -> str:
        """A hash to check unknown user names against (same cost as a real check)."""
        return generate_password_hash("not a password of anyone", method=self.method)


def policy() -> PasswordPolicy:
    return current_app.extensions["kb_passwords"]


def check_new_password(password: str, username: str = "") -> str | None:
    """Why ``password`` may not be used (a translated sentence), or None when it may."""
    if len(password) < MIN_LENGTH:
        return _("The password must have at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("The password may have at most %(n)d characters.", n=MAX_LENGTH)
    folded = password.strip().lower()
    if folded in policy().common:
        return _("This password is one of the most common ones; choose another.")
    if username and folded == username.strip().lower():
        return _("The password must not be the user name.")
    return None


def equalise_timing(password: str) -> None:
    """Spend the time a real password check takes (for user names that do not exist)."""
    check_password_hash(policy().dummy_hash, password)


def init_app(app) -> None:
    app.extensions["kb_passwords"] = PasswordPolicy(
        app.config.get("KB_PASSWORD_METHOD", "scrypt"))
