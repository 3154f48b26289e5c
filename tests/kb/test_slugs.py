"""Addresses made from titles (pinyin for Chinese), checked live; help texts; templates that
keep what was typed."""
import re

import pytest

from kb_portal.kb import slugs
from kb_portal.kb.files import SLUG_RE
from kb_portal.kb.services import get_article

from .helpers import draft
from .test_editor_views import form_data


@pytest.mark.parametrize(("title", "slug"), [
    ("发票重开", "fa-piao-chong-kai"), ("發票重開", "fa-piao-chong-kai"),
    ("Invoice Reissue", "invoice-reissue"), ("重置密码", "chong-zhi-mi-ma"),
    ("YF-S2 扫地机报错 E-102", "yf-s2-sao-di-ji-bao-cuo-e-102"),
    ("退款（七天内）", "tui-kuan-qi-tian-nei"), ("Café 会员", "cafe-hui-yuan"), ("！？", "")])
def test_titles_become_readable_slugs(title, slug):
    assert slugs.slugify(title) == slug


def test_generated_slugs_are_valid_and_bounded():
    long = slugs.slugify("客户投诉受理与记录规范" * 20)
    assert SLUG_RE.match(long) and len(long) <= slugs.MAX_LENGTH and not long.endswith("-")
    assert SLUG_RE.match(slugs.slugify("x" * 500))


def test_a_taken_slug_gets_a_number_and_former_slugs_count_as_taken(app, users):
    article = draft(users["trainer"], slug="fa-piao-chong-kai", title="发票重开")
    assert slugs.suggest("发票重开") == "fa-piao-chong-kai-2"
    assert slugs.suggest("发票重开", article) == "fa-piao-chong-kai"  # its own address
    assert slugs.check("fa-piao-chong-kai") == "taken"
    assert slugs.check("Bad Slug") == "format" and slugs.check("new-one") is None


def test_the_editor_asks_the_server_for_a_slug_and_its_availability(app, users, as_role):
    draft(users["trainer"], slug="invoice-reissue")
    trainer = as_role("trainer")
    made = trainer.get("/kb/slug?title=Invoice Reissue").get_json()
    assert made["slug"] == "invoice-reissue-2"
    taken = trainer.get("/kb/slug?slug=invoice-reissue").get_json()
    assert taken["problem"] == "taken" and "Another article" in taken["message"]
    own = trainer.get("/kb/slug?slug=invoice-reissue&article=invoice-reissue").get_json()
    assert own["problem"] is None
    assert trainer.get("/kb/slug?slug=Not OK").get_json()["problem"] == "format"
    assert as_role("agent").get("/kb/slug?title=x").status_code == 403


def test_without_javascript_an_empty_slug_is_made_from_the_title(app, users, as_role):
    trainer = as_role("trainer")
    data = form_data(trainer, "/kb/new", title="发票重开", slug="", body="正文")
    response = trainer.post("/kb/new", data=data)
    assert response.headers["Location"].endswith("/a/fa-piao-chong-kai/edit")
    assert get_article("fa-piao-chong-kai").head_revision.title == "发票重开"


def test_every_editor_field_shows_its_help_text(app, users, as_role):
    html = as_role("trainer").get("/kb/new").get_data(as_text=True)
    for name in ("slug", "tags", "summary", "owner", "review_by"):
        assert re.search(rf'name="{name}"[^>]*aria-describedby="{name}-help"|'
                         rf'aria-describedby="{name}-help"[^>]*name="{name}"', html), name
        assert f'id="{name}-help"' in html
    assert "Separated by commas." in html and "pinyin" in html


def test_choosing_a_template_keeps_what_was_typed(app, users, as_role):
    trainer = as_role("trainer")
    data = form_data(trainer, "/kb/new", title="换货流程", slug="huan-huo-liu-cheng",
                     tags="换货", body="")
    html = trainer.post("/kb/new", data={**data, "use_template": "sop.zh-Hans"}).get_data(
        as_text=True)
    assert 'value="换货流程"' in html and 'value="huan-huo-liu-cheng"' in html
    assert 'value="换货"' in html and "## 目的" in html
    assert get_article("huan-huo-liu-cheng") is None  # choosing a template saves nothing
    # Text the trainer wrote is never replaced by a template.
    mine = trainer.post("/kb/new", data={**data, "body": "我自己写的",
                                          "use_template": "policy.zh-Hans"})
    assert "我自己写的" in mine.get_data(as_text=True)
