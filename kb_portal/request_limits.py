"""Request body limits per endpoint, decided before the body is read, and what a 413 says.

One ``MAX_CONTENT_LENGTH`` for the whole app is wrong twice: the article editor needs more than
a login form, and Werkzeug's ``MAX_FORM_MEMORY_SIZE`` (500 KB per multipart field by default)
silently failed every preview above that (issue 17). A view declares its own limit with
:func:`body_limit`; :class:`LimitedRequest` answers ``max_content_length`` and
``max_form_memory_size`` from it. Werkzeug compares ``Content-Length`` with the limit *before*
reading anything, so an oversized request costs nothing but its headers.

Limits are looked up when the form is first read — in Flask-WTF's CSRF check, before any view
code — which is why they live on the request class rather than in a ``before_request`` hook.

Every 413 says what was too large and the limit, in the reader's language
(:func:`too_large_message`): the view's own words when it declared them ("The file is larger
than the limit of 5 MB"), else whether the whole request or one field of the form was over,
with the number. The editor answers with its own page that keeps the draft.
"""
from flask import Request, current_app, request
from flask_babel import gettext as _

from .request_text import TextParameters

URLENCODED = "application/x-www-form-urlencoded"
MB = 1024 * 1024


def format_size(size: int) -> str:
    """``4 MB``, ``97.7 KB``, ``800 bytes``: a size as people read it (one decimal at most)."""
    if size < 1024:
        return f"{size} bytes"
    value, unit = (size / MB, "MB") if size >= MB else (size / 1024, "KB")
    return f"{value:.1f}".removesuffix(".0") + " " + unit


def body_limit(fields_bytes, message=None):
    """Declare a view's limit: ``fields_bytes(app)`` is the size its largest text field (or
    file) may reach. Multipart bodies may be that plus 256 KB for the other fields; URL-encoded
    ones three times that (``%E5%8F%91`` is one Chinese character). ``message`` (a lazy string
    with ``%(size)s``) names what is too large in the 413 answer. Put it right under the
    route."""

    def decorate(view):
        view.kb_body_limit = fields_bytes
        view.kb_body_limit_message = message
        return view

    return decorate


def too_large_message() -> str:
    """What a 413 for the current request says (see the module docstring)."""
    declared, message = request.declared("kb_body_limit"), request.declared(
        "kb_body_limit_message")
    if declared is not None and message is not None:
        return str(message) % {"size": format_size(int(declared(current_app)))}
    limit, sent = request.max_content_length, request.content_length
    if limit is not None and sent is not None and sent > limit:
        return _("What you sent (%(sent)s) is larger than this page accepts: at most "
                 "%(limit)s.", sent=format_size(sent), limit=format_size(limit))
    return _("A field of this form is larger than this page accepts: at most %(limit)s per "
             "field.", limit=format_size(request.max_form_memory_size or 0))


class LimitedRequest(Request):
    """Flask's request with the limits a view declared with :func:`body_limit` (and its
    parameters without NUL characters, see :mod:`kb_portal.request_text`)."""

    parameter_storage_class = TextParameters

    def declared(self, name: str):
        """What the view of this request declared with :func:`body_limit` (or None)."""
        view = current_app.view_functions.get(self.endpoint) if self.endpoint else None
        return getattr(view, name, None)

    def _declared_field_limit(self) -> int | None:
        limit = self.declared("kb_body_limit")
        return None if limit is None else int(limit(current_app))

    @property
    def max_content_length(self) -> int | None:
        field = self._declared_field_limit()
        if field is None or self._max_content_length is not None:
            return super().max_content_length
        return 3 * field + 256 * 1024 if self.mimetype == URLENCODED else field + 256 * 1024

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @property
    def max_form_memory_size(self) -> int | None:
        field = self._declared_field_limit()
        if field is None or self._max_form_memory_size is not None:
            return super().max_form_memory_size
        return field + 64 * 1024

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value


def init_app(app) -> None:
    app.request_class = LimitedRequest
