"""Do downloads say what they are exactly once: CSV as ``text/csv; charset=utf-8``?"""
from .conftest import login, route_url, routes


def test_every_response_names_its_charset_at_most_once_and_csv_exactly(app, users,
                                                                        sample_values):
    client = app.test_client()
    assert login(client, users["admin"].username).status_code == 302
    seen_csv = 0
    for rule, method, _access in routes(app):
        url = route_url(rule, sample_values)
        if method != "GET" or "/logout" in url:
            continue
        response = client.get(url)
        content_type = response.headers.get("Content-Type", "")
        assert content_type.count("charset") <= 1, f"{url}: {content_type}"
        if url.endswith(".csv"):
            seen_csv += 1
            assert content_type == "text/csv; charset=utf-8", url
            assert response.headers["Content-Disposition"].startswith("attachment;")
    assert seen_csv >= 2


def test_the_favicon_is_served_to_everybody(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.data.startswith(b"\x00\x00\x01\x00")
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)
