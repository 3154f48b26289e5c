"""The language switch: in the menu and on the login page, for everybody (no login needed)."""
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, request, session, url_for
from flask_login import current_user

from .. import transaction
from ..accounts.access import public
from .locales import CODES, SESSION_KEY

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
bp = Blueprint("i18n", __name__)


def _back(target: str | None) -> str:
    """Return to the page the switch was on, never to another site."""
    if target and target.startswith("/") and not target.startswith("//") and \
            not urlsplit(target).netloc:
        return target
    return url_for("kb.home")


@bp.route("/language", methods=["POST"])
@public
def switch():
    """Use ``locale`` for this session; a logged-in user also keeps it as their preference.

    :raise 400: for a language that is not shipped.
    """
    locale = request.form.get("locale", "")
    if locale not in CODES:
        abort(400)
    session[SESSION_KEY] = locale
    if current_user.is_authenticated and current_user.locale != locale:
        current_user.locale = locale
        transaction.commit()
    return redirect(_back(request.form.get("next")))
