"""The search pages: results without JavaScript, click and search logging, trainer pages."""
import re

import pytest
from sqlalchemy import select

from kb_portal.extensions import db
from kb_portal.search.models import SearchEvent, SynonymGroup
from kb_portal.search.state import search_state
from tests import factories

from ..conftest import csrf_token
from .helpers import statements
from .hostile import HOSTILE


@pytest.fixture
def articles(app):
    factories.article("refund-flow", "退款流程", "客户可以申请退款，3 个工作日内到账。",
                      category="policy", tags=["退款"])
    factories.article("returns-en", "Returns guide", "Refunds after inspection.",
                      category="sop", language="en")


def test_results_page_works_without_javascript(as_role, articles):
    page = as_role("agent").get("/search?q=退款").get_data(as_text=True)
    assert "<mark>退款</mark>流程" in page and "申请<mark>退款</mark>" in page
    assert "/search/open?" in page and "slug=refund-flow" in page


def test_results_page_filters_and_sort(as_role, articles):
    client = as_role("agent")
    page = client.get("/search?q=refund&category=sop&sort=updated").get_data(as_text=True)
    assert "Returns guide" in page and "退款流程" not in page


def test_results_page_without_query_and_with_bad_parameters(as_role, articles):
    client = as_role("agent")
    assert client.get("/search").status_code == 200
    response = client.get("/search?q=退款&page=-1&limit=abc&sort=bogus")
    assert response.status_code == 200 and "flash-error" in response.get_data(as_text=True)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_on_the_results_page(module_agent, text):
    response = module_agent.get("/search", query_string={"q": text})
    assert response.status_code == 200


def test_every_search_is_logged_and_keystrokes_count_once(as_role, articles, users):
    client = as_role("agent")
    for typed in ("退", "退款", "退款 到"):
        # The row is written once the response is sent (closed).
        client.get("/api/v1/search", query_string={"q": typed, "sid": "abc123"}).close()
    events = db.session.scalars(select(SearchEvent)).all()
    assert len(events) == 1
    assert events[0].query == "退款 到" and events[0].keystrokes == 3
    assert events[0].user_id == users["agent"].id and events[0].source == "live"


def test_a_keystroke_costs_the_database_one_log_statement_and_no_category_read(
        as_role, articles):
    # ...nor a read of the answer cards of results it already showed (revisions never change)
    client = as_role("agent")
    search_state().category_names.ttl = 60  # as on a server (tests read them every time)
    client.get("/api/v1/search", query_string={"q": "退款", "sid": "k1"}).close()
    with statements() as seen:
        found = client.get("/api/v1/search", query_string={"q": "退款流", "sid": "k1"})
        found.close()
    assert [hit["slug"] for hit in found.get_json()["results"]][:1] == ["refund-flow"]
    logged = [s.lstrip().split()[0].upper() for s in seen if "session_key" in s]
    assert logged == ["UPDATE"], seen  # no look-up of the event before it is updated
    assert not [s for s in seen if "from category" in s.lower()], seen
    assert not [s for s in seen if "from revision" in s.lower()], seen
    event = db.session.scalars(select(SearchEvent)).one()
    assert (event.query, event.keystrokes) == ("退款流", 2)


def test_a_nul_character_in_a_query_is_answered_and_logged_without_it(as_role, articles):
    # PostgreSQL text cannot hold U+0000: the log (and the click boost's look-up) failed there.
    client = as_role("agent")
    response = client.get("/search", query_string={"q": "退款\x00"})
    response.close()  # the row is written once the response is sent
    assert response.status_code == 200
    client.get("/api/v1/search", query_string={"q": "\x00到账"}).close()
    assert {e.query for e in db.session.scalars(select(SearchEvent))} == {"退款", "到账"}


