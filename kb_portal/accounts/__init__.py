"""Accounts: users, roles, login sessions, login throttling, user administration, API tokens.

:func:`init_app` is the one place the feature plugs into the app: Flask-Login (the user
loader checks the login session, see ``services.user_for_session``), the password policy, the
login throttle, the blueprint and the ``flask kb`` commands.
"""


def init_app(app) -> None:
    """Wire accounts into ``app`` (called from ``create_app``)."""
    from ..cli import command_group
    from ..extensions import login_manager
    from . import commands, passwords, services, throttle
    from .views import bp

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.user_loader(services.user_for_session)
    passwords.init_app(app)
    throttle.init_app(app)
    app.register_blueprint(bp)
    commands.register(command_group(app))
