"""Who is calling ``/api/v1``, and the per-caller rate limit.

A request authenticates with ``Authorization: Bearer <token>`` (tokens: ``flask kb token
create USERNAME``) or with the browser session (the live search box). Token requests carry no
cookie and so are exempt from CSRF; session requests that change something still need the CSRF
header.

The rate limit (``KB_API_RATE_LIMIT``, default 300 per minute) counts per token, or per user for
session requests, never per IP: many agents of one centre sit behind one address. Its counters
live in ``KB_RATELIMIT_STORAGE_URI`` (Redis when several servers run, so the limit is shared).
"""
import hashlib

from flask import current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from ..extensions import csrf
from .errors import error_response

DEFAULT_RATE_LIMIT = "300 per minute"


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer …`` header, or None."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def authenticate():
    """``before_request`` of the API: log the request in with its token, or require a session.

    Returns a 401 response when neither works (and a 400 for a session write without CSRF).
    """
    from .. import transaction
    from ..accounts.services import user_for_token

    token = bearer_token()
    if token is not None:
        user = user_for_token(token)
        if user is None:
            return error_response(401, "The token is unknown, revoked or its user inactive.",
                                  {"WWW-Authenticate": 'Bearer realm="kb_portal"'})
        transaction.commit()  # the token's last use (flushed by the service), before the work
        g._login_user = user  # this request only: Flask-Login reads the user from here
        g.api_token_auth = True
        return None
    if not current_user.is_authenticated:
        return error_response(401, "Log in or send 'Authorization: Bearer <token>'.",
                              {"WWW-Authenticate": 'Bearer realm="kb_portal"'})
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            csrf.protect()
        except CSRFError as exc:
            return error_response(400, exc.description)
    return None


def rate_limit_value() -> str:
    return current_app.config.get("KB_API_RATE_LIMIT") or DEFAULT_RATE_LIMIT


def rate_limit_key() -> str:
    """The counter a request is charged to: its token (hashed), else its user, else its IP.

    Flask-Limiter asks before the API's ``authenticate`` runs, so the token is read from the
    header here; an unknown token is refused by ``authenticate`` anyway.
    """
    token = bearer_token()
    if token:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return "ip:" + (request.remote_addr or "-")
