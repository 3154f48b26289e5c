"""Times on pages and in exports are in the centre's zone (KB_TIMEZONE); storage stays UTC."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kb_portal import create_app
from kb_portal.config import TestConfig
from kb_portal.extensions import db
from kb_portal.localtime import iso, local_today, to_local

from . import factories

STORED = datetime(2026, 1, 1, 20, 0)  # naive UTC, as the database keeps it


def test_stored_utc_times_are_shown_in_the_centres_zone(app):
    app.config["KB_TIMEZONE"] = "Asia/Shanghai"
    assert to_local(STORED).strftime("%Y-%m-%d %H:%M") == "2026-01-02 04:00"
    assert iso(STORED) == "2026-01-02T04:00:00+08:00"
    assert iso(None) == ""
    assert local_today() == datetime.now(ZoneInfo("Asia/Shanghai")).date()


def test_without_a_zone_the_servers_own_is_used(app):
    app.config["KB_TIMEZONE"] = ""
    assert to_local(STORED) == STORED.replace(tzinfo=ZoneInfo("UTC")).astimezone()


def test_an_unknown_zone_stops_the_start_with_a_clear_message(tmp_path):
    config = TestConfig(tmp_path / "data")
    config.KB_TIMEZONE = "Asia/Shanghia"
    with pytest.raises(ValueError, match="unknown time zone 'Asia/Shanghia'"):
        create_app(config)


def test_history_and_article_pages_show_local_times(app, as_role):
    app.config["KB_TIMEZONE"] = "Asia/Shanghai"
    article = factories.article("local-time", "本地时间", "正文")
    article.current.created_at = STORED
    article.updated_at = STORED
    db.session.commit()
    trainer = as_role("trainer")
    history = trainer.get("/a/local-time/history").get_data(as_text=True)
    assert "2026-01-02 04:00" in history and "2026-01-01 20:00" not in history
    page = trainer.get("/a/local-time").get_data(as_text=True)
    assert '<time datetime="2026-01-02T04:00:00+08:00">2026-01-02</time>' in page
