"""The PostgreSQL pool (portal.db.PostgresPool) hands out a connection used a moment ago without asking
the server (one round trip less on every request), asks about one that waited, and never hands out a
connection an outage broke."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from portal.db import PostgresPool
from tests.test_database_outage import CutConnection, signed_in_client

pytestmark = pytest.mark.skipif(urlsplit(os.environ.get("DATABASE_URL", "")).scheme not in ("postgres", "postgresql"),
                                reason="PostgreSQL only")


@pytest.fixture
def pool(app):
    db = app.extensions["caseport_db"]
    assert isinstance(db, PostgresPool)
    db.close()
    return db


@pytest.fixture
def asked(pool, monkeypatch):
    """The checkouts on which the pool asked the server (peewee's SELECT 1)."""
    calls = []
    adapter = type(pool._adapter)
    original = adapter.is_connection_closed

    def recording(self, conn):
        calls.append(conn)
        return original(self, conn)

    monkeypatch.setattr(adapter, "is_connection_closed", recording)
    return calls


def test_a_connection_used_a_moment_ago_is_handed_out_without_a_round_trip(pool, asked):
    pool.connect()
    pool.execute_sql("SELECT 1")
    pool.close()
    pool.connect()
    assert asked == []
    assert pool.execute_sql("SELECT 2").fetchone() == (2,)
    pool.close()


def test_a_connection_that_waited_is_checked_with_the_server(pool, asked, monkeypatch):
    pool.connect()
    pool.close()
    monkeypatch.setattr(pool, "RECHECK_AFTER", 0)
    pool.connect()
    assert len(asked) == 1
    pool.close()


def test_a_connection_an_outage_broke_is_not_handed_out_again(app, people, tmp_path):
    cut = CutConnection(app, tmp_path)
    cut.db.RECHECK_AFTER = 60  # every checkout below comes well within it: no round trip to notice the cut
    try:
        client = signed_in_client(app, people.customer)
        assert client.get("/cases").status_code == 200
        cut.down()
        assert client.get("/cases").status_code == 503  # its first statement met the cut
        cut.up()
        assert client.get("/cases").status_code == 200  # a new connection, the broken one closed
    finally:
        cut.close()
