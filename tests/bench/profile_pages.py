"""Where a page's CPU goes: time.thread_time timers around the hot functions, in-process.

cProfile and pyinstrument inflate peewee's call-heavy code; this wraps only a few functions and
charges each slice of thread CPU time to the innermost timed function running (exclusive times):
- sql generation: peewee turning query objects into SQL text (Database.execute minus what it calls);
- sql execution: the driver running a statement (Database.execute_sql);
- rows to objects: fetching rows and building model instances (CursorWrapper.iterate);
- connect/close: opening (pragmas) and closing the connection;
- template rendering: Jinja2 (flask's _render), less the queries it triggers;
- the rest: Flask, Flask-Login, forms, policy and view code.
It signs in through the login form with the Flask test client, warms up, then requests each page
--requests times and prints the split per page and the number of statements per request, and the CPU
per request of the least disturbed tenth of the requests ("best tenth": on a loaded machine the other
processes' work on the same cores inflates the average, less so the best batch).

    .venv/bin/python tests/bench/profile_pages.py --database-url sqlite:////tmp/bench.db [--requests 50]
        [--only dashboard,search] [--cold]
    .venv/bin/python tests/bench/profile_pages.py --database-url postgresql://user:pw@127.0.0.1:5432/db \
        --schema i12_bench_20k [...]

On PostgreSQL, --schema names the schema a benchmark seeded (bench_portal.py --reuse NAME), and when the
server runs on this machine a last column gives what it spent: the CPU time of the server process
serving this script's connection (/proc/PID/stat), per request ("n/a" when it cannot be read, or when
requests used more than one connection). The pages' own CPU does not include it.

--cold forgets before every request what pages keep between requests (the {% remember %} parts, the
dashboard's row markup and converted moments, the feed's entries, the checked session cookies): the cost of a view whose
every part and row changed since the worker last showed it, beside the warm figure of the same run.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


class Timers:
    def __init__(self):
        self.totals: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.stack: list[str] = ["the rest"]
        self.mark = time.thread_time()

    def _charge(self) -> None:
        now = time.thread_time()
        self.totals[self.stack[-1]] += now - self.mark
        self.mark = now

    def wrap(self, owner, name: str, category: str) -> None:
        original = getattr(owner, name)
        timers = self

        def timed(*args, **kwargs):
            timers._charge()
            timers.stack.append(category)
            timers.calls[category] += 1
            try:
                return original(*args, **kwargs)
            finally:
                timers._charge()
                timers.stack.pop()

        setattr(owner, name, timed)

    def reset(self) -> None:
        self.totals.clear()
        self.calls.clear()
        self.mark = time.thread_time()


def install(timers: Timers) -> None:
    import flask.templating
    import peewee

    timers.wrap(peewee.Database, "execute", "sql generation")
    timers.wrap(peewee.Database, "execute_sql", "sql execution")
    timers.wrap(peewee.CursorWrapper, "iterate", "rows to objects")
    timers.wrap(peewee.Database, "connect", "connect/close")
    timers.wrap(peewee.Database, "close", "connect/close")
    timers.wrap(flask.templating, "_render", "template rendering")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a database seeded by `caseport seed`")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--search", default="printer", help="the keywords searched (as typed)")
    parser.add_argument("--cold", action="store_true", help="also measure each page with nothing kept between requests")
    parser.add_argument("--schema", help="PostgreSQL: the schema of a seeded database (bench_portal.py --reuse NAME)")
    parser.add_argument("--only", default="", help="pages whose name starts with one of these (comma-separated), "
                                                   "e.g. dashboard,search")
    args = parser.parse_args()

    from bench_portal import find_targets, postgres_schema_url

    from portal import create_app
    from portal.demo import DEMO_PASSWORD

    url = postgres_schema_url(args.database_url, args.schema) if args.schema else args.database_url
    targets = find_targets(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    server = ServerCPU(app)
    timers = Timers()

    def client_for(email):
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        match = CSRF_RE.search(page)
        response = client.post("/login", data={"csrf_token": match.group(1) or match.group(2), "email": email,
                                               "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.status_code
        return client

    customer, agent = client_for(targets["customer"].email), client_for(targets["agent"].email)
    pages = [
        ("dashboard (customer)", customer, "/cases"),
        ("case page (customer)", customer, f"/cases/{targets['customer_case'][0]}"),
        ("case page (agent)", agent, f"/cases/{targets['agent_case'][0]}"),
        ("search (customer)", customer, f"/cases?q={quote_plus(args.search)}"),
        ("search (agent)", agent, f"/staff/search?q={quote_plus(args.search)}"),
    ]
    if args.only:
        pages = [page for page in pages if page[0].startswith(tuple(args.only.split(",")))]
    install(timers)
    categories = ["sql generation", "sql execution", "rows to objects", "connect/close", "template rendering",
                  "the rest"]
    print(f"{'page':<27} {'CPU ms/req':>10} {'best tenth':>10} {'stmts':>6}  "
          + "  ".join(f"{c:>18}" for c in categories) + ("  server CPU ms/req" if server.enabled else ""))
    runs = [(name, client, path, False) for name, client, path in pages]
    if args.cold:
        runs = [run for name, client, path in pages
                for run in ((name, client, path, False), (f"{name} cold", client, path, True))]
    for name, client, path, cold in runs:
        for _ in range(5):
            assert client.get(path).status_code == 200
        server_started = server.seconds()
        timers.reset()
        started = time.thread_time()
        batch, batch_started, batches = max(1, args.requests // 10), started, []
        for n in range(1, args.requests + 1):
            if cold:
                forget_kept(app)
            client.get(path)
            if n % batch == 0:  # the least disturbed tenth says most on a loaded machine
                now = time.thread_time()
                batches.append((now - batch_started) * 1000 / batch)
                batch_started = now
        timers._charge()
        total = (time.thread_time() - started) * 1000 / args.requests
        shares = [timers.totals[c] * 1000 / args.requests for c in categories]
        statements = timers.calls["sql execution"] / args.requests
        server_spent = server.per_request(server_started, args.requests)
        print(f"{name:<27} {total:10.2f} {min(batches):10.2f} {statements:6.1f}  "
              + "  ".join(f"{ms:7.2f} ms {ms * 100 / total:4.0f} %" for ms in shares) + server_spent, flush=True)


def process_cpu(pid: int) -> tuple[int, float] | None:
    """(pid, the CPU seconds the process has spent, user and system) from /proc; None if it is gone."""
    import os

    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerCPU:
    """The CPU time of the PostgreSQL server process behind the app's connection, read from /proc (the
    server on this machine). Every request of this single-threaded script checks the same pooled
    connection out; if the process changes between two readings, the figure is not given."""

    def __init__(self, app):
        from portal.db import is_postgres

        self._app = app
        self.enabled = is_postgres(app.extensions["caseport_db"])

    def _backend(self):
        db = self._app.extensions["caseport_db"]
        with self._app.app_context(), db.connection_context():
            return db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]

    def seconds(self):
        if not self.enabled:
            return None
        return process_cpu(self._backend())

    def per_request(self, started, requests: int) -> str:
        if not self.enabled:
            return ""
        ended = self.seconds()
        if started is None or ended is None or started[0] != ended[0]:
            return f"  {'n/a':>17}"
        return f"  {(ended[1] - started[1]) * 1000 / requests:14.2f} ms"


def forget_kept(app) -> None:
    """Forget what pages keep between requests (see --cold); translations, addresses and configuration
    stay kept, as they do in a running worker."""
    from portal.cases.queries import dashboard_sql
    from portal.cases.routes import case_rows, feed_lines

    app.extensions.get("caseport_fragments", {}).clear()
    case_rows._HEADS.clear()
    feed_lines._LINES.clear()
    dashboard_sql._moment_reader.cache_clear()
    app.session_interface._kept.clear()


if __name__ == "__main__":
    main()
