"""kb_portal: a knowledge base and training portal for customer-support centres."""
from pathlib import Path

from flask import Flask

from . import logs
from .extensions import csrf, db, limiter, migrate

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

    _trust_proxies(app)
    db.init_app(app)
    from . import database
    database.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    from . import i18n
    i18n.init_app(app)
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


def _trust_proxies(app: Flask) -> None:
    """Read the client's address, scheme and host from the ``X-Forwarded-*`` headers set by
    ``KB_TRUSTED_PROXIES`` reverse proxies in front of the portal (0: none, the default — a
    header sent by the client itself is then ignored, so nobody can fake an address to dodge
    the login throttle)."""
    hops = int(app.config.get("KB_TRUSTED_PROXIES", 0))
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops)


def _register_site_files(app: Flask) -> None:
    """``/favicon.ico``: browsers ask for it on pages without a ``<link rel=icon>`` (a JSON
    response, a file) and log a 404 otherwise."""
    from .accounts.access import public

    @public
    def favicon():
        return app.send_static_file("favicon.ico")

    app.add_url_rule("/favicon.ico", "favicon", favicon)


def _register_blueprints(app: Flask) -> None:
    from . import accounts, api, kb

    accounts.init_app(app)
    kb.init_app(app)
    api.init_app(app)

    from . import training
    training.init_app(app)

