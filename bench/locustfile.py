"""Locust load: 50 agents searching as they type and reading, 5 trainers editing and publishing.

Run by ``bench/load.py`` (which prepares the portal, the accounts and the query file and checks
the results); not meant to be started by hand. Settings come from the environment:

* ``LOAD_QUERIES``: a JSON file with the queries agents type;
* ``LOAD_PASSWORD``: the password of every load account (``load-agent-N``, ``load-trainer-N``);
* ``LOAD_JOURNAL``: where every acknowledged save is written (one JSON line each), so that
  ``load.py`` can check afterwards that none was lost (in the database and in the index).

Correctness on every response: a search answer must echo the query it was asked (else
"mixed-up"), and every page must show the logged-in user's own name (else "mixed-up"). Any
5xx is a failure too; ``load.py`` counts them from Locust's failure table.
"""
import itertools
import json
import os
import random
import secrets
import threading

import gevent
from locust import HttpUser, between, events, task

from bench import webflow

QUERIES = json.loads(open(os.environ.get("LOAD_QUERIES", "/dev/null")).read() or "[]")  # noqa: SIM115
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
JOURNAL = os.environ.get("LOAD_JOURNAL", "")
_numbers = {"agent": itertools.count(1), "trainer": itertools.count(1)}
_journal_lock = threading.Lock()


def journal(record: dict) -> None:
    with _journal_lock, open(JOURNAL, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")


class PortalUser(HttpUser):
    abstract = True
    role = ""

    def on_start(self):
        self.username = f"load-{self.role}-{next(_numbers[self.role])}"
        for _attempt in range(20):  # a throttled login waits and tries again, as people do
            response = webflow.login(self.client, "", self.username, PASSWORD, name="login")
            if response.status_code != 429:
                break
            gevent.sleep(int(response.headers.get("Retry-After", "10")))
        if response.status_code != 302:
            raise RuntimeError(f"{self.username} could not log in: {response.status_code}")
        self.me = webflow.load_display_name(self.username)

    def page(self, path: str, name: str):
        """GET a page and check it is this user's (their name in the header)."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code >= 500:
                response.failure(f"{response.status_code}")
            elif response.ok and webflow.shown_user_name(response.text) != self.me:
                response.failure("mixed-up: another user's page")
            return response


class Agent(PortalUser):
    """Types a question in prefixes, waits for each live answer, opens the best hit, reads."""

    role = "agent"
    fixed_count = 50
    wait_time = between(2, 8)  # reading the article, talking to the caller

    @task
    def answer_a_call(self):
        query = random.choice(QUERIES)
        sid = secrets.token_hex(8)
        steps = [*sorted({max(1, len(query) * k // 4) for k in (1, 2, 3)}), len(query)]
        hits = []
        for n in steps:
            hits = self.live_search(query[:n], sid) or hits
        if hits:
            self.page(f"/a/{hits[0]}", "article")

    def live_search(self, text: str, sid: str) -> list[str]:
        with self.client.get("/api/v1/search", params={"q": text, "limit": 8, "sid": sid},
                             name="search", catch_response=True) as response:
            if response.status_code >= 500:
                response.failure(f"{response.status_code}")
                return []
            if not response.ok:
                response.failure(f"{response.status_code}")
                return []
            data = response.json()
            if data.get("query") != text:
                response.failure("mixed-up: answer for another query")
                return []
            return [hit["slug"] for hit in data["results"]]


class Trainer(PortalUser):
    """Edits one of their own articles and publishes it, again and again."""

    role = "trainer"
    fixed_count = 5
    wait_time = between(5, 15)  # writing takes time

    def on_start(self):
        super().on_start()
        number = self.username.rsplit("-", 1)[1]
        self.slugs = [f"load-edit-{number}-{i}" for i in range(webflow.ARTICLES_PER_TRAINER)]

    @task
    def edit_and_publish(self):
        slug = random.choice(self.slugs)
        editor = self.page(f"/a/{slug}/edit", "editor")
        token, base = webflow.CSRF_META.search(editor.text), \
            webflow.BASE_REVISION.search(editor.text)
        if not (token and base):
            return
        marker = "mark" + secrets.token_hex(6)
        form = webflow.article_form(f"负载编辑 {slug}", slug, f"## 步骤\n第 {marker} 次修改。",
                                    owner=self.username, note=f"load {marker}")
        with webflow.save_article(self.client, "", slug, form, token.group(1),
                                  int(base.group(1)), name="save", catch_response=True) as saved:
            if saved.status_code >= 500 or saved.status_code not in (302, 409):
                saved.failure(f"{saved.status_code}")
                return
            if saved.status_code == 409:  # someone else's save won: the conflict page
                saved.success()
                return
        journal({"slug": slug, "marker": marker, "user": self.username, "event": "saved"})
        published = webflow.publish(self.client, "", slug, name="publish")
        if published.status_code == 302:
            journal({"slug": slug, "marker": marker, "user": self.username,
                     "event": "published"})
        elif published.status_code >= 500:
            events.request.fire(request_type="POST", name="publish", response_time=0,
                                response_length=0, exception=RuntimeError(
                                    f"{published.status_code}"), context={})
