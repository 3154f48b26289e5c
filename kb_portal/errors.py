"""HTML error pages. JSON errors for /api/v1 are produced by the api package."""
from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from . import transaction

MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have access to this page."),
    404: _l("There is no such page."),
    405: _l("This action is not allowed here."),
    413: _l("The upload is too large."),
    429: _l("Too many requests; wait a moment and try again."),
    500: _l("Something went wrong on our side. Your data is safe; try again."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _page(code: int, message: str):
    # A failed request may leave its transaction broken (an integrity or lock error): roll it
    # back first, or the page itself fails on its first query (PendingRollbackError) and the
    # user gets a bare "Internal Server Error".
    transaction.rollback()
    if wants_json():
        return {"error": {"status": code, "message": message}}, code
    return render_template("errors/error.html", code=code, message=message), code


def init_app(app) -> None:
    for code, message in MESSAGES.items():
        app.register_error_handler(code, lambda exc, c=code, m=message: _page(c, str(m)))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _page(400, _("The form expired or was sent twice. Go back, reload, and try again."))
