"""Several workers, each in its own thread with its own connection, draining one queue."""

import threading
import time

from notifier import outbox
from notifier.dispatcher import deliver_due
from notifier.models import database
from tests.notifier.conftest import make_settings
from tests.notifier.factories import email_to, enqueue_test_message

MESSAGES = 200
WORKERS = 4


def unfinished() -> int:
    counts = outbox.status_counts()
    return counts["queued"] + counts["sending"] + counts["failed"]


def drain(settings, worker_id, errors):
    # A worker can find nothing to claim while others hold every due row, so it keeps polling
    # until the whole queue is done rather than stopping at its first empty claim.
    deadline = time.monotonic() + 30
    try:
        with database.connection_context():
            while unfinished() and time.monotonic() < deadline:
                if not deliver_due(settings, worker_id=worker_id).claimed:
                    time.sleep(0.01)
    except Exception as error:  # surfaced by the test below
        errors.append(error)


def test_concurrent_workers_deliver_each_message_exactly_once(seeded, smtp_server):
    with database.atomic():
        for n in range(MESSAGES):
            enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}", now=None)
    settings = make_settings(MAIL_BACKEND="smtp", SMTP_PORT=smtp_server.port, NOTIFIER_BATCH_SIZE=10)
    errors = []
    threads = [threading.Thread(target=drain, args=(settings, f"worker-{n}", errors)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    counts = smtp_server.count_by_message_id()
    assert len(counts) == MESSAGES
    assert max(counts.values()) == 1
    assert outbox.status_counts()["sent"] == MESSAGES
    workers = {m.worker_id for m in outbox.messages()}
    assert len(workers) > 1, "the work should have been shared"
