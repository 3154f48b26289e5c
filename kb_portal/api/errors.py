"""The one JSON error shape of ``/api/v1`` and the handlers that produce it.

Every failure a client can see — a bad parameter, a missing token, a rate limit, a 404, a
database that is down — is ``{"error": {"status": …, "message": …}}`` with the HTTP status,
so a desktop integration needs one code path for errors (the OpenAPI document names the shape
``Error``).
"""
import math
import time

from flask import jsonify
from werkzeug.exceptions import HTTPException

from ..request_limits import too_large_message


def error_response(status: int, message: str, headers: dict | None = None):
    """A JSON error response: ``{"error": {"status": …, "message": …}}``."""
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_error(exc: HTTPException):
    """Blueprint handler: any HTTP error inside ``/api/v1`` in the JSON shape.

    Headers the exception carries (``Allow`` on a 405, ``WWW-Authenticate``) are kept; a
    response already made for it (the rate limit's, :func:`rate_limited`) is used as is.
    """
    if exc.response is not None:
        return exc.response
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    # A 413 says what was too large and the limit, in the client's language.
    message = too_large_message() if exc.code == 413 else exc.description or exc.name
    return error_response(exc.code or 500, message, headers)


def rate_limited(limit):
    """Flask-Limiter's ``on_breach`` callback: 429 with ``Retry-After`` in whole seconds."""
    wait = max(1, math.ceil(limit.reset_at - time.time()))
    return error_response(
        429, f"Too many requests: the limit is {limit.limit}. Retry after {wait} seconds.",
        {"Retry-After": str(wait)})
