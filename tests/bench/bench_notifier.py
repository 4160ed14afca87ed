"""Notifier throughput and latency against a local SMTP server.

Starts aiosmtpd on 127.0.0.1, runs the real scheduler (delivery job) in the background, enqueues N
messages one transaction each (as the portal does) from a producer thread, and reports messages
per second delivered and enqueue→delivery latency (median, p95).

    .venv/bin/python tests/bench/bench_notifier.py [--messages N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

import notifier  # noqa: E402
from notifier.models import Message, database  # noqa: E402
from notifier.scheduler import build_scheduler  # noqa: E402
from notifier.settings import DEFAULT_TEMPLATES_DIR, Settings  # noqa: E402
from notifier.templates import seed_defaults  # noqa: E402
from portal.db import connect  # noqa: E402
from tests.servers import free_port  # noqa: E402


class ArrivalRecorder:
    def __init__(self):
        self.arrivals: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        arrived = time.time()
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                with self.lock:
                    self.arrivals.setdefault(line.split(b":", 1)[1].strip().decode(), arrived)
                break
        return "250 OK"


def private_postgres_schema(url: str) -> tuple[str, str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url.split("?", 1)[0], autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", schema


def drop_postgres_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url.split("?", 1)[0], autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--interval", type=float, default=1.0, help="NOTIFIER_INTERVAL_SECONDS")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument(
        "--rate", type=float, default=0, help="enqueue at this many messages/s (default: as fast as possible)"
    )
    args = parser.parse_args()
    # A run longer than the interval makes APScheduler skip the next one and say so; expected here.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)

    workdir = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{workdir.name}/bench.db"
    schema = None
    if url.startswith("postgres"):
        # A private schema, dropped afterwards, so the benchmark never touches existing tables.
        url, schema = private_postgres_schema(url)
    db = connect(url)
    notifier.bind_database(db)
    db.connect()
    db.create_tables(notifier.MODELS)
    seed_defaults(DEFAULT_TEMPLATES_DIR)

    recorder = ArrivalRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings = Settings.from_mapping(
        {
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "MAIL_FROM": "Caseport <no-reply@bench.test>",
            "NOTIFIER_INTERVAL_SECONDS": args.interval,
            "NOTIFIER_BATCH_SIZE": args.batch_size,
        }
    )
    scheduler = build_scheduler(settings, blocking=False)
    scheduler.start()

    def produce():
        with database.connection_context():
            for n in range(args.messages):
                with database.atomic():
                    notifier.enqueue(
                        "test_message",
                        [notifier.Recipient("email", f"user{n}@example.com", name=f"User {n}")],
                        {"user_name": f"User {n}", "portal_name": "Caseport"},
                        key=f"bench:{n}",
                    )
                if args.rate:
                    time.sleep(1 / args.rate)

    started = time.time()
    producer = threading.Thread(target=produce)
    producer.start()
    producer.join()
    enqueued_in = time.time() - started
    deadline = time.monotonic() + args.timeout
    while len(recorder.arrivals) < args.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    scheduler.shutdown(wait=True)
    controller.stop()

    created = {
        f"<{uuid}@bench.test>": created_at.timestamp()
        for uuid, created_at in Message.select(Message.uuid, Message.created_at).tuples()
    }
    latencies = [recorder.arrivals[mid] - created[mid] for mid in recorder.arrivals if mid in created]
    delivered = len(recorder.arrivals)
    elapsed = max(recorder.arrivals.values()) - started if recorder.arrivals else float("nan")
    backend = "postgresql" if url.startswith("postgres") else "sqlite"
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; backend: {backend}; interval {args.interval}s; "
          f"batch {args.batch_size}; rate {args.rate or 'unlimited'}")
    print(f"enqueued {args.messages} messages in {enqueued_in:.2f}s ({args.messages / enqueued_in:.0f}/s)")
    print(f"delivered {delivered}/{args.messages} in {elapsed:.2f}s: {delivered / elapsed:.0f} messages/s")
    if latencies:
        print(f"enqueue→delivery latency: median {statistics.median(latencies) * 1000:.0f} ms, "
              f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms")
    db.close()
    if hasattr(db, "close_all"):
        db.close_all()
    if schema:
        drop_postgres_schema(args.database_url, schema)
    workdir.cleanup()
    return 0 if delivered == args.messages else 1


if __name__ == "__main__":
    sys.exit(main())
