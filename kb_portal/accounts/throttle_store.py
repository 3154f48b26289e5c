"""Where the login throttle keeps its counts: the database (default) or Redis.

Each key (an account name or a client address) holds a failure count and the time of the last
failure; the count is forgotten ``ttl`` seconds after the last failure. Both stores update a
count in one atomic step, so several workers and servers counting at once lose nothing.

* :class:`DatabaseStore` — one row per key, written with an upsert inside the request's
  transaction (the login view commits it); nothing to run besides the database.
* :class:`RedisStore` — ``KB_RATELIMIT_STORAGE_URI=redis://…``: a hash per key with Redis's
  own expiry, for deployments that run Redis anyway.
* :class:`FallbackStore` — Redis first; when Redis cannot be reached, the database, with a
  warning in the log (at most once a minute), so logins keep working and keep being counted.
"""
import logging
import time

from sqlalchemy import case, delete, select

from ..database import upsert
from ..extensions import db
from .models import LoginFailure

log = logging.getLogger(__name__)


class DatabaseStore:
    def get(self, key: str, now: float) -> tuple[int, float]:
        row = db.session.execute(select(LoginFailure.failures, LoginFailure.last_failure)
                                 .where(LoginFailure.key == key,
                                        LoginFailure.expires > now)).first()
        return (row.failures, row.last_failure) if row else (0, 0.0)

    def add_failure(self, key: str, now: float, ttl: float) -> None:
        table = LoginFailure.__table__
        db.session.execute(upsert(
            LoginFailure, {"key": key, "failures": 1, "last_failure": now, "expires": now + ttl},
            ("key",), lambda excluded: {
                "failures": case((table.c.expires <= now, 1), else_=table.c.failures + 1),
                "last_failure": excluded.last_failure, "expires": excluded.expires}))

    def clear(self, key: str) -> None:
        db.session.execute(delete(LoginFailure).where(LoginFailure.key == key))


class RedisStore:
    PREFIX = "kb:login:"

    def __init__(self, uri: str):
        import redis

        # Short timeouts: a Redis that hangs must not hold a login for long (FallbackStore).
        self.client = redis.Redis.from_url(uri, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, key: str, now: float) -> tuple[int, float]:
        count, last = self.client.hmget(self.PREFIX + key, "n", "last")
        return (int(count), float(last)) if count else (0, 0.0)

    def add_failure(self, key: str, now: float, ttl: float) -> None:
        name = self.PREFIX + key
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hincrby(name, "n", 1).hset(name, "last", now).expire(name, int(ttl) + 1)
            pipe.execute()

    def clear(self, key: str) -> None:
        self.client.delete(self.PREFIX + key)


class FallbackStore:
    """Redis, or the database while Redis is unreachable."""

    WARN_EVERY = 60.0

    def __init__(self, primary: RedisStore, fallback: DatabaseStore):
        self.primary, self.fallback = primary, fallback
        self._warned_at = 0.0

    def _call(self, name: str, *args):
        import redis

        try:
            return getattr(self.primary, name)(*args)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            now = time.monotonic()
            if now - self._warned_at > self.WARN_EVERY:
                self._warned_at = now
                log.warning("login throttle: Redis unreachable (%s); counting in the database "
                            "until it is back", exc)
            return getattr(self.fallback, name)(*args)

    def get(self, key, now):
        return self._call("get", key, now)

    def add_failure(self, key, now, ttl):
        return self._call("add_failure", key, now, ttl)

    def clear(self, key):
        return self._call("clear", key)


def make_store(uri: str):
    """The store for ``KB_RATELIMIT_STORAGE_URI``: Redis (with the fallback) or the database."""
    if uri.startswith(("redis://", "rediss://", "unix://")):
        return FallbackStore(RedisStore(uri), DatabaseStore())
    return DatabaseStore()
