"""Two portal servers on one PostgreSQL and one Redis, each with its own index (module scope).

PostgreSQL and Redis are those of ``.ci/with-postgres`` / ``.ci/with-redis`` when their
variables are set, else started here (``ops.cluster``, installed with apt when missing).
"""
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from ops.cluster import Portal, Postgres, Redis, cluster_env, start_servers

from ..conftest import PASSWORD, new_postgres_database

USERS = (("admin1", "admin"), ("trainer1", "trainer"), ("agent1", "agent"), ("agent2", "agent"),
         ("agent3", "agent"))


@dataclass
class Cluster:
    a: Portal
    b: Portal
    database_url: str


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    base = tmp_path_factory.mktemp("cluster")
    started = []
    try:
        pg_base = os.environ.get("KB_TEST_DATABASE_URL", "")
        if not pg_base.startswith("postgresql"):
            # a folder the postgres user can reach (pytest's are root-only) with a short path
            # (the socket's name must fit in 107 bytes)
            started.append(Postgres(Path(tempfile.mkdtemp(prefix="kb-pg."))).start())
            pg_base = started[-1].url
        redis_url = os.environ.get("KB_TEST_REDIS_URL")
        if not redis_url:
            started.append(Redis(base / "redis").start())
            redis_url = started[-1].url
        with new_postgres_database(pg_base) as database_url:
            env = cluster_env(database_url, redis_url, secrets.token_urlsafe(32),
                              base / "uploads")
            a, b = start_servers(base, env)
            try:
                for username, role in USERS:
                    a.flask("create-user", username, "--role", role, "--name",
                            f"{username.title()} 名", "--password-stdin", stdin=PASSWORD + "\n")
                yield Cluster(a, b, database_url)
            finally:
                a.stop()
                b.stop()
    finally:
        for service in reversed(started):
            service.stop()
            if isinstance(service, Postgres):
                shutil.rmtree(service.folder, ignore_errors=True)
