"""kb_portal: a knowledge base and training portal for customer-support centres."""
from pathlib import Path

from flask import Flask

from . import logs
from .extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None) -> Flask:
    """Build the app: configuration → extensions → blueprints → CLI.

    ``config`` is a config object (``TestConfig`` in tests); by default settings come from the
    environment (:class:`kb_portal.config.Config`).
    """
    from .config import Config

    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"))
    app.config.from_object(config or Config())
    logs.configure(app.config.get("KB_LOG_LEVEL", "INFO"))
    Path(app.config["KB_DATA_DIR"]).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    from . import i18n
    i18n.init_app(app)
    _init_login(app)
    _register_blueprints(app)
    _register_site_files(app)

    from . import search
    search.init_app(app)

    from . import audit, cli, errors, localtime, request_limits, security
    audit.init_app(app)
    request_limits.init_app(app)
    localtime.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    cli.init_app(app)

    from .accounts.access import assert_every_view_declares_access
    assert_every_view_declares_access(app)
    return app


def _init_login(app: Flask) -> None:
    from .accounts.models import User

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        # The id carries the session version: a password change or deactivation ends sessions.
        try:
            uid, version = (int(part) for part in user_id.split(":"))
        except ValueError:
            return None
        user = db.session.get(User, uid)
        if user is None or not user.active or user.session_version != version:
            return None
        return user


def _register_site_files(app: Flask) -> None:
    """``/favicon.ico``: browsers ask for it on pages without a ``<link rel=icon>`` (a JSON
    response, a file) and log a 404 otherwise."""
    from .accounts.access import public

    @public
    def favicon():
        return app.send_static_file("favicon.ico")

    app.add_url_rule("/favicon.ico", "favicon", favicon)


def _register_blueprints(app: Flask) -> None:
    from . import api
    from .accounts.views import bp as accounts_bp
    from .kb import register_blueprints as register_kb

    app.register_blueprint(accounts_bp)
    register_kb(app)
    api.init_app(app)

    from . import training
    training.init_app(app)

