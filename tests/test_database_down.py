"""When the database cannot be reached: 503 with Retry-After (a page without a database, JSON
for the API), never a 500; and the next request after it is back works without a restart."""
import sqlite3

import pytest
from sqlalchemy import event

from kb_portal.accounts.services import create_token
from kb_portal.extensions import db
from tests import factories


@pytest.fixture
def database_down(app):
    """Make every new connection fail as a stopped server would, until the fixture ends."""
    def refuse(*_args):
        raise sqlite3.OperationalError("connection refused: the server is not running")

    def down():
        db.session.remove()
        db.engine.dispose()
        event.listen(db.engine, "do_connect", refuse)

    def up():
        event.remove(db.engine, "do_connect", refuse)

    yield down, up
    if event.contains(db.engine, "do_connect", refuse):
        up()


def test_pages_and_the_api_answer_503_then_recover(app, as_role, users, database_down):
    factories.article("refund-policy", "退款政策", "3个工作日到账", category="policy")
    agent = as_role("agent")
    token = create_token(users["agent"])
    db.session.commit()  # services flush; the caller commits
    api = {"Authorization": f"Bearer {token}"}
    from tests.conftest import csrf_token

    token_field = csrf_token(agent, "/")
    down, up = database_down
    down()
    page = agent.get("/", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 503 and page.headers["Retry-After"].isdigit()
    assert "数据库" in page.get_data(as_text=True)  # the page in the browser's language
    response = app.test_client().get("/api/v1/search?q=退款", headers=api)
    assert response.status_code == 503
    assert response.get_json()["error"]["status"] == 503
    assert agent.post("/search/synonyms", data={"terms": "a, b"}).status_code == 503  # no CSRF
    assert agent.post("/search/synonyms",
                      data={"terms": "a, b", "csrf_token": token_field}).status_code == 503
    up()
    assert agent.get("/").status_code == 200
    again = app.test_client().get("/api/v1/search?q=退款", headers=api)
    assert again.get_json()["total"] == 1, again.get_json()
