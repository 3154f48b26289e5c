"""Login throttling (issue 11, point 12): per account with back-off, per address with a far
higher ceiling, shared by every worker (database or a real Redis), behind trusted proxies
only, and worded the same whether or not the account exists."""
import logging

import pytest

from kb_portal import create_app, transaction
from kb_portal.accounts.throttle import (
    ACCOUNT_FREE,
    ADDRESS_LIMIT,
    LoginThrottle,
    address_key,
    throttle,
)
from kb_portal.accounts.throttle_store import DatabaseStore, FallbackStore, RedisStore
from kb_portal.config import TestConfig
from kb_portal.extensions import db
from ops.cluster import Redis

from ..conftest import PASSWORD, csrf_token

WAIT_MESSAGE = "Too many failed logins"


class Clock:
    """A clock the test moves by hand (the back-off is measured in seconds)."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(app):
    clock = Clock()
    throttle().clock = clock
    return clock


def attempt(client, username, password, **headers):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}, headers=headers)


def test_an_account_backs_off_after_a_few_failures_but_is_never_locked_out(app, users, clock):
    client = app.test_client()
    for _ in range(ACCOUNT_FREE + 1):
        assert attempt(client, "agent1", "wrong").status_code == 200
    refused = attempt(client, "agent1", PASSWORD)  # even the right password has to wait
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert WAIT_MESSAGE in refused.get_data(as_text=True)
    clock.now += 1
    assert attempt(client, "agent1", "wrong again").status_code == 200
    assert attempt(client, "agent1", PASSWORD).headers["Retry-After"] == "2"  # doubled
    clock.now += 2
    assert attempt(client, "agent1", PASSWORD).status_code == 302  # back-off, not lock-out
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert attempt(client, "agent1", "one typo").status_code == 200  # the count was cleared


def test_free_failures_make_nobody_wait_even_when_counted_a_moment_later(app, users, clock):
    """Found by the two-worker test: a failure another worker counted after this request read
    the clock (its time is "in the future") must not turn a free attempt into a wait."""
    clock.now += 1
    for _ in range(ACCOUNT_FREE):
        throttle().failed("agent1", "10.0.0.1")
    clock.now -= 1
    assert throttle().check("agent1", "10.0.0.1").allowed


def test_the_answer_does_not_tell_whether_the_account_exists(app, users, clock):
    answers = {}
    for name in ("agent1", "no-such-user"):
        client = app.test_client()
        pages = [attempt(client, name, "wrong") for _ in range(ACCOUNT_FREE + 2)]
        answers[name] = [(p.status_code, p.headers.get("Retry-After"),
                          WAIT_MESSAGE in p.get_data(as_text=True)) for p in pages]
    assert answers["agent1"] == answers["no-such-user"]
    assert answers["agent1"][-1] == (429, "1", True)


def test_colleagues_behind_one_address_are_not_locked_out_by_one_attacker(app, users, clock):
    for i in range(80):  # the 80 wrong passwords from one address, over many names
        throttle().failed(f"guess{i % 20}", "127.0.0.1")
    transaction.commit()
    assert attempt(app.test_client(), "trainer1", PASSWORD).status_code == 302
    for i in range(ADDRESS_LIMIT - 80):
        throttle().failed(f"more{i}", "127.0.0.1")
    transaction.commit()
    refused = attempt(app.test_client(), "trainer2", PASSWORD)
    assert refused.status_code == 429  # the address's ceiling, far above an account's
    clock.now += 15 * 60
    assert attempt(app.test_client(), "trainer2", PASSWORD).status_code == 302


def test_the_client_address_comes_from_trusted_proxies_only(app, users, tmp_path, clock):
    spoofed = {"X-Forwarded-For": "203.0.113.9"}
    attempt(app.test_client(), "agent1", "wrong", **spoofed)
    assert DatabaseStore().get("addr:127.0.0.1", clock.now)[0] == 1  # header ignored
    transaction.rollback()  # end this session's read before the other app writes
    config = TestConfig(tmp_path / "proxied")
    config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]  # same database
    config.KB_TRUSTED_PROXIES = 1
    proxied = create_app(config)
    with proxied.app_context():
        proxied.extensions["kb_throttle"].clock = clock
        attempt(proxied.test_client(), "someone", "wrong", **spoofed)
        assert DatabaseStore().get("addr:203.0.113.9", clock.now)[0] == 1
        db.session.remove()


def test_ipv6_clients_are_counted_by_their_slash_64():
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9")
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:192.0.2.1") == "192.0.2.1"


def test_two_apps_on_one_database_share_the_counts(app, users, tmp_path, clock):
    """Two workers (here: two apps in one process) count into the same rows."""
    config = TestConfig(tmp_path / "other")
    config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    other = create_app(config)
    for _ in range(ACCOUNT_FREE + 1):
        throttle().failed("agent1", "10.0.0.1")
    transaction.commit()
    with other.app_context():  # another worker: its own engine and session, the same rows
        other.extensions["kb_throttle"].clock = clock
        assert other.extensions["kb_throttle"].check("agent1", "10.0.0.2").wait == 1
        db.session.remove()


@pytest.fixture(scope="module")
def redis(tmp_path_factory):
    """A real redis-server on a free loopback port (installed with apt when missing)."""
    server = Redis(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server
    finally:
        server.stop()


def test_the_redis_store_is_shared_and_falls_back_to_the_database(app, users, redis,
                                                                   clock, caplog):
    worker_a = LoginThrottle(FallbackStore(RedisStore(redis.url), DatabaseStore()), clock)
    worker_b = LoginThrottle(FallbackStore(RedisStore(redis.url), DatabaseStore()), clock)
    for _ in range(ACCOUNT_FREE + 1):
        worker_a.failed("agent1", "10.0.0.1")
    assert worker_b.check("agent1", "10.0.0.9").wait == 1  # counted in Redis, seen by both
    assert DatabaseStore().get("acct:agent1", clock.now) == (0, 0.0)  # not in the database

    unreachable = LoginThrottle(FallbackStore(RedisStore("redis://127.0.0.1:1/0"),
                                              DatabaseStore()), clock)
    with caplog.at_level(logging.WARNING, logger="kb_portal.accounts.throttle_store"):
        for _ in range(ACCOUNT_FREE + 1):
            unreachable.failed("agent2", "10.0.0.1")
    assert "Redis unreachable" in caplog.text
    assert unreachable.check("agent2", "10.0.0.3").wait == 1  # counted in the database
    assert DatabaseStore().get("acct:agent2", clock.now)[0] == ACCOUNT_FREE + 1


def test_the_app_uses_redis_when_configured(tmp_path, redis, monkeypatch):
    monkeypatch.setenv("KB_RATELIMIT_STORAGE_URI", redis.url)
    configured = create_app(TestConfig(tmp_path / "redis-app"))
    store = configured.extensions["kb_throttle"].store
    assert isinstance(store, FallbackStore) and isinstance(store.primary, RedisStore)
