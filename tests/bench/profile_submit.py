"""Where a case submission's CPU goes: the same thread_time split as profile_pages.py, for the POST.

Signs in through the login form as the seeded customer who is not the dashboard's busy customer (so a
reused database keeps its 200 cases), loads the "General inquiry" form once for its CSRF token, then
POSTs it --posts times (each a new case; the notifier is not running, so the messages stay queued) and
prints CPU per POST, the statements per POST, the CPU spent inside the write transaction (between
BEGIN and COMMIT: SQLite's write lock is held for that long) and the split by category.

    .venv/bin/python tests/bench/profile_submit.py --database-url sqlite:////tmp/bench.db [--posts 50] [--statements]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SUMMARY = "Submitted by the submission profile."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a database seeded by `caseport seed`")
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--statements", action="store_true",
                        help="also print the SQL of one POST (after the warm-up), one statement a line")
    args = parser.parse_args()

    from bench_portal import find_targets
    from profile_pages import CSRF_RE, SECRET_KEY, Timers, install

    from portal import create_app
    from portal.demo import DEMO_PASSWORD

    targets = find_targets(args.database_url)
    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": SECRET_KEY})
    client = app.test_client()

    def token(path: str) -> str:
        match = CSRF_RE.search(client.get(path).get_data(as_text=True))
        return match.group(1) or match.group(2)

    response = client.post("/login", data={"csrf_token": token("/login"), "email": targets["other_customer"].email,
                                           "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.status_code
    path = f"/cases/new/{targets['template']}"
    csrf = token(path)

    # CPU inside the write transaction: from peewee's BEGIN to its COMMIT/ROLLBACK on this thread.
    inside = {"cpu": 0.0, "since": None}
    database_class = type(app.extensions["caseport_db"])
    original_begin, original_commit = database_class.begin, database_class.commit

    def begin(self, *a, **k):
        inside["since"] = time.thread_time()
        return original_begin(self, *a, **k)

    def commit(self, *a, **k):
        try:
            return original_commit(self, *a, **k)
        finally:
            if inside["since"] is not None:
                inside["cpu"] += time.thread_time() - inside["since"]
                inside["since"] = None

    database_class.begin, database_class.commit = begin, commit

    def post(n: int) -> None:
        response = client.post(path, data={"csrf_token": csrf, "title": f"profiled submission {n}",
                                           "summary": SUMMARY})
        assert response.status_code == 302, (response.status_code, response.get_data(as_text=True)[:500])
        with client.session_transaction() as session:  # a browser shows and drops the flash on the redirect
            session.pop("_flashes", None)

    for n in range(5):
        post(n)
    if args.statements:
        seen: list[str] = []
        original_execute_sql = database_class.execute_sql

        def logged(self, sql, params=None, *a, **k):
            seen.append(" ".join(str(sql).split()))
            return original_execute_sql(self, sql, params, *a, **k)

        own = "execute_sql" in vars(database_class)
        database_class.execute_sql = logged
        try:
            post(999)
        finally:
            if own:
                database_class.execute_sql = original_execute_sql
            else:
                del database_class.execute_sql  # the timers below wrap peewee.Database's
        print(f"one POST, {len(seen)} statements:")
        for n, sql in enumerate(seen, 1):
            print(f"  {n:2}. {sql[:240]}")
    timers = Timers()
    install(timers)
    categories = ["sql generation", "sql execution", "rows to objects", "connect/close", "template rendering",
                  "the rest"]
    inside["cpu"] = 0.0
    timers.reset()
    started = time.thread_time()
    for n in range(args.posts):
        post(1000 + n)
    timers._charge()
    total = (time.thread_time() - started) * 1000 / args.posts
    statements = timers.calls["sql execution"] / args.posts
    print(f"submission: {total:.2f} ms CPU per POST, {statements:.1f} statements, "
          f"{inside['cpu'] * 1000 / args.posts:.2f} ms CPU inside the write transaction")
    for category in categories:
        ms = timers.totals[category] * 1000 / args.posts
        print(f"  {category:<20} {ms:7.2f} ms {ms * 100 / total:4.0f} %")


if __name__ == "__main__":
    main()
