"""Case submission under load: N concurrent POSTs of the new-case form through gunicorn, each checked.

Seeds a database (the `caseport seed` generator), then, in interleaved rounds, serves and loads two
apps with the same gunicorn settings on 127.0.0.1:

- Caseport: signs in through the login form as the customer with 200 cases and POSTs the "General
  inquiry" form (title and summary, real CSRF token) N times from C client threads;
- a lean reference: a minimal Flask + sqlite3 (or psycopg) app that inserts the same row (the case,
  with the same columns and values, and its "created" event) in one transaction and redirects; no
  ORM, no sign-in, no validation, no notifications, no search index.

After each run it reads the database directly and checks that every POST answered with a redirect
became exactly one case: "lost" counts redirects without a case, "failed" any other answer,
"duplicated" a title stored twice. Prints submissions/s, p50 and p99 for both and Caseport's
throughput as a share of the reference's.

    .venv/bin/python tests/bench/bench_submit.py [--database-url URL] [--cases N] [--posts N]
        [--concurrency C] [--rounds R] [--app-root DIR]

--app-root serves the portal of another checkout; --before DIR adds, in every round, a run of the
portal of another checkout (e.g. `git archive main | tar -x -C /tmp/base`) on the same seeded
database, and prints this checkout's throughput as a multiple of it: on a shared machine only figures
from the same rounds compare.
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from lean_submit import libpq_url  # noqa: E402 - beside this script

SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
SUMMARY = "Submitted by the submission benchmark: every one of these must become a case."


# --- database -------------------------------------------------------------------------------------


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
    from portal.db import is_postgres
    from portal.demo.seed import seed
    from portal.models.configuration import CaseStatus, CaseTemplate
    from portal.models.people import Customer, User

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        prepare_database(app)
        db = app.extensions["caseport_db"]
        with db.connection_context():
            report = seed(cases=cases, random_seed=1)
            user = User.get(User.email == report.busy_customer_email)
            customer = Customer.get(Customer.user == user)
            template = CaseTemplate.get(CaseTemplate.name == "General inquiry")
            status = CaseStatus.get((CaseStatus.is_system == True) & (CaseStatus.category == "open"))  # noqa: E712
            if is_postgres(db):
                # The code of --before (01c61a4) predates case.language and leaves it out of its INSERT; SQLite's
                # column keeps the default migration 0012 gave it, PostgreSQL's dropped it: give it back here,
                # in the benchmark's own schema, so the old code runs on PostgreSQL as it does on SQLite.
                db.execute_sql("""ALTER TABLE "case" ALTER COLUMN "language" SET DEFAULT 'en'""")
    if hasattr(db, "close_all"):
        db.close_all()
    print(f"seeded {report.cases} cases in {report.seconds:.1f} s", flush=True)
    return {"email": report.busy_customer_email, "template_uuid": template.uuid, "template_id": template.id,
            "workgroup_id": template.default_workgroup_id or "", "status_id": status.id,
            "customer_id": customer.id, "user_id": user.id}


def titles_stored(url: str, prefix: str) -> list[str]:
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(libpq_url(url)) as conn:
            rows = conn.execute('SELECT title FROM "case" WHERE title LIKE %s', (prefix + "%",)).fetchall()
    else:
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as conn:
            rows = conn.execute('SELECT title FROM "case" WHERE title LIKE ?', (prefix + "%",)).fetchall()
    return [title for (title,) in rows]


# --- load -----------------------------------------------------------------------------------------


class Client:
    """One keep-alive connection with its cookies."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 0, ""
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.split(";", 1)[0].partition("=")
                self.cookies[name] = rest
        return response.status, text


def csrf(html: str) -> str:
    match = CSRF_RE.search(html)
    return match.group(1) or match.group(2)


def fire(port: int, cookies: dict, path: str, fields: dict, *, prefix: str, posts: int, concurrency: int,
         time_limit: float) -> dict:
    """POST the form `posts` times from `concurrency` threads; each title is prefix + its number."""
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    lock = threading.Lock()
    numbers = iter(range(posts))
    deadline = time.monotonic() + time_limit

    def worker():
        client = Client(port, cookies)
        while time.monotonic() < deadline:
            with lock:
                n = next(numbers, None)
            if n is None:
                return
            started = time.perf_counter()
            status, _ = client.request("POST", path, {**fields, "title": f"{prefix}{n}"})
            elapsed = time.perf_counter() - started
            # A browser follows the redirect, which shows and drops the flash message; this client does
            # not, so it keeps the signed-in cookie instead of one that collects every flash message.
            client.cookies = dict(cookies)
            with lock:
                statuses[n] = status
                latencies.append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {"statuses": statuses, "wall": wall, "rps": len(latencies) / wall if wall else 0.0,
            "p50": statistics.median(latencies) * 1000 if latencies else 0.0,
            "p99": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000 if latencies else 0.0}


def check(result: dict, url: str, prefix: str, posts: int) -> dict:
    stored = titles_stored(url, prefix)
    counts: dict[str, int] = {}
    for title in stored:
        counts[title] = counts.get(title, 0) + 1
    redirected = {n for n, status in result["statuses"].items() if status in (302, 303)}
    return {
        "sent": len(result["statuses"]),
        "not_sent": posts - len(result["statuses"]),
        "failed": len(result["statuses"]) - len(redirected),
        "lost": sum(1 for n in redirected if f"{prefix}{n}" not in counts),
        "duplicated": sum(1 for count in counts.values() if count > 1),
        "stored": len(stored),
    }


