"""Does `flask kb restore` bring back what `flask kb backup` wrote — on SQLite and PostgreSQL?

A portal with articles (two revisions each), an upload, a submitted quiz attempt and an API
token is backed up, restored into a fresh instance (its own data dir and database), and the
two are compared: same articles and revisions, same files, same search results, the token
still works. A second restore into the now full instance is refused without ``--force``.
"""
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from kb_portal import create_app
from kb_portal.accounts.services import create_token
from kb_portal.config import TestConfig
from kb_portal.extensions import db
from kb_portal.kb.models import Article, Attachment, Revision
from kb_portal.search.services import SearchParams, search
from kb_portal.training.models import Attempt

from . import factories
from .conftest import own_database

QUERIES = ("退款", "发票 抬头", "complaint", "E-102")


def _snapshot() -> dict:
    """What must survive a backup and restore, read from the current app's database."""
    revisions = db.session.execute(
        select(Article.slug, Article.status, Revision.number, Revision.title, Revision.body,
               Revision.content_hash).join(Revision, Revision.article_id == Article.id)
        .order_by(Article.slug, Revision.number)).all()
    attempts = db.session.execute(select(Attempt.user_id, Attempt.number, Attempt.score)
                                  .order_by(Attempt.id)).all()
    searches = {q: [h.slug for h in search(SearchParams(q=q)).results] for q in QUERIES}
    return {"revisions": [tuple(r) for r in revisions], "attempts": [tuple(a) for a in attempts],
            "searches": searches}


def _files(app) -> dict:
    folder = Path(app.config["KB_UPLOAD_DIR"])
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file()}


def _fill(app, users) -> str:
    from flask_migrate import stamp

    # The suite builds schemas with create_all (test_migrations proves it equals the
    # migrations'); a real portal's database carries its Alembic revision, which restore
    # upgrades from.
    stamp(directory=app.extensions["migrate"].directory)
    factories.article("refund-policy", "退款政策", "## 到账时限\n3个工作日。", category="policy")
    factories.article("refund-policy", "退款政策", "## 到账时限\n2个工作日。", category="policy")
    factories.article("invoice-title", "发票抬头写错", "可以重开发票。", tags=["发票"])
    factories.article("complaint-intake", "E-102 complaint", "扫地机 E-102", language="en")
    factories.article("draft-only", "退款草稿", "未发布", status="draft")
    article = db.session.scalar(select(Article).where(Article.slug == "refund-policy"))
    factories.attachment("flow.png", b"\x89PNG\r\n\x1a\n" + os.urandom(64), article)
    samples = factories.training_samples(users["agent"])
    from kb_portal.training.services import finish_attempt

    finish_attempt(db.session.get(Attempt, samples["attempt_id"]), {})
    token = create_token(users["agent"], "crm")  # services flush: the caller commits
    db.session.commit()
    return token


@pytest.fixture
def fresh_database_url(tmp_path):
    """A new, empty database of the kind the suite runs on."""
    with own_database(tmp_path / "restored") as url:
        yield url


def test_a_restored_portal_is_the_same_portal(app, runner, users, tmp_path, fresh_database_url):
    token = _fill(app, users)
    before, files = _snapshot(), _files(app)
    assert len(files) == 1 and before["attempts"] and before["searches"]["退款"]
    result = runner.invoke(args=["kb", "backup", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "backups").iterdir()

    config = TestConfig(tmp_path / "restored")
    config.SQLALCHEMY_DATABASE_URI = fresh_database_url
    fresh = create_app(config)
    with fresh.app_context():
        result = fresh.test_cli_runner().invoke(args=["kb", "restore", str(folder)])
        assert result.exit_code == 0, result.output
        assert "1 uploads" in result.output and "indexed 3 published articles" in result.output
        assert _snapshot() == before
        assert _files(fresh) == files
        assert db.session.scalar(select(Attachment.stored_name)) in files
        response = fresh.test_client().get(
            "/api/v1/search?q=退款", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert [h["slug"] for h in response.get_json()["results"]] == before["searches"]["退款"]

        again = fresh.test_cli_runner().invoke(args=["kb", "restore", str(folder)])
        assert again.exit_code == 1 and "not empty" in again.output and "--force" in again.output
        forced = fresh.test_cli_runner().invoke(args=["kb", "restore", "--force", str(folder)])
        assert forced.exit_code == 0, forced.output
        assert "replaced" in forced.output and _snapshot() == before
        db.session.remove()
        db.engine.dispose()


def test_a_folder_that_is_no_backup_is_refused(runner, tmp_path):
    (tmp_path / "junk").mkdir()
    result = runner.invoke(args=["kb", "restore", str(tmp_path / "junk")])
    assert result.exit_code == 1 and "not a backup folder" in result.output


def test_a_backup_of_the_other_database_kind_is_refused(app, runner, tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    other = "kb.sql" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") \
        else "kb.sqlite3"
    (folder / other).write_text("")
    result = runner.invoke(args=["kb", "restore", str(folder)])
    assert result.exit_code == 1 and "same kind of database" in result.output
