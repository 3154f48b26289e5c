"""Changed since you last read: the re-read banner, the home page list and the agents' diff."""
from datetime import timedelta

import pytest

from kb_portal.extensions import db
from kb_portal.kb import rereads, workflow
from kb_portal.kb.models import ArticleView
from tests import factories

from ..conftest import login
from .helpers import draft, edit


@pytest.fixture
def published(app, users):
    article = draft(users["trainer"], body="## 时限\n3 个工作日内退回。")
    workflow.publish(article, users["trainer"], article.head_revision_id)
    return article


def republish(article, trainer, body, note, reread=True):
    edit(article, trainer, note=note, body=body)
    workflow.publish(article, trainer, article.head_revision_id, requires_reread=reread)


def test_an_agent_who_read_the_old_text_sees_the_banner_once(published, users, as_role):
    agent = as_role("agent")
    assert "reread-banner" not in agent.get("/a/refund-rules").get_data(as_text=True)
    republish(published, users["trainer"], "## 时限\n5 个工作日内退回。", "时限改为 5 个工作日")
    home = agent.get("/").get_data(as_text=True)
    assert 'id="changed-since"' in home and "时限改为 5 个工作日" in home
    page = agent.get("/a/refund-rules").get_data(as_text=True)
    assert 'id="reread-banner"' in page and "时限改为 5 个工作日" in page
    assert "/a/refund-rules/changes?from=1" in page
    # Opening it was reading it: no banner, nothing listed any more.
    assert "reread-banner" not in agent.get("/a/refund-rules").get_data(as_text=True)
    assert 'id="changed-since"' not in agent.get("/").get_data(as_text=True)


def test_no_banner_for_an_agent_who_never_read_it_or_for_a_change_without_reread(
        published, users, app, as_role):
    reader = as_role("agent")
    reader.get("/a/refund-rules")
    republish(published, users["trainer"], "## 时限\n措辞调整。", "typo", reread=False)
    assert "reread-banner" not in reader.get("/a/refund-rules").get_data(as_text=True)
    republish(published, users["trainer"], "## 时限\n7 个工作日。", "改为 7 天")
    factories.user("agent2", "agent")
    newcomer = app.test_client()
    login(newcomer, "agent2")
    assert "reread-banner" not in newcomer.get("/a/refund-rules").get_data(as_text=True)
    assert "reread-banner" in reader.get("/a/refund-rules").get_data(as_text=True)


def test_views_recorded_before_revisions_were_kept_count_by_time(published, users):
    agent = users["agent"]
    db.session.add(ArticleView(article_id=published.id, user_id=agent.id,
                               day=published.updated_at.date() - timedelta(days=3),
                               last_viewed_at=published.updated_at - timedelta(days=3)))
    db.session.commit()
    republish(published, users["trainer"], "## 时限\n5 个工作日。", "改时限")
    unread = rereads.unread_for(published, agent)
    assert [r.number for r in unread.revisions] == [2]
    assert rereads.diff_start(unread) == 1  # the last text published before the change


def test_agents_diff_shows_published_changes_and_never_a_draft(published, users, as_role):
    republish(published, users["trainer"], "## 时限\n5 个工作日内退回。", "改为 5 天")
    edit(published, users["trainer"], note="draft", body="## 时限\n草稿里的秘密。")
    page = as_role("agent").get("/a/refund-rules/changes?from=1").get_data(as_text=True)
    assert "改为 5 天" in page and "个工作日内退回" in page
    assert "草稿里的秘密" not in page
    # A "from" that is not a published revision falls back to one that is.
    page = as_role("agent").get("/a/refund-rules/changes?from=99").get_data(as_text=True)
    assert "草稿里的秘密" not in page and "改为 5 天" in page
