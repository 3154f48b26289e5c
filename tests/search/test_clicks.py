"""The click-through boost: mild, bounded, decaying, switchable off, never lifting an article
that does not match the query."""
from datetime import timedelta

from kb_portal import create_app
from kb_portal.accounts.models import utcnow
from kb_portal.config import TestConfig
from kb_portal.extensions import db
from kb_portal.search.clicks import decayed, factor
from kb_portal.search.models import SearchEvent
from kb_portal.search.state import search_state
from tests import factories

from .helpers import slugs


def test_the_boost_is_bounded_whatever_the_clicks():
    for maximum in (0.0, 0.05, 0.2, 1.0):
        previous = 1.0
        for weight in (0, 0.5, 1, 3, 10, 1e3, 1e9):
            got = factor(weight, maximum)
            assert previous <= got <= 1 + maximum  # grows with clicks, never past the cap
            previous = got
    assert factor(1e9, 0.2) < 1.2000001 and factor(0, 0.2) == 1.0


def test_older_clicks_count_less():
    assert decayed([0], 30) == 1.0
    assert abs(decayed([30], 30) - 0.5) < 1e-9
    assert decayed([0, 0], 30) > decayed([0, 60], 30) > decayed([60, 60], 30)


def click(user, query, article, days_ago=0):
    at = utcnow() - timedelta(days=days_ago)
    db.session.add(SearchEvent(user_id=user.id, query=query, raw_query=query, hits=2,
                               created_at=at, updated_at=at, clicked_at=at,
                               clicked_article_id=article.id, source="live"))
    db.session.commit()
    search_state().clicks.clear()


def test_the_article_agents_open_rises_but_only_among_matches(app, users):
    plain = factories.article("plain", "退款说明", "退款 退款 三个工作日内原路退回。")
    opened = factories.article("opened", "售后说明", "退款 可以申请。其他售后事项。")
    other = factories.article("other", "排班", "早班中班夜班。")
    assert slugs("退款") == ["plain", "opened"]
    for _ in range(30):
        click(users["agent"], "退款", opened)
        click(users["agent"], "退款", other)  # opened for this query once, but does not match
    got = slugs("退款")
    assert "other" not in got
    boosts = search_state().clicks.factors("退款")
    assert 1 < boosts[opened.id] <= 1.2 and boosts[plain.id if plain.id in boosts else
                                                     opened.id] <= 1.2


def test_the_boost_can_be_switched_off(tmp_path):
    config = TestConfig(tmp_path / "data")
    config.KB_SEARCH_CLICK_BOOST = "off"
    assert search_state(create_app(config)).clicks.factors("退款") == {}
