"""Every HTML page is well-formed where tools and assistive technology care: unique ids."""
from collections import Counter
from html.parser import HTMLParser

from .conftest import login, route_url, routes


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.ids.extend(value for name, value in attrs if name == "id" and value)


def test_no_page_repeats_an_element_id(app, users, sample_values):
    client = app.test_client()
    assert login(client, users["admin"].username).status_code == 302
    problems, pages = [], 0
    for rule, method, _access in routes(app):
        url = route_url(rule, sample_values)
        if method != "GET" or "/logout" in url:
            continue
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages += 1
        parser = _Ids()
        parser.feed(response.get_data(as_text=True))
        repeated = sorted(i for i, n in Counter(parser.ids).items() if n > 1)
        if repeated:
            problems.append(f"{url}: {repeated}")
    assert pages > 25
    assert not problems, "\n".join(problems)
