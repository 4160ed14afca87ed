"""Notifier throughput and latency against a local SMTP server, beside a bare smtplib loop.

A relay (aiosmtpd) runs in its own process on 127.0.0.1 and notes when each Message-ID arrives; it
offers PIPELINING (RFC 2920) as Postfix does, unless --no-pipelining. In
the same run, against the same relay:
- the lean reference: a bare smtplib loop sending N prebuilt messages over one connection;
- the notifier: N messages enqueued (one transaction each, as the portal does), then the real
  scheduler (one worker) delivering them; or, with --rate, enqueued at a steady rate while it runs.
Prints both throughputs, their ratio, and enqueue→delivery latency (median, p95).

    .venv/bin/python tests/bench/bench_notifier.py [--messages N] [--rate R] [--database-url URL]
        [--no-pipelining] [--profile] [--root CHECKOUT] [--pairs N --against CHECKOUT]

With --pairs N --against CHECKOUT it runs itself 2N times, this checkout's notifier and CHECKOUT's
back to back (the order flipped every pair), and prints each run and the medians: on a shared machine
only such pairs, and the ratio to the smtplib loop of the same run, say anything.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if "--root" in sys.argv:  # measure another checkout (e.g. the code before a change) with this script
    ROOT = Path(sys.argv[sys.argv.index("--root") + 1]).resolve()
sys.path.insert(0, str(ROOT))

RELAY = r'''
import asyncio, json, sys, time, threading
from aiosmtpd.controller import Controller
arrivals = {}
class Recorder:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if sys.argv[2] == "pipelining":  # as Postfix and most providers offer it
            return [*responses[:-1], "250-PIPELINING", responses[-1]]
        return responses

    async def handle_DATA(self, server, session, envelope):
        arrived = time.time()
        for line in envelope.content.split(b"\n"):
            if line.lower().startswith(b"message-id:"):
                arrivals.setdefault(line.split(b":", 1)[1].strip().decode(), arrived)
                break
        return "250 OK"
controller = Controller(Recorder(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
for command in sys.stdin:
    command = command.strip()
    if command == "count":
        print(len(arrivals), flush=True)
    elif command == "dump":
        print(json.dumps(arrivals), flush=True)
    elif command == "reset":
        arrivals.clear()
        print("ok", flush=True)
controller.stop()
'''


class Relay:
    def __init__(self, port: int, pipelining: bool):
        self.port = port
        mode = "pipelining" if pipelining else "plain"
        self.process = subprocess.Popen([sys.executable, "-c", RELAY, str(port), mode], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline()

    def count(self) -> int:
        return int(self.ask("count"))

    def arrivals(self) -> dict[str, float]:
        return json.loads(self.ask("dump"))

    def cpu_seconds(self) -> float:
        """The relay process's CPU time so far (user + system)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


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


def bare_smtplib_loop(relay: Relay, count: int) -> float:
    """Messages per second of a bare smtplib loop sending prebuilt messages over one connection."""
    from email import policy
    from email.message import EmailMessage

    prebuilt = []
    for n in range(count):
        msg = EmailMessage()
        msg["From"] = "Caseport <no-reply@bench.test>"
        msg["To"] = f"User {n} <user{n}@example.com>"
        msg["Subject"] = "Test message from Caseport"
        msg["Message-ID"] = f"<ref-{n}@bench.test>"
        msg.set_content(f"Hello User {n},\n\nthis is a test message from Caseport.\n")
        msg.add_alternative(f"<p>Hello User {n},</p><p>this is a test message from Caseport.</p>", subtype="html")
        prebuilt.append((f"user{n}@example.com", msg.as_bytes(policy=policy.SMTP)))
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", relay.port) as connection:
        for address, data in prebuilt:
            connection.sendmail("no-reply@bench.test", [address], data)
    elapsed = time.perf_counter() - started
    assert relay.count() == count
    relay.ask("reset")
    return count / elapsed


