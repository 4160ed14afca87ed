"""The APScheduler scheduler: job configuration, real delivery, two schedulers at once."""

import threading
import time
from datetime import UTC

import pytest

from notifier import outbox
from notifier.scheduler import build_scheduler
from tests.notifier.conftest import make_settings
from tests.notifier.factories import email_to, enqueue_test_message


def wait_until(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_delivery_job_is_configured_to_run_once_at_a_time_in_utc(notifier_db):
    scheduler = build_scheduler(make_settings(NOTIFIER_INTERVAL_SECONDS=7), blocking=True)
    [job] = scheduler.get_jobs()
    assert scheduler.timezone == UTC
    assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 120)
    assert job.trigger.interval.total_seconds() == 7


def test_extra_jobs_run_with_a_database_connection(notifier_db):
    ran = threading.Event()

    def reminder_job():
        from notifier.models import database

        assert not database.is_closed()
        ran.set()

    scheduler = build_scheduler(
        make_settings(NOTIFIER_INTERVAL_SECONDS=60),
        blocking=False,
        extra_jobs=[(reminder_job, {"trigger": "interval", "seconds": 0.1})],
    )
    scheduler.start()
    try:
        assert ran.wait(5)
    finally:
        scheduler.shutdown(wait=True)


def test_stopping_the_scheduler_ends_a_delivery_run_waiting_for_work_at_once(seeded, smtp_server):
    """A run polls for new work until the next tick is near (54 s of a 60 s interval): shutting down
    waited for all of it. Now it ends the run at once."""
    settings = make_settings(MAIL_BACKEND="smtp", SMTP_PORT=smtp_server.port, NOTIFIER_INTERVAL_SECONDS=60,
                             NOTIFIER_IDLE_POLL_SECONDS=0.05)
    scheduler = build_scheduler(settings, blocking=False)
    scheduler.start()
    enqueue_test_message([email_to("ada@example.com")], now=None)
    assert wait_until(lambda: outbox.status_counts()["sent"] == 1, timeout=10)
    started = time.monotonic()
    scheduler.shutdown(wait=True)
    assert time.monotonic() - started < 5


def test_two_schedulers_deliver_each_message_exactly_once(seeded, smtp_server):
    for n in range(40):
        enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}", now=None)
    settings = make_settings(
        MAIL_BACKEND="smtp", SMTP_PORT=smtp_server.port, NOTIFIER_INTERVAL_SECONDS=0.2, NOTIFIER_BATCH_SIZE=5
    )
    schedulers = [build_scheduler(settings, blocking=False) for _ in range(2)]
    for scheduler in schedulers:
        scheduler.start()
    try:
        assert wait_until(lambda: outbox.status_counts()["sent"] == 40)
    finally:
        for scheduler in schedulers:
            scheduler.shutdown(wait=True)
    counts = smtp_server.count_by_message_id()
    assert len(counts) == 40 and set(counts.values()) == {1}


def test_a_run_that_stops_with_work_left_is_followed_at_once_not_at_the_next_tick(seeded, monkeypatch):
    from notifier import scheduler as scheduler_module

    for n in range(40):
        enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}", now=None)
    real = scheduler_module.deliver_due
    calls = []

    def slow_deliver_due(*args, **kwargs):
        started = time.monotonic()
        time.sleep(0.55)  # each batch takes 0.55 s: the second of every run ends past the 1 s tick
        report = real(*args, **kwargs)
        calls.append((started, time.monotonic()))
        return report

    monkeypatch.setattr(scheduler_module, "deliver_due", slow_deliver_due)
    scheduler = build_scheduler(make_settings(NOTIFIER_INTERVAL_SECONDS=1, NOTIFIER_BATCH_SIZE=5), blocking=False)
    scheduler.start()
    try:
        assert wait_until(lambda: outbox.status_counts()["sent"] == 40, timeout=30)
    finally:
        scheduler.shutdown(wait=True)
    # Without the immediate rerun a run ending past the tick (APScheduler skips a tick while the job
    # runs) waits for the one after: about 0.9 s idle between runs.
    gaps = [later[0] - earlier[1] for earlier, later in zip(calls, calls[1:], strict=False)]
    assert len(calls) >= 8 and max(gaps[:7]) < 0.5, gaps


def test_stopping_the_scheduler_while_a_run_asks_for_more_does_not_hang(notifier_db, monkeypatch):
    from notifier import scheduler as scheduler_module
    from notifier.dispatcher import DeliveryReport

    settings = make_settings(NOTIFIER_INTERVAL_SECONDS=0.2, NOTIFIER_BATCH_SIZE=5)
    stopper = []

    def busy(*args, **kwargs):
        if not stopper:
            # Stop the scheduler while this run is still going: shutdown() holds the job stores'
            # lock while it waits for this thread, which then asks for an immediate rerun.
            stopper.append(threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}))
            stopper[0].start()
        time.sleep(0.3)
        return DeliveryReport(claimed=5)

    monkeypatch.setattr(scheduler_module, "deliver_due", busy)
    scheduler = build_scheduler(settings, blocking=False)
    scheduler.start()
    assert wait_until(lambda: bool(stopper), timeout=10)
    stopper[0].join(timeout=10)
    assert not stopper[0].is_alive(), "shutdown hung"


