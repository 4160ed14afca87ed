"""The lean reference of tests/bench/bench_submit.py, served by gunicorn as `lean_submit:lean_app()`.

A minimal Flask app that stores a submitted case the way Caseport does (the same case row, with the
same columns and values, and its "created" event, in one transaction) and redirects: no ORM, no
sign-in, no validation, no notifications, no search index. Its settings come from LEAN_* variables.
"""

from __future__ import annotations

import os
import secrets
import threading
import uuid
from datetime import UTC, datetime


def lean_app():
    """A minimal Flask app that stores a submitted case like Caseport does, and nothing else."""
    from flask import Flask, redirect, request

    url = os.environ["LEAN_DATABASE_URL"]
    ids = {name: int(os.environ[f"LEAN_{name.upper()}_ID"]) for name in ("template", "status", "customer", "user")}
    workgroup = os.environ.get("LEAN_WORKGROUP_ID") or None
    local = threading.local()
    postgres = url.startswith("postgres")
    mark = "%s" if postgres else "?"
    insert_case = (
        'INSERT INTO "case" (uuid, reference, template_id, title, summary, status_id, priority, customer_id, '
        "created_by_id, workgroup_id, escalated, resolution, opened_at, updated_at, language) "
        f"VALUES ({', '.join([mark] * 15)})" + (" RETURNING id" if postgres else "")
    )
    insert_event = (
        "INSERT INTO case_event (uuid, case_id, kind, actor_id, public, body, data, created_at) "
        f"VALUES ({', '.join([mark] * 8)})"
    )

    def connection():
        if getattr(local, "conn", None) is None:
            if postgres:
                import psycopg

                local.conn = psycopg.connect(libpq_url(url))
            else:
                import sqlite3

                local.conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=15, isolation_level=None,
                                             check_same_thread=False)
                local.conn.execute("PRAGMA busy_timeout = 15000")
                local.conn.execute("PRAGMA synchronous = normal")
                local.conn.execute("PRAGMA foreign_keys = 1")
        return local.conn

    def store(title: str, summary: str) -> str:
        conn = connection()
        now = datetime.now(UTC).replace(tzinfo=None)
        stamp = now if postgres else now.strftime("%Y-%m-%d %H:%M:%S.%f")
        data = '{"template":"General inquiry","values":{}}'
        for _ in range(20):
            reference = str(10_000_000 + secrets.randbelow(90_000_000))
            values = (str(uuid.uuid4()), reference, ids["template"], title, summary, ids["status"], "normal",
                      ids["customer"], ids["user"], workgroup, False, "", stamp, stamp, "en")
            try:
                if postgres:
                    with conn.transaction():
                        case_id = conn.execute(insert_case, values).fetchone()[0]
                        conn.execute(insert_event, (str(uuid.uuid4()), case_id, "created", ids["user"], True, "",
                                                    data, stamp))
                else:
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        case_id = conn.execute(insert_case, values).lastrowid
                        conn.execute(insert_event, (str(uuid.uuid4()), case_id, "created", ids["user"], 1, "",
                                                    data, stamp))
                        conn.execute("COMMIT")
                    except BaseException:
                        conn.execute("ROLLBACK")
                        raise
                return reference
            except Exception as exc:  # a reference clash: draw another, as Caseport does
                if "unique" not in str(exc).lower() or "reference" not in str(exc).lower():
                    raise
        raise RuntimeError("no free reference")

    app = Flask("lean_submit")

    @app.post("/submit")
    def submit():
        title = (request.form.get("title") or "").strip()
        if not title:
            return "title required", 400
        return redirect(f"/cases/{store(title, request.form.get('summary', ''))}")

    return app


def libpq_url(url: str) -> str:
    """psycopg takes the URL as libpq does; peewee's own options (max_connections) are dropped."""
    base, _, query = url.partition("?")
    kept = [part for part in query.split("&") if part and not part.startswith("max_connections=")]
    return base + ("?" + "&".join(kept) if kept else "")
