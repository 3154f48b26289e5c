"""HTML error pages. JSON errors for /api/v1 are produced by the api package.

A database that cannot be reached (PostgreSQL stopped or restarting, a network cut, SQLite
locked beyond its busy timeout) is not a bug in the request: it answers **503** with
``Retry-After``, a page that says the work is safe, or the API's JSON error. The page is drawn
without touching the database (no user, no preferences: the language comes from the session
or the browser), and the connection pool checks connections before use (``pool_pre_ping``),
so the portal recovers by itself when the database is back, without a restart.
"""
import logging

from flask import current_app, render_template, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError

from . import transaction
from .request_limits import too_large_message

log = logging.getLogger(__name__)
RETRY_AFTER = "10"  # seconds: a restart of the database takes about that

MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have access to this page."),
    404: _l("There is no such page."),
    405: _l("This action is not allowed here."),
    429: _l("Too many requests; wait a moment and try again."),
    500: _l("Something went wrong on our side. Your data is safe; try again."),
}


def wants_json() -> bool:
    """JSON for the API and for scripts that ask for it (``Accept: application/json`` ranked
    above HTML, or a JSON body); a browser's ``*/*`` or ``text/html`` gets the page."""
    if request.path.startswith("/api/") or request.is_json:
        return True
    accept = request.accept_mimetypes
    return accept["application/json"] > accept["text/html"]


def _page(code: int, message):
    """The error page (or JSON) for ``code``; ``message`` may be a lazy string: choosing its
    language can need the database (the user's preference), so it is read in here.

    The request's transaction is rolled back first: a failed request may leave it broken (an
    integrity error), and the page's own first query would then fail (PendingRollbackError)
    and leave the user a bare "Internal Server Error".
    """
    try:
        transaction.rollback()
        message = message() if callable(message) else str(message)
        if wants_json():
            return {"error": {"status": code, "message": message}}, code
        return render_template("errors/error.html", code=code, message=message), code
    except (OperationalError, InterfaceError) as exc:  # the page itself needs the database
        return database_unavailable(exc)


def database_unavailable(exc):
    """503 for a database that cannot be reached (see the module docstring)."""
    from .extensions import db
    from .i18n.locales import CODES, SESSION_KEY, browser_locale, html_lang

    log.warning("database unavailable: %s", str(exc).splitlines()[0][:300])
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the pool will replace it
        db.session.invalidate()
    locale = session.get(SESSION_KEY) if session.get(SESSION_KEY) in CODES else None
    locale = locale or browser_locale() or "en"
    with force_locale(locale):
        message = _("The database cannot be reached right now. Nothing you saved is lost; "
                    "try again in a moment.")
        headers = {"Retry-After": RETRY_AFTER}
        if wants_json():
            return {"error": {"status": 503, "message": message}}, 503, headers
        # Straight from the Jinja environment: no context processor may query the database.
        page = current_app.jinja_env.get_template("errors/unavailable.html").render(
            message=message, title=_("Temporarily unavailable"), retry=_("Try again"),
            lang=html_lang(locale), url_for=current_app.url_for,
            retry_url=request.full_path.rstrip("?") if request.method == "GET" else "/")
    return page, 503, {**headers, "Content-Type": "text/html; charset=utf-8"}


def init_app(app) -> None:
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(InterfaceError, database_unavailable)
    for code, message in MESSAGES.items():
        app.register_error_handler(code, lambda exc, c=code, m=message: _page(c, m))

    # What was too large and the limit (kb_portal/request_limits.py), not a bare "too large".
    app.register_error_handler(413, lambda exc: _page(413, too_large_message))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _page(400, _l("The form expired or was sent twice. Go back, reload, and try "
                             "again."))
