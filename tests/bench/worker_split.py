"""Where a gunicorn worker's CPU goes per page request: the worker's CPU from /proc (as bench_portal.py
reads it) beside thread-CPU timers inside the same worker, per phase of the request.

Serves Caseport under gunicorn (one sync worker by default) through `create_app()` below: the real app
with `time.thread_time` timers around the WSGI call (everything Flask does, response body included),
Flask's phases (before-request hooks, the view with its rendering, the after-request hooks with the
session cookie's save) and the garbage collector's passes. "outside the app" is what the worker spent
beyond the WSGI call: gunicorn accepting the connection, parsing the request, writing the answer.
Two paths answer with the timers instead of a page: /__worker_split (JSON) and /__worker_split_reset.

It signs in as bench_portal.py's customer and agent, then requests their case pages one after the
other on one connection (--requests each, --rounds interleaved), each page twice: with the cookie the
sign-in answered ("sign-in cookie", what bench_portal.py sent before i12-case5) and with the cookie a
browser holds after its first page ("browser cookie"); then both pages in turn, one request each
("in turn": the same minutes for both pages, so their phases compare on a shared machine).

    .venv/bin/python tests/bench/worker_split.py --reuse /tmp/bench.db [--requests 150] [--rounds 3]
    .venv/bin/python tests/bench/worker_split.py --database-url postgresql://... --reuse SCHEMA
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_SPENT: dict = defaultdict(float)  # (path, phase) -> thread CPU seconds
_COUNT: dict = defaultdict(int)  # (path, "requests" or "gc<generation>") -> number
_EACH: dict = defaultdict(list)  # (path, "app" or "view") -> each request's thread CPU seconds (the median
# says more than the mean on a shared machine, where other processes' bursts inflate a few requests)
_LAST = {"view": 0.0}
_NOW = {"path": None, "gc": 0.0}


def _gc_pass(phase, info):
    if phase == "start":
        _NOW["gc"] = time.thread_time()
    elif _NOW["path"]:
        _SPENT[(_NOW["path"], "gc")] += time.thread_time() - _NOW["gc"]
        _COUNT[(_NOW["path"], f"gc{info['generation']}")] += 1


def _timed(phase, function):
    def timed(*args, **kwargs):
        started = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            if _NOW["path"]:
                _SPENT[(_NOW["path"], phase)] += time.thread_time() - started
                if phase == "dispatch_request":
                    _LAST["view"] = time.thread_time() - started
    return timed


def create_app():
    """Caseport's app with the timers (the gunicorn app of this benchmark; measurement only)."""
    import portal

    app = portal.create_app()
    gc.callbacks.append(_gc_pass)
    for phase in ("preprocess_request", "dispatch_request", "process_response"):
        setattr(app, phase, _timed(phase, getattr(app, phase)))
    sessions = app.session_interface
    sessions.open_session = _timed("open_session", sessions.open_session)
    sessions.save_session = _timed("save_session", sessions.save_session)
    inner = app.wsgi_app

    def wsgi(environ, start_response):
        path = environ.get("PATH_INFO")
        if path in ("/__worker_split", "/__worker_split_reset"):
            if path.endswith("reset"):
                _SPENT.clear()
                _COUNT.clear()
                _EACH.clear()
            body = json.dumps({"pid": os.getpid(), "spent": [[*key, value] for key, value in _SPENT.items()],
                               "count": [[*key, value] for key, value in _COUNT.items()],
                               "median": [[*key, statistics.median(values)] for key, values in _EACH.items()]}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        _NOW["path"] = path
        _COUNT[(path, "requests")] += 1
        _LAST["view"] = 0.0
        started = time.thread_time()
        try:
            result = inner(environ, start_response)
            body = list(result)
            if hasattr(result, "close"):
                result.close()
            return body
        finally:
            _SPENT[(path, "app")] += time.thread_time() - started
            _EACH[(path, "app")].append(time.thread_time() - started)
            _EACH[(path, "view")].append(_LAST["view"])
            _NOW["path"] = None

    app.wsgi_app = wsgi
    return app


PHASES = ["open_session", "preprocess_request", "dispatch_request", "process_response", "save_session", "gc", "app"]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import http.client

    from bench_portal import SECRET_KEY, find_targets, postgres_schema_url, sign_in
    from page_load import Client, Server

    from portal.demo import DEMO_PASSWORD

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse", required=True, help="SQLite file (or, with --database-url, the schema)")
    parser.add_argument("--database-url", help="PostgreSQL URL of the database holding the --reuse schema")
    parser.add_argument("--requests", type=int, default=150, help="requests per page, variant and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    url = (postgres_schema_url(args.database_url, args.reuse) if args.database_url
           else f"sqlite:///{Path(args.reuse).resolve()}")
    targets = find_targets(url)
    server = Server("Caseport", "worker_split:create_app()", cwd=Path(__file__).parent,
                    env={**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY},
                    workers=args.workers, threads=1)

    def timers(path: str) -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        conn.request("GET", path)
        return json.loads(conn.getresponse().read())

    try:
        pages = [("customer", f"/cases/{targets['customer_case'][0]}",
                  sign_in(server.port, targets["customer"].email, DEMO_PASSWORD)),
                 ("agent", f"/cases/{targets['agent_case'][0]}",
                  sign_in(server.port, targets["agent"].email, DEMO_PASSWORD))]
        print(f"{'SQLite' if url.startswith('sqlite') else 'PostgreSQL'}; gunicorn -w {args.workers}; "
              f"{args.requests} requests per line; load average {os.getloadavg()[0]:.2f}", flush=True)
        print(f"{'page / cookie':<18} {'worker':>7} {'outside':>8} " + " ".join(f"{p:>10.10}" for p in PHASES)
              + "   med view    med app  (ms of CPU per request; med = median request)", flush=True)
        figures = defaultdict(list)
        for _ in range(args.rounds):
            for name, path, signed_in in pages:
                for variant in ("sign-in", "browser"):
                    client = Client(server.port, signed_in)
                    for _ in range(20):  # warm; the browser variant keeps what the page sets, as a browser does
                        client.request("GET", path)
                    if variant == "sign-in":
                        client.cookies = dict(signed_in)
                    sent = dict(client.cookies)
                    timers("/__worker_split_reset")
                    before = server.cpu_seconds()
                    for _ in range(args.requests):
                        client.cookies = dict(sent)
                        status, _ = client.request("GET", path)
                        assert status == 200, f"{path} answered {status}"
                    worker = (server.cpu_seconds() - before) * 1000 / args.requests
                    answer = timers("/__worker_split")
                    spent = {phase: value * 1000 / args.requests
                             for key_path, phase, value in answer["spent"] if key_path == path}
                    median = {phase: value * 1000 for key_path, phase, value in answer["median"] if key_path == path}
                    row = ([worker, worker - spent["app"]] + [spent.get(phase, 0.0) for phase in PHASES]
                           + [median["view"], median["app"]])
                    figures[(name, variant)].append(row)
                    print(f"{name + ' / ' + variant:<18} " + " ".join(f"{v:7.2f}" if i < 2 else f"{v:10.2f}"
                                                                     for i, v in enumerate(row)), flush=True)
            # Both pages, one request each in turn (browser cookies): the same minutes of the shared machine
            # for both, so the gap per phase is the pages' own; the worker's CPU is for both together.
            clients = [(name, path, Client(server.port, signed_in)) for name, path, signed_in in pages]
            for _, path, client in clients:
                for _ in range(20):
                    client.request("GET", path)
            timers("/__worker_split_reset")
            before = server.cpu_seconds()
            for _ in range(args.requests):
                for _, path, client in clients:
                    status, _ = client.request("GET", path)
                    assert status == 200, f"{path} answered {status}"
            worker = (server.cpu_seconds() - before) * 1000 / (args.requests * len(clients))
            answer = timers("/__worker_split")
            apps = 0.0
            for name, path, _ in clients:
                spent = {phase: value * 1000 / args.requests
                         for key_path, phase, value in answer["spent"] if key_path == path}
                median = {phase: value * 1000 for key_path, phase, value in answer["median"] if key_path == path}
                apps += spent["app"]
                row = [float("nan"), float("nan")] + [spent.get(phase, 0.0) for phase in PHASES] + [
                    median["view"], median["app"]]
                figures[(name, "in turn")].append(row)
                print(f"{name + ' / in turn':<18} " + " ".join(f"{v:7.2f}" if i < 2 else f"{v:10.2f}"
                                                               for i, v in enumerate(row)), flush=True)
            print(f"{'both / in turn':<18} {worker:7.2f} {worker - apps / len(clients):7.2f}  (worker and outside: "
                  "the mean of the two pages)", flush=True)
        print("medians:")
        for (name, variant), rows in figures.items():
            print(f"{name + ' / ' + variant:<18} " + " ".join(
                f"{statistics.median(col):7.2f}" if i < 2 else f"{statistics.median(col):10.2f}"
                for i, col in enumerate(zip(*rows))), flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
