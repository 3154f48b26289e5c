"""Reading a page's form the way a browser sends it: every input, select and textarea of one
form (by id), for the server tests and ``bench/adversarial.py`` (``webflow.py`` does the rest)."""
from html.parser import HTMLParser


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


def editor_form(session, base: str, slug: str) -> dict[str, str]:
    """Every field of the editor for ``slug`` as the browser would send it (incl. the CSRF
    token, the base revision and the editing session's idempotency key)."""
    return read_form(session.get(f"{base}/a/{slug}/edit", timeout=60).text, "editor-form")


def new_article_form(session, base: str) -> dict[str, str]:
    """Every field of the new-article editor (with its editing session's idempotency key)."""
    return read_form(session.get(f"{base}/kb/new", timeout=60).text, "editor-form")
