"""Keyword search in-process, statement by statement: where a search's time goes on a big database.

Signs in (the real login form, Flask test client) as the newest seed run's busy customer (200 cases)
and as the agent, warms up, then requests each search --requests times and prints per search and
viewer: wall p50 / p95 / max, thread CPU per request (and in the search's parts: the staff page, its
capped count of visible matches and newest-first walk, the customer's match, rendering),
statements per request, and for each distinct
statement (its SQL shape, literals and ids left out) its wall p50 / max (execute only: SQLite
steps the rest of a statement while its rows are fetched). Read it beside a
run of the code before a change on the same database, back to back (the machine may be loaded).

    .venv/bin/python tests/bench/profile_search.py --database-url sqlite:////tmp/search1m.db \
        [--requests 30] [--terms printer,print,pr] [--who customer,agent] [--sql]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
AGENT_EMAIL = "ada.agent@caseport.example.com"
FOUND = re.compile(r"More than [\d,]+ cases found|\d[\d,]* cases? found")
NUMBERS = re.compile(r"\b\d+\b|'[^']*'|\?|%s")


def shape(sql: str) -> str:
    """A statement without its literals, so repeated requests group together."""
    return re.sub(r"(\?, )+\?|(%s, )+%s", "...", NUMBERS.sub("?", sql))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def split_timers() -> dict[str, float]:
    """Thread CPU (ms, summed) spent in the search's parts, by name: wrappers around the functions of
    whichever code is imported (those it lacks are left out, so a run of older code prints fewer)."""
    import flask

    from portal.cases.queries import dashboard, search
    from portal.staff import queries

    spent: dict[str, float] = defaultdict(float)

    def wrap(module, attribute, name):
        function = getattr(module, attribute, None)
        if function is None:
            return

        def timed(*args, **kwargs):
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += (time.thread_time() - started) * 1000

        setattr(module, attribute, timed)

    wrap(queries, "search_page", "staff search_page")
    wrap(search, "_visible_matches", "(visible matches, capped)")
    wrap(search, "newest_matches", "(newest-first walk)")
    wrap(dashboard, "search_condition", "(customer matches)")
    wrap(flask.templating, "_render", "rendering")
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a database seeded by `caseport seed`")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--terms", default="printer", help="comma-separated searches, as typed")
    parser.add_argument("--who", default="customer,agent")
    parser.add_argument("--sql", action="store_true", help="print each statement's SQL shape")
    args = parser.parse_args()

    import peewee

    from portal import create_app
    from portal.demo import DEMO_PASSWORD
    from portal.models.people import User

    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": SECRET_KEY})
    db = app.extensions["caseport_db"]
    with app.app_context(), db.connection_context():
        seeded = (User.role == "customer") & User.email.endswith("@seed.example.com")
        customer_email = (User.select(User.email).where(seeded & User.email.startswith("busy.customer"))
                          .order_by(User.id.desc()).get().email)

    def client_for(email):
        client = app.test_client()
        match = CSRF_RE.search(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"csrf_token": match.group(1) or match.group(2), "email": email,
                                               "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.status_code
        return client

    viewers = {"customer": (client_for(customer_email), "/cases?q="),
               "agent": (client_for(AGENT_EMAIL), "/staff/search?q=")}
    statements: list[tuple[str, float]] = []
    original = peewee.Database.execute_sql

    def timed(self, sql, params=None, *rest, **kwargs):
        started = time.perf_counter()
        cursor = original(self, sql, params, *rest, **kwargs)
        statements.append((sql, (time.perf_counter() - started) * 1000))
        return cursor

    peewee.Database.execute_sql = timed
    split = split_timers()
    for who in args.who.split(","):
        client, path = viewers[who]
        for term in args.terms.split(","):
            url = path + quote_plus(term)
            for _ in range(3):
                assert client.get(url).status_code == 200
            statements.clear()
            walls, cpus = [], []
            for _ in range(args.requests):
                wall, cpu = time.perf_counter(), time.thread_time()
                response = client.get(url)
                cpus.append((time.thread_time() - cpu) * 1000)
                walls.append((time.perf_counter() - wall) * 1000)
                assert response.status_code == 200
            heading = FOUND.search(response.get_data(as_text=True))
            parts = "  ".join(f"{name} {spent / args.requests:.1f}" for name, spent in split.items() if spent)
            split.clear()
            found = heading.group(0) if heading else "no count shown"
            print(f"{who:<9} {term!r:<22} wall p50 {statistics.median(walls):7.1f} ms  p95 "
                  f"{percentile(walls, 0.95):7.1f} ms  max {max(walls):7.1f} ms  CPU {statistics.median(cpus):6.1f} ms"
                  f"  {len(statements) / args.requests:4.1f} stmts  ({found})", flush=True)
            print(f"    thread CPU ms per request (mean of {args.requests}; CPU mean {statistics.mean(cpus):.1f}) in: "
                  f"{parts}", flush=True)
            by_shape: dict[str, list[float]] = defaultdict(list)
            for sql, ms in statements:
                by_shape[shape(sql)].append(ms)
            for sql, times in sorted(by_shape.items(), key=lambda item: -sum(item[1])):
                if sum(times) / args.requests < 0.5 and not args.sql:
                    continue
                per_request = len(times) / args.requests
                print(f"    {statistics.median(times):7.2f} ms p50 {max(times):7.2f} max x{per_request:.0f}"
                      f"  {sql if args.sql else sql[:160]}")


if __name__ == "__main__":
    main()
