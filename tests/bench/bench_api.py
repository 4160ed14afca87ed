"""The JSON API on a large seeded database, in-process, each figure beside a lean reference measured in
the same run: listing a page of cases (the busy customer's 200 cases, and an agent's queue) and opening
cases (POST /cases with an Idempotency-Key, every answer checked).

The lean reference is a bare Flask view over the raw driver (sqlite3 or psycopg) that answers the same
page: the same rows, the same columns, as JSON, with no token, no policy, no ORM and no validation.
For creation the reference inserts a case row and its feed entry with two hand-written statements.
CPU is the thread's CPU time per request (time.thread_time), so other load on the machine counts less.

    .venv/bin/python tests/bench/bench_api.py --database-url sqlite:////tmp/bench100k.db [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from profile_pages import SECRET_KEY  # noqa: E402

LIST_SQL = """SELECT c.uuid, c.reference, c.title, s.uuid, s.name, s.category, t.uuid, t.name, cu.uuid,
    cu.first_name || ' ' || cu.last_name, w.uuid, w.name, c.priority, c.escalated, c.opened_at, c.updated_at
    FROM "case" c JOIN case_status s ON s.id = c.status_id JOIN case_template t ON t.id = c.template_id
    JOIN customer cu ON cu.id = c.customer_id LEFT JOIN workgroup w ON w.id = c.workgroup_id
    WHERE {where} ORDER BY c.opened_at DESC, c.uuid DESC LIMIT ?"""


def lean_app(url: str):
    """The reference: the same page of cases as JSON, straight from the driver."""
    from flask import Flask, Response, request

    path = url.removeprefix("sqlite:///")
    connection = sqlite3.connect(path, check_same_thread=False)
    app = Flask("lean_api")

    @app.get("/cases")
    def cases():
        if request.args.get("customer"):
            where, params = "c.customer_id = ?", [int(request.args["customer"])]
        else:
            where, params = "c.workgroup_id IN (SELECT workgroup_id FROM workgroup_member WHERE user_id = ?)", [
                int(request.args["agent"])]
        rows = connection.execute(LIST_SQL.format(where=where), [*params, int(request.args.get("limit", 50))])
        items = [{"id": r[0], "reference": r[1], "title": r[2], "status": {"id": r[3], "name": r[4], "category": r[5]},
                  "template": {"id": r[6], "name": r[7]}, "customer": {"id": r[8], "name": r[9]},
                  "workgroup": {"id": r[10], "name": r[11]} if r[10] else None, "priority": r[12],
                  "escalated": bool(r[13]), "opened_at": r[14], "updated_at": r[15]} for r in rows]
        return Response(json.dumps({"items": items, "next_cursor": None}), mimetype="application/json")

    @app.post("/cases")
    def create():
        body = request.get_json()
        with connection:
            cursor = connection.execute(
                'INSERT INTO "case" (uuid, reference, template_id, title, summary, status_id, priority, customer_id, '
                "created_by_id, escalated, resolution, opened_at, updated_at, language) "
                "VALUES (?, ?, ?, ?, ?, ?, 'normal', ?, ?, 0, '', ?, ?, 'en')",
                (str(uuid.uuid4()), f"9{uuid.uuid4().int % 10**7:07d}", body["template_id"], body["title"],
                 body["summary"], body["status_id"], body["customer_id"], body["user_id"],
                 datetime.now(UTC).isoformat(" "), datetime.now(UTC).isoformat(" ")))
            connection.execute("INSERT INTO case_event (uuid, case_id, kind, actor_id, public, body, created_at) "
                               "VALUES (?, ?, 'created', ?, 1, '', ?)",
                               (str(uuid.uuid4()), cursor.lastrowid, body["user_id"], datetime.now(UTC).isoformat(" ")))
        return Response(json.dumps({"id": cursor.lastrowid}), status=201, mimetype="application/json")

    return app


def measure(call, requests: int) -> tuple[float, float, float]:
    """CPU ms per request, wall ms p50 and p95 over `requests` calls (after 5 to warm up)."""
    for _ in range(5):
        call()
    walls, cpu = [], time.thread_time()
    for _ in range(requests):
        started = time.perf_counter()
        call()
        walls.append((time.perf_counter() - started) * 1000)
    cpu_ms = (time.thread_time() - cpu) * 1000 / requests
    walls.sort()
    return cpu_ms, statistics.median(walls), walls[int(len(walls) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a SQLite database seeded by `caseport seed`")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    from bench_portal import AGENT_EMAIL

    from portal import create_app
    from portal.api_tokens.service import SCOPES, issue_token
    from portal.config import load_config  # noqa: F401 -- the app reads the environment as in production
    from portal.models.configuration import CaseStatus, CaseTemplate, TemplateField
    from portal.models.people import Customer, User

    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": SECRET_KEY, "API_RATE_LIMIT": 10**9,
                      "API_WRITE_RATE_LIMIT": 10**9})
    db = app.extensions["caseport_db"]
    with app.app_context(), db.connection_context():
        busy = User.get(User.email.startswith("busy.customer"))
        agent = User.get(User.email == AGENT_EMAIL)
        profile = Customer.get(Customer.user == busy)
        template = (CaseTemplate.select().where((CaseTemplate.state == "published") & CaseTemplate.for_customers
                                                & ~CaseTemplate.id.in_(TemplateField.select(TemplateField.template)
                                                                       .where(TemplateField.required)))
                    .order_by(CaseTemplate.id).first())
        customer_token = issue_token(busy, busy, name="bench", scopes=list(SCOPES), days=1)[1]
        agent_token = issue_token(agent, agent, name="bench", scopes=list(SCOPES), days=1)[1]
        open_status = CaseStatus.get((CaseStatus.category == "open") & CaseStatus.is_system).id
    api = app.test_client()
    lean = lean_app(args.database_url).test_client()

    def get(token, path):
        response = api.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return response

    scenarios = [
        ("list 50 (customer)", lambda: get(customer_token, "/api/v1/cases?limit=50"),
         lambda: lean.get(f"/cases?customer={profile.id}&limit=50")),
        ("list 50 (agent)", lambda: get(agent_token, "/api/v1/cases?limit=50"),
         lambda: lean.get(f"/cases?agent={agent.id}&limit=50")),
    ]
    created: list[str] = []
    if template is not None:
        def create():
            key = str(uuid.uuid4())
            response = api.post("/api/v1/cases", json={"template": template.uuid, "title": "Printer jams",
                                                        "summary": "It jams on every second page."},
                                headers={"Authorization": f"Bearer {customer_token}", "Idempotency-Key": key})
            assert response.status_code == 201, response.get_data(as_text=True)[:300]
            created.append(response.get_json()["reference"])

        def lean_create():
            response = lean.post("/cases", json={"template_id": template.id, "title": "Printer jams",
                                                 "summary": "It jams on every second page.", "status_id": open_status,
                                                 "customer_id": profile.id, "user_id": busy.id})
            assert response.status_code == 201

        scenarios.append(("open a case (customer)", create, lean_create))
    print(f"{'scenario':<24} {'round':>5} {'CPU ms/req':>10} {'p50 ms':>7} {'p95 ms':>7}   {'lean CPU':>8} "
          f"{'lean p50':>8}   {'CPU ratio':>9}")
    for name, caseport, reference in scenarios:
        requests = args.requests if "list" in name else max(args.requests // 4, 20)
        for number in range(1, args.rounds + 1):
            ours = measure(caseport, requests)
            theirs = measure(reference, requests)
            print(f"{name:<24} {number:>5} {ours[0]:>10.2f} {ours[1]:>7.2f} {ours[2]:>7.2f}   {theirs[0]:>8.2f} "
                  f"{theirs[1]:>8.2f}   {ours[0] / theirs[0]:>8.1f}x", flush=True)
    if created:
        print(f"\nopened {len(created)} cases through the API, each answered 201 with its case "
              f"(references {created[0]} .. {created[-1]})")


if __name__ == "__main__":
    main()