def test_a_correction_is_offered_beside_what_was_found_and_keeps_the_filter(as_role, articles):
    # The typo fallback already finds the article; "Did you mean" names the word it used, and
    # its link keeps the category the agent had chosen.
    factories.article("escalation", "Escalation to a supervisor",
                      "When the caller asks for a supervisor, escalate within 10 minutes.",
                      category="sop", language="en")
    page = as_role("agent").get("/search?q=esclation&category=sop").get_data(as_text=True)
    assert "slug=escalation" in page
    link = re.search(r'Did you mean\s*<a href="([^"]+)">escalation</a>', page)
    assert link and "q=escalation" in link.group(1) and "category=sop" in link.group(1)
    followed = as_role("agent").get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "slug=escalation" in followed and 'class="did-you-mean' not in followed
    # filtered to a category without it, nothing is found and nothing is suggested
    page = as_role("agent").get("/search?q=esclation&category=policy").get_data(as_text=True)
    assert 'id="zero-results"' in page and 'class="did-you-mean' not in page


def test_keystrokes_without_a_session_key_are_merged_too(as_role, articles):
    client = as_role("agent")
    for typed in ("ref", "refu", "refund"):
        client.get("/api/v1/search", query_string={"q": typed}).close()
    client.get("/api/v1/search", query_string={"q": "退款"}).close()
    assert [e.query for e in db.session.scalars(select(SearchEvent).order_by(SearchEvent.id))] \
        == ["refund", "退款"]


def test_opening_a_result_logs_the_click_and_highlights(as_role, articles):
    client = as_role("agent")
    client.get("/search?q=退款&sid=s1").close()
    response = client.get("/search/open?slug=refund-flow&q=退款&rank=1&sid=s1&hl=退款")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/a/refund-flow?")
    event = db.session.scalar(select(SearchEvent))
    assert event.clicked_rank == 1 and event.clicked_article_id is not None
    article = client.get(response.headers["Location"])
    assert article.status_code == 200 and b"search.js" in article.data


def test_open_without_a_slug_goes_home(as_role):
    assert as_role("agent").get("/search/open").headers["Location"] == "/"


def test_trainer_edits_synonym_groups(as_role, articles):
    client = as_role("trainer")
    token = csrf_token(client, "/search/synonyms")
    client.post("/search/synonyms", data={"terms": "退款, 银子回笼，refund", "csrf_token": token})
    group = db.session.scalar(select(SynonymGroup))
    assert group.terms == ["退款", "银子回笼", "refund"]
    page = as_role("agent").get("/search?q=银子回笼").get_data(as_text=True)
    assert "slug=refund-flow" in page
    client.post(f"/search/synonyms/{group.id}", data={"terms": "退款, 银子回来",
                                                     "csrf_token": token})
    assert db.session.get(SynonymGroup, group.id).terms == ["退款", "银子回来"]
    client.post(f"/search/synonyms/{group.id}", data={"delete": "1", "csrf_token": token})
    assert db.session.get(SynonymGroup, group.id) is None


def test_a_group_needs_two_words(as_role):
    client = as_role("trainer")
    token = csrf_token(client, "/search/synonyms")
    response = client.post("/search/synonyms", data={"terms": "退款", "csrf_token": token},
                           follow_redirects=True)
    assert "at least two words" in response.get_data(as_text=True)
    assert db.session.scalar(select(SynonymGroup)) is None


def test_agents_cannot_edit_synonyms_or_see_analytics(as_role):
    client = as_role("agent")
    assert client.get("/search/synonyms").status_code == 403
    assert client.get("/search/analytics").status_code == 403


def test_analytics_shows_top_zero_result_and_unopened_queries(as_role, articles):
    agent = as_role("agent")
    for q in ("退款", "不存在的词语", "refund"):
        agent.get("/search", query_string={"q": q}).close()
    agent.get("/search/open?slug=returns-en&q=refund&rank=1")
    trainer = as_role("trainer")

    def rows(view):
        page = trainer.get(f"/search/analytics?days=30&view={view}").get_data(as_text=True)
        return page.split("<tbody>")[1].split("</tbody>")[0]

    zero, no_click, top = rows("zero"), rows("no_click"), rows("top")
    assert "不存在的词语" in zero and "退款" not in zero
    assert "退款" in no_click and "refund" not in no_click
    assert all(q in top for q in ("退款", "不存在的词语", "refund"))
    # every row says what to do about it
    assert "Write an article" in zero and "title=%E4%B8%8D%E5%AD%98" in zero
    assert "Add a synonym" in no_click and "See results" in no_click
    assert as_role("trainer").get("/search/analytics?days=bogus").status_code == 200
