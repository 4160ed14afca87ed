"""Portal throughput and latency under gunicorn on a large seeded database.

Seeds a database (`caseport seed` generator), serves the app with gunicorn (2 workers, 4 threads,
no scheduler) on 127.0.0.1, signs in through the real login form (with its CSRF token) as the
customer with 200 cases, and measures with a bounded load generator (threads + http.client, a fixed
number of requests and a time limit): the dashboard, a case page with 50 events, a keyword search and
case submission (POST of the new-case form). Prints requests/s, p50 and p99 per scenario.

    .venv/bin/python tests/bench/bench_portal.py [--cases N] [--database-url URL] [--requests N]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def private_postgres_schema(url: str) -> tuple[str, str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url.split("?", 1)[0], autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", schema


def seed_database(url: str, cases: int) -> dict:
    from portal import create_app
    from portal.bootstrap import prepare_database
    from portal.demo.seed import seed
    from portal.models.cases import Case, CaseEvent
    from portal.models.configuration import CaseTemplate
    from portal.models.people import Customer, User

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        prepare_database(app)
        db = app.extensions["caseport_db"]
        with db.connection_context():
            report = seed(cases=cases, random_seed=1)
            user = User.get(User.email == report.busy_customer_email)
            customer = Customer.get(Customer.user == user)
            import peewee

            long_case = (
                Case.select(Case.reference, peewee.fn.COUNT(CaseEvent.id).alias("n"))
                .join(CaseEvent)
                .where(Case.customer == customer)
                .group_by(Case.reference)
                .order_by(peewee.fn.COUNT(CaseEvent.id).desc())
                .first()
            )
            template = CaseTemplate.get(CaseTemplate.name == "General inquiry")
    if hasattr(db, "close_all"):
        db.close_all()
    print(f"seeded {report.cases} cases in {report.seconds:.1f} s ({report.cases_per_second:.0f} cases/s); "
          f"long case {long_case.reference} has {long_case.n} events", flush=True)
    return {"email": report.busy_customer_email, "case": long_case.reference, "template": template.uuid,
            "seed_seconds": report.seconds}


class Client:
    """One keep-alive connection with the session cookie."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies = dict(cookies or {})

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.split(";", 1)[0].partition("=")
                self.cookies[name] = rest
        return response.status, text


def csrf(html: str) -> str:
    match = CSRF_RE.search(html)
    return match.group(1) or match.group(2)


def sign_in(port: int, email: str, password: str) -> str:
    client = Client(port)
    _, page = client.request("GET", "/login")
    status, _ = client.request("POST", "/login", {"csrf_token": csrf(page), "email": email, "password": password})
    assert status == 302, f"sign-in failed with {status}"
    return client.cookies


def run_scenario(name, port, cookie, make_request, *, requests: int, concurrency: int, time_limit: float):
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    issued = iter(range(requests))
    deadline = time.monotonic() + time_limit

    def worker():
        client = Client(port, cookie)
        while time.monotonic() < deadline:
            with lock:
                if next(issued, None) is None:
                    return
            started = time.perf_counter()
            status = make_request(client)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status not in (200, 302):
                    errors.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    result = {"scenario": name, "requests": len(latencies), "errors": len(errors), "rps": len(latencies) / wall,
              "p50": statistics.median(latencies) * 1000, "p99": p(0.99)}
    print(f"{name:<12} {result['requests']:>5} req  {result['errors']:>3} errors  {result['rps']:7.1f} req/s  "
          f"p50 {result['p50']:7.1f} ms  p99 {result['p99']:7.1f} ms", flush=True)
    return result


def wait_for(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", help="PostgreSQL URL (a private schema is used); SQLite file by default")
    parser.add_argument("--requests", type=int, default=500, help="requests per scenario")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per scenario at most")
    args = parser.parse_args()

    from portal.demo import DEMO_PASSWORD

    scratch = tempfile.TemporaryDirectory()
    schema = None
    if args.database_url:
        url, schema = private_postgres_schema(args.database_url)
    else:
        url = f"sqlite:///{scratch.name}/bench.db"
    target = seed_database(url, args.cases)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY}
    server = subprocess.Popen(  # noqa: S603 - fixed arguments, local server
        [str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "portal:create_app()"], cwd=ROOT, env=env)
    try:
        wait_for(port, server)
        cookie = sign_in(port, target["email"], DEMO_PASSWORD)
        token = csrf(Client(port, cookie).request("GET", f"/cases/new/{target['template']}")[1])
        counter = iter(range(10**9))

        def submit(client):
            n = next(counter)
            return client.request("POST", f"/cases/new/{target['template']}", {
                "csrf_token": token, "title": f"Benchmark case {n}",
                "summary": "Submitted by the portal benchmark to measure case submission."})[0]

        scenarios = [
            ("dashboard", lambda c: c.request("GET", "/cases")[0]),
            ("case page", lambda c: c.request("GET", f"/cases/{target['case']}")[0]),
            ("search", lambda c: c.request("GET", "/cases?q=printer+slow")[0]),
            ("submit case", submit),
        ]
        print(f"backend {'PostgreSQL' if schema else 'SQLite'}, {args.cases} cases, {args.requests} requests "
              f"per scenario, {args.concurrency} client threads, gunicorn -w 2 --threads 4", flush=True)
        for name, make in scenarios:
            run_scenario(name, port, cookie, make, requests=args.requests, concurrency=args.concurrency,
                         time_limit=args.time_limit)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        if schema:
            import psycopg

            with psycopg.connect(args.database_url.split("?", 1)[0], autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        scratch.cleanup()


if __name__ == "__main__":
    main()
