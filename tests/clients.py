"""Real HTTP clients for the server tests and the bench: a logged-in ``requests`` session that
reads forms the way a browser does (every input, select and textarea of a form, by id)."""
from html.parser import HTMLParser

import requests


class _FormReader(HTMLParser):
    """Collect the fields of the form with ``form_id`` (or the first form)."""

    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.done = form_id, False, False
        self.fields: dict[str, str] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and (self.form_id is None or
                                                a.get("id") == self.form_id):
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and (
                "selected" in a or self._select not in self.fields):
            self.fields[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def read_form(html: str, form_id: str | None = None) -> dict[str, str]:
    reader = _FormReader(form_id)
    reader.feed(html)
    textarea = reader.fields
    for name, value in textarea.items():  # browsers drop one newline after <textarea>
        if value.startswith("\n"):
            textarea[name] = value[1:]
    return reader.fields


class Browser:
    """One person's browser: its own cookies, logged in as ``username``."""

    def __init__(self, base_url: str, timeout: float = 60):
        self.base_url, self.timeout = base_url, timeout
        self.http = requests.Session()

    def get(self, path: str, **kw):
        return self.http.get(self.base_url + path, timeout=self.timeout, **kw)

    def post(self, path: str, data: dict, **kw):
        return self.http.post(self.base_url + path, data=data, timeout=self.timeout,
                              allow_redirects=False, **kw)

    def login(self, username: str, password: str):
        form = read_form(self.get("/login").text)
        form.update(username=username, password=password)
        return self.post("/login", form)

    def editor_form(self, slug: str) -> dict[str, str]:
        return read_form(self.get(f"/a/{slug}/edit").text, "editor-form")
