"""Role checks for views.

Every view declares who may use it with ``@require("agent" | "trainer" | "admin")`` or
``@public``. ``assert_every_view_declares_access`` runs at start-up so that a view without a
declaration cannot be registered by accident (and the route × role test walks the same map).
"""
from functools import wraps

from flask import abort, current_app
from flask_login import current_user

from .models import ROLES

ACCESS_ATTR = "_kb_access"


def require(role: str):
    """Allow the view to logged-in users whose role is ``role`` or higher.

    :raise 403: for a logged-in user with a lower role.
    Anonymous users are sent to the login page (Flask-Login's ``unauthorized``).
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, role)
        return wrapper

    return decorator


def public(view):
    """Mark a view as reachable without logging in (the login page, health checks)."""
    setattr(view, ACCESS_ATTR, "public")
    return view


def declared_access(view) -> str | None:
    return getattr(view, ACCESS_ATTR, None)


def assert_every_view_declares_access(app) -> None:
    """Refuse to start when a registered view has no role declaration."""
    missing = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and declared_access(view) is None
    ]
    if missing:
        raise RuntimeError(f"views without an access declaration: {', '.join(sorted(missing))}")
