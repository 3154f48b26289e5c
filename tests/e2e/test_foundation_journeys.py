"""Can each role log in, open an article from the home page, and is an agent kept out of admin?"""
import re

import pytest

from .conftest import shot

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("role", ["agent", "trainer", "admin"])
def test_each_role_logs_in_and_sees_the_home_page(page_as, role):
    page = page_as(role)
    assert page.url.endswith("/")
    assert page.locator("#search-box").is_visible()
    assert page.locator(".category-tiles a").count() >= 3
    shot(page, f"home-{role}")


def test_agent_opens_an_article_from_the_home_page(page_as):
    page = page_as("agent")
    first = page.locator(".article-list a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r".*/a/.+"))
    assert page.locator("h1").inner_text() == title
    assert page.locator(".article-body").inner_text().strip()
    assert page.locator("nav.toc a").count() > 0
    shot(page, "article-agent")


def test_agent_is_refused_the_admin_page(page_as, live_server):
    page = page_as("agent")
    response = page.goto(live_server.url + "/admin/users")
    assert response.status == 403
    assert page.locator("nav.mainnav").get_by_text("Users").count() == 0
    shot(page, "agent-refused-admin")


def test_home_page_works_on_a_phone(page_as):
    page = page_as("agent", viewport={"width": 390, "height": 844})
    assert page.locator("#search-box").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the home page must not scroll sideways on a phone"
    shot(page, "home-phone")
