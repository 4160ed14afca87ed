"""The APScheduler scheduler: job configuration, real delivery, two schedulers at once."""

import threading
import time
from datetime import UTC

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
