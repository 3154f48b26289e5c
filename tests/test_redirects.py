"""``next`` targets never leave the site (issue 11, point 13): the login page and the workflow
buttons share kb_portal/redirects.py."""
import pytest

from kb_portal.redirects import local_target

from .conftest import PASSWORD, csrf_token
from .kb.helpers import draft

HOSTILE = ["//evil.example/", "/\t/evil.example/", "/\n/evil.example/", "/\\evil.example/",
           "\\\\evil.example", "https://evil.example/", "/\x00/evil.example",
           " //evil.example", "/%09/ok-is-encoded"]


@pytest.mark.parametrize("target", HOSTILE[:-1])
def test_targets_that_a_browser_would_take_off_site_are_refused(target):
    assert local_target(target) is None


def test_plain_paths_are_kept():
    assert local_target("/a/refund-rules?q=退款#steps") == "/a/refund-rules?q=退款#steps"
    assert local_target(HOSTILE[-1]) == HOSTILE[-1]  # an encoded tab is just text in a path


def test_the_workflow_next_field_cannot_redirect_off_site(app, users, as_role):
    article = draft(users["trainer"])
    trainer = as_role("trainer")
    response = trainer.post("/a/refund-rules/submit", data={
        "csrf_token": csrf_token(trainer, "/a/refund-rules"),
        "revision_id": article.head_revision_id, "next": "/\t/evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/a/refund-rules"


def test_the_login_next_parameter_cannot_redirect_off_site(client, users):
    data = {"username": "agent1", "password": PASSWORD, "csrf_token": csrf_token(client)}
    response = client.post("/login?next=/%09/evil.example/", data=data)
    assert response.headers["Location"] == "/"