# The hot functions timed with --profile (thread CPU, summed per function; nested ones are included
# in their callers). A name missing from the code being measured (e.g. --root of an older checkout)
# is skipped.
HOT = [
    ("notifier.scheduler", "deliver_due", "delivery run (all)"),
    ("notifier.dispatcher", "_claim", "claim"),
    ("notifier.dispatcher", "_render_batch", "render batch (render + store)"),
    ("notifier.dispatcher", "_render", "  render (templates)"),
    ("notifier.dispatcher", "store_rendered", "  store rendering (per row)"),
    ("notifier.dispatcher", "store_renderings", "  store renderings (batch)"),
    ("notifier.dispatcher", "start_attempt", "start mark (per message)"),
    ("notifier.marks", "start_attempt", "start mark (+ previous sent mark)"),
    ("notifier.dispatcher", "_outgoing", "outgoing object"),
    ("notifier.channels.smtp.SmtpChannel", "send", "SMTP send (all)"),
    ("notifier.channels.smtp", "email_bytes", "  MIME bytes"),
    ("notifier.channels.smtp.SmtpChannel", "_hand_over", "  SMTP dialogue"),
    ("smtplib.SMTP", "getreply", "    reading the relay's replies"),
    ("notifier.marks", "mark_sent_many", "sent marks"),
    ("notifier.dispatcher", "extend_lease", "lease renewal"),
]


class Profile:
    """Thread CPU and calls per hot function, by wrapping them where they are looked up."""

    def __init__(self):
        import importlib

        self.cpu, self.calls, self.walls, self.wall = {}, {}, {}, 0.0
        for module_name, attr, label in HOT:
            owner_name, _, class_name = module_name.rpartition(".") if module_name.rpartition(".")[2][:1].isupper() \
                else (module_name, "", "")
            try:
                owner = importlib.import_module(owner_name)
                if class_name:
                    owner = getattr(owner, class_name)
                original = getattr(owner, attr)
            except (ImportError, AttributeError):
                continue
            setattr(owner, attr, self._timed(original, label, outer=attr == "deliver_due"))

    def _timed(self, func, label, outer=False):
        import functools

        @functools.wraps(func)
        def timed(*args, **kwargs):
            started, wall = time.thread_time(), time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.cpu[label] = self.cpu.get(label, 0.0) + time.thread_time() - started
                self.calls[label] = self.calls.get(label, 0) + 1
                self.walls[label] = self.walls.get(label, 0.0) + time.perf_counter() - wall
                if outer:
                    self.wall += time.perf_counter() - wall

        return timed

    def report(self, delivered: int, elapsed: float) -> None:
        total = self.cpu.get("delivery run (all)", 0.0)
        print(f"profile: delivery runs took {self.wall:.2f}s of the {elapsed:.2f}s (idle between runs "
              f"{max(0.0, elapsed - self.wall) / elapsed:.0%}); thread CPU {total:.2f}s "
              f"({total / max(self.wall, 1e-9):.0%} of the runs' wall time)")
        for _, _, label in HOT:
            if label in self.cpu:
                cpu = self.cpu[label]
                print(f"  {label:<34} CPU {cpu * 1e6 / max(delivered, 1):5.0f} µs/message {cpu / max(total, 1e-9):6.1%}"
                      f"   wall {self.walls[label] * 1e6 / max(delivered, 1):5.0f} µs/message"
                      f"   ({self.calls[label]} calls)")


def enqueue_one(n: int) -> None:
    """One message, in its own transaction, as the portal enqueues."""
    import notifier
    from notifier.models import database

    with database.atomic():
        notifier.enqueue(
            "test_message",
            [notifier.Recipient("email", f"user{n}@example.com", name=f"User {n}")],
            {"user_name": f"User {n}", "portal_name": "Caseport"},
            key=f"bench:{n}",
        )


def run_producer(args, enqueue) -> int:
    """The producer process: enqueue --producer messages at --rate per second, then report the rate reached."""
    import notifier
    from portal.db import connect

    db = connect(args.database_url)
    notifier.bind_database(db)
    with db.connection_context():
        started = time.monotonic()
        for n in range(args.producer):
            enqueue(n)
            time.sleep(max(0.0, started + (n + 1) / args.rate - time.monotonic()))
        elapsed = time.monotonic() - started
    print(f"producer (own process): offered {args.producer / elapsed:.0f} messages/s of the {args.rate:g}/s asked",
          flush=True)
    return 0


