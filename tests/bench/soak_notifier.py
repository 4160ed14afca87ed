"""Notifier memory soak: the real `caseport notifier` process and a producer process (the portal app
enqueueing in its own transactions, as a web worker does) run side by side against a local SMTP
server; prints each process's resident memory (VmRSS) after a warm-up and at the end.

    .venv/bin/python tests/bench/soak_notifier.py [--seconds 300] [--rate 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_producer(url: str, rate: float) -> None:
    import notifier
    from portal import create_app

    app = create_app({"DATABASE_URL": url})
    db = app.extensions["caseport_db"]
    print("ready", flush=True)
    n = 0
    while True:
        started = time.monotonic()
        # One connection per "request", as a web worker has.
        with db.connection_context(), db.atomic():
            notifier.enqueue(
                "test_message",
                [notifier.Recipient("email", f"user{n}@example.com", name=f"User {n}")],
                {"user_name": f"User {n}", "portal_name": "Caseport"},
                key=f"soak:{os.getpid()}:{n}",
            )
        n += 1
        time.sleep(max(0.0, 1 / rate - (time.monotonic() - started)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--warmup", type=float, default=30)
    parser.add_argument("--rate", type=float, default=20, help="messages enqueued per second")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--role", choices=["producer"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "producer":
        run_producer(args.database_url, args.rate)
        return 0

    from aiosmtpd.controller import Controller

    from notifier.models import Message
    from portal.db import connect
    from tests.bench.bench_notifier import drop_postgres_schema, private_postgres_schema
    from tests.servers import free_port

    workdir = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{workdir.name}/soak.db"
    schema = None
    if url.startswith("postgres"):
        url, schema = private_postgres_schema(url)
    instance = Path(workdir.name)
    env = {**os.environ, "DATABASE_URL": url, "MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1",
           "MAIL_FROM": "Caseport <no-reply@soak.test>", "SECRET_KEY": "soak-" * 8, "UPLOAD_DIR": str(instance)}
    caseport = [sys.executable, "-m", "portal.cli"]
    subprocess.run([*caseport, "db", "upgrade"], env=env, check=True, capture_output=True, cwd=ROOT)

    class Sink:
        received = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.received += 1
            return "250 OK"

    port = free_port()
    env["SMTP_PORT"] = str(port)
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    me = [sys.executable, str(Path(__file__).resolve()), "--database-url", url]
    processes = {
        "notifier": subprocess.Popen([*caseport, "notifier"], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True),
        "producer": subprocess.Popen([*me, "--role", "producer", "--rate", str(args.rate)], env=env, cwd=ROOT,
                                     stdout=subprocess.PIPE, text=True),
    }
    try:
        assert processes["notifier"].stdout.readline().startswith("Notifier running")
        assert processes["producer"].stdout.readline().strip() == "ready"
        time.sleep(args.warmup)
        start = {name: rss_mib(p.pid) for name, p in processes.items()}
        received_at_start = Sink.received
        time.sleep(args.seconds)
        end = {name: rss_mib(p.pid) for name, p in processes.items()}
        delivered = Sink.received - received_at_start
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(timeout=30)
        controller.stop()
    db = connect(url)
    with db.bind_ctx([Message]), db.connection_context():
        total = Message.select().count()
    db.close()
    if hasattr(db, "close_all"):
        db.close_all()
    if schema:
        drop_postgres_schema(args.database_url, schema)
    workdir.cleanup()
    backend = "postgresql" if url.startswith("postgres") else "sqlite"
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; backend: {backend}; rate {args.rate}/s; "
          f"measured {args.seconds:.0f}s after a {args.warmup:.0f}s warm-up; {total} messages in the outbox")
    for name in processes:
        growth = end[name] - start[name]
        per_thousand = growth / delivered * 1000 if delivered else float("nan")
        print(f"{name:9} RSS {start[name]:7.1f} MiB -> {end[name]:7.1f} MiB ({growth:+.1f} MiB, "
              f"{per_thousand:+.2f} MiB per 1,000 messages delivered)")
    print(f"delivered during the measurement: {delivered}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
