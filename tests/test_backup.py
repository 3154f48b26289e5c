"""Does `flask kb backup` copy the database, the uploads and the articles?"""
import sqlite3
from pathlib import Path

from . import factories


def test_backup_holds_a_readable_database_uploads_and_articles(app, runner, tmp_path):
    factories.article("refund-policy", "退款政策", "## 到账时限\n3个工作日", category="policy")
    uploads = Path(app.config["KB_UPLOAD_DIR"])
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / "abc.png").write_bytes(b"\x89PNG fake")
    result = runner.invoke(args=["kb", "backup", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "backups").iterdir()
    with sqlite3.connect(folder / "kb.sqlite3") as conn:
        assert conn.execute("select slug from article").fetchall() == [("refund-policy",)]
    assert (folder / "uploads" / "abc.png").read_bytes() == b"\x89PNG fake"
    assert "3个工作日" in (folder / "articles" / "refund-policy.md").read_text(encoding="utf-8")
    assert "1 uploads, 1 articles" in result.output
