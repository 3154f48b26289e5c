"""Shared fixtures: a fresh app on a temporary SQLite database per test, clients per role.

The schema comes from the models (``create_all``) for speed; ``tests/test_migrations.py``
checks that the Alembic migrations produce exactly the same schema.
"""
import os
import re
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import g
from jinja2 import BytecodeCache

from kb_portal import create_app
from kb_portal.accounts.access import declared_access
from kb_portal.config import TestConfig
from kb_portal.extensions import db
from kb_portal.kb.services import ensure_default_categories

from . import factories

PASSWORD = "correct horse battery"


class SharedTemplateCode(BytecodeCache):
    """Compiled templates kept for the whole test session, shared by every test app.

    Each app has its own Jinja environment and compiled every template it rendered again: about
    half of a typical test's time. Jinja checks each entry against its template's source
    checksum, so an edited template is compiled afresh; nothing else about rendering changes.
    """

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if (stored := self.code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(stored)

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = SharedTemplateCode()


def make_app(data_dir, **settings):
    """A test app on ``data_dir`` with ``settings`` on top of :class:`TestConfig` (settings
    are read once, when the app is built)."""
    config = TestConfig(data_dir)
    for key, value in settings.items():
        setattr(config, key, value)
    app = create_app(config)
    app.jinja_env.bytecode_cache = TEMPLATE_CODE

    @app.before_request
    def _fresh_g():
        # Tests keep one app context open (so they can use the database directly); Flask then
        # reuses it for every request, and ``g`` would carry the logged-in user and the CSRF
        # token from one test client to the next. Real requests each get a fresh ``g``.
        for name in list(g):
            g.pop(name)

    return app


@contextmanager
def running_app(data_dir, template: Path | None = None, **settings):
    """:func:`make_app` with its schema and default categories, inside its app context.

    With ``template`` (a SQLite file holding both, see :func:`schema_template`) the database
    starts as a copy of it: creating the schema statement by statement took most of a test's
    set-up time.
    """
    if template is not None:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, Path(data_dir) / "kb.sqlite3")
    app = make_app(data_dir, **settings)
    with app.app_context():
        if template is None:
            db.create_all()
            ensure_default_categories()
            db.session.commit()
        yield app
        db.session.remove()
        if template is None:
            db.drop_all()
        else:
            db.engine.dispose()


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory) -> Path | None:
    """A SQLite database with the schema and the default categories, copied by each test's
    app (None when the tests run on another database: it gets ``create_all`` per test)."""
    if os.environ.get("KB_TEST_DATABASE_URL"):
        return None
    data_dir = tmp_path_factory.mktemp("template") / "data"
    with running_app(data_dir) as app:
        db.session.remove()
        db.engine.dispose()
        assert app.config["SQLALCHEMY_DATABASE_URI"].endswith(str(data_dir / "kb.sqlite3"))
        template = data_dir.parent / "schema.sqlite3"
        shutil.copyfile(data_dir / "kb.sqlite3", template)
    return template


@pytest.fixture
def app(tmp_path, schema_template):
    with running_app(tmp_path / "data", schema_template) as app:
        yield app


@pytest.fixture(scope="module")
def module_agent(tmp_path_factory, schema_template):
    """One app for a whole module, with two articles and a logged-in agent's client: for the
    many read-only cases (hostile inputs) that need no app of their own."""
    data_dir = tmp_path_factory.mktemp("module") / "data"
    with separate_app(data_dir, schema_template) as app:
        factories.user("agent1", "agent")
        factories.article("refund-flow", "退款流程", "客户可以申请退款，3 个工作日内到账。",
                          category="policy", tags=["退款"])
        factories.article("returns-en", "Returns guide", "Refunds after inspection.",
                          category="sop", language="en")
        client = app.test_client()
        assert login(client, "agent1").status_code == 302
        yield client


@contextmanager
def separate_app(data_dir, schema_template, **settings):
    """:func:`running_app` with a database of its own (:func:`own_database`), for an app that
    lives beside others (a module-scoped fixture beside the per-test apps, a second app in one
    test). On PostgreSQL the tests otherwise share one database: a second app there would see
    the first one's rows, and the per-test ``drop_all`` would drop its tables, or wait for ever
    on its open session."""
    with own_database(data_dir) as url, \
            running_app(data_dir, schema_template, SQLALCHEMY_DATABASE_URI=url, **settings) as app:
        yield app


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, path: str = "/login") -> str:
    """Fetch ``path`` and return the CSRF token from its page."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or \
        re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD, remember: bool = False):
    token = csrf_token(client, "/login")
    data = {"username": username, "password": password, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


@pytest.fixture
def users(app):
    """One user per role (plus a second trainer), all with the password ``PASSWORD``."""
    return {
        "agent": factories.user("agent1", "agent"),
        "trainer": factories.user("trainer1", "trainer"),
        "trainer2": factories.user("trainer2", "trainer"),
        "admin": factories.user("admin1", "admin"),
    }


@pytest.fixture
def as_role(app, users):
    """``as_role("trainer")`` returns a test client logged in with that role."""

    def make(role: str):
        c = app.test_client()
        response = login(c, users[role].username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return c

    return make


@pytest.fixture
def sample_values(app, users):
    """Values for URL variables, pointing at objects that exist."""
    factories.article("complaint-intake", "投诉受理", "## 受理\n正文", tags=["投诉"])
    # POSTs without form data may still change things: point them at a user nobody logs in as.
    victim = factories.user("victim", "agent")
    attachment = factories.attachment("flow.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    training = factories.training_samples(victim)
    return {"slug": "complaint-intake", "key": "sop", "tag": "投诉", "user_id": victim.id,
            "number": 1, "stored_name": attachment.stored_name, **training}


def route_url(rule, values) -> str:
    """A URL for ``rule`` with its variables taken from ``values`` (1 or "x" otherwise)."""
    args = {}
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__
        args[name] = values.get(name, 1 if converter == "IntegerConverter" else "x")
    return rule.build(args, append_unknown=False)[1]


def routes(app):
    """``(rule, method, declared access)`` of every route but static files."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method, declared_access(view)


@contextmanager
def own_database(data_dir):
    """The URL of a database of its own, of the kind the suite runs on: a new database on the
    suite's PostgreSQL server (``make test-postgres``, dropped afterwards), else the SQLite file
    in ``data_dir``."""
    base = os.environ.get("KB_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        yield f"sqlite:///{data_dir / 'kb.sqlite3'}"
        return
    with new_postgres_database(base) as url:
        yield url


@contextmanager
def new_postgres_database(base_url: str):
    """A new, empty database on the PostgreSQL server of ``base_url``; dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"kb_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
