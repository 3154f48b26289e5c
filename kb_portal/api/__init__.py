"""``/api/v1``: a versioned JSON API for scripts and other systems.

Requests authenticate with the browser session or with ``Authorization: Bearer <token>``
(tokens: ``flask kb token create USERNAME``). Token requests carry no cookie, so they are
exempt from CSRF; session requests that change something still need the CSRF header. Every
error is the same JSON shape (:func:`error_response`).
"""
from flask import Blueprint, g, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # re-applied below for cookie-authenticated requests


def error_response(status: int, message: str):
    """The one JSON error shape: ``{"error": {"status": …, "message": …}}``."""
    return {"error": {"status": status, "message": message}}, status


@bp.before_request
def authenticate():
    """Log the request in with its bearer token, or require a session (and CSRF for writes)."""
    from .. import transaction
    from ..accounts.services import user_for_token

    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = user_for_token(header[7:].strip())
        if user is None:
            return error_response(401, "The token is unknown, revoked or its user inactive.")
        transaction.commit()  # the token's last use, before the request's own work
        g._login_user = user  # this request only: Flask-Login reads the user from here
        g.api_token_auth = True
        return None
    if not current_user.is_authenticated:
        return error_response(401, "Log in or send 'Authorization: Bearer <token>'.")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()
    return None


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return error_response(exc.code or 500, exc.description or exc.name)


def init_app(app) -> None:
    from . import search  # noqa: F401  (registers its routes on bp)

    app.register_blueprint(bp)
