"""Synonym suggestions mined from the search log, accepted or dismissed on the Synonyms page."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from kb_portal.accounts.models import utcnow
from kb_portal.extensions import db
from kb_portal.search import suggestions
from kb_portal.search.models import SearchEvent, SuggestionDecision, SynonymGroup
from tests import factories

from ..conftest import csrf_token
from .helpers import slugs


def event(user, query, minutes_ago, hits=3, clicked=False):
    at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.add(SearchEvent(user_id=user.id, query=query, raw_query=query, hits=hits,
                               created_at=at, updated_at=at, source="live",
                               clicked_at=at if clicked else None,
                               clicked_article_id=None))
    db.session.commit()


def test_the_differing_words_of_two_searches_make_the_pair(analyzer):
    assert suggestions.difference("扫地机 咔咔响 怎么办", "扫地机 异响", analyzer) == \
        ("咔咔响", "异响")
    assert suggestions.difference("退款", "退款 到账", analyzer) is None  # a refinement
    assert suggestions.difference("refund", "refund", analyzer) is None


def test_a_failed_search_followed_by_an_opened_one_is_suggested_with_counts(users):
    agent, other = users["agent"], users["trainer"]
    event(agent, "银子回笼", 30, hits=0)
    event(agent, "退款", 29, clicked=True)
    event(other, "银子回笼", 20, hits=5)  # results, but none opened
    event(other, "退款", 19, clicked=True)
    event(agent, "银子回笼", 200, hits=0)  # a session of its own: nothing opened after it
    event(agent, "退款", 100, clicked=True)
    found = suggestions.mined()
    assert [(s.source, s.target, s.count, s.agent_count) for s in found] == [
        ("银子回笼", "退款", 2, 2)]


def test_pairs_the_synonyms_already_join_are_not_suggested(users):
    event(users["agent"], "退钱", 10, hits=0)  # the lexicon joins 退钱 and 退款 already
    event(users["agent"], "退款", 9, clicked=True)
    assert suggestions.mined() == []


@pytest.fixture
def mined(users):
    factories.article("refund", "退款说明", "退款三个工作日内原路退回。")
    for minutes in (30, 10):
        event(users["agent"], "银子回笼", minutes, hits=0)
        event(users["agent"], "退款", minutes - 1, clicked=True)
    return users


@pytest.mark.parametrize("decision, words, one_way", [
    ("group", ["银子回笼", "退款"], False), ("one_way", ["银子回笼", "退款"], True)])
def test_a_trainer_accepts_a_suggestion(as_role, mined, decision, words, one_way):
    client = as_role("trainer")
    page = client.get("/search/synonyms").get_data(as_text=True)
    assert "银子回笼" in page and "Same meaning" in page
    token = csrf_token(client, "/search/synonyms")
    client.post("/search/synonyms/suggestions", data={
        "source": "银子回笼", "target": "退款", "decision": decision, "csrf_token": token})
    group = db.session.scalar(select(SynonymGroup))
    assert group.terms == words and group.one_way is one_way
    assert slugs("银子回笼")[:1] == ["refund"]
    assert suggestions.mined() == []
    assert "银子回笼" not in client.get("/search/synonyms").get_data(as_text=True).split(
        'id="own"')[0]


def test_a_trainer_dismisses_a_suggestion(as_role, mined):
    client = as_role("trainer")
    token = csrf_token(client, "/search/synonyms")
    page = client.post("/search/synonyms/suggestions", data={
        "source": "银子回笼", "target": "退款", "decision": "dismissed", "csrf_token": token},
        follow_redirects=True).get_data(as_text=True)
    assert "Suggestion dismissed." in page
    assert db.session.scalar(select(SuggestionDecision)).decision == "dismissed"
    assert db.session.scalar(select(SynonymGroup)) is None
    assert suggestions.mined() == []
    assert slugs("银子回笼") == []
