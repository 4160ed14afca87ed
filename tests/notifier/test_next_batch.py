"""A run of batches claims and renders its next batch while the relay reads a message of the current
one (notifier.dispatcher._NextBatch): every message still goes out once, with one attempt, and a claim
made ahead is never stranded: a failed or ended run gives it back at once, a killed worker's next run
takes it back at once, other workers after the lease."""

from __future__ import annotations

import time

import pytest

from notifier import dispatcher, outbox
from notifier.dispatcher import KeptSenders, deliver_due
from notifier.models import QUEUED, SENDING, SENT, UNKNOWN, Attempt, Message
from tests.notifier.conftest import make_settings
from tests.notifier.test_faults import (  # noqa: F401 - the fixture
    PipeliningSlowFromHandler,
    enqueue_many,
    kill,
    start_worker,
    wait_for,
)
from tests.servers import SmtpServer


def settings_for(server, **overrides):
    return make_settings(**{"MAIL_BACKEND": "smtp", "SMTP_PORT": server.port, "NOTIFIER_BATCH_SIZE": 5,
                            "NOTIFIER_WORKER_ID": "w1", **overrides})


class Crash(BaseException):
    """A failure no handler in the dispatcher catches (as a shutdown or a lost database would)."""


def claimed_ahead(token: str) -> list[Message]:
    return list(Message.select().where((Message.status == SENDING) & (Message.claim_token != token)))


def assert_each_sent_once(server, count: int) -> None:
    assert outbox.status_counts()[SENT] == count
    assert {m.attempts for m in Message.select()} == {1}
    assert Attempt.select().count() == count
    received = server.count_by_message_id()
    assert len(received) == count and set(received.values()) == {1}


def test_a_full_batch_claims_and_renders_the_next_one_while_the_relay_reads_its_messages(seeded, smtp_server):
    enqueue_many(12)
    settings = settings_for(smtp_server)
    with KeptSenders() as kept:
        assert deliver_due(settings, kept=kept).sent == 5
        ahead = kept.next
        # Claimed in the first message's wait, rendered one a wait; not tried, nothing stored yet.
        assert len(ahead.claim.messages) == 5 and len(ahead.rendered) >= 3
        rows = claimed_ahead("-")
        assert {m.id for m in rows} == {m.id for m in ahead.claim.messages}
        assert {(m.attempts, m.attempt_started_at, m.rendered) for m in rows} == {(0, None, None)}
        assert deliver_due(settings, kept=kept).sent == 5
        assert deliver_due(settings, kept=kept).sent == 2  # the rest, claimed ahead too
        assert kept.next is None  # a batch that was not full prepares nothing
    assert_each_sent_once(smtp_server, 12)


def test_a_run_that_fails_gives_the_next_batch_back_at_once(seeded, smtp_server):
    enqueue_many(15)
    calls, ahead_at_crash = [], []

    def crash_at_the_third_check(message):
        calls.append(message.id)
        if len(calls) == 8:  # the second batch's third message: the third batch is claimed by then
            ahead_at_crash.extend(claimed_ahead(message.claim_token))
            raise Crash()

    settings = settings_for(smtp_server)
    kept = KeptSenders()
    assert deliver_due(settings, kept=kept, suppress=crash_at_the_third_check).sent == 5
    with pytest.raises(Crash):
        deliver_due(settings, kept=kept, suppress=crash_at_the_third_check)
    assert kept.next is None and len(ahead_at_crash) == 5
    # Nothing left claimed: what the failed run did not try is due again, its attempts unspent.
    counts = outbox.status_counts()
    assert counts[SENDING] == 0 and counts[SENT] + counts[QUEUED] == 15
    assert {m.attempts for m in Message.select().where(Message.status == QUEUED)} == {0}
    # Another worker takes them at once (no lease to wait for).
    with KeptSenders() as again:
        while deliver_due(settings_for(smtp_server, NOTIFIER_WORKER_ID="w2"), kept=again).claimed:
            pass
    assert_each_sent_once(smtp_server, 15)


def test_a_run_that_ends_gives_its_unused_next_batch_back(seeded, smtp_server):
    enqueue_many(10)
    settings = settings_for(smtp_server)
    with KeptSenders() as kept:
        deliver_due(settings, kept=kept)
        assert len(claimed_ahead("-")) == 5
    assert outbox.status_counts()[SENDING] == 0
    assert {(m.status, m.attempts, m.claim_token) for m in Message.select().where(Message.status != SENT)} == {
        (QUEUED, 0, None)}


def test_a_run_about_to_end_prepares_no_next_batch(seeded, smtp_server):
    enqueue_many(10)
    with KeptSenders(deadline=time.monotonic()) as kept:
        assert deliver_due(settings_for(smtp_server), kept=kept).sent == 5
        assert kept.next is None
    assert outbox.status_counts()[QUEUED] == 5


def test_a_killed_worker_takes_back_the_batch_it_claimed_ahead_at_once(seeded, database_url):
    """A real worker process, batches of 5 with the next claimed ahead, killed while the relay holds its
    third message: the claim made ahead is its leftover, taken back at once by its restart; only the
    message in flight is held for review; nothing is sent twice or charged an attempt it did not make."""
    relay = SmtpServer()
    relay.handler = PipeliningSlowFromHandler(quick=2, data_delay=1.0)
    relay.start()
    try:
        enqueue_many(12)
        worker = start_worker(database_url, relay.port, "kw", batch=5, mode="kept")
        wait_for(lambda: relay.handler.data_started == 3)
        kill(worker)
        tokens = {m.claim_token for m in Message.select().where(Message.status == SENDING)}
        assert len(tokens) == 2  # this batch and the next, claimed ahead
        relay.handler.data_delay = 0
        started = time.monotonic()
        worker = start_worker(database_url, relay.port, "kw", batch=5, mode="kept")
        try:
            wait_for(lambda: not (outbox.status_counts()[QUEUED] + outbox.status_counts()[SENDING]))
        finally:
            kill(worker)
        assert time.monotonic() - started < 30  # not the 60 s lease
        counts = outbox.status_counts()
        assert (counts[SENT], counts[UNKNOWN], counts["dead"]) == (11, 1, 0)
        assert {m.attempts for m in Message.select()} == {1}
        time.sleep(1.0)  # the relay answers the killed send
        received = relay.count_by_message_id()
        assert len(received) == 12 and set(received.values()) == {1}
    finally:
        relay.stop()


def test_the_next_batch_is_not_prepared_without_kept_senders(seeded, smtp_server):
    enqueue_many(10)
    assert deliver_due(settings_for(smtp_server)).sent == 5
    assert outbox.status_counts()[QUEUED] == 5 and not dispatcher._running
