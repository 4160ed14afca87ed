"""The reports page on a large seeded database: wall time per request for an admin (every case) and a
supervisor (their workgroups) over 30, 90 and 366 days, plus each report query's own time, in-process
through the Flask test client after signing in with the real login form. The target (issue 16): under
a second on 100,000 cases, SQLite and PostgreSQL, from SQL aggregates (no rows loaded into Python).

    .venv/bin/python tests/bench/bench_reports.py --database-url sqlite:////tmp/bench100k.db [--requests 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.profile_pages import CSRF_RE, SECRET_KEY  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a database seeded by `caseport seed`")
    parser.add_argument("--requests", type=int, default=5)
    args = parser.parse_args()

    from portal import create_app
    from portal.clock import utcnow
    from portal.demo import DEMO_PASSWORD
    from portal.models.cases import Case
    from portal.models.people import User
    from portal.models.teams import WorkgroupMember
    from portal.reports import queries
    from portal.reports.service import _scope, default_filters

    # Admins sign in with the password alone here (the second factor is not what is measured).
    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": SECRET_KEY, "MFA_REQUIRED_FOR": "nobody"})
    db = app.extensions["caseport_db"]
    with app.app_context(), db.connection_context():
        total = Case.select().count()
        latest = Case.select(Case.opened_at).order_by(Case.opened_at.desc()).scalar() or utcnow()
        admin = User.select().where(User.role == "admin").order_by(User.id).first()
        supervisor = (User.select().join(WorkgroupMember, on=(WorkgroupMember.user == User.id))
                      .where(User.role == "supervisor").order_by(User.id).first())
    print(f"{total} cases; the periods end on the newest case's day ({latest.date()})")

    def client_for(user):
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        match = CSRF_RE.search(page)
        response = client.post("/login", data={"csrf_token": match.group(1) or match.group(2), "email": user.email,
                                               "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"sign-in as {user.email}: {response.status_code}"
        return client

    last = latest.date()
    print(f"{'who':<12} {'days':>5} {'page ms (median of ' + str(args.requests) + ')':>24} {'slowest':>9} "
          f"{'CPU ms':>8}")
    for label, user in (("admin", admin), ("supervisor", supervisor)):
        if user is None:
            print(f"{label:<12} (none in this database)")
            continue
        client = client_for(user)
        for days in (30, 90, 366):
            first = last - timedelta(days=days - 1)
            path = f"/reports/?first_day={first.isoformat()}&last_day={last.isoformat()}"
            assert client.get(path).status_code == 200
            times, cpu = [], []
            for _ in range(args.requests):
                started, started_cpu = time.perf_counter(), time.thread_time()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - started_cpu) * 1000)
                assert response.status_code == 200
            print(f"{label:<12} {days:>5} {statistics.median(times):>24.0f} {max(times):>9.0f} "
                  f"{statistics.median(cpu):>8.0f}", flush=True)

    print("\nEach query alone, admin, 366 days (ms, median of the requests):")
    from zoneinfo import ZoneInfo

    with app.app_context(), db.connection_context():
        filters = default_filters(ZoneInfo("UTC"), now=latest)
        filters = type(filters)(last - timedelta(days=365), last)
        scope = _scope(admin, filters, ZoneInfo("UTC"))
        now = utcnow()
        measured = {name: getattr(queries, name) for name in (
            "open_by_type_and_status", "escalated_open", "escalations_in_period", "closed_per_agent",
            "time_to_first_response", "time_to_close", "business_time_to_first_response", "business_time_to_close",
            "satisfaction", "feedback_comments")}
        bounds = [scope.start + timedelta(days=n) for n in range(366)] + [scope.end]
        measured["opened_per_period (366 days)"] = lambda scope: queries.opened_per_period(scope, bounds)
        measured["closed_per_period (366 days)"] = lambda scope: queries.closed_per_period(scope, bounds)
        measured["compliance (workgroup)"] = lambda scope: queries.compliance(scope, now, "workgroup")
        measured["compliance (form)"] = lambda scope: queries.compliance(scope, now, "template")
        for name, function in measured.items():
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                function(scope)
                times.append((time.perf_counter() - started) * 1000)
            print(f"  {name:<32} {statistics.median(times):8.1f}")
        started = time.perf_counter()
        queries.open_at(scope, scope.start)
        print(f"  {'open_at (backlog start)':<32} {(time.perf_counter() - started) * 1000:8.1f}")


if __name__ == "__main__":
    main()
