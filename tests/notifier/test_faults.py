"""Faults injected from outside: killed workers, failing runs, relays and gateways that take a message
and never answer. Counts, not guesses: every Message-ID the server received, every attempt."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import peewee
import pytest

from notifier import outbox
from notifier.breaker import Breakers
from notifier.dispatcher import deliver_due
from notifier.models import DEAD, QUEUED, SENDING, SENT, UNKNOWN, Message, database
from tests.notifier.conftest import make_settings
from tests.notifier.factories import T0, email_to, enqueue_test_message, only_message, sms_to
from tests.servers import FakeTwilio, RecordingHandler, SmtpServer

ROOT = Path(__file__).resolve().parents[2]


class SlowHandler(RecordingHandler):
    """Keeps each message as it arrives, then answers only after `data_delay` (RCPT after `rcpt_delay`)."""

    def __init__(self, data_delay=0.0, rcpt_delay=0.0):
        super().__init__()
        self.data_delay, self.rcpt_delay = data_delay, rcpt_delay
        self.data_started = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(self.rcpt_delay)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        # A relay that has queued the message and is slow to say so (or whose answer is lost).
        self.data_started += 1
        answer = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.data_delay)
        return answer


@pytest.fixture
def slow_smtp():
    server = SmtpServer()
    server.handler = SlowHandler()
    server.start()
    yield server
    server.stop()


def enqueue_many(count: int) -> None:
    with database.atomic():
        for n in range(count):
            enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}", now=None)


def smtp(server, **overrides):
    return make_settings(MAIL_BACKEND="smtp", SMTP_PORT=server.port, **overrides)


class CrashingSender:
    """Delivers through the real SMTP channel until its `crash_at`-th send, which blows up the run
    (as a database outage or a bug would) after the relay took the message."""

    def __init__(self, real, crash_at):
        self.real, self.crash_at, self.sends = real, crash_at, 0

    def __enter__(self):
        self.real.__enter__()
        return self

    def __exit__(self, *exc):
        return self.real.__exit__(*exc)

    def send(self, outgoing):
        self.sends += 1
        result = self.real.send(outgoing)
        if self.sends == self.crash_at:
            raise RuntimeError("worker crashed mid-batch")
        return result


@pytest.mark.parametrize("lanes", [1, 2])
def test_a_failed_run_gives_back_what_it_did_not_try_at_once(seeded, smtp_server, monkeypatch, lanes):
    from notifier.channels.smtp import SmtpChannel

    enqueue_many(10)
    settings = smtp(smtp_server, NOTIFIER_LEASE_SECONDS=300, NOTIFIER_LANES=lanes)
    # Each lane has its own sender: each blows up at its third send.
    monkeypatch.setattr("notifier.dispatcher.channel_for", lambda c, s: CrashingSender(SmtpChannel(s), 3))
    with pytest.raises(RuntimeError):
        deliver_due(settings, now=T0, worker_id="w1")
    # Per lane two marked sent and the third in flight when the run died; the untried given back at once.
    assert outbox.status_counts()["sent"] == 2 * lanes
    untried = Message.select().where(Message.status == QUEUED)
    assert untried.count() == 10 - 3 * lanes and {m.attempts for m in untried} == {0}
    assert Message.select().where(Message.attempt_started_at.is_null(False)).count() == lanes
    monkeypatch.undo()
    # Another worker takes the untried at once, not after the 300 s lease; those in flight stay held.
    assert deliver_due(settings, now=T0, worker_id="w2").sent == 10 - 3 * lanes
    counts = smtp_server.count_by_message_id()
    assert len(counts) == 10 and set(counts.values()) == {1}


def test_a_restarted_worker_holds_its_lost_attempt_for_review_and_never_resends_it(seeded, smtp_server, monkeypatch):
    from notifier.channels.smtp import SmtpChannel

    enqueue_many(3)
    settings = smtp(smtp_server, NOTIFIER_LEASE_SECONDS=300)
    monkeypatch.setattr("notifier.dispatcher.channel_for", lambda c, s: CrashingSender(SmtpChannel(s), 1))
    with pytest.raises(RuntimeError):
        deliver_due(settings, now=T0, worker_id="w1")
    monkeypatch.undo()
    report = deliver_due(settings, now=T0, worker_id="w1")
    assert report.sent == 2
    held = Message.get(Message.status == UNKNOWN)
    assert held.attempts == 1 and "may have been delivered" in held.last_error
    assert [a.outcome for a in outbox.attempts_for(held)] == ["unknown"]
    assert set(smtp_server.count_by_message_id().values()) == {1}
    # Staff who checked requeue it: it goes out again, on purpose.
    outbox.requeue(held.uuid, now=T0)
    assert deliver_due(settings, now=T0, worker_id="w1").sent == 1


def test_a_delivered_message_whose_sent_mark_was_lost_is_held_not_resent_nor_dead(seeded, smtp_server, monkeypatch):
    enqueue_test_message()
    settings = smtp(smtp_server, NOTIFIER_MAX_ATTEMPTS=1)

    def outage(*args, **kwargs):
        raise peewee.OperationalError("database is unavailable")

    monkeypatch.setattr("notifier.marks.mark_sent_many", outage)
    with pytest.raises(peewee.OperationalError):
        deliver_due(settings, now=T0, worker_id="w1")
    monkeypatch.undo()
    for _ in range(3):
        deliver_due(settings, now=T0, worker_id="w1")
    assert only_message().status == UNKNOWN
    assert len(smtp_server.messages) == 1


def test_no_answer_after_data_is_outcome_unknown_and_not_resent(seeded, slow_smtp):
    slow_smtp.handler.data_delay = 0.6
    enqueue_test_message()
    settings = smtp(slow_smtp, SMTP_DATA_TIMEOUT=0.2)
    report = deliver_due(settings, now=T0)
    assert report.unknown == 1 and report.failed == 0
    message = only_message()
    assert message.status == UNKNOWN and message.attempts == 1
    assert "no answer from the relay after the message was sent" in message.last_error
    time.sleep(0.6)  # the relay did take it
    assert len(slow_smtp.messages) == 1
    assert deliver_due(settings, now=T0).claimed == 0
    assert len(slow_smtp.messages) == 1


def test_no_answer_before_data_is_a_channel_outage_that_spends_no_attempt(seeded, slow_smtp):
    slow_smtp.handler.rcpt_delay = 0.6
    enqueue_test_message()
    breakers = Breakers()
    report = deliver_due(smtp(slow_smtp, SMTP_COMMAND_TIMEOUT=0.2), now=T0, breakers=breakers)
    assert report.deferred == 1 and report.unknown == 0
    assert (only_message().status, only_message().attempts) == (QUEUED, 0)
    assert report.channels_down == [] and deliver_due(smtp(slow_smtp), now=T0, breakers=breakers).channels_down == [
        "email"]


def test_no_answer_from_the_sms_gateway_after_the_request_is_outcome_unknown(seeded):
    gateway = FakeTwilio()
    answer = gateway._handle
    gateway._handle = lambda handler: (time.sleep(0.6), answer(handler))
    gateway.start()
    try:
        settings = make_settings(SMS_BACKEND="http", SMS_BASE_URL=gateway.url, SMS_ACCOUNT_SID=gateway.sid,
                                 SMS_AUTH_TOKEN=gateway.token, SMS_FROM="+15005550006", SMS_RESPONSE_TIMEOUT=0.2)
        enqueue_test_message([sms_to()])
        assert deliver_due(settings, now=T0).unknown == 1
        time.sleep(0.6)
        assert deliver_due(settings, now=T0).claimed == 0
        assert len(gateway.received) == 1
        assert only_message().status == UNKNOWN and "may have been sent" in only_message().last_error
    finally:
        gateway.stop()


# --- real processes, killed -----------------------------------------------------------------------

def start_worker(url, port, worker_id, lease=60, lanes=1):
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.notifier.worker_process", url, str(port), worker_id, str(lease), str(lanes)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def kill(process):
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_crash_looping_worker_spends_no_attempt_it_did_not_make(seeded, slow_smtp, database_url):
    """Killed mid-send five times (more than NOTIFIER_MAX_ATTEMPTS=3): each life's lost attempt (or the
    delivery just before it, whose sent mark was to ride with the next start mark) is held for review, everything
    else is delivered exactly once by the next life, nothing is dead. One lane (the default), so that each
    life is killed while its one send is in flight (two lanes: the test after this one)."""
    slow_smtp.handler.data_delay = 0.3
    enqueue_many(10)
    lives = 0
    while outbox.status_counts()["queued"] + outbox.status_counts()["sending"] and lives < 5:
        worker = start_worker(database_url, slow_smtp.port, "crashy")
        seen = slow_smtp.handler.data_started
        wait_for(lambda seen=seen: slow_smtp.handler.data_started > seen)
        kill(worker)
        lives += 1
    worker = start_worker(database_url, slow_smtp.port, "crashy")
    try:
        wait_for(lambda: not (outbox.status_counts()["queued"] + outbox.status_counts()["sending"]))
    finally:
        kill(worker)
    time.sleep(0.4)  # the relay answers the last killed send
    counts = outbox.status_counts()
    assert counts["dead"] == 0 and counts["unknown"] >= lives and counts["sent"] + counts["unknown"] == 10
    assert {m.attempts for m in Message.select()} == {1}
    received = slow_smtp.count_by_message_id()
    assert len(received) == 10 and set(received.values()) == {1}


class SlowFromHandler(SlowHandler):
    """Answers the first `quick` messages at once, the later ones only after `data_delay`."""

    def __init__(self, quick, data_delay):
        super().__init__(data_delay=data_delay)
        self.quick = quick

    async def handle_DATA(self, server, session, envelope):
        if self.data_started < self.quick:
            self.data_started += 1
            return await RecordingHandler.handle_DATA(self, server, session, envelope)
        return await super().handle_DATA(server, session, envelope)


class PipeliningSlowFromHandler(SlowFromHandler):
    """The same, offering PIPELINING (RFC 2920): each content then carries the next envelope."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]


