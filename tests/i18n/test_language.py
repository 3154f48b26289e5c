"""Which interface language does a person get: browser, switch (menu and login page), account?"""
import pytest

from kb_portal.accounts.models import User
from kb_portal.extensions import db
from kb_portal.i18n.locales import from_browser_tag

from ..conftest import csrf_token


@pytest.mark.parametrize(("tag", "locale"), [
    ("zh-TW", "zh_Hant"), ("zh-HK", "zh_Hant"), ("zh-MO", "zh_Hant"), ("zh-Hant", "zh_Hant"),
    ("zh-Hant-HK", "zh_Hant"), ("zh_TW", "zh_Hant"), ("zh-CN", "zh"), ("zh", "zh"),
    ("zh-Hans-SG", "zh"), ("zh-SG", "zh"), ("en-GB", "en"), ("fr", None)])
def test_browser_language_tags_map_to_interface_languages(tag, locale):
    assert from_browser_tag(tag) == locale


def test_a_taiwanese_browser_gets_the_traditional_interface(client):
    html = client.get("/login", headers={"Accept-Language": "zh-TW,zh;q=0.9,en;q=0.5"}) \
        .get_data(as_text=True)
    assert '<html lang="zh-Hant">' in html
    assert "登入" in html and "记住我" not in html and "記住我" in html


def test_the_first_language_we_ship_wins(client):
    html = client.get("/login", headers={"Accept-Language": "fr-FR,zh-HK;q=0.8,en;q=0.5"}) \
        .get_data(as_text=True)
    assert '<html lang="zh-Hant">' in html


def test_the_login_page_switch_changes_the_language_before_logging_in(client):
    token = csrf_token(client)
    response = client.post("/language", data={"csrf_token": token, "locale": "zh_Hant",
                                              "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    html = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="zh-Hant">' in html
    assert 'value="en"' in html and 'value="zh"' in html  # the other two languages offered


def test_the_menu_switch_is_kept_as_the_users_preference(as_role, users):
    client = as_role("trainer")
    home = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'action="/language"' in home  # the switch is in the menu
    client.post("/language", data={"csrf_token": csrf_token(client, "/"), "locale": "zh_Hant",
                                   "next": "/kb/health"})
    assert db.session.get(User, users["trainer"].id).locale == "zh_Hant"
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "內容健康" in html and "產品" in html and "产品" not in html


def test_the_switch_refuses_unknown_languages_and_foreign_targets(client):
    token = csrf_token(client)
    assert client.post("/language", data={"csrf_token": token, "locale": "de"}).status_code == 400
    response = client.post("/language", data={"csrf_token": token, "locale": "en",
                                              "next": "//evil.example/x"})
    assert response.headers["Location"] == "/"
    assert client.post("/language", data={"locale": "en"}).status_code == 400  # no CSRF token


def test_the_account_preference_replaces_an_earlier_switch(as_role, users):
    client = as_role("agent")
    client.post("/language", data={"csrf_token": csrf_token(client, "/"), "locale": "zh"})
    client.post("/account/preferences", data={"csrf_token": csrf_token(client, "/account"),
                                              "locale": ""})
    assert db.session.get(User, users["agent"].id).locale is None
    html = client.get("/", headers={"Accept-Language": "zh-HK"}).get_data(as_text=True)
    assert '<html lang="zh-Hant">' in html