def machine_load() -> str:
    """The load average and the kernel's CPU pressure (share of time some task waited for a core)."""
    load = Path("/proc/loadavg").read_text().split()[0]
    pressure = "?"
    with contextlib.suppress(OSError, IndexError, ValueError):
        pressure = Path("/proc/pressure/cpu").read_text().split()[1].split("=")[1] + " %"
    return f"load average {load}, CPU pressure (some, avg10) {pressure}"


_FIGURES = {
    "reference": re.compile(r"same relay\): (\d+) messages/s"),
    "notifier": re.compile(r"in [\d.]+s: (\d+) messages/s"),
    "cpu": re.compile(r"notifier process (\d+) µs"),
    "relay": re.compile(r"relay (\d+) µs"),
}


def run_pairs(args) -> int:
    """--pairs: this checkout against --against, back to back, the order flipped every pair."""
    # The same options for every run, less those of this mode (each option here takes one value).
    words = sys.argv[1:]
    dropped = {n + k for n, word in enumerate(words) if word in ("--pairs", "--against", "--root") for k in (0, 1)}
    rest = [word for n, word in enumerate(words) if n not in dropped]
    here = Path(__file__).resolve().parents[2]
    results: dict[str, list[dict]] = {"this": [], "against": []}
    for pair in range(args.pairs):
        order = ("against", "this") if pair % 2 == 0 else ("this", "against")
        for who in order:
            root = here if who == "this" else Path(args.against).resolve()
            started = datetime.now(UTC)
            out = subprocess.run([sys.executable, __file__, *rest, "--root", str(root)], capture_output=True,
                                 text=True).stdout
            figures = {name: int(m.group(1)) if (m := pattern.search(out)) else 0 for name, pattern in _FIGURES.items()}
            results[who].append(figures)
            ratio = figures["notifier"] / figures["reference"] if figures["reference"] else float("nan")
            print(f"{started:%H:%M:%S} pair {pair + 1} {who:<7} {figures['notifier']:5d} msg/s "
                  f"(smtplib loop {figures['reference']:5d}, {ratio:.2f}x)  CPU µs/msg notifier {figures['cpu']} "
                  f"relay {figures['relay']}  [{machine_load()}]", flush=True)
    for who, label in (("this", f"this checkout ({here})"), ("against", f"--against ({args.against})")):
        rows = results[who]
        ratios = [r["notifier"] / r["reference"] for r in rows if r["reference"]]
        cpu, relay = statistics.median(r["cpu"] for r in rows), statistics.median(r["relay"] for r in rows)
        print(f"median {label}: {statistics.median(r['notifier'] for r in rows):.0f} msg/s, "
              f"{statistics.median(ratios):.2f}x the smtplib loop, notifier CPU {cpu:.0f} µs/msg, relay {relay:.0f}")
    wins = sum(a["notifier"] > b["notifier"] for a, b in zip(results["this"], results["against"], strict=True))
    print(f"this checkout faster in {wins} of {args.pairs} pairs")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--interval", type=float, default=1.0, help="NOTIFIER_INTERVAL_SECONDS")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--rate", type=float, default=0,
                        help="enqueue at this many messages/s while delivering (default: all first, then deliver)")
    parser.add_argument("--root", default=None, help="the checkout whose notifier to measure (default: this one)")
    parser.add_argument("--no-pipelining", action="store_true",
                        help="the relay does not offer PIPELINING (RFC 2920; by default it does, as Postfix does)")
    parser.add_argument("--lanes", type=int, default=0,
                        help="NOTIFIER_LANES (default: the notifier's own default; ignored by code without lanes)")
    parser.add_argument("--producer", type=int, default=0, help=argparse.SUPPRESS)  # internal: the producer process
    parser.add_argument("--profile", action="store_true",
                        help="time the hot functions with time.thread_time and print where the CPU went")
    parser.add_argument("--pairs", type=int, default=0,
                        help="run N pairs of this checkout and --against, back to back, and print the medians")
    parser.add_argument("--against", default=None, help="with --pairs: the other checkout (e.g. main's code)")
    args = parser.parse_args()
    if args.pairs:
        if not args.against:
            parser.error("--pairs needs --against CHECKOUT")
        return run_pairs(args)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)

    import notifier
    from notifier.models import Message, database
    from notifier.scheduler import build_scheduler
    from notifier.settings import DEFAULT_TEMPLATES_DIR, Settings
    from notifier.templates import seed_defaults
    from portal.db import connect
    from tests.servers import free_port

    if args.producer:
        return run_producer(args, enqueue_one)

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
    db.close()

    relay = Relay(free_port(), pipelining=not args.no_pipelining)
    reference = bare_smtplib_loop(relay, args.messages)
    settings = Settings.from_mapping({
        "MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": relay.port,
        "MAIL_FROM": "Caseport <no-reply@bench.test>", "NOTIFIER_INTERVAL_SECONDS": args.interval,
        "NOTIFIER_BATCH_SIZE": args.batch_size, **({"NOTIFIER_LANES": args.lanes} if args.lanes else {}),
    })

    def enqueue(n: int) -> None:
        enqueue_one(n)

    def produce():
        # Its own process (its own interpreter and GIL), as a web process is: in the notifier's process
        # the producer could not offer 200/s while the worker ran.
        command = [sys.executable, __file__, "--producer", str(args.messages), "--rate", str(args.rate),
                   "--database-url", url]
        if "--root" in sys.argv:
            command += ["--root", str(ROOT)]
        return subprocess.Popen(command)

    profile = Profile() if args.profile else None
    scheduler = build_scheduler(settings, blocking=False)
    if args.rate:
        cpu_before, relay_before = time.process_time(), relay.cpu_seconds()
        started = time.time()
        scheduler.start()
        producer = produce()
        if producer.wait() != 0:
            print("the producer failed", file=sys.stderr)
    else:
        with database.connection_context():
            for n in range(args.messages):
                enqueue(n)
        # Taken after the enqueueing (the queue is filled by this process): until session 9 it was
        # taken before, so "notifier process" CPU included 3,000 enqueues (about 300 µs each).
        cpu_before, relay_before = time.process_time(), relay.cpu_seconds()
        started = time.time()
        scheduler.start()
    deadline = time.monotonic() + args.timeout
    while relay.count() < args.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    scheduler.shutdown(wait=True)
    cpu, relay_cpu = time.process_time() - cpu_before, relay.cpu_seconds() - relay_before
    arrivals = relay.arrivals()
    relay.stop()

    with database.connection_context():
        created = {
            f"<{uuid}@bench.test>": created_at.timestamp()
            for uuid, created_at in Message.select(Message.uuid, Message.created_at).tuples()
        }
    latencies = [arrivals[mid] - created[mid] for mid in arrivals if mid in created]
    delivered = len(arrivals)
    elapsed = max(arrivals.values()) - started if arrivals else float("nan")
    backend = "postgresql" if url.startswith("postgres") else "sqlite"
    mode = f"steady {args.rate:g}/s" if args.rate else "queue filled first"
    mode += "; relay without PIPELINING" if args.no_pipelining else "; relay offers PIPELINING"
    print(f"machine: {machine_load()}")
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; backend: {backend}; {mode}; interval {args.interval}s; "
          f"batch {args.batch_size}; code: {ROOT}")
    print(f"lean reference (bare smtplib loop, prebuilt messages, same relay): {reference:.0f} messages/s")
    print(f"notifier: delivered {delivered}/{args.messages} in {elapsed:.2f}s: {delivered / elapsed:.0f} messages/s "
          f"({delivered / elapsed / reference:.2f}x the reference)")
    per_message = 1e6 / max(delivered, 1)
    print(f"CPU per delivered message: notifier process {cpu * per_message:.0f} µs "
          f"(all its threads{'' if args.rate else ', enqueueing excluded'}), relay {relay_cpu * per_message:.0f} µs")
    if latencies:
        print(f"enqueue→delivery latency: median {statistics.median(latencies) * 1000:.0f} ms, "
              f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms")
    if profile is not None:
        profile.report(delivered, elapsed)
    if hasattr(db, "close_all"):
        db.close_all()
    if schema:
        drop_postgres_schema(args.database_url, schema)
    workdir.cleanup()
    return 0 if delivered == args.messages else 1


if __name__ == "__main__":
    sys.exit(main())
