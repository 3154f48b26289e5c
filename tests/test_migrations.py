"""Do the Alembic migrations build exactly the schema the models describe, and can they re-run?"""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kb_portal import create_app
from kb_portal.config import TestConfig
from kb_portal.extensions import db


def test_kb_init_migrates_an_empty_database_to_the_models_and_is_safe_to_rerun(tmp_path):
    app = create_app(TestConfig(tmp_path / "fresh"))
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["kb", "init"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        from kb_portal.kb.models import Category
        assert db.session.query(Category).count() == 3
        db.session.remove()
