"""Request body limits per endpoint, decided before the body is read.

One ``MAX_CONTENT_LENGTH`` for the whole app is wrong twice: the article editor needs more than
a login form, and Werkzeug's ``MAX_FORM_MEMORY_SIZE`` (500 KB per multipart field by default)
silently failed every preview above that (issue 17). A view declares its own limit with
:func:`body_limit`; :class:`LimitedRequest` answers ``max_content_length`` and
``max_form_memory_size`` from it. Werkzeug compares ``Content-Length`` with the limit *before*
reading anything, so an oversized request costs nothing but its headers; the 413 it raises is
answered by the view's blueprint (the editor shows a page that keeps the draft).

Limits are looked up when the form is first read — in Flask-WTF's CSRF check, before any view
code — which is why they live on the request class rather than in a ``before_request`` hook.
"""
from flask import Request, current_app

URLENCODED = "application/x-www-form-urlencoded"


def body_limit(fields_bytes):
    """Declare a view's limit: ``fields_bytes(app)`` is the size its largest text field may
    reach. Multipart bodies may be that plus 256 KB for the other fields; URL-encoded ones
    three times that (``%E5%8F%91`` is one Chinese character). Put it right under the route."""

    def decorate(view):
        view.kb_body_limit = fields_bytes
        return view

    return decorate


class LimitedRequest(Request):
    """Flask's request with the limits a view declared with :func:`body_limit`."""

    def _declared_field_limit(self) -> int | None:
        view = current_app.view_functions.get(self.endpoint) if self.endpoint else None
        limit = getattr(view, "kb_body_limit", None)
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
