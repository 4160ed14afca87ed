"""Delivery never scans the outbox: every statement a delivery run issues finds its rows through an
index. A scan per claim made the notifier's CPU and memory (SQLite's page cache, kept by the
allocator) grow with the size of the table, about 0.3-0.9 MiB per 1,000 messages in soaks."""

from __future__ import annotations

import pytest

from notifier.dispatcher import deliver_due
from notifier.models import database
from tests.notifier.conftest import make_settings
from tests.notifier.factories import T0, email_to, enqueue_test_message


def test_a_delivery_run_reads_the_outbox_only_through_indexes(seeded, smtp_server, on_postgres, monkeypatch):
    if on_postgres:
        pytest.skip("SQLite's query plans; PostgreSQL claims with UPDATE ... RETURNING")
    with database.atomic():
        for n in range(30):
            enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}", now=None)
    statements = []
    execute_sql = database.obj.execute_sql

    def recording(sql, params=None, *args, **kwargs):
        if sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")) and "notifier_message" in sql:
            statements.append((sql, params))
        return execute_sql(sql, params, *args, **kwargs)

    monkeypatch.setattr(database.obj, "execute_sql", recording)
    settings = make_settings(MAIL_BACKEND="smtp", SMTP_PORT=smtp_server.port, NOTIFIER_BATCH_SIZE=10,
                             NOTIFIER_LEASE_SECONDS=0.001)
    assert deliver_due(settings, now=T0, worker_id="w1").sent == 10
    monkeypatch.undo()
    assert statements
    scans = []
    for sql, params in statements:
        plan = [row[-1] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
        if any(step.startswith("SCAN") for step in plan):
            scans.append((sql[:120], plan))
    assert scans == []
