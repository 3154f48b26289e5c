"""Big articles (issue 17 point 5): a documented size limit checked before the body is read,
answered in the editor's language with a page that keeps the draft; preview up to the limit."""
import io

from kb_portal.extensions import db
from kb_portal.kb.services import get_article

from ..conftest import csrf_token
from .test_editor_views import form_data

BIG = "## 大文章\n" + "退款须在收到退货后三个工作日内完成。\n\n" * 20_000  # ~1.1 MB UTF-8


def test_preview_works_past_the_old_500_kb_form_field_cap(app, users, as_role):
    trainer = as_role("trainer")
    token = csrf_token(trainer, "/kb/new")
    response = trainer.post("/kb/preview", data={"body": BIG, "csrf_token": token},
                            content_type="multipart/form-data")
    assert response.status_code == 200
    assert response.json["html"].count("<p>") == 20_000


def test_a_body_just_over_the_limit_is_refused_in_the_form_keeping_the_text(app, users,
                                                                             as_role):
    app.config["KB_ARTICLE_MAX_BYTES"] = 100_000
    trainer = as_role("trainer")
    data = form_data(trainer, "/kb/new", title="大文章", slug="big", body="字" * 40_000)
    response = trainer.post("/kb/new", data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "larger than the limit of 97.7 KB" in html
    assert "字" * 40_000 in html  # the text is still in the editor
    assert get_article("big") is None


def test_a_far_larger_body_gets_the_editor_page_before_it_is_read(app, users, as_role):
    app.config["KB_ARTICLE_MAX_BYTES"] = 100_000
    users["trainer"].locale = "zh"
    db.session.commit()
    trainer = as_role("trainer")
    data = form_data(trainer, "/kb/new", title="大文章", slug="big", body="字" * 200_000)
    response = trainer.post("/kb/new", data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert 'id="back-to-editor" href="/kb/new"' in html or 'href="/kb/new" id="back-to-editor"' \
        in html
    assert "文章没有保存" in html  # the trainer's language
    preview = trainer.post("/kb/preview", data={"body": "字" * 200_000, "csrf_token": "x"},
                           content_type="multipart/form-data")
    assert preview.status_code == 413 and preview.json["reason"] == "too_large"


def test_the_limit_is_checked_on_content_length_before_reading(app, users, as_role):
    app.config["KB_ARTICLE_MAX_BYTES"] = 100_000
    trainer = as_role("trainer")
    read = []

    class Body(io.BytesIO):
        """A request body that records whether anyone read it."""

        def read(self, *args):
            read.append(args)
            return super().read(*args)

    response = trainer.post("/kb/new", environ_overrides={
        "wsgi.input": Body(b""), "CONTENT_TYPE": "multipart/form-data; boundary=x",
        "CONTENT_LENGTH": "50000000"})
    assert response.status_code == 413 and read == []


def test_other_endpoints_keep_the_app_wide_limit(app):
    from kb_portal.request_limits import LimitedRequest

    with app.test_request_context("/login", method="POST"):
        from flask import request
        assert isinstance(request, LimitedRequest)
        assert request.max_content_length == app.config["MAX_CONTENT_LENGTH"]
