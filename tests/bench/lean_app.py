"""The lean reference for the page benchmarks: what the same pages cost without Caseport's layers.

A minimal Flask + Jinja2 app on the raw DB-API driver (sqlite3, or psycopg with a PostgreSQL URL):
one connection per worker thread, hand-written SQL, no ORM, no forms, no sign-in. It reads the same
rows and columns from the same database as Caseport's pages and renders them with real templates
(tests/bench/lean_templates: a layout, a table, the activity feed), with the same visibility rules
expressed as flat conditions on the viewer's ids. The viewer is named by the `viewer` cookie (a user
id): it trusts it, which is exactly the work it leaves out.

    DATABASE_URL=... gunicorn -w 2 'tests.bench.lean_app:create_app()'
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import threading
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, abort, render_template, request

PAGE_SIZE = 25
SECRET = os.urandom(32)
ACTION_PREVIEW = 10
CATEGORIES = ("open", "waiting", "resolved", "closed")
_WORD = re.compile(r"[^\W_]+")
CASE_COLUMNS = """c.id, c.reference, c.title, c.updated_at, c.opened_at, c.priority, c.escalated,
    s.name, s.category, s.customer_description, t.name, cu.first_name, cu.last_name"""
CASE_JOINS = """FROM "case" c JOIN case_status s ON s.id = c.status_id JOIN case_template t ON t.id = c.template_id
    JOIN customer cu ON cu.id = c.customer_id"""


class Store:
    """One connection per thread; each request runs in its own transaction-free autocommit reads."""

    def __init__(self, url: str):
        self.url = url
        self.postgres = url.startswith(("postgres://", "postgresql://"))
        self.local = threading.local()

    def connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            if self.postgres:
                import psycopg

                conn = psycopg.connect(self.url, autocommit=True)
            else:
                import sqlite3

                conn = sqlite3.connect(self.url.removeprefix("sqlite:///"), check_same_thread=False,
                                       isolation_level=None)
                conn.execute("PRAGMA journal_mode=wal")
            self.local.conn = conn
        return conn

    def rows(self, sql: str, params=()):
        if self.postgres:
            sql = sql.replace("?", "%s")
        return self.connection().execute(sql, params).fetchall()


def when(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def words(text: str) -> list[str]:
    return _WORD.findall((text or "").lower())


def create_app() -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).parent / "lean_templates"))
    store = Store(os.environ["DATABASE_URL"])
    app.extensions["lean_store"] = store
    zone = ZoneInfo("Europe/London")

    @app.template_filter("localtime")
    def localtime(value):
        value = when(value)
        return value.astimezone(zone).strftime("%d %b %Y, %H:%M") if value else ""

    @app.template_filter("isotime")
    def isotime(value):
        value = when(value)
        return value.isoformat() if value else ""

    def viewer():
        user_id = int(request.cookies.get("viewer", "0"))
        rows = store.rows('SELECT id, role, display_name FROM "user" WHERE id = ? AND active', (user_id,))
        if not rows:
            abort(403)
        return {"id": rows[0][0], "role": rows[0][1], "name": rows[0][2]}

    def visibility(user) -> tuple[str, list]:
        """Flat conditions on c.* for the viewer's ids, read once."""
        if user["role"] == "admin":
            return "1 = 1", []
        if user["role"] in ("agent", "supervisor"):
            groups = [r[0] for r in store.rows("SELECT workgroup_id FROM workgroup_member WHERE user_id = ?",
                                               (user["id"],))] or [0]
            marks = ", ".join("?" * len(groups))
            return f"(c.workgroup_id IN ({marks}) OR c.assignee_id = ?)", [*groups, user["id"]]
        own = store.rows("SELECT id, account_id, is_account_manager FROM customer WHERE user_id = ?", (user["id"],))
        if not own:
            return "1 = 0", []
        customer_id, account_id, manager = own[0]
        # The linked cases and the managed account's customers as listed ids, as Caseport does: with
        # sub-queries in the OR, SQLite's planner walked a status index over every case (350 ms and more
        # a page on 100,000 cases once the report indexes existed).
        condition, params = "(c.customer_id = ?", [customer_id]
        linked = [r[0] for r in store.rows("SELECT case_id FROM case_customer_link WHERE customer_id = ?",
                                           (customer_id,))]
        if linked:
            condition += f" OR c.id IN ({', '.join('?' * len(linked))})"
            params.extend(linked)
        if manager and account_id:
            colleagues = [r[0] for r in store.rows("SELECT id FROM customer WHERE account_id = ?", (account_id,))]
            condition += f" OR c.customer_id IN ({', '.join('?' * len(colleagues))})"
            params.extend(colleagues)
        return condition + ")", params

    def case_rows(where: str, params: list, limit: int, offset: int = 0):
        return store.rows(f"SELECT {CASE_COLUMNS} {CASE_JOINS} WHERE {where} "  # noqa: S608
                          f"ORDER BY c.updated_at DESC, c.id DESC LIMIT {limit} OFFSET {offset}", params)

    @app.get("/cases")
    def dashboard():
        user = viewer()
        where, params = visibility(user)
        q = request.args.get("q", "").strip()
        if q:
            return search_page(user, where, params, q, staff=False)
        counts = dict.fromkeys(CATEGORIES, 0)
        counts.update(store.rows("SELECT s.category, COUNT(*) FROM \"case\" c JOIN case_status s "  # noqa: S608
                                 f"ON s.id = c.status_id WHERE {where} GROUP BY s.category", params))
        action = case_rows(f"{where} AND s.category IN ('waiting', 'resolved')", params, ACTION_PREVIEW)
        rows = case_rows(where, params, PAGE_SIZE)
        statuses = store.rows("SELECT uuid, name FROM case_status ORDER BY position, name")
        templates = store.rows(f"SELECT uuid, name FROM case_template WHERE id IN "  # noqa: S608
                               f"(SELECT c.template_id FROM \"case\" c WHERE {where}) ORDER BY name", params)
        return render_template("dashboard.html", user=user, counts=counts, action=action, rows=rows,
                               total=sum(counts.values()), statuses=statuses, templates=templates)

    def search_page(user, where, params, q, *, staff: bool):
        terms = [words(chunk) for chunk in q.split()]
        terms = [t for t in terms if t][:16]
        if not terms:
            return render_template("search.html", user=user, q=q, rows=[], total=0, staff=staff)
        if store.postgres:
            parts = [" <-> ".join(f"'{w}'" for w in term) for term in terms]
            parts[-1] += ":*"
            column = "staff_document" if staff else "public_document"
            match = (f"c.id IN (SELECT case_id FROM case_search WHERE {column} @@ to_tsquery('simple', ?))")
            text = " & ".join(f"({p})" for p in parts)
        else:
            table = "case_search_staff" if staff else "case_search_public"
            match = f"c.id IN (SELECT rowid FROM {table} WHERE document MATCH ?)"
            phrases = [f'"{" ".join(term)}"' for term in terms]
            phrases[-1] += " *"
            text = " AND ".join(phrases)
        condition, args = f"{where} AND {match}", [*params, text]
        total = store.rows(f'SELECT COUNT(*) FROM "case" c WHERE {condition}', args)[0][0]  # noqa: S608
        rows = case_rows(condition, args, PAGE_SIZE)
        return render_template("search.html", user=user, q=q, rows=rows, total=total, staff=staff)

    @app.get("/staff/search")
    def staff_search():
        user = viewer()
        where, params = visibility(user)
        return search_page(user, where, params, request.args.get("q", ""), staff=True)

    @app.get("/cases/<reference>")
    def detail(reference):
        user = viewer()
        staff = user["role"] in ("agent", "supervisor", "admin")
        where, params = visibility(user)
        found = store.rows(
            "SELECT c.id, c.reference, c.title, c.summary, c.resolution, c.priority, c.opened_at, c.updated_at, "
            "c.last_closed_at, s.name, s.category, s.customer_description, t.name, cu.first_name, cu.last_name, "
            "r.name, w.name, a.display_name, c.template_id, cu.uuid, "
            "EXISTS(SELECT 1 FROM case_task k WHERE k.case_id = c.id) "
            'FROM "case" c JOIN case_status s ON s.id = c.status_id '
            "JOIN case_template t ON t.id = c.template_id JOIN customer cu ON cu.id = c.customer_id "
            "LEFT JOIN case_reason r ON r.id = c.reason_id LEFT JOIN workgroup w ON w.id = c.workgroup_id "
            f'LEFT JOIN "user" a ON a.id = c.assignee_id WHERE c.reference = ? AND {where}',  # noqa: S608
            [reference, *params])
        if not found:
            abort(404)
        case = found[0]
        case_id = case[0]
        only_public = "" if staff else " AND f.visibility = 'customer'"
        values = store.rows(
            "SELECT f.label, f.field_type, v.value, o.label, tf.section FROM case_field_value v "
            "JOIN case_field f ON f.id = v.field_id "
            "LEFT JOIN field_option o ON o.field_id = f.id AND o.value = v.value "
            "LEFT JOIN template_field tf ON tf.field_id = f.id AND tf.template_id = ? "
            f"WHERE v.case_id = ?{only_public} ORDER BY tf.position IS NULL, tf.position, f.label",  # noqa: S608
            (case[18], case_id))
        sections = {"top": [], "more": []}
        for label, kind, value, option, section in values:
            if kind == "select":
                shown = option or value
            elif kind == "boolean":
                shown = {"true": "Yes", "false": "No"}.get(value, value)
            else:
                shown = value
            sections[section or "more"].append((label, shown))
        public = "" if staff else " AND e.public"
        events = store.rows(
            "SELECT e.id, e.uuid, e.kind, e.public, e.body, e.data, e.created_at, u.display_name FROM case_event e "
            f'LEFT JOIN "user" u ON u.id = e.actor_id WHERE e.case_id = ?{public} '  # noqa: S608
            "ORDER BY e.created_at, e.id", (case_id,))
        files: dict = {}
        for row in store.rows(f"SELECT event_id, uuid, original_name, size FROM attachment a "  # noqa: S608
                              f"WHERE case_id = ?{'' if staff else ' AND a.public'} ORDER BY created_at, id",
                              (case_id,)):
            files.setdefault(row[0], []).append(row)
        feed = [{"id": e[0], "uuid": e[1], "kind": e[2], "public": e[3], "body": e[4],
                 "data": json.loads(e[5]) if isinstance(e[5], str) else e[5], "created_at": e[6], "actor": e[7],
                 "files": files.get(e[0], [])} for e in events]
        linked = store.rows("SELECT cu.first_name, cu.last_name, cu.uuid FROM case_customer_link l JOIN customer cu "
                            "ON cu.id = l.customer_id WHERE l.case_id = ? ORDER BY cu.first_name, cu.last_name",
                            (case_id,))
        extra = {}
        if staff:
            # What Caseport's staff page adds beside the feed's internal notes: the case's notification
            # log, its tasks (read only when it has any) and a contact form with a CSRF token and a
            # one-time submission id, as its staff panel shows them on a closed case.
            extra["messages"] = store.rows(
                "SELECT uuid, event, channel, recipient_name, address, status, attempts, created_at, sent_at, "
                "last_error FROM notifier_message WHERE topic = ? ORDER BY created_at DESC, id DESC",
                (case[1],))
            extra["tasks"] = store.rows(
                'SELECT k.uuid, k.title, k.status, k.due_date, k.customer_visible, u.display_name FROM case_task k '
                'LEFT JOIN "user" u ON u.id = k.assignee_id WHERE k.case_id = ? ORDER BY k.id',
                (case_id,)) if case[20] else []
            extra["token"] = hmac.new(SECRET, f"{user['id']}:{reference}".encode(), hashlib.sha256).hexdigest()
            extra["submission"] = str(uuid.uuid4())
        return render_template("case.html", user=user, case=case, sections=sections, feed=feed, linked=linked,
                               staff=staff, **extra)

    return app
