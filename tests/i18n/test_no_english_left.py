"""Is any English left on the Chinese pages — flash messages and history wording included?

Every page an admin can open, and the pages shown after the actions trainers take every day
(create, save, submit, return with a reason, publish, archive, restore, a bad quiz upload), is
read in 简体中文 and 繁體中文 with Chinese-only content. Visible text and the attributes people
read or hear (title, placeholder, aria-label, alt) must contain no English word except names
of formats and keys, and the test data's own user names and slugs.
"""
import io
import re
from html.parser import HTMLParser

import pytest

from kb_portal.extensions import db
from kb_portal.kb.models import Article

from ..conftest import csrf_token, login, route_url, routes

LOCALES = {"zh": "zh-CN,zh;q=0.9", "zh_Hant": "zh-TW,zh;q=0.9"}
# Names of formats, keys and protocols: the same in every language.
ALLOWED = {"markdown", "csv", "yaml", "yml", "gift", "moodle", "api", "url", "sop", "utf", "ctrl",
           "esc", "tab", "shift", "enter", "zip", "slug", "id", "true", "false", "kb", "mb",
           "json", "html", "pdf", "english", "png", "jpg", "jpeg", "gif", "webp", "docx",
           "xlsx", "pptx", "txt", "heading", "mrr", "no", "pw", "b", "i", "h2", "e", "yf", "cj",
           "title", "prompt", "choices", "answer", "article", "quiz", "track", "kind", "steps",
           "questions", "image"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
SKIP_TAGS = {"script", "style", "code", "pre", "kbd", "textarea"}
READ_ATTRS = {"title", "placeholder", "aria-label", "alt"}


class _Text(HTMLParser):
    """Collect what a person reads or hears: text outside code, and a few attributes."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skipping += 1
        self.parts.extend(v for k, v in attrs if k in READ_ATTRS and v)

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def english_words(html: str, known: set[str]) -> set[str]:
    parser = _Text()
    parser.feed(html)
    words = set()
    for part in parser.parts:
        for word in WORD.findall(part):
            if word.lower() not in ALLOWED and word.lower() not in known:
                words.add(word)
    return words


def _data_words() -> set[str]:
    """User names, display names and slugs of the test data (shown as they are)."""
    from kb_portal.accounts.models import User
    from kb_portal.kb.models import Attachment
    from kb_portal.training.models import Quiz, Track

    words = set()
    for text in [*db.session.scalars(db.select(User.username)),
                 *db.session.scalars(db.select(User.display_name)),
                 *db.session.scalars(db.select(Article.slug)),
                 *db.session.scalars(db.select(Quiz.slug)),
                 *db.session.scalars(db.select(Track.slug)),
                 *db.session.scalars(db.select(Attachment.filename)), "factory"]:
        words.update(w.lower() for w in WORD.findall(text or ""))
    return words


def _lexicon_words() -> set[str]:
    """The words of the built-in synonym lexicon: the Synonyms page lists its groups (English
    members included) as written — content, not interface text, so allowed on that page only."""
    from kb_portal.search import lexicon

    return {w.lower() for group in lexicon.load().groups
            for text in (group.key, *group.members) for w in WORD.findall(text)}


def _daily_work(app, users, locale: str) -> list[tuple[str, str]]:
    """Do what trainers do every day; return (what, page shown afterwards) for each step."""
    trainer, reviewer = app.test_client(), app.test_client()
    for client in (trainer, reviewer):
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = LOCALES[locale]
    login(trainer, users["trainer"].username)
    login(reviewer, users["trainer2"].username)
    shown = []

    def post(client, what, url, data, origin="/"):
        data = {"csrf_token": csrf_token(client, origin), **data}
        shown.append((what, client.post(url, data=data, follow_redirects=True)
                      .get_data(as_text=True)))

    post(trainer, "create", "/kb/new", {
        "title": "退款政策", "slug": "refund-policy", "category": "policy",
        "language": "zh-Hans", "body": "## 条件\n七天内可退。", "owner": "trainer1"},
        "/kb/new")
    article = db.session.scalar(db.select(Article).where(Article.slug == "refund-policy"))
    post(trainer, "save", "/a/refund-policy/edit", {
        "title": "退款政策", "slug": "refund-policy", "category": "policy",
        "language": "zh-Hans", "body": "## 条件\n七天内可退，需凭证。", "owner": "trainer1",
        "base_revision_id": article.head_revision_id}, "/a/refund-policy/edit")
    def page(client, url):
        shown.append((f"page {url}", client.get(url).get_data(as_text=True)))

    # (who, action, form): the author submits, the reviewer returns it with a reason, …
    for who, action, data in (
            (trainer, "submit", {}), (reviewer, "return", {"note": "请补充凭证的要求"}),
            (trainer, "submit", {}), (reviewer, "publish", {}),
            (trainer, "archive", {"note": "政策已停用"}), (reviewer, "keep", {"note": "仍有效"}),
            (trainer, "archive", {"note": "政策已停用"}), (reviewer, "archive", {"note": "确认"}),
            (trainer, "unarchive", {})):
        db.session.expire_all()
        post(who, action, f"/a/refund-policy/{action}",
             {"revision_id": article.head_revision_id, **data})
        if action == "return":
            page(trainer, "/kb/my-work")
            page(trainer, "/a/refund-policy/edit")
        elif action == "submit":
            page(reviewer, "/a/refund-policy/diff")
            page(reviewer, "/kb/my-work")
    page(trainer, "/search?q=退款政策")
    post(trainer, "restore", "/a/refund-policy/restore/1",
         {"base_revision_id": article.head_revision_id, "note": "恢复原文"})
    # A quiz file with a mistake: the upload page shows the import error.
    bad_quiz = "title: 退款测验\nquestions:\n  - {id: q1, type: single, prompt: 几天？}\n"
    shown.append(("quiz upload", trainer.post("/training/manage", data={
        "csrf_token": csrf_token(trainer, "/training/manage"),
        "file": (io.BytesIO(bad_quiz.encode()), "refund-quiz.yaml")},
        follow_redirects=True).get_data(as_text=True)))
    return shown


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_no_english_is_left_on_chinese_pages(app, users, sample_values, locale):
    for user in users.values():
        user.display_name = f"测试{user.username[-1]}号"
    db.session.commit()
    steps = _daily_work(app, users, locale)
    admin = app.test_client()
    login(admin, users["admin"].username)
    admin.post("/language", data={"csrf_token": csrf_token(admin, "/"), "locale": locale})
    pages = [(url, admin.get(url)) for url in _admin_pages(app, sample_values)]
    known = _data_words()
    with_lexicon = known | _lexicon_words()
    problems = []
    for url, response in pages:
        if response.status_code == 200 and response.mimetype == "text/html":
            allowed = with_lexicon if url.startswith("/search/synonyms") else known
            problems += [f"{url}: {w}" for w in english_words(response.get_data(as_text=True),
                                                               allowed)]
    for what, html in steps:  # the trainers' own pages: in the locale their browser asks for
        expected = "flash-error" if what == "quiz upload" else \
            "" if what.startswith("page") else "flash-success"
        assert expected in html, f"{what} did not happen:\n{re.findall(r'flash-.*', html)}"
        problems += [f"after {what}: {w}" for w in english_words(html, known)]
    assert len(pages) > 25
    assert not problems, "English on Chinese pages:\n" + "\n".join(sorted(set(problems)))


def _admin_pages(app, sample_values) -> list[str]:
    urls = []
    for rule, method, _access in routes(app):
        url = route_url(rule, sample_values)
        if method == "GET" and "/logout" not in url:
            urls.append(url)
    return [*urls, "/a/refund-policy/history", "/a/refund-policy/diff?from=1&to=2"]
