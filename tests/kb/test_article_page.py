"""The article page's derived HTML (link marks, table of contents) is remembered per revision
and never goes stale when other articles appear, move or go (issue 17: big articles open fast;
``bench/article_open.py`` measures the speed)."""
from kb_portal import transaction
from kb_portal.kb.editing import rename_slug
from kb_portal.kb.render_cache import HtmlCache
from kb_portal.kb.services import get_article

from .. import factories

BODY = ("## 步骤\n见[退款](refund-rules)、[旧地址](old-name)与[未写](not-written)。\n\n"
        "### A &amp; B\n正文\n")


def marks(html: str) -> dict[str, bool]:
    """slug → whether its link is marked broken, for the three links of BODY."""
    return {slug: f'class="kb-link broken" data-kb-slug="{slug}"' in html
            for slug in ("refund-rules", "old-name", "not-written")}


def test_links_are_marked_by_what_resolves_now_not_when_first_shown(app, users, as_role):
    factories.article("linker", "链接页", BODY)
    agent = as_role("agent")
    first = agent.get("/a/linker").get_data(as_text=True)
    assert marks(first) == {"refund-rules": True, "old-name": True, "not-written": True}
    factories.article("refund-rules", "退款规则", "正文")
    moved = factories.article("old-name", "旧文章", "正文")
    rename_slug(moved, "new-name")
    transaction.commit()
    assert marks(agent.get("/a/linker").get_data(as_text=True)) == {
        "refund-rules": False, "old-name": False, "not-written": True}
    api = agent.get("/api/v1/articles/linker").get_json()
    assert marks(api["html"]) == {"refund-rules": False, "old-name": False, "not-written": True}
    factories.article("refund-rules", "退款规则", "正文", status="archived")
    assert marks(agent.get("/a/linker").get_data(as_text=True))["refund-rules"] is True


def test_the_table_of_contents_is_drawn_from_the_revision(app, users, as_role):
    factories.article("linker", "链接页", BODY)
    html = as_role("agent").get("/a/linker").get_data(as_text=True)
    assert ('<ol><li class="toc-l2"><a href="#步骤">步骤</a></li><li class="toc-l3">'
            '<a href="#a--b">A &amp; B</a></li></ol>') in html
    factories.article("linker", "链接页", "没有标题的正文")
    assert get_article("linker").current.number == 2
    assert 'class="toc"' not in as_role("agent").get("/a/linker").get_data(as_text=True)


def test_the_trainers_revision_page_marks_links_the_same_way(app, users, as_role):
    factories.article("linker", "链接页", BODY)
    factories.article("refund-rules", "退款规则", "正文")
    html = as_role("trainer").get("/a/linker/r/1").get_data(as_text=True)
    assert marks(html) == {"refund-rules": False, "old-name": True, "not-written": True}


def test_the_cache_forgets_the_least_recently_used_first():
    cache = HtmlCache(max_chars=30)
    cache.put("a", "<p>a</p>", 13)
    cache.put("b", "<p>b</p>", 13)
    assert cache.get("a") == "<p>a</p>"  # a is now the most recent
    cache.put("c", "<p>c</p>", 13)  # 39 > 30: b goes
    assert cache.get("b") is None
    assert cache.get("a") and cache.get("c")
    cache.put("d", "too big to keep", 31)
    assert cache.get("d") is None and cache.get("c")
