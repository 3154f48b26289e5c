"""Search state lives on the app: two apps in one process share nothing; settings are read
once and checked."""
import pytest

from kb_portal.extensions import db
from kb_portal.search.settings import SettingError
from kb_portal.search.state import search_state
from kb_portal.search.synonym_services import save_group
from tests import factories

from ..conftest import make_app, running_app, separate_app
from .helpers import slugs


def test_two_apps_in_one_process_share_nothing(tmp_path, schema_template):
    words = tmp_path / "words.txt"
    words.write_text("云帆净水器\n", encoding="utf-8")
    with running_app(tmp_path / "one", schema_template, KB_SEARCH_USERDICT=str(words)) as one:
        factories.article("only-in-one", "云帆净水器说明", "退款流程")
        save_group("退款, 银子回笼")
        db.session.commit()
        assert slugs("银子回笼") == ["only-in-one"]
        first = search_state(one)
        with separate_app(tmp_path / "two", schema_template, KB_SEARCH_ENGINE="reference") as two:
            second = search_state(two)
            assert slugs("退款") == [] and slugs("银子回笼") == []
            factories.article("only-in-two", "别的文章", "退款说明")
            assert slugs("退款") == ["only-in-two"] and slugs("银子回笼") == []
            for part in ("engine", "analyzer", "snippets", "synonyms", "clicks", "homophones",
                         "settings"):
                assert getattr(first, part) is not getattr(second, part), part
            assert second.engine.name == "reference" and first.engine.name == "fast"
            assert "云帆净水器" in first.analyzer.segment("云帆净水器")
            assert "云帆净水器" not in second.analyzer.segment("云帆净水器")
        with one.app_context():
            assert slugs("退款") == ["only-in-one"]  # untouched by the second app


def test_settings_are_read_once_when_the_app_is_built(app):
    state = search_state()
    app.config["KB_SEARCH_SAVE_TIMEOUT"] = "99"
    assert state.settings.save_timeout == 2.0
    assert state.engine.lock_timeout == state.settings.lock_timeout == 30.0


@pytest.mark.parametrize(("key", "value", "message"), [
    ("KB_SEARCH_LOCK_TIMEOUT", "soon", "must be a number of seconds"),
    ("KB_SEARCH_SAVE_TIMEOUT", "-1", "between 0 and 86400"),
    ("KB_SEARCH_ENGINE", "lucene", "must be one of fast, reference"),
    ("KB_SEARCH_STARTUP", "later", "must be one of background, sync, off"),
    ("KB_SEARCH_USERDICT", "/no/such/file.txt", "no such file"),
])
def test_a_bad_setting_stops_the_start_with_a_clear_message(tmp_path, key, value, message):
    with pytest.raises(SettingError, match=message):
        make_app(tmp_path / "data", **{key: value})


def test_a_server_warms_its_search_caches_after_the_start_up_check(app):
    """On a server the start-up thread also builds what the first searches would (the
    synonym map, the engine's norms), so the first agents after a restart do not wait."""
    import time

    factories.article("refund-flow", "退款流程", "客户申请退款后原路退回。")
    db.session.commit()
    state = search_state(app)
    assert not len(state.engine.norms)
    state.in_background = True  # as on a server
    try:
        state.start()
        deadline = time.monotonic() + 30
        while not len(state.engine.norms) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        state.in_background = False
    assert len(state.engine.norms) > 0
    assert slugs("退款") == ["refund-flow"]


def test_a_one_off_command_repairs_the_index_before_it_exits(app, tmp_path):
    """A `flask kb` command is not a server: its start-up reconcile runs in the foreground.
    In a background thread it died with the command, half-way through a write when there was
    a drift to repair, and left the lock and the repair to the next process."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    factories.article("refund-flow", "退款流程", "客户申请退款后原路退回。")
    db.session.commit()
    data_dir = Path(app.config["KB_DATA_DIR"])
    shutil.rmtree(app.config["KB_INDEX_DIR"])  # derived data: the next start refills it
    env = {**os.environ, "KB_DATA_DIR": str(data_dir), "FLASK_APP": "wsgi",
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "KB_LOG_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "kb", "export",
                           str(tmp_path / "out")], cwd=Path(__file__).resolve().parents[2],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with make_app(data_dir, KB_SEARCH_STARTUP="off").app_context():
        assert search_state().engine.snapshot().doc_count() == 1