@pytest.fixture(params=["plain", "pipelining"])
def slow_from_fifth(request):
    server = SmtpServer()
    handler = PipeliningSlowFromHandler if request.param == "pipelining" else SlowFromHandler
    server.handler = handler(quick=4, data_delay=1.0)
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize("lanes", [1, 2])
def test_a_killed_worker_leaves_at_most_one_message_per_lane_held_for_review(seeded, slow_from_fifth, database_url,
                                                                             lanes):
    """Killed while the relay holds its fifth message (and, with two lanes, its sixth: each lane's
    next one): the four it delivered before are marked sent (each sent mark rides with its lane's next
    start mark), only the one in flight per lane is held; none resent."""
    relay = slow_from_fifth
    enqueue_many(10)
    worker = start_worker(database_url, relay.port, "once", lanes=lanes)
    wait_for(lambda: relay.handler.data_started == 4 + lanes)
    kill(worker)
    assert outbox.status_counts()["sent"] == 4
    relay.handler.data_delay = 0
    worker = start_worker(database_url, relay.port, "once", lanes=lanes)
    try:
        wait_for(lambda: not (outbox.status_counts()["queued"] + outbox.status_counts()["sending"]))
    finally:
        kill(worker)
    counts = outbox.status_counts()
    assert (counts["sent"], counts["unknown"], counts["dead"]) == (10 - lanes, lanes, 0)
    time.sleep(1.0)  # the relay answers the killed sends
    received = relay.count_by_message_id()
    assert len(received) == 10 and set(received.values()) == {1}


