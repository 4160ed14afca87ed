"""Portal pages under gunicorn on a large seeded database, each beside a lean reference in the same run.

Seeds a database (the `caseport seed` generator) or reuses one (--reuse), then serves it twice with
the same gunicorn settings on 127.0.0.1: Caseport (`portal:create_app()`) and the lean reference
(tests/bench/lean_app.py: Flask + Jinja2 + the raw driver, same rows, same columns, real templates, no
ORM, no sign-in). It signs in to Caseport through the real login form (with its CSRF token) as the
seeded customer with 200 cases and as an agent, and for each page scenario loads Caseport, then the
reference, for --duration seconds each at --connections connections (wrk when installed, else Python
threads), --rounds times interleaved, each run once both servers (and PostgreSQL) have finished what
the previous run left them. Printed per run: requests/s, the gunicorn workers' CPU per
request (from /proc, before and after), p50, p99, and Caseport's ratio to the reference. Search also
gets a sequential latency run (one connection, --latency-requests requests: p50 and p95), once both
servers have finished what the throughput runs left them.

Scenarios: the customer dashboard (first page), the case page with 50 events (customer and agent),
keyword search (customer and agent), and case submission (POST of the new-case form; Caseport only,
as another customer so a reused database keeps the dashboard's 200 cases).

    .venv/bin/python tests/bench/bench_portal.py [--cases N] [--reuse PATH|SCHEMA] [--database-url URL]
        [--duration S] [--connections N] [--rounds N] [--only dashboard,case,search,submit]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from page_load import Client, Result, Server, run_get, run_threads  # noqa: E402

SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
AGENT_EMAIL = "ada.agent@caseport.example.com"


def postgres_schema_url(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def create_postgres_schema(url: str, schema: str) -> bool:
    """Create schema unless it exists; True when it was created (so it needs seeding)."""
    import psycopg

    with psycopg.connect(url.split("?", 1)[0], autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (schema,)).fetchone()
        if not exists:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        return not exists


def drop_postgres_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url.split("?", 1)[0], autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def open_app(url: str):
    from portal import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})


def seed_database(url: str, cases: int) -> None:
    from portal.bootstrap import prepare_database
    from portal.demo.seed import seed

    app = open_app(url)
    with app.app_context():
        prepare_database(app)
        db = app.extensions["caseport_db"]
        with db.connection_context():
            report = seed(cases=cases, random_seed=1)
    if hasattr(db, "close_all"):
        db.close_all()
    print(f"seeded {report.cases} cases in {report.seconds:.1f} s ({report.cases_per_second:.0f} cases/s)", flush=True)


def find_targets(url: str) -> dict:
    """Who signs in and which pages are loaded, read from the (seeded) database."""
    import peewee

    from portal.models.cases import Case, CaseEvent
    from portal.models.configuration import CaseTemplate
    from portal.models.people import Customer, User
    from portal.models.teams import WorkgroupMember

    app = open_app(url)
    db = app.extensions["caseport_db"]
    with app.app_context(), db.connection_context():
        # The newest seed run's customers: a database seeded more than once (or a seed stopped half-way,
        # whose people stay) has older busy customers, perhaps without cases.
        seeded = (User.role == "customer") & User.email.endswith("@seed.example.com")
        busy = User.select().where(seeded & User.email.startswith("busy.customer")).order_by(User.id.desc()).get()
        other = User.select().where(seeded & (User.id > busy.id)).order_by(User.id).get()
        agent = User.get(User.email == AGENT_EMAIL)

        def longest(condition) -> tuple[str, int]:
            row = (Case.select(Case.reference, peewee.fn.COUNT(CaseEvent.id).alias("n"))
                   .join(CaseEvent).where(condition).group_by(Case.reference)
                   .order_by(peewee.fn.COUNT(CaseEvent.id).desc(), Case.reference).first())
            return row.reference, row.n

        customer_case = longest(Case.customer == Customer.get(Customer.user == busy).id)
        groups = WorkgroupMember.select(WorkgroupMember.workgroup).where(WorkgroupMember.user == agent.id)
        recent = Case.select(Case.id).where(Case.workgroup.in_(groups)).order_by(Case.id.desc()).limit(20_000)
        agent_case = longest(Case.id.in_(recent))
        template = CaseTemplate.get(CaseTemplate.name == "General inquiry")
        total = Case.select().count()
    if hasattr(db, "close_all"):
        db.close_all()
    return {"customer": busy, "other_customer": other, "agent": agent, "customer_case": customer_case,
            "agent_case": agent_case, "template": template.uuid, "total_cases": total}


def csrf(html: str) -> str:
    match = CSRF_RE.search(html)
    return match.group(1) or match.group(2)


def sign_in(port: int, email: str, password: str) -> dict:
    client = Client(port)
    _, page = client.request("GET", "/login")
    status, _ = client.request("POST", "/login", {"csrf_token": csrf(page), "email": email, "password": password})
    assert status == 302, f"sign-in as {email} failed with {status}"
    return client.cookies


def check_page(server: Server, path: str, cookies: dict, warm: int = 20) -> int:
    """Warm the workers up and check the page answers 200; returns its size in bytes. The cookies the
    page sets are kept in `cookies`, as a browser keeps them: the sign-in answer's session cookie holds
    no CSRF secret yet, so a signed-in page (the layout's sign-out button is a form), requested with that
    cookie, makes a new secret and signs and sends a new session cookie every time (0.2-0.3 ms of worker
    CPU a request, i12-case5), which a browser pays once, on its first page after signing in."""
    client = Client(server.port, cookies)
    for _ in range(warm):
        status, body = client.request("GET", path)
        if status != 200:
            raise SystemExit(f"{server.name} {path} answered {status}")
    cookies.update(client.cookies)
    return len(body.encode())


def wait_until_idle(url: str, *servers: Server, timeout: float = 180.0) -> float:
    """Wait until the servers' workers stop using CPU and, on PostgreSQL, no other backend of the
    database runs a statement, both at once for a second. Requests a throughput run's clients gave up on
    still run after it: the reference's agent search answered none of 16 within 3 s, and its workers
    then serve the backlog of queued requests for seconds, each half a second waiting on PostgreSQL
    (no worker CPU) and then a moment of Python (no statement). Two waits one after the other (CPU, then
    the database) each saw one of those phases quiet and let Caseport's sequential run share the
    machine with the rest of the backlog. Returns the seconds waited."""
    started = time.perf_counter()
    conn = None
    if url.startswith("postgresql"):
        import psycopg

        conn = psycopg.connect(url.split("?", 1)[0], autocommit=True)
    try:
        last = sum(server.cpu_seconds() for server in servers)
        quiet = 0
        while quiet < 4 and time.perf_counter() - started < timeout:
            time.sleep(0.25)
            now = sum(server.cpu_seconds() for server in servers)
            busy = now - last >= 0.01
            last = now
            if conn is not None and not busy:
                (active,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND state = 'active'").fetchone()
                busy = active > 0
            quiet = 0 if busy else quiet + 1
    finally:
        if conn is not None:
            conn.close()
    return time.perf_counter() - started


def sequential_latency(server: Server, path: str, cookies: dict, requests: int) -> tuple[float, float, str]:
    """p50 and p95 of `requests` requests one after another, and where the five slowest fell."""
    client = Client(server.port, cookies)
    latencies = []
    for position in range(requests):
        started = time.perf_counter()
        status, _ = client.request("GET", path)
        latencies.append(((time.perf_counter() - started) * 1000, position))
        assert status == 200, f"{path} answered {status}"
    latencies.sort()
    slowest = ", ".join(f"{ms:.0f} ms at {at}" for ms, at in reversed(latencies[-5:]))
    return (statistics.median(ms for ms, _ in latencies),
            latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))][0], slowest)


def line(name: str, app: str, result: Result) -> str:
    return (f"{name:<20} {app:<9} {result.requests:>6} req {result.errors:>4} err {result.rps:8.1f} req/s "
            f"{result.cpu_ms:7.2f} ms CPU/req  p50 {result.p50:7.1f} ms  p99 {result.p99:7.1f} ms")


def main() -> None:  # noqa: C901 - one linear script
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000, help="cases to seed (not with a seeded --reuse)")
    parser.add_argument("--database-url", help="PostgreSQL URL (a schema of its own is used); SQLite file by default")
    parser.add_argument("--reuse", help="SQLite file path (or PostgreSQL schema name) to seed once and keep")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per app and scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1, help="interleaved Caseport/reference rounds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker; 1 (sync workers) is the issue's and the README's set-up")
    parser.add_argument("--requests", type=int, default=300, help="submissions (and requests per Python client run)")
    parser.add_argument("--latency-requests", type=int, default=100, help="sequential search requests for p95")
    parser.add_argument("--only", default="dashboard,case,search,submit")
    parser.add_argument("--search", default="printer", help="the keywords searched (as typed)")
    args = parser.parse_args()
    only = set(args.only.split(","))

    from portal.demo import DEMO_PASSWORD

    scratch = tempfile.TemporaryDirectory()
    schema = None
    if args.database_url:
        schema = args.reuse or f"bench_{uuid.uuid4().hex[:12]}"
        url = postgres_schema_url(args.database_url, schema)
        if create_postgres_schema(args.database_url, schema):
            seed_database(url, args.cases)
    else:
        path = Path(args.reuse).resolve() if args.reuse else Path(scratch.name, "bench.db")
        url = f"sqlite:///{path}"
        if not path.exists():
            seed_database(url, args.cases)
    targets = find_targets(url)
    settings = {"workers": args.workers, "threads": args.threads}
    caseport = Server("Caseport", "portal:create_app()", cwd=ROOT,
                      env={**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY}, **settings)
    try:
        lean = Server("reference", "lean_app:create_app()", cwd=Path(__file__).parent,
                      env={**os.environ, "DATABASE_URL": url}, **settings)
    except BaseException:
        caseport.stop()
        raise
    try:
        customer = sign_in(caseport.port, targets["customer"].email, DEMO_PASSWORD)
        agent = sign_in(caseport.port, targets["agent"].email, DEMO_PASSWORD)
        as_customer = {"viewer": str(targets["customer"].id)}
        as_agent = {"viewer": str(targets["agent"].id)}
        (ref, events), (staff_ref, staff_events) = targets["customer_case"], targets["agent_case"]
        pages = []
        if "dashboard" in only:
            pages.append(("dashboard (customer)", "/cases", customer, as_customer))
        if "case" in only:
            pages.append((f"case page ({events} ev.)", f"/cases/{ref}", customer, as_customer))
            pages.append((f"staff case ({staff_events} ev.)", f"/cases/{staff_ref}", agent, as_agent))
        if "search" in only:
            pages.append(("search (customer)", f"/cases?q={quote_plus(args.search)}", customer, as_customer))
            pages.append(("search (agent)", f"/staff/search?q={quote_plus(args.search)}", agent, as_agent))
        print(f"backend {'PostgreSQL' if schema else 'SQLite'}, {targets['total_cases']} cases; gunicorn -w "
              f"{args.workers} --threads {args.threads} for both apps; {args.connections} connections, "
              f"{args.duration:g} s per run, {args.rounds} round(s); load average {os.getloadavg()[0]:.2f}",
              flush=True)
        summary = []
        for name, path, cookies, lean_cookies in pages:
            sizes = (check_page(caseport, path, cookies), check_page(lean, path, lean_cookies))
            print(f"{name}: {path}  page size Caseport {sizes[0]} B, reference {sizes[1]} B", flush=True)
            runs: dict[str, list[Result]] = {"Caseport": [], "reference": []}
            for _ in range(args.rounds):
                for server, jar in ((caseport, cookies), (lean, lean_cookies)):
                    # the previous run's abandoned requests (the reference's backlog of agent searches at
                    # 1M cases: seconds of work) must not fall into this run
                    wait_until_idle(url, caseport, lean)
                    result = run_get(server, path, jar, connections=args.connections, duration=args.duration,
                                     requests=args.requests)
                    runs[server.name].append(result)
                    print(line(name, server.name, result), flush=True)
            mine, ref_runs = runs["Caseport"], runs["reference"]
            if all(r.requests for r in ref_runs):
                rps = statistics.median(r.rps for r in mine) / statistics.median(r.rps for r in ref_runs)
                cpu = statistics.median(r.cpu_ms for r in mine) / statistics.median(r.cpu_ms for r in ref_runs)
                print(f"{name:<20} ratio     Caseport/reference: throughput {rps:.2f}x, CPU per request {cpu:.2f}x",
                      flush=True)
            else:  # at a million cases the reference's exact count can outlast a short run
                rps = float("nan")  # (the table printed the previous scenario's ratio here)
                print(f"{name:<20} ratio     none: the reference answered no request within the run", flush=True)
            extra = ""
            if path.startswith(("/cases?q", "/staff/search")):
                waited = wait_until_idle(url, caseport, lean)
                p50, p95, slowest = sequential_latency(caseport, path, cookies, args.latency_requests)
                r50, r95, _ = sequential_latency(lean, path, lean_cookies, args.latency_requests)
                extra = f"sequential p50/p95 Caseport {p50:.1f}/{p95:.1f} ms, reference {r50:.1f}/{r95:.1f} ms"
                print(f"{name:<20} (both servers idle after {waited:.1f} s; load average {os.getloadavg()[0]:.2f})",
                      flush=True)
                print(f"{name:<20} {extra}", flush=True)
                print(f"{name:<20} Caseport's slowest: {slowest}", flush=True)
            summary.append((name, statistics.median(r.rps for r in mine), statistics.median(r.cpu_ms for r in mine),
                            statistics.median(r.p99 for r in mine), statistics.median(r.rps for r in ref_runs),
                            statistics.median(r.cpu_ms for r in ref_runs), rps, extra))
        if "submit" in only:
            other = sign_in(caseport.port, targets["other_customer"].email, DEMO_PASSWORD)
            form_client = Client(caseport.port, other)
            token = csrf(form_client.request("GET", f"/cases/new/{targets['template']}")[1])
            other = form_client.cookies  # the form page may renew the session cookie its token belongs to
            counter = iter(range(10**9))

            def submit(client):
                n = next(counter)
                return client.request("POST", f"/cases/new/{targets['template']}", {
                    "csrf_token": token, "title": f"Benchmark case {n}",
                    "summary": "Submitted by the portal benchmark to measure case submission."})[0]

            result = run_threads(caseport, submit, other, requests=args.requests, connections=min(8, args.connections),
                                 duration=60)
            print(line("submit case", "Caseport", result), flush=True)
        print("\n| scenario | Caseport req/s | CPU ms/req | p99 ms | reference req/s | CPU ms/req | ratio | notes |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for name, rps, cpu, p99, lrps, lcpu, ratio, extra in summary:
            print(f"| {name} | {rps:.0f} | {cpu:.1f} | {p99:.0f} | {lrps:.0f} | {lcpu:.1f} | {ratio:.2f}x | {extra} |")
    finally:
        caseport.stop()
        lean.stop()
        if schema and not args.reuse:
            drop_postgres_schema(args.database_url, schema)
        scratch.cleanup()


if __name__ == "__main__":
    main()