def test_a_new_message_waits_about_the_idle_poll_not_the_next_tick(seeded, smtp_server):
    """Ticks 5 s apart: a message queued after the run found the outbox empty goes out within about
    NOTIFIER_IDLE_POLL_SECONDS (without the poll it would wait for the next tick, about 4 s later)."""
    settings = make_settings(MAIL_BACKEND="smtp", SMTP_PORT=smtp_server.port, NOTIFIER_INTERVAL_SECONDS=5,
                             NOTIFIER_IDLE_POLL_SECONDS=0.1)
    scheduler = build_scheduler(settings, blocking=False)
    scheduler.start()
    try:
        time.sleep(0.5)  # the first run found nothing and is polling
        queued = time.monotonic()
        enqueue_test_message([email_to("ada@example.com")], now=None)
        assert wait_until(lambda: outbox.status_counts()["sent"] == 1, timeout=10)
        waited = time.monotonic() - queued
    finally:
        scheduler.shutdown(wait=True)
    assert waited < 1.5, waited


def _count_connections(smtp_server) -> list:
    greetings = []

    async def handle_EHLO(server, session, envelope, hostname, responses):
        session.host_name = hostname
        greetings.append(hostname)
        return responses

    smtp_server.handler.handle_EHLO = handle_EHLO
    return greetings


def test_a_delivery_run_keeps_one_smtp_connection_from_batch_to_batch(seeded, smtp_server):
    from notifier.scheduler import run_delivery

    greetings = _count_connections(smtp_server)
    for n in range(12):
        enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}", now=None)
    settings = make_settings(MAIL_BACKEND="smtp", SMTP_PORT=smtp_server.port, NOTIFIER_INTERVAL_SECONDS=3,
                             NOTIFIER_BATCH_SIZE=5, NOTIFIER_IDLE_POLL_SECONDS=0.05)
    assert run_delivery(settings) == 12  # three batches (and idle polls until the run ends, 2.7 s)
    assert outbox.status_counts()["sent"] == 12
    assert len(greetings) == 1, greetings
    assert set(smtp_server.count_by_message_id().values()) == {1}


def test_a_batch_that_fails_closes_the_kept_connection_and_the_next_opens_a_new_one(seeded, smtp_server,
                                                                                     monkeypatch):
    from notifier import dispatcher
    from notifier.dispatcher import KeptSenders, deliver_due

    greetings = _count_connections(smtp_server)
    for n in range(6):
        enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}", now=None)
    settings = make_settings(MAIL_BACKEND="smtp", SMTP_PORT=smtp_server.port, NOTIFIER_BATCH_SIZE=3)
    with KeptSenders() as kept:
        assert deliver_due(settings, kept=kept).sent == 3
        sender = kept.senders["email"]
        assert sender._connection is not None  # kept open for the next batch
        real = dispatcher._deliver_claim

        def failing(*args, **kwargs):
            raise RuntimeError("the database went away")

        monkeypatch.setattr(dispatcher, "_deliver_claim", failing)
        with pytest.raises(RuntimeError):
            deliver_due(settings, kept=kept)
        assert kept.senders == {} and sender._connection is None  # closed, not reused after a failure
        monkeypatch.setattr(dispatcher, "_deliver_claim", real)
        assert deliver_due(settings, kept=kept).sent == 3
    assert len(greetings) == 2, greetings
    assert outbox.status_counts()["sent"] == 6
    assert set(smtp_server.count_by_message_id().values()) == {1}


def test_an_envelope_sent_ahead_does_not_outlive_its_batch_on_a_kept_connection(seeded, smtp_server):
    from notifier.channels.smtp import SmtpChannel, _Ahead
    from notifier.dispatcher import KeptSenders, deliver_due

    enqueue_test_message([email_to("user1@example.com")], key="k1", now=None)
    settings = make_settings(MAIL_BACKEND="smtp", SMTP_PORT=smtp_server.port)
    with KeptSenders() as kept:
        kept.senders["email"] = sender = kept.stack.enter_context(SmtpChannel(settings))
        sender.probe()
        sender._ahead = _Ahead("another-message", b"")  # as if a batch had ended with one pending
        kept.settle()
        assert sender._ahead is None and sender._connection is None  # abandoned before its "."
        assert deliver_due(settings, kept=kept).sent == 1
    assert len(smtp_server.messages) == 1