def test_a_killed_workers_untried_messages_wait_only_for_the_lease(seeded, slow_smtp, database_url):
    # One lane (the default): exactly one message is in flight when the first worker is killed.
    slow_smtp.handler.data_delay = 0.3
    enqueue_many(10)
    worker = start_worker(database_url, slow_smtp.port, "first", lease=2)
    wait_for(lambda: slow_smtp.handler.data_started > 0)
    kill(worker)
    stranded = Message.select().where(Message.status == SENDING).count()
    assert stranded >= 9
    other = start_worker(database_url, slow_smtp.port, "second", lease=2)
    started = time.monotonic()
    try:
        wait_for(lambda: outbox.status_counts()["sent"] == 9)
    finally:
        kill(other)
    assert time.monotonic() - started < 2 + 9 * 0.3 + 3
    # The one in flight may still be waiting for the relay's answer (up to SMTP_DATA_TIMEOUT): its
    # own lease covers the slowest send, and then it is held for review, not resent.
    [in_flight] = Message.select().where(Message.status == SENDING)
    assert in_flight.attempt_started_at is not None and in_flight.attempts == 1
    assert outbox.status_counts()[DEAD] == 0
    assert {m.attempts for m in Message.select().where(Message.status == SENT)} == {1}


def test_delivered_and_held_messages_are_never_claimed_again(seeded, smtp_server):
    enqueue_many(3)
    deliver_due(smtp(smtp_server), now=T0)
    Message.update(status=UNKNOWN).where(Message.key == "k0").execute()
    assert deliver_due(smtp(smtp_server), now=T0).claimed == 0
    assert {m.status for m in Message.select()} == {SENT, UNKNOWN}
