"""What a person does in the portal, as HTTP requests on a ``requests``-style session.

Shared by the two-server test (``tests/cluster``) and the Locust load script
(``bench/locustfile.py``: Locust's ``HttpSession`` is a ``requests.Session``). Every helper
takes the server's base URL, so one session can be pointed at several servers (a cookie made on
one is sent to the other). Pass ``**kw`` through to the session (Locust's ``name=`` groups
requests in its statistics).
"""
import html
import re

ARTICLES_PER_TRAINER = 4  # the load script's trainers each edit their own articles


def load_display_name(username: str) -> str:
    """The display name the load script gives its accounts (non-ASCII, as real names are)."""
    return f"{username} 负载"


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
BASE_REVISION = re.compile(r'name="base_revision_id" type="hidden" value="(\d+)"')
ACCOUNT_LINK = re.compile(r'href="/account" title="[^"]*">([^<]*)</a>')


def csrf_token(session, base: str, path: str = "/login", **kw) -> str:
    page = session.get(base + path, **kw)
    match = CSRF_META.search(page.text)
    if not match:
        raise RuntimeError(f"no CSRF token on {path} (status {page.status_code})")
    return match.group(1)


def login(session, base: str, username: str, password: str, **kw):
    """Log in; returns the response of the form post (a redirect is success)."""
    token = csrf_token(session, base, "/login", **kw)
    return session.post(base + "/login", data={"username": username, "password": password,
                                               "csrf_token": token},
                        allow_redirects=False, **kw)


def shown_user_name(page_html: str) -> str | None:
    """The name in the page's account link: whose page this is."""
    match = ACCOUNT_LINK.search(page_html)
    return html.unescape(match.group(1)) if match else None


def article_form(title: str, slug: str, body: str, owner: str, category: str = "sop",
                 tags: str = "", note: str = "") -> dict:
    return {"title": title, "slug": slug, "category": category, "tags": tags,
            "language": "zh-Hans", "summary": "", "owner": owner, "review_by": "",
            "body": body, "note": note}


def create_article(session, base: str, form: dict, **kw):
    """Create a draft through the editor; returns the response (302 to the editor on success)."""
    token = csrf_token(session, base, "/kb/new", **kw)
    return session.post(base + "/kb/new", data={**form, "csrf_token": token},
                        allow_redirects=False, **kw)


def open_editor(session, base: str, slug: str, **kw) -> tuple[str, int]:
    """The editor page's CSRF token and base revision id."""
    page = session.get(f"{base}/a/{slug}/edit", **kw)
    token, base_id = CSRF_META.search(page.text), BASE_REVISION.search(page.text)
    if not (token and base_id):
        raise RuntimeError(f"no editor for {slug} (status {page.status_code})")
    return token.group(1), int(base_id.group(1))


def save_article(session, base: str, slug: str, form: dict, token: str, base_id: int, **kw):
    """Save a new revision on top of ``base_id`` (302 saved, 409 conflict page)."""
    return session.post(f"{base}/a/{slug}/edit",
                        data={**form, "csrf_token": token, "base_revision_id": str(base_id)},
                        allow_redirects=False, **kw)


def publish(session, base: str, slug: str, **kw):
    """Publish the newest revision (302 back to the article)."""
    token, head = open_editor(session, base, slug, **kw)
    return session.post(f"{base}/a/{slug}/publish",
                        data={"csrf_token": token, "revision_id": str(head)},
                        allow_redirects=False, **kw)