# --- servers --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(app: str, env: dict, *, chdir: Path, workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, local server
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}",
         "--backlog", "2048", "--log-level", "warning", "--chdir", str(chdir), app], env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn for {app} exited early")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn for {app} did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_caseport(args, url: str, target: dict, round_no: int, app_root: Path) -> dict:
    from portal.demo import DEMO_PASSWORD

    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "PYTHONPATH": str(app_root)}
    process, port = gunicorn("portal:create_app()", env, chdir=app_root, workers=args.workers, threads=args.threads)
    try:
        client = Client(port)
        _, page = client.request("GET", "/login")
        status, _ = client.request("POST", "/login", {"csrf_token": csrf(page), "email": target["email"],
                                                      "password": DEMO_PASSWORD})
        assert status == 302, f"sign-in failed with {status}"
        path = f"/cases/new/{target['template_uuid']}"
        token = csrf(client.request("GET", path)[1])
        prefix = f"bench-submit caseport {round_no} {uuid.uuid4().hex[:8]} #"
        result = fire(port, client.cookies, path, {"csrf_token": token, "summary": SUMMARY}, prefix=prefix,
                      posts=args.posts, concurrency=args.concurrency, time_limit=args.time_limit)
    finally:
        stop(process)
    return {**result, **check(result, url, prefix, args.posts)}


def run_lean(args, url: str, target: dict, round_no: int) -> dict:
    env = {**os.environ, "LEAN_DATABASE_URL": url, "LEAN_TEMPLATE_ID": str(target["template_id"]),
           "LEAN_STATUS_ID": str(target["status_id"]), "LEAN_CUSTOMER_ID": str(target["customer_id"]),
           "LEAN_USER_ID": str(target["user_id"]), "LEAN_WORKGROUP_ID": str(target["workgroup_id"])}
    process, port = gunicorn("lean_submit:lean_app()", env, chdir=HERE, workers=args.workers, threads=args.threads)
    try:
        prefix = f"bench-submit lean {round_no} {uuid.uuid4().hex[:8]} #"
        result = fire(port, {}, "/submit", {"summary": SUMMARY}, prefix=prefix, posts=args.posts,
                      concurrency=args.concurrency, time_limit=args.time_limit)
    finally:
        stop(process)
    return {**result, **check(result, url, prefix, args.posts)}


def report(name: str, result: dict) -> None:
    print(f"{name:<9} {result['sent']:>5} sent  {result['stored']:>5} stored  lost {result['lost']}  "
          f"failed {result['failed']}  duplicated {result['duplicated']}  not sent {result['not_sent']}  "
          f"{result['rps']:7.1f} submissions/s  p50 {result['p50']:7.1f} ms  p99 {result['p99']:7.1f} ms",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL URL (a private schema is used); SQLite file by default")
    parser.add_argument("--cases", type=int, default=100_000, help="cases to seed first")
    parser.add_argument("--posts", type=int, default=1000, help="POSTs per app and round")
    parser.add_argument("--concurrency", type=int, default=16, help="client threads (open connections)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of Caseport and the reference")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds per run at most")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="checkout whose portal is served")
    parser.add_argument("--before", type=Path, help="another checkout to measure in the same rounds")
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory()
    schema = None
    if args.database_url:
        url, schema = private_postgres_schema(args.database_url)
    else:
        url = f"sqlite:///{scratch.name}/bench.db"
    failures = 0
    try:
        target = seed_database(url, args.cases)
        print(f"backend {'PostgreSQL' if schema else 'SQLite'}, {args.posts} POSTs per run from "
              f"{args.concurrency} threads, gunicorn -w {args.workers} --threads {args.threads}, "
              f"portal from {args.app_root}", flush=True)
        ratios, gains = [], []
        for round_no in range(1, args.rounds + 1):
            runs = []
            if args.before:
                before = run_caseport(args, url, target, round_no, args.before.resolve())
                report("before", before)
                runs.append(before)
            caseport = run_caseport(args, url, target, round_no, args.app_root.resolve())
            report("caseport", caseport)
            lean = run_lean(args, url, target, round_no)
            report("lean", lean)
            runs += [caseport, lean]
            ratios.append(caseport["rps"] / lean["rps"] if lean["rps"] else 0.0)
            print(f"round {round_no}: Caseport at {ratios[-1]:.2f}× the lean reference", end="", flush=True)
            if args.before:
                gains.append(caseport["rps"] / before["rps"] if before["rps"] else 0.0)
                print(f", {gains[-1]:.2f}× before", end="")
            print(flush=True)
            failures += sum(run[k] for run in runs for k in ("lost", "failed", "duplicated", "not_sent"))
        print(f"median ratio {statistics.median(ratios):.2f}× the lean reference"
              + (f", {statistics.median(gains):.2f}× before" if gains else "")
              + f"; lost+failed+duplicated+not sent: {failures}")
    finally:
        if schema:
            import psycopg

            with psycopg.connect(args.database_url.split("?", 1)[0], autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        scratch.cleanup()
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
