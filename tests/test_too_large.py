"""Every 413 says what was too large and the limit, in the reader's language, as JSON when
the request asks for JSON (issue 17 point 5: "The upload is too large." on a form that uploads
nothing)."""
import pytest
from werkzeug.exceptions import RequestEntityTooLarge

from kb_portal.api.errors import http_error
from kb_portal.request_limits import format_size

from .conftest import csrf_token
from .kb.test_editor_views import form_data


@pytest.fixture
def small_limit(app):
    app.config["MAX_CONTENT_LENGTH"] = 100_000
    return app


def post_login(client, size: int, **headers):
    return client.post("/login", data={"username": "x" * size, "password": "p"},
                       headers=headers)


@pytest.mark.parametrize(("size", "expected"), [(800, "800 bytes"), (100_000, "97.7 KB"),
                                                (4 * 1024 * 1024, "4 MB"),
                                                (5 * 1024 * 1024 + 1024 * 1024, "6 MB")])
def test_sizes_read_as_people_read_them(size, expected):
    assert format_size(size) == expected


def test_a_form_post_over_the_request_limit_says_what_and_the_limit(small_limit, client):
    response = post_login(client, 200_000)
    html = response.get_data(as_text=True)
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "What you sent (195.3 KB) is larger than this page accepts: at most 97.7 KB." \
        in html
    assert "upload" not in html


@pytest.mark.parametrize(("browser", "expected"), [
    ("zh-CN,zh;q=0.9", "您发送的内容（195.3 KB）超过了此页面的上限：最多 97.7 KB。"),
    ("zh-TW", "您發送的內容（195.3 KB）超過了此頁面的上限：最多 97.7 KB。")])
def test_the_message_is_in_the_readers_language(small_limit, client, browser, expected):
    response = post_login(client, 200_000, **{"Accept-Language": browser})
    assert expected in response.get_data(as_text=True)


def test_a_script_that_asks_for_json_gets_json(small_limit, client):
    response = post_login(client, 200_000, Accept="application/json")
    assert response.status_code == 413
    assert response.json == {"error": {"status": 413, "message": (
        "What you sent (195.3 KB) is larger than this page accepts: at most 97.7 KB.")}}


def test_one_field_over_the_form_memory_limit_names_the_field_limit(app, client):
    app.config["MAX_FORM_MEMORY_SIZE"] = 10_000
    response = client.post("/login", data={"username": "x" * 20_000, "password": "p"},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "A field of this form is larger than this page accepts: at most 9.8 KB per field." \
        in response.get_data(as_text=True)


def test_the_editor_answers_json_to_a_script_and_its_own_page_to_a_browser(app, users,
                                                                           as_role):
    app.config["KB_ARTICLE_MAX_BYTES"] = 100_000
    trainer = as_role("trainer")
    data = form_data(trainer, "/kb/new", title="大文章", slug="big", body="字" * 200_000)
    as_json = trainer.post("/kb/new", data=data, content_type="multipart/form-data",
                           headers={"Accept": "application/json"})
    assert as_json.status_code == 413 and as_json.json["reason"] == "too_large"
    assert "larger than the limit of 97.7 KB" in as_json.json["error"]
    page = trainer.post("/kb/new", data=data, content_type="multipart/form-data")
    assert page.status_code == 413 and 'id="back-to-editor"' in page.get_data(as_text=True)
    assert csrf_token(trainer, "/kb/new")  # the session goes on


def test_the_api_says_what_was_too_large_in_its_json_shape(small_limit):
    with small_limit.test_request_context("/api/v1/search", method="POST",
                                          data=b"x" * 300_000):
        response = http_error(RequestEntityTooLarge())
    assert response.status_code == 413
    assert response.json == {"error": {"status": 413, "message": (
        "What you sent (293 KB) is larger than this page accepts: at most 97.7 KB.")}}
